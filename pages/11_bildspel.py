"""Bildspel: the follow-up as a sequence of presentation views, one slide per `bild`, with links and
arrow keys to step through it, and PowerPoint/PDF export."""

from shb.web import deckpage, layout

snap = layout.setup("Bildspel", __file__)
if snap is not None:
    deckpage.page(snap)
