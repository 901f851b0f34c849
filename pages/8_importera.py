"""Läs in data: check and load a file, templates, the import log and kept versions (analysts only)."""

from shb.web import importpage, layout

snap = layout.setup("Läs in data", __file__)
if snap is not None:
    importpage.page(snap)
