"""The Streamlit seam: page setup, navigation, the view ⇄ URL, shared controls, banners, caching.

Everything that touches `st.*` for more than one page lives here, so page scripts stay short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from shb.analysis import measures
from shb.core.catalog import LEVEL_LABELS, Indicator
from shb.core.errors import ShbError
from shb.geo import geometry
from shb.present import text, urlstate, views
from shb.present.urlstate import View
from shb.store import db as dbmod

APP_TITLE = "Socialt hållbart Borås"
DEMO_BANNER = (
    "**Demodata.** Siffrorna är genererade för att visa verktyget – de är inte Borås siffror. "
    "Läs in riktiga data under *Läs in data*."
)
SCHEMATIC_NOTE = "Schematisk indelning: kartans områden är förenklade celler, inte verkliga gränser."
VIEW_KEY = "shb_view"


@dataclass(frozen=True)
class PageInfo:
    path: str
    label: str
    icon: str
    section: str


PAGES = (
    PageInfo("app.py", "Översikt", ":material/home:", ""),
    PageInfo("pages/1_god_start.py", "God start i livet och goda uppväxtvillkor", ":material/child_care:", "Målområden"),
    PageInfo("pages/2_arbete.py", "Förutsättningar för arbete", ":material/work:", "Målområden"),
    PageInfo("pages/3_boende.py", "Boende och närmiljö", ":material/home_work:", "Målområden"),
    PageInfo("pages/4_omraden.py", "Områden", ":material/location_city:", "Utforska"),
    PageInfo("pages/5_karta.py", "Karta", ":material/map:", "Utforska"),
    PageInfo("pages/6_grupper.py", "Grupper", ":material/groups:", "Utforska"),
    PageInfo("pages/7_data_och_metod.py", "Data och metod", ":material/dataset:", "Om data"),
    PageInfo("pages/8_importera.py", "Läs in data", ":material/upload_file:", "Om data"),
)
GOAL_AREA_PAGES = {1: PAGES[1], 2: PAGES[2], 3: PAGES[3]}
MAP_PAGE, GROUPS_PAGE = PAGES[5].path, PAGES[6].path
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, footer,
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container { padding-top: 1.5rem !important; max-width: 100% !important; }
h1 { font-size: 3rem !important; line-height: 1.15 !important; }
p, li { font-size: 1.35rem !important; }
</style>
"""


PIN_KEY = "shb_pinned_version"


def database() -> dbmod.Database:
    """The snapshot this session shows: the current one (reopened automatically after a swap), or a
    kept earlier version the user chose to see from a versioned link."""
    pinned = st.session_state.get(PIN_KEY)
    if pinned:
        try:
            return dbmod.snapshot(pinned)
        except ShbError:
            st.session_state.pop(PIN_KEY, None)
    return dbmod.connect()


def data_key(d: dbmod.Database) -> str:
    """What a cached result depends on: the snapshot file and its version (two files may share a version)."""
    return f"{d.path}@{d.version}"


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(_d: dbmod.Database, key: str, name: str, params: tuple) -> pd.DataFrame:
    return _d.run(name, **dict(params))


def frame(name: str, **params) -> pd.DataFrame:
    """A named query's result, cached per data version and parameters."""
    d = database()
    return _cached(d, data_key(d), name, tuple(sorted(params.items())))


@st.cache_data(show_spinner=False, max_entries=4)
def _facts(_d: dbmod.Database, key: str) -> urlstate.Facts:
    return views.facts(_d)


def facts() -> urlstate.Facts:
    d = database()
    return _facts(d, data_key(d))


def indicators() -> dict[str, Indicator]:
    return views.indicators(database())


def setup(title: str, script: str = "app.py") -> dict | None:
    """Page config and the demo banner for the page in `script` (its path or `__file__`).

    Returns the snapshot row, or None (and a Swedish message on screen) when there is no database.
    """
    st.session_state["shb_page"] = _relative_script(script)
    presentation = st.query_params.get("visning") == "presentation"
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon=":material/query_stats:",
                       layout="wide", initial_sidebar_state="collapsed" if presentation else "auto")
    try:
        snap = frame("snapshot").iloc[0].to_dict()
    except ShbError as exc:
        st.error(str(exc))
        return None
    if presentation:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    if snap["is_demo"]:
        st.warning(DEMO_BANNER, icon=":material/science:")
    return snap


def goal_area_of(indicator: str) -> int:
    """The målområde an indicator belongs to (through its effektmål)."""
    structure = frame("goal_structure").set_index("target_id")
    return int(structure.loc[indicators()[indicator].target, "goal_area_id"])


def page_indicators(path: str) -> list[str] | None:
    """The indicators the page at `path` can show, in catalog order; None when it shows any."""
    inds = indicators()
    goal_area = next((n for n, p in GOAL_AREA_PAGES.items() if p.path == path), None)
    if goal_area is not None:
        return [i for i in inds if goal_area_of(i) == goal_area]
    if path == MAP_PAGE:
        return [i.id for i in inds.values() if i.lowest_level != "municipality"]
    if path == GROUPS_PAGE:
        return [i.id for i in inds.values() if i.groups]
    return None


