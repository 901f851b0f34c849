"""The övergripande mål over the life course: Översikt's goal block, the Livscykeln page and the social
gradient, each checked against SQL written here on the snapshot file (independent of shb.measures)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from shb.core import format as fmt
from shb.core.catalog import GOAL_TARGET, load_catalog
from shb.present import charts as chartmod
from shb.present import text, urlstate
from shb.present.lifecycle import life_course
from shb.store import db as dbmod
from shb.web.lifecycle import PRESENTATION_ROWS
from tests.pages import chart_frame, charts, run_page, title_of
from tests.test_urlstate import FACTS

CAT = load_catalog()
FOCUS = ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]
LIFE = "pages/9_livscykeln.py"


def sql(db, query: str, params: dict) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params).df()
    finally:
        con.close()


def set_and_rest(db, indicator: str, group_dim: str = "total") -> pd.DataFrame:
    """Per year and group value: the focus set's share from its RegSO's summed published counts (hidden
    areas left out), the rest of the city as kommun minus set (only when no member is hidden), and the
    kommun's published value."""
    return sql(db, """
        with f as (
            select year, group_value, sum(numerator) filter (where status = 'ok') as n,
                   sum(denominator) filter (where status = 'ok') as d,
                   count(*) filter (where status = 'ok') = len($a) as complete
            from published_observation
            where indicator_id = $i and level = 'regso' and group_dim = $g and area_code in (select unnest($a))
            group by year, group_value),
        c as (
            select year, group_value, value, numerator, denominator from published_observation
            where indicator_id = $i and level = 'municipality' and group_dim = $g and status = 'ok')
        select c.year, c.group_value, 100.0 * f.n / f.d as focus, c.value as city,
               case when f.complete then 100.0 * (c.numerator - f.n) / (c.denominator - f.d) end as rest
        from c left join f using (year, group_value) order by c.year, c.group_value""",
               {"i": indicator, "g": group_dim, "a": FOCUS})


def text_of(value: float, ind_id: str) -> str:
    ind = CAT.indicator(ind_id)
    return fmt.value_with_unit(value, ind.unit, ind.unit_label, fmt.decimals_for(ind.unit))


# --- Livscykeln ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def aldre_page(demo_db):
    """The chosen life stage with its whole table (presentation mode shows its worst gaps only)."""
    at = run_page(LIFE, {"livsfas": "aldre"}, timeout=180)
    assert not at.exception, at.exception
    return at


def test_livscykeln_with_a_life_stage_shows_that_stage_only(aldre_page):
    assert [s.value for s in aldre_page.subheader if s.value != "Social gradient: efter utbildningsnivå"][:1] == [
        "Äldre 65+ år"]
    assert not any(s.value.startswith(("Barn", "Unga", "Vuxna")) for s in aldre_page.subheader)
    assert dict(aldre_page.query_params)["livsfas"] == "aldre"


def test_livscykeln_colours_the_trend_cells(aldre_page):
    """The stage's table colours each trend cell by whether the set moved the better way (as Översikt's;
    layout.trend_styled)."""
    from shb.present import tables

    styles = [d.proto.arrow_data.styler.styles for d in aldre_page.dataframe if d.proto.arrow_data.HasField("styler")]
    colours = {css.split(";")[0].removeprefix("color: ") for css in (tables.BETTER_CSS, tables.WORSE_CSS)}
    assert styles and any(colour in s for s in styles for colour in colours)


def test_livscykeln_in_presentation_mode_is_one_stage_on_one_screen(demo_db, aldre_page):
    """The chosen stage's worst gaps, as many as fit, under a title that names the worst one, saying how
    many more there are; no other stage, no gradient, no comparison section."""
    at = run_page(LIFE, {"livsfas": "aldre", "visning": "presentation"}, timeout=180)
    assert not at.exception, at.exception
    assert dict(at.query_params)["visning"] == "presentation" and dict(at.query_params)["livsfas"] == "aldre"
    assert len(at.dataframe) == 1 and len(at.get("vega_lite_chart")) == 0 and len(at.title) == 1
    whole = aldre_page.dataframe[0].value
    shown = at.dataframe[0].value
    assert list(shown.Indikator) == list(whole.Indikator[:PRESENTATION_ROWS])
    assert at.title[0].value.startswith("Äldre 65+ år: störst skillnad i " + whole.Indikator.iloc[0])
    assert f"{whole['Jämfört med övriga staden'].iloc[0]} än övriga staden" in at.title[0].value
    assert len(at.main.caption) == 2 and "\n" not in at.main.caption[0].value
    assert at.main.caption[1].value == f"Visar {PRESENTATION_ROWS} av {len(whole)} indikatorer; " \
                                  f"{len(whole) - PRESENTATION_ROWS} till i vanligt läge."
    assert at.get("segmented_control")[0].value == "aldre"


