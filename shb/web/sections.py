"""Page bodies: the overview, a målområde, the map, an area's profile, group gaps and data och metod.

Each body reads the view, asks `shb.web.data` for frames and chart specs and lays them out; the
words come from `shb.present` (text, tables).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from shb.analysis import measures
from shb.core.catalog import GOAL_AREA_ID, GOAL_TARGET
from shb.present import export, lifecycle, periods, provenance, steering, tables, text, urlstate, views
from shb.present.urlstate import View
from shb.web import controls, data, presentation, site
from shb.web.analysis_form import analysis_section
from shb.web.layout import (
    chart,
    downloads,
    footer,
    navigation,
    origin_badge,
    schematic_note,
    setup,
    status_badge,
    styled_if_short,
    trend_styled,
    verdict_badge,
)
from shb.web.notes_form import notes_section
from shb.web.state import current_view

SOURCE_HELP = "Var värdena kommer ifrån: källan för riktiga värden, Demodata för genererade."
MUNICIPALITY_ONLY = "Indikatorn redovisas bara för hela kommunen, så fokusområdena kan inte jämföras här."
REPORT_NOTE = ("Rapporten innehåller alla effektmål och indikatorer med diagram, kartor, tabeller och metod. "
               "Att skapa den tar en halv minut. PDF: python -m shb report --year ÅR --out FIL.html --pdf FIL.pdf")


# --- Översikt ---------------------------------------------------------------------------------------

def overview(view: View) -> None:
    """A card per målområde; per effektmål its status and a compact row per indicator."""
    ov = periods.regroup(data.overview(view.jamfor), data.database(), view.period)
    structure = periods.structure(data.database(), view.period)
    set_title = views.set_members(data.database(), view.jamfor)[0]
    statuses = views.target_statuses(ov)
    målområden = structure[structure.goal_area_id != GOAL_AREA_ID]  # the övergripande mål: goal_indicators
    shared = shared_params(view)  # every row's link: the view with the row's indicator
    for goal_area_id, targets in målområden.groupby("goal_area_id", sort=True):
        page = site.GOAL_AREA_PAGES.get(int(goal_area_id))  # a later period may have a målområde without a page
        with st.container(border=True):
            st.subheader(f"Målområde {goal_area_id}: {targets.goal_area_title.iloc[0]}")
            if page is not None:
                st.page_link(page.path, label="Öppna målområdet", icon=":material/arrow_forward:",
                             query_params=site.page_params(view, page.path))
            for t in targets.itertuples():
                rows = ov[ov.target_id == t.target_id].reset_index(drop=True)
                status = statuses.get(t.target_id) or measures.target_status([])
                judged = rows[rows.area_level]
                demo_note = text.status_demo_note(int(judged.demo.sum()), len(judged))
                st.markdown(f"**{t.target_id}** {t.target_title}  \n{status_badge(status)}"
                            + (f" :orange[{demo_note}]" if demo_note else ""))
                links = [row_link(site.page_url_path(page.path), shared, i) if page is not None else None
                         for i in rows.indicator_id]
                _overview_table(tables.overview_table(rows, set_title, links), rows.better.tolist(), set_title)


def goal_indicators(view: View) -> None:
    """The övergripande mål's health indicators first on Översikt: the status from those followed per area,
    and per indicator the set, the city, the gap and its direction, each linking to Livscykeln."""
    rows = lifecycle.goal_rows(data.overview(view.jamfor))
    if rows.empty:
        return
    set_title = views.set_members(data.database(), view.jamfor)[0]
    status = views.target_statuses(rows).get(GOAL_TARGET) or measures.target_status([])
    page = site.LIFE_CYCLE_PAGE
    with st.container(border=True):
        st.subheader(f"{text.GOAL_HEADING}: hälsa och livsvillkor genom livet")
        colour, words, how = text.goal_status_badge(status)
        judged = rows[rows.area_level]
        demo_note = text.status_demo_note(int(judged.demo.sum()), len(judged))
        st.markdown(f":{colour}-badge[{words}] :gray[{how}]" + (f" :orange[{demo_note}]" if demo_note else ""))
        st.caption(text.goal_block_intro(len(rows), int((~rows.demo.astype(bool)).sum()), set_title))
        st.page_link(page, label="Öppna Livscykeln", icon=":material/timeline:",
                     query_params=site.page_params(view, page))
        shared, path = shared_params(view), site.page_url_path(page)
        links = [row_link(path, shared, i) for i in rows.indicator_id]
        _overview_table(tables.overview_table(rows, set_title, links), rows.better.tolist(), set_title)


def shared_params(view: View) -> tuple[str, str]:
    """The view's URL parameters before and after `indikator`, encoded once for all rows of a table."""
    params = urlstate.to_params(view)
    names = list(params)
    at = names.index("indikator") if "indikator" in names else len(names)
    return (urlencode({k: params[k] for k in names[:at]}), urlencode({k: params[k] for k in names[at + 1:]}))