def page_params(view: View, path: str) -> dict[str, str]:
    """The view's parameters for a link to `path`. An indicator the page cannot show is left out,
    with what belongs to it, so our own links open the page on its own indicator without a notice."""
    params = urlstate.to_params(view)
    allowed = page_indicators(path)
    if allowed is None or view.indikator in allowed:
        return params
    return {k: v for k, v in params.items() if k in urlstate.INDICATOR_FREE}


def _not_shown_here(path: str, indicator: str) -> str:
    """Why the page at `path` cannot show `indicator`, in words."""
    if path == MAP_PAGE:
        return text.NOT_ON_MAP
    if path == GROUPS_PAGE:
        return text.NO_GROUPS
    return text.other_goal_area(goal_area_of(indicator))


def current_view(default_indicator: str | None = None, allowed: list[str] | None = None) -> View:
    """The view for this run: from the URL when it has parameters, else from the session.

    Notices about ignored parameters are shown once, and so is one saying what is shown instead of
    an indicator the page cannot show (with a link to the indicator's own page); the URL is
    rewritten to its canonical form.
    """
    f = facts()
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    if params:
        asked = urlstate.parse(params, f, default_indicator)
    else:
        asked = st.session_state.get(VIEW_KEY) or urlstate.defaults_for(f, default_indicator or f.default_indicator)
        asked = replace(asked, notices=())
    view = asked
    if allowed and view.indikator not in allowed:
        view = urlstate.defaults_for(f, default_indicator if default_indicator in allowed else allowed[0], base=view)
    for notice in asked.notices:
        st.warning(notice, icon=":material/link_off:")
    if view.indikator != asked.indikator:
        replaced_notice(asked, view, f)
    version_notice(view.v, f.version)
    view = replace(view, v=f.version, notices=())
    commit(view)
    return view


def replaced_notice(asked: View, shown: View, f: urlstate.Facts) -> None:
    """Say which indicator was asked for and what is shown instead; link to the indicator's own page."""
    here = st.session_state.get("shb_page", "app.py")
    st.info(text.replaced_view(asked, shown, f, _not_shown_here(here, asked.indikator)), icon=":material/swap_horiz:")
    own = GOAL_AREA_PAGES[goal_area_of(asked.indikator)]
    if own.path != here:
        st.page_link(own.path, label=f"Visa {f.name(asked.indikator)} under {own.label}",
                     icon=":material/arrow_forward:", query_params=urlstate.to_params(replace(asked, notices=())))


def version_notice(link_version: str, shown_version: str) -> None:
    """Say when a link was made on other data than what is shown, and offer the kept snapshot."""
    current = dbmod.connect().version
    if st.session_state.get(PIN_KEY):
        st.info(f"Du ser data från version {shown_version}, som länken gjordes på. Aktuell version är {current}.",
                icon=":material/history:")
        if st.button("Visa aktuell version", icon=":material/update:"):
            st.session_state.pop(PIN_KEY, None)
            st.rerun()
        return
    if not link_version or link_version == current:
        return
    st.info(f"Länken gjordes på data från version {link_version}; siffrorna kan ha ändrats sedan dess. "
            f"Nu visas version {current}.", icon=":material/history:")
    if dbmod.snapshot_exists(link_version) and st.button(f"Visa data från version {link_version}",
                                                          icon=":material/history:"):
        st.session_state[PIN_KEY] = link_version
        st.rerun()


def commit(view: View) -> None:
    """Make `view` the session's view and the URL's query string."""
    st.session_state[VIEW_KEY] = view
    canonical = urlstate.to_params(view)
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != canonical:
        st.query_params.from_dict(canonical)


def update(view: View, **changes) -> View:
    """Apply widget changes; when the indicator changes, keep what still fits."""
    new = view
    if "indikator" in changes and changes["indikator"] != view.indikator:
        new = urlstate.defaults_for(facts(), changes.pop("indikator"), base=view)
    new = replace(new, **changes)
    if new != view:
        commit(new)
    return new


def navigation(view: View | None = None) -> None:
    """Our own navigation in the sidebar (the default one is hidden in .streamlit/config.toml)."""
    with st.sidebar:
        st.markdown(f"### {APP_TITLE}")
        section = None
        for page in PAGES:
            if page.section != section and page.section:
                st.caption(page.section)
            section = page.section
            st.page_link(page.path, label=page.label, icon=page.icon,
                         query_params=page_params(view, page.path) if view else None)
        if view is not None:
            share_link(view)


def indicator_label(ind: Indicator) -> str:
    return f"{ind.target} · {ind.title}"


def choose_indicator(view: View, options: list[str], label: str = "Indikator", where=st) -> View:
    inds = indicators()
    chosen = where.selectbox(label, options, index=options.index(view.indikator) if view.indikator in options else 0,
                             format_func=lambda i: indicator_label(inds[i]))
    return update(view, indikator=chosen)


