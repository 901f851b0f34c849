"""Karta: a full-width choropleth of one indicator, year and group, focus areas outlined."""

from shb.web import layout, sections

snap = layout.setup("Karta", __file__)
if snap is not None:
    sections.map_page(snap)
