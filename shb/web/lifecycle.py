"""The Livscykeln page: per life stage, the chosen set against the rest of the city, worst gaps first, and
for the chosen indicator of the övergripande mål its social gradient and its comparison."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from shb.present import lifecycle, tables, text, urlstate, views
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import controls, data, site
from shb.web.layout import chart, footer, navigation, setup
from shb.web.sections import SOURCE_HELP, comparison_section
from shb.web.state import current_view, update


@st.cache_data(show_spinner=False, max_entries=8)
def _life_course(_d: dbmod.Database, key: str, set_id: str) -> pd.DataFrame:
    return lifecycle.life_course(_d, set_id)


def life_course(set_id: str) -> pd.DataFrame:
    """`lifecycle.life_course` once per data version and set."""
    d = data.database()
    return _life_course(d, data.data_key(d), set_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _gradient(_d: dbmod.Database, key: str, view: View) -> lifecycle.Gradient | None:
    g = lifecycle.gradient(_d, view)
    return replace(g, chart=g.chart.to_dict()) if g else None


def gradient(view: View) -> lifecycle.Gradient | None:
    d = data.database()
    return _gradient(d, data.data_key(d), replace(view, notices=()))


def choose_life_stage(view: View, where=st) -> View:
    options = ["", *lifecycle.STAGES]
    chosen = where.radio("Livsfas", options, index=options.index(view.livsfas) if view.livsfas in options else 0,
                         format_func=lambda s: text.life_stage_label(s) if s else text.ALL_STAGES_LABEL)
    return update(view, livsfas=chosen)


def _links(view: View, indicator_ids: list[str]) -> list[str]:
    """Each indicator's own page: Livscykeln itself for the övergripande mål's, else its målområde's."""
    out = []
    for i in indicator_ids:
        page = site.own_page(i).path
        params = {**site.page_params(view, page), **urlstate.to_params(replace(view, indikator=i))}
        out.append(f"{site.page_url_path(page)}?{urlencode(params)}")
    return out


def stage_panels(view: View) -> None:
    """One bordered panel per life stage (or the one chosen): its sentence and its table."""
    rows = life_course(view.jamfor)
    set_title = views.set_members(data.database(), view.jamfor)[0]
    summaries = lifecycle.stage_summaries(rows, set_title)
    for stage in ([view.livsfas] if view.livsfas else lifecycle.STAGES):
        r = rows[rows.stage == stage].reset_index(drop=True)
        with st.container(border=True):
            st.subheader(text.life_stage_label(stage))
            st.markdown(summaries.get(stage, f"{text.life_stage_label(stage)}: inga indikatorer."))
            if r.empty:
                continue
            table = tables.life_stage_table(r, set_title, _links(view, r.indicator_id.tolist()))
            better = r.better.tolist()
            styled = table.style.apply(lambda _, t=table, b=better: tables.trend_cell_styles(t, b), axis=None)
            # In a meeting the room reads the set, the rest of the city, the gap and its direction at a glance
            compact = [set_title, text.REST_LABEL, "Skillnad", "Jämfört med övriga staden", text.trend_column_label(),
                       tables.SOURCE_COLUMN]
            order = ["Indikator", *compact] if view.presentation else None
            st.dataframe(styled, hide_index=True, width="stretch", key=f"stage_{stage}", column_order=order,
                         column_config={
                "Indikator": st.column_config.TextColumn(width="large"),
                tables.SOURCE_COLUMN: st.column_config.TextColumn(width="medium", help=SOURCE_HELP),
                "År": st.column_config.NumberColumn(width="small", format="%d"),
                "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width="small"),
            })


def gradient_section(view: View) -> None:
    """The social gradient of the view's indicator, its sentences, and a note when areas cannot be compared."""
    st.header("Social gradient: efter utbildningsnivå")
    g = gradient(view)
    if g is None:
        st.caption(text.NO_GRADIENT)
        return
    if g.note:
        st.info(g.note, icon=":material/info:")
    chart(g.chart, key="gradient")
    for sentence in g.sentences:
        st.markdown(sentence)


def life_cycle_page() -> None:
    snap = setup(text.LIFE_CYCLE_TITLE, site.LIFE_CYCLE_PAGE)
    if snap is None:
        return
    options = site.page_indicators(site.LIFE_CYCLE_PAGE)
    inds = data.indicators()
    graded = [i for i in options if "utbildning" in inds[i].groups and inds[i].lowest_level != "municipality"]
    view = current_view(default_indicator=(graded or options)[0])
    navigation(view)
    programme = data.frame("programme").iloc[0]
    st.title(f"{text.LIFE_CYCLE_TITLE}: hälsa och livsvillkor genom livet")
    st.caption(f"{text.GOAL_HEADING}: {programme.goal_title}. {programme.goal_description}")
    with st.sidebar:
        st.divider()
        view = controls.choose_set(view)
        view = choose_life_stage(view)
        view = controls.choose_indicator(view, options, label="Indikator för det övergripande målet")
    stage_panels(view)
    gradient_section(view)
    if not view.presentation:
        comparison_section(view, snap)
    footer(snap)
