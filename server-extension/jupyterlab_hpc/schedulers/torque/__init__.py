"""Torque: the PBS backends with Torque's forms (``qstat -f -x`` XML, ``nodes=N:ppn=C``)."""
