"""Every page runs for real (AppTest), and its charts hold the database's numbers."""

import duckdb
import pandas as pd
import pytest

from shb.core.catalog import load_catalog
from shb.present import tables
from tests.pages import PAGE_PATHS, chart_frame, charts, run_page, title_of

CAT = load_catalog()
GOAL_AREA_PAGES = {1: "pages/1_god_start.py", 2: "pages/2_arbete.py", 3: "pages/3_boende.py"}
FOCUS = ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_runs_on_its_default_view(demo_db, path):
    at = run_page(path)
    assert not at.exception, at.exception
    assert any("Demodata" in w.value for w in at.warning), "the demo banner is on every page"
    assert dict(at.query_params)["v"], "the URL names the data version"


@pytest.mark.parametrize("goal_area", [1, 2, 3])
def test_first_indicator_of_each_goal_area_runs_on_every_page(demo_db, goal_area):
    first = next(i for i in CAT.indicators if i.target.startswith(f"{goal_area}."))
    for path in PAGE_PATHS:
        at = run_page(path, {"indikator": first.id})
        assert not at.exception, (path, at.exception)


def test_goal_area_page_draws_trend_gap_ranking_map_and_groups(demo_db):
    at = run_page(GOAL_AREA_PAGES[2], {"indikator": "sysselsattningsgrad_20_64"})
    titles = [title_of(s) for s in charts(at)]
    assert len(titles) == 5, titles
    assert titles[0].startswith("Sysselsättningsgrad 20–64 år (%)")
    text = " ".join(m.value for m in at.markdown)
    assert "Sysselsättningsgrad 20–64 år var" in text and "procentenheter" in text