def row_link(path: str, shared: tuple[str, str], indicator: str) -> str:
    """A table row's link: the view's parameters with the row's indicator (the URL urlencode gives for the
    view's parameters with `indikator` replaced)."""
    parts = [shared[0], urlencode({"indikator": indicator}), shared[1]]
    return f"{path}?{'&'.join(p for p in parts if p)}"


def _overview_table(table, better: list, set_title: str) -> None:
    trend_column = text.trend_column_label()
    st.dataframe(trend_styled(table, better), hide_index=True, width="stretch", column_config={
        "Indikator": st.column_config.TextColumn(width="large"),
        tables.SOURCE_COLUMN: st.column_config.TextColumn(width="medium", help=SOURCE_HELP),
        "År": st.column_config.NumberColumn(width="small", format="%d"),
        set_title: st.column_config.TextColumn(width="small"),
        text.CITY_LABEL: st.column_config.TextColumn(width="small"),
        "Skillnad": st.column_config.TextColumn(width="medium"),
        trend_column: st.column_config.TextColumn(width="medium"),
        "Skillnad över tid": st.column_config.LineChartColumn("Skillnad över tid", width="small"),
        "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width="small"),
    })


# --- Målområde --------------------------------------------------------------------------------------

def goal_area_page(goal_area_id: int) -> None:
    """One målområde: its effektmål and indicators, and for the chosen indicator the comparison."""
    page = site.GOAL_AREA_PAGES[goal_area_id]
    snap = setup(page.label, page.path)
    if snap is None:
        return
    inds = data.indicators()
    period = st.query_params.get("period", "")
    period = period if period in data.facts().periods else ""
    options = site.page_indicators(page.path, period) or site.page_indicators(page.path)
    area_level = views.prefer_real(data.database(), [i for i in options if inds[i].lowest_level != "municipality"])
    view = current_view(default_indicator=(area_level or options)[0])
    if view.presentation:
        presentation.goal_area_view(view, goal_area_id)
        return
    navigation(view)
    structure = periods.structure(data.database(), view.period)
    ga = structure[structure.goal_area_id == goal_area_id]
    if ga.empty:  # the period has no such målområde
        st.info(text.no_goal_area_in_period(goal_area_id, periods.title(data.database(), view.period)))
        return
    st.title(f"Målområde {goal_area_id}: {ga.goal_area_title.iloc[0]}")
    st.caption(f"{ga.goal_area_description.iloc[0]} Ansvarig: {ga.responsible.iloc[0]}.")
    with st.sidebar:
        st.divider()
        view = controls.choose_period(view)
        view = controls.choose_indicator(view, site.page_indicators(page.path, view.period) or options)
        view = controls.choose_set(view)
        view = controls.choose_year(view)
        view = controls.choose_individual_areas(view)
    target = ga[ga.target_id == periods.indicator_targets(data.database(), view.period)[view.indikator]].iloc[0]
    st.markdown(f"**Effektmål {target.target_id}:** {target.target_title}")
    linked = steering.links(data.database())
    if not view.period:
        st.caption(text.period_caption(*_period_row(view.period), current=True))
    else:
        st.info(text.period_caption(*_period_row(view.period), current=False), icon=":material/history:")
        linked = linked.iloc[0:0]  # documents are linked to the current period's effektmål
    if steering.documents_of(linked, target.target_id):
        st.caption(text.steering_line(steering.documents_of(linked, target.target_id), linked.basis.iloc[0]))
    analysis_section(target.target_id, view)
    presentation.links(page.path, view)
    comparison_section(view, snap, show_areas=bool(view.omrade))


