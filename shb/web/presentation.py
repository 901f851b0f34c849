"""Presentation views on one screen: the slide of a view (built once per data version by
`shb.present.deck`) and how it is laid out (`shb.web.layout`'s presentation helpers).

A page in presentation mode calls `show(slide)`; the Bildspel page shows any slide URL with `show_url`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from shb.present import deck, text, urlstate, views
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import data
from shb.web.layout import demo_flag, fitted_chart, presentation_header

CHART_OF = {"trend": "trend", "skillnad": "gap", "rangordning": "ranking", "karta": "map"}


def indicator_slide(view: View, kind: str) -> deck.Slide:
    """The view's indicator as one chart (`kind`: trend, skillnad, rangordning or karta) under a title
    that states the message."""
    c = data.comparison(view)
    spec = data.spec_of(CHART_OF[kind], view, option="year" if kind == "karta" else "")
    if kind == "skillnad" and c.gaps.dropna().empty:
        spec = data.spec_of("trend", view)
    return deck.chart_slide(text.presentation_title(c), spec, c.sentence, c.origin.demo)


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(_d: dbmod.Database, key: str, set_id: str, goal_area: int) -> deck.Slide:
    ov = views.overview(_d, set_id)
    structure = _d.run("goal_structure")
    set_title = views.set_members(_d, set_id)[0]
    demo = bool(ov[ov.area_level].demo.any())
    caption = text.summary_caption(set_title, demo)
    if goal_area:
        return deck.goal_area_slide(ov, structure, goal_area, demo, caption)
    return deck.goal_slide(ov, structure, _d.run("programme").iloc[0], demo, caption)


def summary_slide(set_id: str, goal_area: int = 0) -> deck.Slide:
    """The övergripande mål summary (goal_area 0) or one målområde's effektmål, for the set."""
    d = data.database()
    return _summary(d, data.data_key(d), set_id, goal_area)


def show(slide: deck.Slide, key: str = "slide", **chart_kwargs):
    """One presentation screen: the stating title, the caption line, the demo flag, the chart."""
    presentation_header(slide.title, slide.caption)
    demo_flag(slide.demo)
    if slide.spec is None:
        st.markdown(slide.sentence)
        return None
    return fitted_chart(slide.spec, key=key, **chart_kwargs)


def goal_area_view(view: View, goal_area: int) -> None:
    """A målområde page in presentation mode: the chart the URL's `diagram` asks for (the trend by default)."""
    kind = view.diagram or "trend"
    if kind == "effektmal":
        show(summary_slide(view.jamfor, goal_area))
    else:
        show(indicator_slide(view, kind))


def slide_of_url(url: str, base: View, facts: urlstate.Facts) -> tuple[deck.Slide, View] | None:
    """The slide a view URL shows, read as a link would be (checked against the facts); None for a
    page that has no presentation view."""
    path, params = deck.split_url(url)
    view = replace(urlstate.parse(params, facts), visning="presentation")
    if path == deck.OVERVIEW_PATH:
        return summary_slide(view.jamfor), view
    goal_area = next((g for g, p in deck.GOAL_AREA_PATHS.items() if p == path), None)
    if goal_area is not None:
        if view.diagram == "effektmal":
            return summary_slide(view.jamfor, goal_area), view
        return indicator_slide(view, view.diagram or "trend"), view
    if path == deck.MAP_PATH:
        return indicator_slide(view, "karta"), view
    return None
