"""Slurm: commands (argv), parsers, and the server's and the blocking backends."""
