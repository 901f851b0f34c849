"""Områden: an area's or an area set's profile, every indicator in its latest year against the city."""

from shb.web import layout, sections

snap = layout.setup("Områden", __file__)
if snap is not None:
    sections.area_page(snap)
