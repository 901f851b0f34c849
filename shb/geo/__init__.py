"""Area geometry: the schematic default, versions, and the import of real borders."""