def expected_series(db_path, indicator: str) -> pd.DataFrame:
    """Focus set, rest and city straight from the database, summing counts (independent of shb.measures)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(
            """
            with f as (
                select year, sum(numerator) as n, sum(denominator) as d, count(*) filter (where status = 'ok') as ok
                from observation
                where indicator_id = $i and level = 'regso' and group_dim = 'total' and area_code in (select unnest($a))
                group by year),
            c as (
                select year, value, numerator, denominator from observation
                where indicator_id = $i and level = 'municipality' and group_dim = 'total')
            select c.year, 100.0 * f.n / f.d as focus, c.value as city,
                   100.0 * (c.numerator - f.n) / (c.denominator - f.d) as rest, f.ok
            from c join f using (year) order by year""",
            {"i": indicator, "a": FOCUS}).df()
    finally:
        con.close()


def test_trend_chart_values_equal_the_database(demo_db):
    at = run_page(GOAL_AREA_PAGES[2], {"indikator": "sysselsattningsgrad_20_64", "fran": "2015", "till": "2024"})
    trend = chart_frame(charts(at)[0])
    expected = expected_series(demo_db, "sysselsattningsgrad_20_64")
    expected = expected[(expected.ok == len(FOCUS)) & expected.year.between(2015, 2024)]
    assert len(expected) >= 8
    for row in expected.itertuples():
        got = trend[trend.year == row.year].set_index("series").value
        assert got["focus"] == pytest.approx(row.focus)
        assert got["city"] == pytest.approx(row.city)
        assert got["rest"] == pytest.approx(row.rest)


def test_map_holds_all_47_regso_with_values(demo_db):
    at = run_page("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64", "utsnitt": "kommun",
                                       "niva": "regso", "ar": "2023"})
    assert not at.exception
    spec = charts(at)[0]
    features = [r for r in spec["_rows"] if r.get("type") == "Feature"]
    codes = {f["properties"]["code"] for f in features}
    assert len(codes) == 47 and all(c.startswith("1490R") for c in codes)
    con = duckdb.connect(str(demo_db), read_only=True)
    db = dict(con.execute("select area_code, value from observation where indicator_id = 'sysselsattningsgrad_20_64' "
                          "and level = 'regso' and year = 2023 and group_dim = 'total'").fetchall())
    con.close()
    for f in features:
        p = f["properties"]
        assert p["value"] == (pytest.approx(db[p["code"]]) if db[p["code"]] is not None else None)
    assert any(s in str(spec["title"]) for s in ("Schematisk", "schematisk"))


def test_map_tatort_extent_draws_only_urban_areas(demo_db):
    at = run_page("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64", "utsnitt": "tatort"})
    features = [r for r in charts(at)[0]["_rows"] if r.get("type") == "Feature"]
    assert 20 <= len({f["properties"]["code"] for f in features}) < 47


def test_presentation_mode_states_the_message_without_controls(demo_db):
    at = run_page("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64", "visning": "presentation"})
    assert not at.exception
    assert at.title[0].value.startswith("Sysselsättningsgrad 20–64 år 2024: områdesutveckling")
    assert "skillnaden" in at.title[0].value
    assert len(at.selectbox) == 0 and len(at.sidebar.selectbox) == 0


def test_overview_has_a_row_per_indicator(demo_db):
    at = run_page("app.py")
    frames = [df.value for df in at.dataframe]
    assert len(frames) == 14, "one table for the övergripande mål's indicators, then one per effektmål"
    total = sum(len(f) for f in frames)
    assert total == len(CAT.indicators)


def test_area_profile_lists_every_indicator_for_the_area(demo_db):
    at = run_page("pages/4_omraden.py", {"omrade": "1490R025"})
    assert not at.exception
    assert at.title[0].value == "Norrby (RegSO)"
    assert any("Områdesutveckling" in m.value for m in at.markdown)
    rows = sum(len(df.value) for df in at.dataframe)
    assert rows == len(CAT.indicators)
    # Each assessment cell is coloured by its direction (layout.styled_if_short: every table is short here).
    styles = [d.proto.arrow_data.styler.styles for d in at.dataframe if d.proto.arrow_data.HasField("styler")]
    assert len(styles) == len(at.dataframe)
    assert any(css.split(";")[0].removeprefix("color: ") in s for s in styles
               for css in (tables.BETTER_CSS, tables.WORSE_CSS))


def test_groups_page_shows_a_group_gap_over_time(demo_db):
    at = run_page("pages/6_grupper.py", {"indikator": "sysselsattning_20_64_fodelseregion", "grupp": "bakgrund"})
    assert not at.exception
    gap = chart_frame(charts(at)[0])
    assert set(gap.series) == {"focus", "city"}
    city = gap[gap.series == "city"].value.dropna()
    assert len(city) >= 4 and (city < 0).all(), "utrikes födda have lower employment in the demo"


def test_data_page_search_filters_the_catalog(demo_db):
    at = run_page("pages/7_data_och_metod.py")
    full = len(at.dataframe[0].value)
    at.text_input[0].input("sysselsättning").run()
    assert 0 < len(at.dataframe[0].value) < full
    at.text_input[0].input("'; drop table indicator; --").run()
    assert not at.exception and len(at.dataframe[0].value) == 0


def test_area_page_shows_the_focus_set_when_no_area_is_chosen(demo_db):
    at = run_page("pages/4_omraden.py", {"jamfor": "omradesutveckling"})
    assert not at.exception
    assert at.title[0].value == "Områdesutveckling (områdesmängd)"
    assert sum(len(df.value) for df in at.dataframe) == len(CAT.indicators)
    worse = sum((df.value["Bedömning"] == "sämre än staden").sum() for df in at.dataframe)
    better = sum((df.value["Bedömning"] == "bättre än staden").sum() for df in at.dataframe)
    assert worse > 3 * better, "the demo's focus set is mostly on the worse side"


HIDDEN_IND = "barn_lag_ekonomisk_standard_0_19"


@pytest.fixture(scope="module")
def hidden_cells(demo_db) -> pd.DataFrame:
    """DeSO cells of HIDDEN_IND hidden by the rule or to protect them, with their raw values."""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        return con.execute(
            "select p.area_code, p.year, p.group_dim, p.group_value, o.value from published_observation p "
            "join observation o using (indicator_id, level, area_code, year, group_dim, group_value) "
            "where p.indicator_id = $i and p.level = 'deso' and p.suppression in ('regel', 'skydd')",
            {"i": HIDDEN_IND}).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hidden_total_year(hidden_cells) -> int:
    """The latest year with a hidden DeSO total: the ranking of that year must leave it out. The demo
    data guarantee one (the demo profile's small DeSO); without it the test fails here, never skips."""
    totals = hidden_cells[hidden_cells.group_dim == "total"]
    assert len(totals) > 10, "the demo data hide DeSO totals of the indicator (data/demo_profile.yaml)"
    return int(totals.year.max())


def test_hidden_values_never_reach_exports_or_charts(demo_db, hidden_cells, hidden_total_year):
    """Values hidden by the rule or to protect them are absent from the CSV export and the ranking."""
    from shb.present import export, urlstate, views
    from shb.store import db as dbmod

    ind, hidden = HIDDEN_IND, hidden_cells
    assert set(hidden.group_dim) >= {"alder"} and len(hidden) > 10
    database = dbmod.Database(demo_db)
    view = urlstate.parse({"indikator": ind, "niva": "deso"}, views.facts(database))
    exported = views.selection_export(database, view)
    labels = views.group_labels(database)
    key = exported.set_index(["områdeskod", "år", "grupp_typ", "grupp"])
    for h in hidden.itertuples():
        row = key.loc[(h.area_code, h.year, h.group_dim, labels[(h.group_dim, h.group_value)])]
        assert row[["värde", "täljare", "nämnare"]].isna().all() and row["status"].startswith("undertryckt")
    csv = export.to_csv(exported).decode("utf-8-sig")
    raw = {f"{v:.6f}".rstrip("0").replace(".", ",") for v in hidden.value.dropna() if v not in (0, 100)}
    assert not any(f";{v};" in csv for v in raw if len(v) > 6)
    year = hidden_total_year
    at = run_page("pages/1_god_start.py", {"indikator": ind, "niva": "deso", "ar": str(year)})
    ranking = next(s for s in charts(at) if "per DeSO" in title_of(s))
    shown = {r["area_code"]: r.get("value") for r in ranking["_rows"] if "area_code" in r}
    hidden_now = hidden[(hidden.year == year) & (hidden.group_dim == "total")]
    assert len(hidden_now) > 0 and set(hidden_now.area_code) <= set(shown), "the hidden areas are listed"
    for h in hidden_now.itertuples():
        assert shown.get(h.area_code) is None, h.area_code


INJECTION = "'; drop table observation; --"
# A link's value that reaches a named query's parameters, and a real value given the same way.
QUERY_PARAMETERS = [
    ("pages/2_arbete.py", {"indikator": "ekonomiskt_bistand"}, "indikator", "indicator", "ekonomiskt_bistand"),
    ("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64"}, "ar", "year", 2019),
    ("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64"}, "niva", "level", "deso"),
    ("pages/4_omraden.py", {}, "omrade", "area_code", "1490R025"),
    ("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64"}, "grupp", "group_dim", "kon"),
    ("app.py", {}, "jamfor", "set_id", "polisen_2025"),
]


