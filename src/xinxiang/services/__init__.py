"""Service layer: use cases that combine the pure core with storage and mail I/O."""
