"""Data in: read and check files, load them, templates, the demo generator, fetching, notes."""
