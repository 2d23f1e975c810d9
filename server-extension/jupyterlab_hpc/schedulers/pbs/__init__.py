"""OpenPBS / PBS Professional: commands (ids, argv), parsers, submit options, and the
server's and the blocking backends. Torque (../torque/) builds on these."""
