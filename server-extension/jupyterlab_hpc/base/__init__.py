"""What every feature's REST handlers share."""