def choose_set(view: View, where=st) -> View:
    sets = frame("area_sets").drop_duplicates("set_id")
    ids = sets.set_id.tolist()
    titles = dict(zip(sets.set_id, sets.title))
    chosen = where.selectbox("Jämför", ids, index=ids.index(view.jamfor) if view.jamfor in ids else 0,
                             format_func=lambda s: f"{titles[s]} mot hela Borås")
    return update(view, jamfor=chosen)


def choose_year(view: View, label: str = "År", where=st, slider: bool = False) -> View:
    years = list(facts().indicators[view.indikator].years)
    if not years:
        return view
    if slider and len(years) > 1:
        chosen = where.select_slider(label, options=years, value=view.ar if view.ar in years else years[-1])
    else:
        chosen = where.selectbox(label, years[::-1], index=years[::-1].index(view.ar) if view.ar in years else 0)
    return update(view, ar=int(chosen))


def choose_level(view: View, where=st) -> View:
    levels = [lvl for lvl in urlstate.MAP_LEVELS if lvl in facts().indicators[view.indikator].levels]
    if not levels:
        return view
    chosen = where.radio("Nivå", levels, index=levels.index(view.niva) if view.niva in levels else 0,
                         format_func=lambda lvl: LEVEL_LABELS[lvl], horizontal=True)
    return update(view, niva=chosen)


def choose_group_dimension(view: View, where=st) -> View:
    dims = list(facts().indicators[view.indikator].group_dimensions)
    if not dims:
        return view
    labels = views.group_labels(database())
    current = view.grupp.split(":")[0]
    chosen = where.radio("Grupp", dims, index=dims.index(current) if current in dims else 0,
                         format_func=lambda d: labels[(d, "*")], horizontal=True)
    return view if chosen == current else update(view, grupp=chosen)


def choose_group_value(view: View, where=st) -> View:
    """Total or one group value (e.g. kvinnor), for the map."""
    f = facts().indicators[view.indikator]
    options = ["total", *f.group_values]
    labels = views.group_labels(database())

    def label(o: str) -> str:
        return "Alla" if o == "total" else labels[tuple(o.split(":", 1))]

    current = view.grupp if view.grupp in options else "total"
    chosen = where.selectbox("Grupp", options, index=options.index(current), format_func=label)
    if chosen == current:  # a bare dimension (e.g. "kon" from a målområde page) means all on the map
        return view
    return update(view, grupp=chosen)


def choose_extent(view: View, where=st) -> View:
    options = list(urlstate.EXTENTS)
    names = {"tatort": "Tätorten", "kommun": "Hela kommunen"}
    chosen = where.radio("Utsnitt", options, index=options.index(view.utsnitt), format_func=names.get,
                         horizontal=True)
    return update(view, utsnitt=chosen)


def verdict_badge(trend) -> str:
    """The gap's trend in words with a direction-aware colour (Streamlit markdown colours)."""
    if trend.verdict == "okänd":
        return ":gray[Utvecklingen kan inte bedömas]"
    colour = "gray" if trend.better is None else ("blue" if trend.better else "orange")
    arrow = {"minskar": "↘", "ökar": "↗", "oförändrad": "→"}[trend.verdict]
    return f":{colour}-badge[{arrow} {trend.text} ({trend.start_year}–{trend.end_year})]"