@pytest.fixture
def received(monkeypatch) -> list[tuple[str, dict]]:
    """Every named query the pages run, with its parameters (what the database is handed to bind).
    Streamlit's caches and the views' own are emptied first, so every query of the run reaches the database."""
    import streamlit as st

    from shb.present import views
    from shb.store import db as dbmod

    calls: list[tuple[str, dict]] = []
    run = dbmod.Database.run

    def spy(self, name, **params):
        calls.append((name, dict(params)))
        return run(self, name, **params)

    st.cache_data.clear()
    views.clear_caches()
    monkeypatch.setattr(dbmod.Database, "run", spy)
    return calls


@pytest.mark.parametrize("path,base,key,parameter,good", QUERY_PARAMETERS, ids=[q[2] for q in QUERY_PARAMETERS])
def test_an_injection_in_a_link_never_reaches_a_query_and_is_refused_with_a_notice(
        demo_db, received, path, base, key, parameter, good):
    good_value = "kon:kvinnor" if key == "grupp" else str(good)
    at = run_page(path, {**base, key: good_value})
    assert not at.exception, at.exception
    bound = [p[parameter] for _, p in received if parameter in p]
    assert good in bound, f"a real {key} reaches the queries as the bound ${parameter}"
    received.clear()
    at = run_page(path, {**base, key: INJECTION})
    assert not at.exception, at.exception
    notices = [w.value for w in at.warning if "Demodata" not in w.value]
    assert len(notices) == 1 and "ignorerades" in notices[0], notices
    assert received, "the page still ran its queries"
    handed = [v for _, p in received for v in p.values()]
    assert not any(INJECTION in str(v) for v in handed), "the injection reached a query"
    assert dict(at.query_params).get(key) != INJECTION


@pytest.mark.parametrize("name,params", [
    ("indicator_values", {"indicator": INJECTION, "level": "regso", "group_dim": "total"}),
    ("indicator_values", {"indicator": "sysselsattningsgrad_20_64", "level": INJECTION, "group_dim": "total"}),
    ("area_population", {"area_code": INJECTION}),
    ("set_member_sums", {"set_id": INJECTION}),
])
def test_the_injection_is_a_bound_value_when_handed_to_a_named_query(demo_db, name, params):
    """Behind the refusal: had the text reached a query, it is compared as a value, not run as SQL."""
    from shb.store import db as dbmod
    from tests.conftest import observation_count

    before = observation_count(demo_db)
    rows = dbmod.Database(demo_db).run(name, **params)
    assert rows.empty, "no row has that text as its value"
    assert observation_count(demo_db) == before


def _overview_table_script(rows: int) -> None:
    import pandas as pd

    from shb.present import text
    from shb.web import sections

    table = pd.DataFrame({"Indikator": [f"i{k}" for k in range(rows)], text.trend_column_label(): "↘ minskar"})
    sections._overview_table(table, [True] * rows, "Områdesutveckling")


def test_overview_tables_colour_the_trend_and_a_very_long_one_is_plain(demo_db):
    """Översikt colours each trend cell by whether the set moved the better way; a table longer than
    STYLED_ROWS (a catalog far beyond Borås's: Streamlit draws a styled table cell by cell) is plain."""
    from streamlit.testing.v1 import AppTest

    from shb.web import layout

    at = run_page("app.py")
    styles = [d.proto.arrow_data.styler.styles for d in at.dataframe if d.proto.arrow_data.HasField("styler")]
    colour = tables.BETTER_CSS.split(";")[0].removeprefix("color: ")
    assert styles and any(colour in s for s in styles)
    for rows, styled in ((layout.STYLED_ROWS, True), (layout.STYLED_ROWS + 1, False)):
        at = AppTest.from_function(_overview_table_script, args=(rows,)).run()
        assert not at.exception, at.exception
        assert at.dataframe[0].proto.arrow_data.HasField("styler") is styled
        assert len(at.dataframe[0].value) == rows
