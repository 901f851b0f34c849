"""Data och metod: the catalog, sources and licences, statuses, method, and downloads."""

from shb.web import layout, sections

snap = layout.setup("Data och metod", __file__)
if snap is not None:
    sections.data_page(snap)
