"""Grupper: the gap between two groups over time, citywide and in the focus set."""

from shb.web import layout, sections

snap = layout.setup("Grupper", __file__)
if snap is not None:
    sections.groups_page(snap)