def test_livscykeln_presentation_opens_on_the_stage_with_the_worst_gap(demo_db):
    at = run_page(LIFE, {"visning": "presentation"}, timeout=180)
    assert not at.exception, at.exception
    rows = life_course(dbmod.connect(demo_db), "omradesutveckling")
    per_area = rows[rows.area_level.astype(bool) & rows.severity.notna() & (rows.stage != "alla")]
    worst = per_area.loc[per_area.severity.astype(float).idxmax()]
    assert at.get("segmented_control")[0].value == worst.stage
    assert at.title[0].value.startswith(f"{text.life_stage_label(worst.stage)}: störst skillnad i {worst.title}")
    at.get("segmented_control")[0].set_value("barn").run()
    assert at.title[0].value.startswith("Barn") and dict(at.query_params)["livsfas"] == "barn"


def test_livscykeln_values_are_the_sets_and_the_rest_of_the_citys_from_sql(demo_db, aldre_page):
    table = aldre_page.dataframe[0].value
    aldre = [i for i in CAT.indicators if "aldre" in i.life_stages]
    assert sorted(table.Indikator) == sorted(i.title for i in aldre)
    checked = 0
    for ind in aldre:
        if ind.lowest_level == "municipality" or ind.kind != "share":
            continue
        expected = set_and_rest(demo_db, ind.id).dropna(subset=["focus"]).iloc[-1]
        row = table[table.Indikator == ind.title].iloc[0]
        assert int(row["År"]) == int(expected.year), ind.id
        assert row["Områdesutveckling"] == text_of(expected.focus, ind.id), ind.id
        assert row["Övriga staden"] == (text_of(expected.rest, ind.id) if pd.notna(expected.rest) else "–"), ind.id
        assert row["Hela Borås"] == text_of(expected.city, ind.id), ind.id
        checked += 1
    assert checked >= 5


def test_livscykeln_lists_the_worst_gaps_first(demo_db, aldre_page):
    table = aldre_page.dataframe[0].value
    severities = {}
    for ind in CAT.indicators:
        if "aldre" in ind.life_stages and ind.lowest_level != "municipality" and ind.kind == "share":
            e = set_and_rest(demo_db, ind.id).dropna(subset=["focus"]).iloc[-1]
            if pd.isna(e.rest):
                continue
            relative = (e.focus - e.rest) / abs(e.rest)
            severities[ind.title] = {"higher": -relative, "lower": relative}.get(ind.direction, abs(relative))
    shown = [t for t in table.Indikator if t in severities]
    assert shown == sorted(severities, key=severities.get, reverse=True)
    area_rows = list(table.Indikator[table["Områdesutveckling"] != "redovisas inte per område"])
    assert area_rows == list(table.Indikator[: len(area_rows)]), "kommun-only indicators come last"


def test_each_row_links_to_its_indicators_own_page(aldre_page):
    table = aldre_page.dataframe[0].value
    links = dict(zip(table.Indikator, table.Visa))
    assert links[CAT.indicator("aldre_god_halsa").title].startswith("livscykeln?")
    assert "indikator=aldre_god_halsa" in links[CAT.indicator("aldre_god_halsa").title]
    assert links[CAT.indicator("otrygghet_utomhus_ntu").title].startswith("boende?")
    assert "livsfas=aldre" in links[CAT.indicator("aldre_god_halsa").title]