def chart(spec, key: str | None = None, **kwargs):
    """Show a chart full width (the one place charts reach the page); `spec` is an Altair chart
    or its Vega-Lite dict (as cached by `spec_of`).

    The builders set autosize "fit-x" (shb.charts.finish_chart): width follows the page and the
    height is the plot's own, where Streamlit's default "fit" would squeeze titles into it.
    """
    spec = spec if isinstance(spec, dict) else spec.to_dict()
    return st.vega_lite_chart(spec, width="stretch", theme=None, key=key, **kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(_d: dbmod.Database, key: str, view: View, demo: bool, with_areas: bool) -> views.Comparison:
    return views.comparison(_d, view, demo, with_areas=with_areas)


def comparison(view: View, demo: bool, with_areas: bool = False) -> views.Comparison:
    """The view's comparison, computed once per data version and view."""
    d = database()
    return _comparison(d, data_key(d), replace(view, notices=()), demo, with_areas)


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(_d: dbmod.Database, key: str, geometry_version: str | None, kind: str, view: View, demo: bool,
          with_areas: bool,
          option: str) -> dict | None:
    d = _d
    c = _comparison(d, key, view, demo, with_areas)
    build = {
        "trend": lambda: views.trend_chart(c),
        "gap": lambda: views.gap_chart(c),
        "ranking": lambda: views.ranking_chart(d, view, c),
        "map": lambda: views.map_chart(d, view, view.ar if option == "year" else c.year, demo,
                                       title=None, height=720 if view.presentation else (620 if option == "year" else 420)),
        "groups": lambda: views.group_chart(d, view, c, option),
    }[kind]
    built = build()
    return None if built is None else built.to_dict()


def spec_of(kind: str, view: View, demo: bool, with_areas: bool = False, option: str = "") -> dict:
    """A chart of the view as a Vega-Lite dict, built (and validated) once per data version, geometry
    version (maps) and view."""
    d = database()
    geometry_version = views.geometry_manifest(d).get("version") if kind == "map" else None
    return _spec(d, data_key(d), geometry_version, kind, replace(view, notices=()), demo, with_areas, option)


def schematic_note(manifest: dict, level: str) -> None:
    if not geometry.is_schematic(manifest, level):
        return
    derived = (manifest.get("levels", {}).get(level) or {}).get("derived_from")
    st.caption(f"{SCHEMATIC_NOTE} {geometry.source_text(manifest, level)}." if derived else SCHEMATIC_NOTE)


def footer(snap: dict) -> None:
    demo = " · demodata, inte Borås siffror" if snap["is_demo"] else ""
    st.caption(f"Dataversion {snap['version']}{demo}")


def _trend_cell(row) -> str:
    arrow = {"minskar": "↘ ", "ökar": "↗ ", "oförändrad": "→ "}.get(row.verdict, "")
    return f"{arrow}{row.trend_text}"


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(_d: dbmod.Database, key: str, set_id: str) -> pd.DataFrame:
    return views.overview(_d, set_id)


def overview(view: View) -> None:
    """A card per målområde; per effektmål a compact row per indicator."""
    ov = _overview(database(), data_key(database()), view.jamfor)
    structure = frame("goal_structure")
    set_title = views.set_members(database(), view.jamfor)[0]
    params = urlstate.to_params(view)
    statuses = views.target_statuses(ov)
    trend_column = text.trend_column_label()
    for goal_area_id, targets in structure.groupby("goal_area_id", sort=True):
        page = GOAL_AREA_PAGES[int(goal_area_id)]
        with st.container(border=True):
            st.subheader(f"Målområde {goal_area_id}: {targets.goal_area_title.iloc[0]}")
            st.page_link(page.path, label="Öppna målområdet", icon=":material/arrow_forward:",
                         query_params=page_params(view, page.path))
            for t in targets.itertuples():
                rows = ov[ov.target_id == t.target_id].reset_index(drop=True)
                status = statuses.get(t.target_id) or measures.target_status([])
                st.markdown(f"**{t.target_id}** {t.target_title}  \n{status_badge(status)}")
                table = pd.DataFrame({
                    "Indikator": rows.title,
                    "År": rows.year.astype("Int64"),
                    set_title: rows.focus_text,
                    "Hela Borås": rows.city_text,
                    "Skillnad": rows.difference_text,
                    trend_column: rows.apply(_trend_cell, axis=1),
                    "Skillnad över tid": rows.gap_series,
                    "Visa": [f"{page.path.split('_', 1)[1][:-3]}?{_query(params, indikator=i)}"
                             for i in rows.indicator_id],
                })
                styled = table.style.apply(_style_row, better=rows.better.tolist(), column=trend_column, axis=1)
                st.dataframe(styled, hide_index=True, width="stretch", column_config={
                    "Indikator": st.column_config.TextColumn(width="large"),
                    "År": st.column_config.NumberColumn(width="small", format="%d"),
                    set_title: st.column_config.TextColumn(width="small"),
                    "Hela Borås": st.column_config.TextColumn(width="small"),
                    "Skillnad": st.column_config.TextColumn(width="medium"),
                    trend_column: st.column_config.TextColumn(width="medium"),
                    "Skillnad över tid": st.column_config.LineChartColumn("Skillnad över tid", width="small"),
                    "Visa": st.column_config.LinkColumn("Visa", display_text="Öppna", width="small"),
                })


STATUS_COLOURS = {"går åt rätt håll": "blue", "går åt fel håll": "orange", "blandat": "violet",
                  "oförändrat": "gray", "kan inte bedömas": "gray"}


def status_badge(status) -> str:
    """An effektmål's status as a coloured badge, with how it was reached."""
    colour = STATUS_COLOURS[status.status]
    return f":{colour}-badge[Effektmålet {status.status}] :gray[{status.text}]"


def _style_row(row, better: list, column: str) -> list[str]:
    """Colour the trend cell by whether the focus set moved the better way."""
    b = better[row.name]
    colour = {True: "color: #0b5cad; font-weight: 600", False: "color: #b34700; font-weight: 600"}.get(b, "")
    return [colour if c == column else "" for c in row.index]


def _query(params: dict, **changes) -> str:
    from urllib.parse import urlencode

    return urlencode({**params, **changes})


def goal_area_page(goal_area_id: int) -> None:
    """One målområde: its effektmål and indicators, and for the chosen indicator the comparison."""
    page = GOAL_AREA_PAGES[goal_area_id]
    snap = setup(page.label, page.path)
    if snap is None:
        return
    structure = frame("goal_structure")
    ga = structure[structure.goal_area_id == goal_area_id]
    inds = indicators()
    options = page_indicators(page.path)
    area_level = [i for i in options if inds[i].lowest_level != "municipality"]
    view = current_view(default_indicator=(area_level or options)[0], allowed=options)
    navigation(view)
    st.title(f"Målområde {goal_area_id}: {page.label}")
    st.caption(f"{ga.goal_area_description.iloc[0]} Ansvarig: {ga.responsible.iloc[0]}.")
    with st.sidebar:
        st.divider()
        view = choose_indicator(view, options)
        view = choose_set(view)
        view = choose_year(view)
        view = choose_individual_areas(view)
    ind = inds[view.indikator]
    target = ga[ga.target_id == ind.target].iloc[0]
    st.markdown(f"**Effektmål {target.target_id}:** {target.target_title}")
    comparison_section(view, snap, show_areas=bool(view.omrade))


def choose_individual_areas(view: View) -> View:
    """Draw the set's areas one by one beside the sets; the choice is the URL's `omrade`."""
    members = views.set_members(database(), view.jamfor)[1]
    on = st.toggle("Visa enskilda områden", value=bool(view.omrade))
    if on and not view.omrade:
        return update(view, omrade=tuple(members))
    if not on and view.omrade:
        return update(view, omrade=())
    return view


def comparison_section(view: View, snap: dict, show_areas: bool = False) -> None:
    """Trend, gap, ranking, small map, groups and the indicator's facts for the view's indicator."""
    demo = bool(snap["is_demo"])
    c = comparison(view, demo, with_areas=show_areas)
    ind = c.indicator
    if c.year is not None and c.year != view.ar:
        st.info(text.year_not_shown(view.ar, c.year, view.fran, view.till), icon=":material/event_busy:")
    st.header(ind.title)
    st.markdown(f"### {c.sentence}")
    st.markdown(verdict_badge(c.trend))
    if ind.lowest_level == "municipality":
        st.info("Indikatorn redovisas bara för hela kommunen, så fokusområdena kan inte jämföras här.",
                icon=":material/info:")
    chart(spec_of("trend", view, demo, show_areas), key="trend")
    if not c.gaps.dropna().empty:
        chart(spec_of("gap", view, demo), key="gap")
    notes_section(view)
    if ind.lowest_level != "municipality" and c.year:
        left, right = st.columns([3, 2])
        with left:
            view = choose_level(view)
            if frame("indicator_year_values", indicator=ind.id, level=view.niva, year=c.year).empty:
                st.caption(text.no_area_values(c.year))
            else:
                chart(spec_of("ranking", view, demo), key="ranking")
        with right:
            view = choose_extent(view)
            chart(spec_of("map", view, demo), key="map")
            schematic_note(views.geometry_manifest(database()), view.niva)
        if c.dispersion_text:
            st.markdown(c.dispersion_text)
    if ind.groups and c.year:
        view = choose_group_dimension(view)
        groups = spec_of("groups", view, demo, option=view.group_dimension)
        if groups is None:
            st.caption(text.no_group_values(c.year))
        else:
            chart(groups, key="groups")
    indicator_facts(ind)
    footer(snap)


def notes_section(view: View) -> None:
    """Analysts' notes on the indicator up to the view's year, and (for analysts) a form to add one."""
    notes = frame("notes_for_year", indicator=view.indikator, year=view.ar)
    with st.expander(f"Anteckningar ({len(notes)})", expanded=not notes.empty, icon=":material/sticky_note_2:"):
        if notes.empty:
            st.caption("Inga anteckningar till indikatorn ännu.")
        for n in notes.itertuples():
            year = "" if pd.isna(n.year) else f", {int(n.year)}"
            st.markdown(f"**{n.area_name or n.area_code}{year}:** {plain(n.body)}  \n"
                        f":gray[{plain(n.author)}, {n.created_at:%Y-%m-%d}]")
        if st.toggle("Skriv en anteckning", key="shb_note_toggle"):
            note_form(view)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>:])")


