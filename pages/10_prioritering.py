"""Prioritering: every effektmål ranked by the distance to its målvärden and by widening gaps."""

from shb.web import layout, priorities

snap = layout.setup("Prioritering", __file__)
if snap is not None:
    priorities.priorities_page(snap)
