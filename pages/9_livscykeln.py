"""Livscykeln: the övergripande mål over the life course, set against the rest of the city per life stage."""

from shb.web import lifecycle

lifecycle.life_cycle_page()