def _period_row(period: str) -> tuple:
    p = periods.periods(data.database())
    row = p[p.id == (period or data.facts().current_period)].iloc[0]
    return row.title, row.first_year, row.last_year


def comparison_section(view: View, snap: dict, show_areas: bool = False) -> None:
    """Trend, gap, notes, ranking, small map, groups and the indicator's facts for the view's indicator;
    under the sentence, where its values come from (the source, or demodata)."""
    c = data.comparison(view, with_areas=show_areas)
    ind = c.indicator
    if c.year is not None and c.year != view.ar:
        st.info(text.year_not_shown(view.ar, c.year, view.fran, view.till), icon=":material/event_busy:")
    st.header(ind.title)
    st.markdown(f"### {c.sentence}")
    st.markdown(f"{verdict_badge(c.trend)} {origin_badge(c.origin)}")
    if ind.lowest_level == "municipality":
        st.info(MUNICIPALITY_ONLY, icon=":material/info:")
    chart(data.spec_of("trend", view, show_areas), key="trend")
    aims_section(c)
    if not c.gaps.dropna().empty:
        chart(data.spec_of("gap", view), key="gap")
    notes_section(view)
    if ind.lowest_level != "municipality" and c.year:
        view = _ranking_and_map(view, c)
    if ind.groups and c.year:
        view = controls.choose_group_dimension(view)
        groups = data.spec_of("groups", view, option=view.group_dimension)
        if groups is None:
            st.caption(text.no_group_values(c.year))
        else:
            chart(groups, key="groups")
    indicator_facts(ind, c.origin)
    footer(snap)


def aims_section(c: views.Comparison) -> None:
    """The indicator's målvärden: distance, pace needed against the recent pace, and when it is reached."""
    if not c.aims:
        return
    st.markdown("#### Målvärde")
    for title, aim, p in c.aims:
        st.markdown(text.aim_sentence(c.indicator, aim, p, title))
    # A plain table: two rows whose long cells (what the målvärde rests on) wrap and are read whole, and no
    # data grid to load (the grid cost the deep-linked Arbete page a seventh of the browser's CPU).
    st.table(tables.aim_table(c.indicator, c.aims).set_index("Gäller"))
    st.caption(text.aim_pace_method(c.aims[0][2].window, c.aims[0][2].points))


def _ranking_and_map(view: View, c: views.Comparison) -> View:
    left, right = st.columns([3, 2])
    with left:
        view = controls.choose_level(view)
        if data.frame("indicator_year_values", indicator=c.indicator.id, level=view.niva, year=c.year).empty:
            st.caption(text.no_area_values(c.year))
        else:
            chart(data.spec_of("ranking", view), key="ranking")
    with right:
        view = controls.choose_extent(view)
        chart(data.spec_of("map", view), key="map")
        schematic_note(views.geometry_manifest(data.database()), view.niva)
    if c.dispersion_text:
        st.markdown(c.dispersion_text)
    return view


def indicator_facts(ind, origin: provenance.Origin) -> None:
    with st.expander("Om indikatorn: definition, källa och förbehåll", expanded=False):
        st.markdown(ind.definition)
        st.markdown("\n".join(f"- {line}" for line in tables.indicator_facts(ind, origin)))


# --- Karta ------------------------------------------------------------------------------------------

