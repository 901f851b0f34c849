"""The Prioritering page: every effektmål ranked for leadership, one screen, each row a link to the
indicator furthest behind its målvärde on the effektmål's målområde page; presentation-ready."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from shb.present import priorities, steering, tables, text, urlstate, views
from shb.web import controls, data, site
from shb.web.layout import demo_flag, fitted_table, footer, navigation, presentation_header
from shb.web.state import current_view

PAGE = "pages/10_prioritering.py"
PRESENTATION_ROWS = 12  # effektmål that fit 1280×720 under a two-line title; the rest are counted below
TOP = 3  # the effektmål the presentation title names


def _filter_by_document(ranked):
    """A choice of styrdokument or process; with one chosen, only the effektmål it relates to."""
    linked = steering.links(data.database())
    options = steering.choices(linked)
    chosen = st.selectbox("Styrdokument eller process", [None, *options], key="shb_steering",
                          format_func=lambda d: "Alla effektmål" if d is None else options[d])
    if chosen is None:
        return ranked
    targets = steering.targets_of(linked, chosen)
    st.caption(text.steering_filter_text(options[chosen], len(targets)))
    return ranked[ranked.target_id.isin(targets)].reset_index(drop=True)


def _links(view, ranked) -> list[str | None]:
    """Each effektmål's row opens its indicator on its målområde page (in the ordinary view)."""
    links = []
    for r in ranked.itertuples():
        page = site.GOAL_AREA_PAGES.get(int(r.goal_area_id))
        params = {**urlstate.to_params(view), "indikator": r.indicator_id}
        params.pop("visning", None)
        links.append(f"{site.page_url_path(page.path)}?{urlencode(params, safe=',:')}" if page else None)
    return links


def presentation(view, ranked, set_title: str) -> None:
    """Prioritering on one screen: a title naming the effektmål to take first, one caption line, the demo
    flag, and the top of the ranking in columns that fit 1280 px, saying how many more there are."""
    top = ranked.head(TOP)
    presentation_header(text.priority_presentation_title(top.target_id.tolist(), int(top.off_track.sum()),
                                                         int(top.aims.sum())),
                        text.priority_presentation_caption(set_title))
    demo_flag(bool(data.overview(view.jamfor).demo.any()))
    shown = ranked.head(PRESENTATION_ROWS)
    fitted_table(tables.priority_table(shown, _links(view, shown)), column_config={
        "Rang": st.column_config.NumberColumn(width=55, format="%d"),
        "Effektmål": st.column_config.TextColumn(width=440),
        "Målvärden som inte nås i tid": st.column_config.TextColumn(width=190),
        "Takt mot målvärdena": st.column_config.TextColumn(width=175),
        "Skillnader som ökar": st.column_config.TextColumn(width=150),
        "Status": st.column_config.TextColumn(width=120),
        "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width=55),
    })
    more = text.rows_shown(len(shown), len(ranked), "effektmål")
    if more:
        st.caption(more)


def priorities_page(snap: dict) -> None:
    view = current_view()
    if not view.presentation:
        navigation(view)
        view = controls.choose_period(view, where=st.sidebar)
        view = controls.choose_set(view, where=st.sidebar)
    d = data.database()
    set_title = views.set_members(d, view.jamfor)[0]
    ranked = priorities.priorities(d, view.jamfor, data.overview(view.jamfor), view.period)
    if view.presentation:
        presentation(view, ranked, set_title)
        return
    st.title(text.PRIORITY_TITLE)
    st.caption(text.priority_intro(set_title))
    if not view.period:  # documents are linked to the current period's effektmål
        ranked = _filter_by_document(ranked)
    table = tables.priority_table(ranked, _links(view, ranked))
    st.dataframe(table, hide_index=True, width="stretch", height=38 * (len(table) + 1) + 4, column_config={
        "Rang": st.column_config.NumberColumn(width="small", format="%d"),
        "Effektmål": st.column_config.TextColumn(width="large"),
        "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width="small"),
    })
    st.page_link(PAGE, label="Öppna i presentationsläge", icon=":material/slideshow:",
                 query_params={**urlstate.to_params(view), "visning": "presentation"})
    footer(snap)
