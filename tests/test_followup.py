"""The follow-up measures on the pages: spread between areas and each effektmål's status."""

from __future__ import annotations

import re

import duckdb
import pytest

from shb.analysis.measures import TARGET_STATUSES
from shb.core import format as fmt
from shb.core.catalog import load_catalog
from tests.pages import run_page

CAT = load_catalog()
SHARE = "sysselsattningsgrad_20_64"


def spread_by_sql(path, indicator: str, year: int) -> tuple[float, int]:
    """Population-weighted mean distance of the published RegSO values from the city's, by plain SQL."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "with city as (select value from published_observation where indicator_id = $i and year = $y "
            "  and level = 'municipality' and group_dim = 'total' and status = 'ok') "
            "select sum(o.population * abs(o.value - city.value)) / sum(o.population), count(*) "
            "from published_observation o, city where o.indicator_id = $i and o.year = $y and o.level = 'regso' "
            "and o.group_dim = 'total' and o.status = 'ok' and o.population > 0",
            {"i": indicator, "y": year}).fetchone()
    finally:
        con.close()


def test_the_goal_area_page_states_the_spread_between_areas(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": SHARE, "ar": "2024"})
    assert not at.exception
    [text] = [m.value for m in at.markdown if m.value.startswith("Spridningen mellan RegSO 2024")]
    spread, areas = spread_by_sql(demo_db, SHARE, 2024)
    assert f"i genomsnitt {fmt.difference(spread, 'procent', '%', 1).lstrip('+')} från hela Borås" in text
    assert f"({areas} av 47 områden" in text
    assert re.search(r"Skillnaderna mellan områdena (minskar|ökar|är oförändrade) sedan \d{4}\.$", text)


def test_a_city_only_indicator_has_no_spread(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "oppet_arbetslosa_18_64"})
    assert not at.exception
    assert not [m for m in at.markdown if m.value.startswith("Spridningen")]


@pytest.fixture(scope="module")
def overview_page(demo_db):
    at = run_page("app.py")
    assert not at.exception
    return at


def test_the_overview_gives_every_effektmal_a_status_that_says_how_it_was_reached(overview_page):
    found = {}
    for m in overview_page.markdown:
        hit = re.match(r"\*\*(\d\.\d+)\*\* .*\n:\w+-badge\[Effektmålet ([^\]]+)\] :gray\[(.+)\]$", m.value, re.S)
        if hit:
            found[hit.group(1)] = (hit.group(2), hit.group(3))
    assert set(found) == {t.id for t in CAT.targets}
    for t in CAT.targets:
        status, how = found[t.id]
        n = sum(i.target == t.id and i.lowest_level != "municipality" for i in CAT.indicators)
        assert status in TARGET_STATUSES
        if n:
            judged, total = map(int, re.match(r"(\d+) av (\d+) indikator", how).groups())
            assert total == n and judged <= n
            assert (status == "kan inte bedömas") == (2 * judged < n or judged == 0)
