"""The cluster view (issue 19): the shared summary of partitions and nodes, and its routes."""