def plain(text: str) -> str:
    """Text typed by a user, shown by st.markdown as written (no emphasis, links, LaTeX or colours)."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", "  \n")


def note_form(view: View) -> None:
    """Add a note to the view's indicator (analysts only); written as a new data version."""
    from shb.ingest import notes
    from shb.web import access

    author = access.require_analyst()
    if author is None:
        return
    choices = {"1490": "Hela Borås"}
    members = views.set_members(database(), view.jamfor)[1]
    names = frame("areas_at_level", level="regso").set_index("code").name.to_dict()
    choices |= {code: names.get(code, code) for code in members}
    choices |= {code: name for code, name in sorted(names.items(), key=lambda kv: kv[1]) if code not in choices}
    with st.form("shb_note_form"):  # kept on a refusal, so nothing typed is lost
        area = st.selectbox("Område", list(choices), format_func=lambda c: f"{choices[c]} ({c})")
        year = st.selectbox("År", [None, *range(view.ar, view.fran - 1, -1)],
                            format_func=lambda y: "Alla år" if y is None else str(y))
        body = st.text_area("Anteckning", max_chars=notes.MAX_LENGTH, key="shb_note_body",
                            placeholder="Det som siffrorna inte säger, t.ex. ändrad mätmetod eller en insats.")
        if not st.form_submit_button("Spara anteckningen", icon=":material/save:"):
            return
    try:
        result = notes.add(dbmod.connect().path, view.indikator, area, year, body, author)
    except ShbError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(PIN_KEY, None)
    st.session_state.pop("shb_note_body", None)  # saved: the next note starts empty
    st.query_params["v"] = result.version
    st.toast(f"Anteckningen sparades (version {result.version}).", icon=":material/check:")
    st.rerun()


