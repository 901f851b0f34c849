"""Facts and rules every layer shares: paths, errors, the catalog, areas, number formats, statistics."""
