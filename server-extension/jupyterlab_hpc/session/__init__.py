"""The job that hosts this Jupyter server (issue 16): its id, time left, memory and size."""
