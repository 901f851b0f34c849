"""Målvärden on the pages: the trend chart's dashed målvärde line and the distance table (AppTest)."""

from __future__ import annotations

import duckdb

from shb.core import format as fmt
from tests.pages import charts, run_page, title_of

WORK = "pages/2_arbete.py"
EMPLOYMENT = "sysselsattningsgrad_20_64"  # målvärde 78 % år 2030 for the city and for områdesutveckling


def _city_latest(db, indicator: str) -> tuple[int, float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select year, value from published_observation where indicator_id = $i and level = 'municipality' "
            "and group_dim = 'total' and status = 'ok' order by year desc limit 1", {"i": indicator}).fetchone()
    finally:
        con.close()


def test_a_goal_area_page_shows_the_target_line_and_the_distance(demo_db):
    at = run_page(WORK, {"indikator": EMPLOYMENT})
    assert not at.exception, at.exception
    trend = charts(at)[0]
    assert title_of(trend).startswith("Sysselsättningsgrad 20–64 år (%)")
    rules = [layer for layer in trend["layer"] if layer.get("mark", {}).get("type") == "rule"
             and layer.get("mark", {}).get("strokeDash")]
    assert [r["data"]["values"] for r in rules] == [[{"aim": 78.0, "aim_label": "Målvärde 2030: 78,0 %"}]]
    year, value = _city_latest(demo_db, EMPLOYMENT)
    [table] = [t for t in at.table if "Avstånd till målvärdet" in t.value.columns]
    city = table.value.loc["Hela Borås"]
    side = "över" if value > 78 else "under"
    assert city["Avstånd till målvärdet"] == f"{fmt.number(abs(value - 78))} procentenheter {side} målvärdet"
    assert city["Senaste värde"] == f"{fmt.number(value)} % ({year})"
    assert table.value.index.name == "Gäller" and "Områdesutveckling" in table.value.index.tolist()
    said = " ".join(m.value for m in at.markdown)
    assert "Målvärde 78,0 % år 2030 (analytikernas arbetsmål)" in said


def test_an_indicator_without_a_target_draws_no_target_line(demo_db):
    at = run_page("pages/3_boende.py", {"indikator": "utrikes_fodda_andel"})
    assert not at.exception, at.exception
    trend = charts(at)[0]
    assert not [layer for layer in trend["layer"] if layer.get("mark", {}).get("strokeDash")]
    assert not [t for t in at.table if "Avstånd till målvärdet" in t.value.columns]
