"""The snapshot files: the read connection, the one write transaction, versions, locks and publication."""