def test_the_stage_sentence_agrees_with_the_table(aldre_page):
    table = aldre_page.dataframe[0].value
    sentence = next(m.value for m in aldre_page.markdown if m.value.startswith("Äldre 65+ år:"))
    per_area = table[table["Områdesutveckling"] != "redovisas inte per område"]
    compared = per_area[per_area.Skillnad != "–"]
    trend = table.columns[table.columns.str.startswith("Skillnaden,")][0]
    assert f"Äldre 65+ år: {len(table)} indikatorer; {len(compared)} jämför" in sentence
    assert f"{len(table) - len(per_area)} finns bara för hela kommunen" in sentence
    if len(per_area) > len(compared):
        assert f"för {len(per_area) - len(compared)} saknas jämförelsen det senaste året" in sentence
    assert f"minskar för {int(compared[trend].str.contains('minskar').sum())} " in sentence
    assert f"ökar för {int(compared[trend].str.contains('ökar').sum())}" in sentence
    worst = compared.iloc[0]
    assert worst.Indikator in sentence and worst["Jämfört med övriga staden"].endswith("sämre")


def test_an_unknown_life_stage_gives_a_notice_and_every_stage(demo_db):
    at = run_page(LIFE, {"livsfas": "pensionar", "indikator": "aldre_god_halsa"}, timeout=180)
    assert not at.exception, at.exception
    assert any("Okänd livsfas" in w.value for w in at.warning)
    assert [s.value for s in at.subheader][:5] == ["Barn 0–15 år", "Unga 16–24 år", "Vuxna 25–64 år", "Äldre 65+ år",
                                                   "Alla åldrar"]
    assert "livsfas" not in dict(at.query_params)


# --- the social gradient ---------------------------------------------------------------------------------

def test_gradient_values_are_the_sql_values_and_the_sentences_agree(demo_db, aldre_page):
    spec = next(s for s in charts(aldre_page) if "efter utbildningsnivå" in title_of(s))
    shown = chart_frame(spec)
    ind_id = dict(aldre_page.query_params)["indikator"]
    expected = set_and_rest(demo_db, ind_id, "utbildning")
    year = int(expected.year.max())
    assert title_of(spec).endswith(f", {year}")
    latest = expected[expected.year == year].set_index("group_value")
    for series, column in (("focus", "focus"), ("city", "city")):
        got = shown[shown.series == series].set_index("group_value").value
        assert got.to_dict() == pytest.approx(latest[column].to_dict()), series
    assert list(shown.group_label.drop_duplicates()) == ["Förgymnasial", "Gymnasial", "Eftergymnasial"]
    sentences = [m.value for m in aldre_page.markdown if "eftergymnasial minus förgymnasial" in m.value]
    assert len(sentences) == 2
    for label, column, sentence in zip(("Områdesutveckling", "Hela Borås"), ("focus", "city"), sentences):
        gap = latest.loc["eftergymnasial", column] - latest.loc["forgymnasial", column]
        assert sentence.startswith(f"{label} {year}: eftergymnasial minus förgymnasial utbildning är "
                                   f"{fmt.number(gap, 1, sign=True)} procentenheter")
        first = expected[(expected.year == year - 4)].set_index("group_value")
        start = first.loc["eftergymnasial", column] - first.loc["forgymnasial", column]
        verdict = "minskar" if abs(gap) - abs(start) < 0 else "ökar"
        if abs(abs(gap) - abs(start)) >= max(0.5, 0.05 * abs(start)):
            assert f"gradienten {verdict}" in sentence, sentence
        else:
            assert "gradienten är oförändrad" in sentence, sentence


def test_a_kommun_only_gradient_says_the_areas_cannot_be_compared(demo_db):
    at = run_page(LIFE, {"indikator": "aterstaende_medellivslangd_30_utbildning", "livsfas": "vuxna"},
                  timeout=180)
    assert not at.exception, at.exception
    assert any("bara för hela kommunen" in i.value and "Områdesutveckling" in i.value for i in at.info)
    spec = next(s for s in charts(at) if "efter utbildningsnivå" in title_of(s))
    shown = chart_frame(spec)
    assert set(shown.series) == {"city"}
    expected = sql(demo_db, """select group_value, value from published_observation
                   where indicator_id = $i and level = 'municipality' and group_dim = 'utbildning'
                   and year = (select max(year) from published_observation where indicator_id = $i
                               and group_dim = 'utbildning' and status = 'ok')""",
                   {"i": "aterstaende_medellivslangd_30_utbildning"}).set_index("group_value").value
    assert shown.set_index("group_value").value.to_dict() == pytest.approx(expected.to_dict())