def map_page(snap: dict) -> None:
    """The map page; in presentation mode only the title that states the message and the map."""
    view = current_view()
    if view.presentation:
        event = presentation.show(presentation.indicator_slide(view, "karta"), key="karta", on_select="rerun",
                                  selection_mode="omrade")
        _open_selected_area(view, event)
        return
    navigation(view)
    with st.sidebar:
        st.divider()
        view = controls.choose_indicator(view, site.page_indicators(site.MAP_PAGE))
        view = controls.choose_set(view)
        view = controls.choose_group_value(view)
        view = controls.choose_level(view)
    view = controls.choose_extent(view)
    c = data.comparison(view)
    st.title(f"Karta: {c.indicator.title}")
    st.markdown(c.sentence)
    st.markdown(origin_badge(c.origin))
    view = controls.choose_year(view, label="År", slider=True)
    spec = data.spec_of("map", view, option="year")
    event = chart(spec, key="karta", on_select="rerun", selection_mode="omrade")
    schematic_note(views.geometry_manifest(data.database()), view.niva)
    _open_selected_area(view, event)
    downloads(spec, f"karta_{view.indikator}_{view.ar}")
    presentation.links(site.MAP_PAGE, view)
    footer(snap)


def _open_selected_area(view: View, event) -> None:
    selected = controls.selected_area(event)
    if selected:
        st.switch_page(site.AREA_PAGE, query_params=urlstate.to_params(replace(view, omrade=(selected,))))


# --- Områden ----------------------------------------------------------------------------------------

def area_page(snap: dict) -> None:
    """An area's or an area set's profile: every indicator in its latest year against the city."""
    view = current_view()
    navigation(view)
    d = data.database()
    choices = views.area_choices(d)
    view, code = controls.choose_area(view, choices)
    names = choices.set_index("code")
    if code is None:
        title, members = views.set_members(d, view.jamfor)
        st.title(f"{title} (områdesmängd)")
        st.markdown("Består av: " + ", ".join(names.loc[members, "name"]))
        profile_tables(data.set_profile(view.jamfor))
    else:
        st.title(names.loc[code, "label"])
        for line in views.area_memberships(d, code):
            st.markdown(f"- {line}")
        population_metrics(code)
        profile_tables(data.area_profile(code))
    footer(snap)


def population_metrics(area_code: str) -> None:
    """Folkmängd and utrikes födda from the real years when there are any (never mixed with generated
    ones), with where they come from."""
    rows = tables.population_rows(data.frame("area_population", area_code=area_code))
    for column, (label, value, delta) in zip(st.columns(2), tables.population_metrics(rows)):
        column.metric(label, value, delta=delta)
    note = tables.population_note(rows, provenance.population(data.database()))
    if note:
        st.caption(note)


def profile_tables(profile) -> None:
    """The area's indicators per målområde, sortable, the assessment coloured by direction."""
    structure = data.frame("goal_structure").drop_duplicates("goal_area_id").set_index("goal_area_id")
    for goal_area_id, rows in profile.groupby("goal_area", sort=True):
        heading = text.GOAL_HEADING if goal_area_id == GOAL_AREA_ID else f"Målområde {goal_area_id}"
        st.subheader(f"{heading}: {structure.loc[goal_area_id, 'goal_area_title']}")
        table = tables.profile_table(rows)
        styled = styled_if_short(table, lambda s: s.map(lambda v: tables.ASSESSMENT_CSS.get(v, ""), subset=["Bedömning"]))
        st.dataframe(styled, hide_index=True, width="stretch", column_config={
            tables.SOURCE_COLUMN: st.column_config.TextColumn(width="medium", help=SOURCE_HELP)})


# --- Grupper ----------------------------------------------------------------------------------------