def indicator_facts(ind: Indicator) -> None:
    from shb.core.catalog import DIRECTION_LABELS

    with st.expander("Om indikatorn: definition, källa och förbehåll", expanded=False):
        st.markdown(ind.definition)
        confirmed = "" if ind.source_ref_confirmed else " (referensen är inte bekräftad)"
        st.markdown(
            f"- **Källa:** {ind.source}, {ind.source_ref}{confirmed}\n"
            f"- **Enhet:** {ind.unit_label} · **Riktning:** {DIRECTION_LABELS[ind.direction]}\n"
            f"- **Population:** {ind.population} · **Lägsta nivå:** {LEVEL_LABELS[ind.lowest_level]}\n"
            f"- **Licens:** {ind.licence}")
        for caveat in ind.caveats:
            st.markdown(f"- {caveat}")


def map_page(snap: dict) -> None:
    """The map page; in presentation mode only the title that states the message and the map."""
    options = page_indicators(MAP_PAGE)
    view = current_view(allowed=options)
    d = database()
    demo = bool(snap["is_demo"])
    if not view.presentation:
        navigation(view)
        with st.sidebar:
            st.divider()
            view = choose_indicator(view, options)
            view = choose_set(view)
            view = choose_group_value(view)
            view = choose_level(view)
        view = choose_extent(view)
    c = comparison(view, demo)
    headline = presentation_title(c)
    st.title(headline if view.presentation else f"Karta: {c.indicator.title}")
    if not view.presentation:
        st.markdown(c.sentence)
        view = choose_year(view, label="År", slider=True)
    year = view.ar
    spec = spec_of("map", view, demo, option="year")
    event = chart(spec, key="karta", on_select="rerun", selection_mode="omrade")
    schematic_note(views.geometry_manifest(d), view.niva)
    selected = _selected_area(event)
    if selected:
        st.switch_page("pages/4_omraden.py", query_params=urlstate.to_params(replace(view, omrade=(selected,))))
    if not view.presentation:
        downloads(spec, f"karta_{view.indikator}_{year}")
        st.page_link("pages/5_karta.py", label="Öppna i presentationsläge", icon=":material/slideshow:",
                     query_params={**urlstate.to_params(view), "visning": "presentation"})
        footer(snap)


def presentation_title(c: views.Comparison) -> str:
    """A title that states the message: the focus set against the city, and the gap's direction."""
    from shb.core import format as fmt

    ind = c.indicator
    dec = fmt.decimals_for(ind.unit)
    focus, city = c.value("focus"), c.value("city")
    if c.year is None:
        return ind.title
    trend = "" if c.trend.verdict == "okänd" else f" – {c.trend.text.lower()}"
    return (f"{ind.title} {c.year}: {c.set_title.lower()} {fmt.value_with_unit(focus, ind.unit, ind.unit_label, dec)}, "
            f"hela Borås {fmt.value_with_unit(city, ind.unit, ind.unit_label, dec)}{trend}")


def _selected_area(event) -> str | None:
    """The area code a map click selected, if it is a known area."""
    from shb.present import maps

    try:
        codes = maps.selected_codes(event)
    except ValueError:
        return None
    return next((c for c in codes if c in facts().area_codes), None)


def downloads(spec: dict, name: str) -> None:
    """Download buttons for a chart as PNG and SVG (rendered on demand)."""
    from shb.present import charts

    left, right = st.columns(2)
    left.download_button("Ladda ner PNG", data=lambda: charts.export_png(spec), file_name=f"{name}.png",
                         mime="image/png", icon=":material/image:", on_click="ignore")
    right.download_button("Ladda ner SVG", data=lambda: charts.export_svg(spec), file_name=f"{name}.svg",
                          mime="image/svg+xml", icon=":material/draw:", on_click="ignore")


