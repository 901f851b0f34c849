"""Målområde 1: its effektmål and indicators, the focus set against the whole city."""

from shb.web import sections

sections.goal_area_page(1)
