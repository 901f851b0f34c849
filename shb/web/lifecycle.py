"""The Livscykeln page: per life stage, the chosen set against the rest of the city, worst gaps first, and
for the chosen indicator of the övergripande mål its social gradient and its comparison."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from shb.present import lifecycle, tables, text, views
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import controls, data, site
from shb.web.layout import (
    chart,
    demo_flag,
    fitted_table,
    footer,
    navigation,
    presentation_header,
    setup,
    trend_styled,
)
from shb.web.sections import SOURCE_HELP, comparison_section, row_link, shared_params
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
    """Each indicator's own page (Livscykeln itself for the övergripande mål's, else its målområde's) with the
    view's parameters and the row's indicator, as Översikt's rows link (`sections.row_link`)."""
    shared = shared_params(view)
    return [row_link(site.page_url_path(page.path), shared, i)
            for i, page in zip(indicator_ids, site.own_pages(indicator_ids), strict=True)]


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
            st.dataframe(trend_styled(table, r.better.tolist()), hide_index=True, width="stretch", key=f"stage_{stage}",
                         column_config={
                "Indikator": st.column_config.TextColumn(width="large"),
                tables.SOURCE_COLUMN: st.column_config.TextColumn(width="medium", help=SOURCE_HELP),
                "År": st.column_config.NumberColumn(width="small", format="%d"),
                "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width="small"),
            })


PRESENTATION_ROWS = 11  # the worst gaps of one life stage that fit 1280×720 with the title and the stage choice


def worst_stage(rows: pd.DataFrame) -> str:
    """The stage of life (of `lifecycle.life_course` rows; not the panel of indicators for every age) whose
    largest gap on the worse side is largest; the first stage when the set is worse nowhere."""
    compared = rows[rows.area_level.astype(bool) & (rows.severity.astype(float) > 0) & (rows.stage != "alla")]
    if compared.empty:
        return lifecycle.STAGES[0]
    return str(compared.loc[compared.severity.astype(float).idxmax(), "stage"])


def stage_slide(view: View) -> None:
    """Livscykeln in presentation mode: one life stage (`livsfas`, by default the one with the worst gap) on
    one screen: its stating title, one caption line, the stage choice, and its worst gaps as a table whose
    columns fit the screen."""
    rows = life_course(view.jamfor)
    set_title = views.set_members(data.database(), view.jamfor)[0]
    stage = view.livsfas or worst_stage(rows)
    r = rows[rows.stage == stage].reset_index(drop=True)
    titles = dict(zip(rows.indicator_id, rows.title))
    sources = "; ".join(dict.fromkeys(r.source_text)) or text.DEMO_TEXT
    gaps = r.stage_gap.tolist()
    presentation_header(text.life_stage_presentation_title(stage, gaps, titles, set_title),
                        text.life_stage_caption(stage, gaps, set_title, sources))
    demo_flag(bool(r.demo.any()))
    chosen = st.segmented_control("Livsfas", list(lifecycle.STAGES), default=stage, key="shb_stage_slide",
                                  format_func=text.life_stage_label, label_visibility="collapsed")
    if chosen and chosen != stage:
        update(view, livsfas=chosen)
        st.rerun()
    if r.empty:
        return
    shown = r.head(PRESENTATION_ROWS)
    table = tables.life_stage_table(shown, set_title, _links(view, shown.indicator_id.tolist()))
    styled = trend_styled(table, shown.better.tolist())
    # Fixed widths that add up to less than 1280 px: the room reads every column, none scrolls out of sight
    fitted_table(styled, key=f"stage_slide_{stage}", column_order=[
        "Indikator", set_title, text.REST_LABEL, "Skillnad", "Jämfört med övriga staden", text.trend_column_label(),
        tables.SOURCE_COLUMN], column_config={
        "Indikator": st.column_config.TextColumn(width=330),
        set_title: st.column_config.TextColumn(width=170), text.REST_LABEL: st.column_config.TextColumn(width=110),
        "Skillnad": st.column_config.TextColumn(width=150),
        "Jämfört med övriga staden": st.column_config.TextColumn("Jämfört", width=110),
        text.trend_column_label(): st.column_config.TextColumn(width=180),
        tables.SOURCE_COLUMN: st.column_config.TextColumn(width=140, help=SOURCE_HELP)})
    more = text.rows_shown(len(shown), len(r), "indikatorer")
    if more:
        st.caption(more)


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
    if view.presentation:
        stage_slide(view)
        return
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
    comparison_section(view, snap)
    footer(snap)