def choose_area(view: View, choices: pd.DataFrame) -> tuple[View, str | None]:
    """An area (the URL's first `omrade`) or, when none is chosen, an area set (`jamfor`).

    Returns the view and the chosen area code, or None when a set is shown.
    """
    sets = frame("area_sets").drop_duplicates("set_id")
    options = [f"set:{s}" for s in sets.set_id] + choices.code.tolist()
    labels = {**{f"set:{s}": f"{t} (områdesmängd)" for s, t in zip(sets.set_id, sets.title)},
              **dict(zip(choices.code, choices.label))}
    current = next((c for c in view.omrade if c in labels), f"set:{view.jamfor}")
    left_out = [c for c in view.omrade if c != current]
    if left_out:
        names = dict(zip(choices.code, choices.name))
        st.info(text.areas_not_shown([names.get(c, "Hela Borås" if c == "1490" else c) for c in left_out],
                                     labels[current]), icon=":material/swap_horiz:")
    chosen = st.selectbox("Område eller områdesmängd", options, index=options.index(current), format_func=labels.get)
    if chosen == current:
        return view, (None if chosen.startswith("set:") else chosen)
    if chosen.startswith("set:"):
        return update(view, jamfor=chosen[4:], omrade=()), None
    return update(view, omrade=(chosen,)), chosen


@st.cache_data(show_spinner=False, max_entries=16)
def _set_profile(_d: dbmod.Database, key: str, set_id: str) -> pd.DataFrame:
    return views.set_profile(_d, set_id)


def set_profile(set_id: str) -> pd.DataFrame:
    d = database()
    return _set_profile(d, data_key(d), set_id)


def population_metrics(area_code: str) -> None:
    from shb.core import format as fmt

    pop = frame("area_population", area_code=area_code)
    if pop.empty:
        return
    last, first = pop.iloc[-1], pop.iloc[0]
    left, right = st.columns(2)
    left.metric(f"Folkmängd {last.year}", fmt.number(last.population, 0),
                delta=f"{fmt.number(last.population - first.population, 0, sign=True)} sedan {first.year}")
    share = 100 * last.foreign_born / last.population if last.population else None
    right.metric(f"Utrikes födda {last.year}", f"{fmt.number(share, 1)} %")


def profile_tables(profile: pd.DataFrame) -> None:
    """The area's indicators per målområde, sortable, the difference coloured by direction."""
    structure = frame("goal_structure").drop_duplicates("goal_area_id").set_index("goal_area_id")
    for goal_area_id, rows in profile.groupby("goal_area", sort=True):
        st.subheader(f"Målområde {goal_area_id}: {structure.loc[goal_area_id, 'goal_area_title']}")
        table = pd.DataFrame({
            "Effektmål": rows.target, "Indikator": rows.title, "År": rows.year.astype("Int64"),
            "Området": rows.value_text, "Hela Borås": rows.city_text, "Skillnad": rows.difference_text,
            "Bedömning": rows.assessment,
        }).reset_index(drop=True)
        styled = table.style.map(
            lambda v: {"bättre än staden": "color: #0b5cad; font-weight: 600",
                       "sämre än staden": "color: #b34700; font-weight: 600"}.get(v, ""), subset=["Bedömning"])
        st.dataframe(styled, hide_index=True, width="stretch")


def choose_group_pair(view: View, ind: Indicator) -> tuple[View, str, str]:
    """Which two groups to compare. The first is in the URL as `grupp=dimension:value` (by default
    the last group, e.g. utrikes födda); the second is the first of the others unless chosen."""
    dim = view.grupp.split(":")[0]
    values = ind.groups[dim]
    labels = views.group_labels(database())
    current = view.grupp.split(":", 1)[1] if ":" in view.grupp else values[-1]
    left, right = st.columns(2)
    first = left.selectbox("Grupp", values, index=values.index(current) if current in values else len(values) - 1,
                           format_func=lambda v: labels[(dim, v)])
    if first != current:  # a bare dimension stands for its default first group; keep the URL as it is
        view = update(view, grupp=f"{dim}:{first}")
    rest = [v for v in values if v != first]
    second = right.selectbox("jämfört med", rest, index=0, format_func=lambda v: labels[(dim, v)])
    return view, first, second


def group_gap_sentence(ind: Indicator, gap: pd.DataFrame, first: str, second: str) -> str:
    from shb.core import format as fmt

    city = gap[(gap.series == "city")].dropna(subset=["value"])
    if city.empty:
        return f"Det finns inga värden för {first.lower()} och {second.lower()}."
    a, b = city.iloc[0], city.iloc[-1]
    d = fmt.decimals_for(ind.unit)
    diff = lambda v: fmt.difference(v, ind.unit, ind.unit_label, d)  # noqa: E731
    verb = "minskat" if abs(b.value) < abs(a.value) else "ökat"
    return (f"I hela Borås var skillnaden mellan {first.lower()} och {second.lower()} {diff(b.value)} {int(b.year)}, "
            f"mot {diff(a.value)} {int(a.year)}: skillnaden har {verb}.")


def data_version(snap: dict) -> None:
    import json

    built = json.loads(snap["built_from"]) if isinstance(snap["built_from"], str) else snap["built_from"]
    kind = "genererade demodata" if snap["is_demo"] else "inlästa data"
    st.markdown(f"**Dataversion:** {snap['version']} ({kind}), byggd {pd.Timestamp(snap['created_at']):%Y-%m-%d %H:%M}. "
                f"Byggd från: {built.get('kind', '–')}.")


