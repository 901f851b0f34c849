"""Import real area polygons (GeoJSON, GeoPackage, GeoParquet) in place of the schematic geometry."""

from __future__ import annotations


def register(sub, with_db) -> None:
    """Add `geo import` to the command line."""
