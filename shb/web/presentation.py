"""Presentation views on one screen: the slide of a view (built once per data version by
`shb.present.deck`) and how it is laid out (`shb.web.layout`'s presentation helpers).

A page in presentation mode calls `show(slide)`; the Bildspel page shows any slide URL with `show_url`.
"""

from __future__ import annotations

import streamlit as st

from shb.present import deck, text, urlstate, views
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import data, site
from shb.web.layout import demo_flag, fitted_chart, presentation_header

CHART_OF = {"trend": "trend", "skillnad": "gap", "rangordning": "ranking", "karta": "map"}


def indicator_slide(view: View, kind: str) -> deck.Slide:
    """The view's indicator as one chart (`kind`: trend, skillnad, rangordning or karta) under a title
    that states the message."""
    c = data.comparison(view)
    nothing = {"skillnad": lambda: c.gaps.dropna().empty,  # then the trend says what there is
               "rangordning": lambda: not c.year or data.frame("indicator_year_values", indicator=view.indikator,
                                                               level=view.niva, year=c.year).empty}
    if kind in nothing and nothing[kind]():
        kind = "trend"
    spec = data.spec_of(CHART_OF[kind], view, option="year" if kind == "karta" else "")
    return deck.chart_slide(text.presentation_title(c), spec, c.sentence, c.origin.demo)


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(_d: dbmod.Database, key: str, set_id: str, goal_area: int) -> deck.Slide:
    return deck.summary_slide(_d, set_id, goal_area)


def summary_slide(set_id: str, goal_area: int = 0) -> deck.Slide:
    """The övergripande mål summary (goal_area 0) or one målområde's effektmål, for the set."""
    d = data.database()
    return _summary(d, data.data_key(d), set_id, goal_area)


@st.cache_data(show_spinner=False, max_entries=128)
def _slide(_d: dbmod.Database, key: str, url: str) -> deck.Slide | None:
    return deck.build_slide(_d, url, views.facts(_d))


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


def slide_of_url(url: str) -> deck.Slide | None:
    """The slide a view URL shows (None for a page without a presentation view), once per data version."""
    d = data.database()
    return _slide(d, data.data_key(d), url)


def links(path: str, view: View) -> None:
    """Under a view: open it in presentation mode, or take it to the meeting as a PowerPoint slide."""
    from shb.present import slides

    left, right = st.columns(2, vertical_alignment="center")
    left.page_link(path, label="Öppna i presentationsläge", icon=":material/slideshow:",
                   query_params={**urlstate.to_params(view), "visning": "presentation"})
    url = deck.slide_url(site.page_url_path(path), {k: v for k, v in urlstate.to_params(view).items() if k != "v"})
    d = data.database()
    right.download_button("Vyn som PowerPoint-bild", icon=":material/co_present:", on_click="ignore",
                          data=lambda: slides.to_pptx(slides.build_slides(d, [url]), d.version),
                          file_name=f"{text.deck_file_name(view.indikator, d.version)}.pptx", mime=slides.DECK_MIME)