def catalog_table(search: str = "") -> pd.DataFrame:
    """The catalog as a table, filtered by a free-text search (never reaches SQL)."""
    from shb.core.catalog import DIRECTION_LABELS

    cat = frame("indicator_catalog")
    table = pd.DataFrame({
        "Effektmål": cat.target_id, "Indikator": cat.title, "Enhet": cat.unit_label,
        "Riktning": cat.direction.map(DIRECTION_LABELS), "Lägsta nivå": cat.lowest_level.map(LEVEL_LABELS),
        "Källa": cat.source + ", " + cat.source_ref, "Licens": cat.licence, "Definition": cat.definition,
        "Id": cat.id,
    })
    terms = search.strip().lower().split()
    if terms:
        text = table.astype(str).agg(" ".join, axis=1).str.lower()
        keep = text.apply(lambda t: all(term in t for term in terms))
        table = table[keep]
    return table


def method_notes() -> None:
    st.header("Metod")
    st.markdown("\n".join(f"- {line}" for line in text.method_lines()))


@st.cache_data(show_spinner=False, max_entries=64)
def _area_profile(_d: dbmod.Database, key: str, area_code: str) -> pd.DataFrame:
    return views.area_profile(_d, area_code)


def area_profile(area_code: str) -> pd.DataFrame:
    """Every indicator for one area against the city, once per data version and area."""
    d = database()
    return _area_profile(d, data_key(d), area_code)


@st.cache_data(show_spinner=False, max_entries=64)
def _group_gap_spec(_d: dbmod.Database, key: str, view: View, dim: str, first: str, second: str,
                    demo: bool) -> tuple[dict, str]:
    from shb.core import format as fmt
    from shb.present import charts

    d = _d
    ind = views.indicators(d)[view.indikator]
    gap = views.group_gap_frame(d, view, dim, first, second)
    labels = views.group_labels(d)
    title = f"{ind.title}: {labels[(dim, first)].lower()} minus {labels[(dim, second)].lower()}"
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)
    spec = charts.trend_chart(gap, title=f"{title} ({unit})", unit_label=unit, direction_label=views.subtitle(ind),
                              decimals=1, demo=demo).to_dict()
    return spec, group_gap_sentence(ind, gap, labels[(dim, first)], labels[(dim, second)])


def group_gap(view: View, dim: str, first: str, second: str, demo: bool) -> tuple[dict, str]:
    """The chart and sentence for the gap between two groups, once per data version and view."""
    d = database()
    return _group_gap_spec(d, data_key(d), replace(view, notices=()), dim, first, second, demo)


def page_url_path(script: str) -> str:
    """The URL path Streamlit gives a page script: app.py → "", pages/1_god_start.py → "god_start"."""
    if script == "app.py":
        return ""
    name = Path(script).stem
    return name.split("_", 1)[1] if name.split("_", 1)[0].isdigit() else name


def share_url(view: View, script: str, base: str) -> str:
    """The full, over-specified link to this view: every parameter, so later default changes keep it."""
    from urllib.parse import urlencode

    params = {**urlstate.to_params(view), "v": view.v}
    return f"{base.rstrip('/')}/{page_url_path(script)}?{urlencode(params, safe=',:')}"


def public_base() -> str:
    """Where links point: SHB_PUBLIC_URL if set, else the address the browser used."""
    import os
    from urllib.parse import urlsplit

    configured = os.environ.get("SHB_PUBLIC_URL")
    if configured:
        return configured
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        parts = None
    return f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc else "http://127.0.0.1:8501"


def share_link(view: View) -> None:
    with st.expander("Dela vy", icon=":material/share:"):
        script = st.session_state.get("shb_page", "app.py")
        st.code(share_url(view, script, public_base()), language=None, wrap_lines=True)
        st.caption("Länken bär hela vyn och dataversionen; den som öppnar den ser samma sak.")


def _relative_script(script: str) -> str:
    path = Path(script)
    return f"pages/{path.name}" if path.parent.name == "pages" else "app.py"


def report_download(snap: dict) -> None:
    """The biennial report as a self-contained HTML file, built when the button is pressed."""
    from shb.present import report

    years = sorted({y for f in facts().indicators.values() for y in f.years})
    year = st.selectbox("Rapportår", years[::-1], index=0)
    demo = "_DEMODATA" if snap["is_demo"] else ""
    st.download_button(
        "Skapa och ladda ner rapporten (HTML)", icon=":material/description:", on_click="ignore",
        data=lambda: report.render_html(database(), int(year)).encode("utf-8"), mime="text/html",
        file_name=f"socialt_hallbart_boras_uppfoljning_{year}_{snap['version']}{demo}.html")
    st.caption("Rapporten innehåller alla effektmål och indikatorer med diagram, kartor, tabeller och metod. "
               "Att skapa den tar en halv minut. PDF: python -m shb report --year ÅR --out FIL.html --pdf FIL.pdf")
