"""Karta: a full-width choropleth of one indicator, year and group, focus areas outlined."""

from shb.web import ui

snap = ui.setup("Karta", __file__)
if snap is not None:
    ui.map_page(snap)