def groups_page(snap: dict) -> None:
    """The gap between two groups over time, citywide and in the focus set."""
    view = current_view()
    navigation(view)
    st.title("Skillnader mellan grupper")
    with st.sidebar:
        st.divider()
        view = controls.choose_indicator(view, site.page_indicators(site.GROUPS_PAGE))
        view = controls.choose_set(view)
    view = controls.choose_group_dimension(view)
    view, first, second = controls.choose_group_pair(view, data.indicators()[view.indikator])
    spec, sentence = data.group_gap(view, first, second)
    st.markdown(f"### {sentence}")
    st.markdown(origin_badge(data.origin(view.indikator)))
    if spec is not None:
        chart(spec, key="gruppgap")
    footer(snap)


# --- Data och metod ---------------------------------------------------------------------------------

def data_page(snap: dict) -> None:
    """The catalog, statuses, method, the selection's downloads and the report."""
    view = current_view()
    navigation(view)
    st.title("Data och metod")
    st.markdown(tables.data_version(snap, data.summary()))
    st.header("Indikatorkatalog")
    search = st.text_input("Sök indikator", placeholder="t.ex. sysselsättning, SCB, 2.2")
    st.dataframe(tables.catalog_table(data.frame("indicator_catalog"), search, data.origins()), hide_index=True,
                 width="stretch")
    sources_section()
    st.header("Status för värden")
    st.markdown("\n".join(f"- **{status}**: {meaning}" for status, meaning in export.STATUS_LEGEND.items()))
    st.header("Metod")
    st.markdown("\n".join(f"- {line}" for line in text.method_lines()))
    st.header("Ladda ner urvalet")
    view = controls.choose_indicator(view, list(data.indicators()))
    view = controls.choose_level(view)
    selection_downloads(view, snap)
    st.header("Uppföljningsrapport")
    report_download(view, snap)
    footer(snap)


def sources_section() -> None:
    """Real or demo per indicator, with the provenance of real values."""
    st.header("Riktiga värden och demodata")
    counts = data.summary()
    st.markdown(text.sources_intro(counts.real, counts.demo))
    titles = {i: ind.title for i, ind in data.indicators().items()}
    st.dataframe(tables.provenance_table(provenance.listing(data.database(), titles)), hide_index=True,
                 width="stretch", column_config={
                     "Källa": st.column_config.TextColumn(width="medium"),
                     "Ursprung": st.column_config.TextColumn(width="medium"),
                     "Bearbetning": st.column_config.TextColumn(width="medium")})


def selection_downloads(view: View, snap: dict) -> None:
    """The view's indicator at its level and the kommun as CSV and Excel, the chosen set named; the
    citation, file name and metadata say whether this indicator's values are real or demo."""
    d = data.database()
    ind = data.indicators()[view.indikator]
    origin = data.origin(ind.id)
    selection = views.selection_export(d, view)
    set_title = views.set_members(d, view.jamfor)[0]
    version, demo = snap["version"], origin.demo
    st.caption(export.citation(ind, version, demo, origin))
    left, right = st.columns(2)
    left.download_button("Ladda ner CSV", data=export.to_csv(selection), mime="text/csv",
                         file_name=export.file_name(ind, version, demo, "csv"), on_click="ignore")
    right.download_button("Ladda ner Excel",
                          data=lambda: export.to_excel(selection, ind, version, demo, set_title, origin),
                          file_name=export.file_name(ind, version, demo, "xlsx"), on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def report_download(view: View, snap: dict) -> None:
    """The biennial report for the chosen set as a self-contained HTML file, built when the button is pressed
    (once per data version: the same file as `python -m shb report` keeps)."""
    from shb.present import report

    years = sorted({y for f in data.facts().indicators.values() for y in f.years})
    year = st.selectbox("Rapportår", years[::-1], index=0)
    d = data.database()
    st.download_button(
        "Skapa och ladda ner rapporten (HTML)", icon=":material/description:", on_click="ignore",
        data=lambda: report.report_html(d, int(year), view.jamfor, view.period).encode("utf-8"), mime="text/html",
        file_name=export.report_file_name(int(year), snap["version"], data.summary()))
    st.caption(REPORT_NOTE)