def test_gradient_chart_builder_checks_its_input():
    frame = pd.DataFrame({"group_value": ["forgymnasial", "eftergymnasial"], "group_label": ["Förgymnasial",
                          "Eftergymnasial"], "series": ["city", "city"], "label": ["Hela Borås"] * 2,
                          "value": [60.0, 80.0]})
    spec = chartmod.gradient_chart(frame, title="T", unit_label="%", direction_label="Högre värde är bättre",
                                   demo=True, citation="Demodata – inte Borås siffror").to_dict()
    assert spec["layer"][0]["mark"]["type"] == "line"
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["Förgymnasial", "Eftergymnasial"]
    assert [r["value"] for r in spec["data"]["values"]] == [60.0, 80.0]
    with pytest.raises(ValueError, match="series must be focus, rest or city"):
        chartmod.gradient_chart(frame.assign(series="x"), title="T", unit_label="%", direction_label="d")
    with pytest.raises(ValueError, match="one row per group_value and series"):
        chartmod.gradient_chart(pd.concat([frame, frame]), title="T", unit_label="%", direction_label="d")


# --- Översikt --------------------------------------------------------------------------------------------

def test_oversikt_starts_with_the_goal_indicators(demo_db):
    at = run_page("app.py", timeout=180)
    assert not at.exception, at.exception
    # the leadership summary ("how are we doing") first, then the övergripande mål's indicators
    assert at.subheader[0].value == text.LEADERSHIP_HEADING
    assert at.subheader[1].value.startswith("Övergripande mål")
    table = at.dataframe[0].value
    goal = [i for i in CAT.indicators if i.target == GOAL_TARGET]
    assert list(table.Indikator) == [i.title for i in goal]
    assert all(link.startswith("livscykeln?") for link in table.Visa)
    row = table[table.Indikator == CAT.indicator("kariesfria_6_aringar").title].iloc[0]
    expected = set_and_rest(demo_db, "kariesfria_6_aringar").dropna(subset=["focus"]).iloc[-1]
    assert row["Områdesutveckling"] == text_of(expected.focus, "kariesfria_6_aringar")
    assert row["Hela Borås"] == text_of(expected.city, "kariesfria_6_aringar")
    assert [s.value for s in at.subheader][2:] == [f"Målområde {n}: {ga.title}" for n, ga in
                                                   zip((1, 2, 3), CAT.goal_areas)]


# --- the URL contract ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "kept", "noticed"), [
    ("aldre", "aldre", False), ("barn", "barn", False), ("alla", "alla", False), ("pensionar", "", True), ("Äldre", "", True), ("", "", False)])
def test_livsfas_is_checked_against_the_life_stages(given, kept, noticed):
    view = urlstate.parse({"livsfas": given}, FACTS)
    assert view.livsfas == kept
    assert any("livsfas" in n for n in view.notices) == noticed
    assert urlstate.to_params(view).get("livsfas", "") == kept
    assert "livsfas" in urlstate.INDICATOR_FREE


def test_the_gradient_title_says_efter_utbildningsniva_once():
    """An indicator whose title already names the split is not told "efter utbildningsnivå" twice."""
    by_id = {i.id: i for i in load_catalog().indicators}
    said = [i for i in by_id.values() if "efter utbildningsnivå" in i.title.lower()]
    plain = next(i for i in by_id.values() if "utbildningsnivå" not in i.title.lower())
    assert said, "the catalog has an indicator titled by its split"
    for ind in said:
        assert text.gradient_title(ind, 2024).lower().count("efter utbildningsnivå") == 1
        assert text.gradient_title(ind, 2024).endswith(", 2024")
    assert text.gradient_title(plain, 2024) == f"{plain.title} efter utbildningsnivå, 2024"
