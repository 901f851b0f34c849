"""Målbild periods: a second period (an example in tests/data, never in data/) beside 2021–2024, both
periods' pages and reports, the `period` URL parameter, and a shared indicator's series continuous."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shb.cli import main as cli
from shb.core import paths
from shb.core.catalog import load_catalog
from shb.core.errors import CatalogError
from shb.core.malbild import load_period, load_periods
from shb.ingest.build import build_demo_snapshot
from shb.present import report, urlstate, views
from shb.store import db as dbmod
from tests.pages import chart_frame, charts, run_page

SECOND = paths.ROOT / "tests" / "data" / "malbild" / "2025-2028.yaml"
SHARED = "sysselsattningsgrad_20_64"  # effektmål 2.2 in 2021–2024, 2.1 in the example 2025–2028
CAT = load_catalog()


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory, demo_db) -> Path:
    """A demo snapshot with both periods, and a 2025 value of the shared indicator (in the second period)."""
    db = tmp_path_factory.mktemp("perioder") / "shb.duckdb"
    build_demo_snapshot(db, [paths.MALBILD, SECOND])
    data = db.parent / "2025.csv"
    data.write_text(f"indikator;omrade;ar;varde\n{SHARED};1490;2025;80,1\n", encoding="utf-8")
    assert cli.main(["import", str(data), "--db", str(db)]) == 0
    return db


def test_the_committed_malbild_is_one_current_period():
    [period] = load_periods(CAT)
    assert (period.id, period.first_year, period.last_year, period.current) == ("2021-2024", 2021, 2024, True)
    assert period.indicator_targets[SHARED] == "2.2"


def test_the_second_period_moves_indicators_between_its_own_effektmal():
    first, second = load_periods(CAT, [paths.MALBILD, SECOND])
    assert (second.id, second.current) == ("2025-2028", False)
    assert (first.indicator_targets[SHARED], second.indicator_targets[SHARED]) == ("2.2", "2.1")
    assert first.indicator_targets["hemloshet_per_1000"] == "3.3" and second.indicator_targets["hemloshet_per_1000"] == "3.1"


def test_a_period_naming_an_unknown_indicator_or_effektmal_is_refused(tmp_path):
    doc = yaml.safe_load(SECOND.read_text(encoding="utf-8"))
    doc["indicators"] = {"finns_inte": "2.1", SHARED: "9.9"}
    path = tmp_path / "2025-2028.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="Målbilden 2025-2028.yaml kunde inte läsas") as err:
        load_period(path, CAT)
    assert "okänd indikator 'finns_inte'" in str(err.value)
    assert f"indikatorn {SHARED} hör till okänt effektmål '9.9'" in str(err.value)


def test_the_period_parameter_is_checked(two_periods):
    d = dbmod.Database(two_periods)
    try:
        f = views.facts(d)
    finally:
        d.close()
    assert (f.periods, f.current_period) == (("2021-2024", "2025-2028"), "2021-2024")
    view = urlstate.parse({"period": "2025-2028"}, f)
    assert view.period == "2025-2028" and urlstate.to_params(view)["period"] == "2025-2028"
    assert urlstate.parse({"period": "2021-2024"}, f).period == ""  # the current one is the default
    bad = urlstate.parse({"period": "1999-2000"}, f)
    assert bad.period == "" and bad.notices == ("Okänd målbildsperiod ignorerades; visar 2021–2024.",)


def _trend_rows(at) -> list[tuple]:
    frame = chart_frame(charts(at)[0])
    frame = frame[frame.series.isin(["focus", "rest", "city"])]
    return sorted((r.series, int(r.year), round(float(r.value), 6)) for r in frame.itertuples() if r.value == r.value)


def test_both_periods_pages_show_their_structure_and_the_shared_series_is_continuous(two_periods, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(two_periods))
    old = run_page("pages/2_arbete.py", {"indikator": SHARED})
    new = run_page("pages/2_arbete.py", {"indikator": SHARED, "period": "2025-2028"})
    assert not old.exception and not new.exception, (old.exception, new.exception)
    assert [t.value for t in old.title] == ["Målområde 2: Förutsättningar för arbete"]
    assert [t.value for t in new.title] == ["Målområde 2: Arbete och försörjning (testexempel)"]
    said_old, said_new = (" ".join(m.value for m in at.markdown) for at in (old, new))
    assert "**Effektmål 2.2:** I Borås ska alla, även utsatta grupper, finnas i arbete" in said_old
    assert "**Effektmål 2.1:** Exempel: alla i arbetsför ålder har arbete" in said_new
    assert new.query_params["period"] in ("2025-2028", ["2025-2028"])
    rows = _trend_rows(old)
    assert rows == _trend_rows(new), "the same indicator, the same series in both periods"
    years = sorted({y for s, y, _ in rows if s == "city"})
    assert years[0] < 2021 and 2024 in years and 2025 in years  # one series across the period boundary
    overview = run_page("app.py", {"period": "2025-2028"})
    assert [t.value for t in overview.title] == ["Socialt hållbart Borås 2025–2028 (testexempel)"]
    shown = [m.value.split("**")[1] for m in overview.markdown if m.value.startswith("**")
             and re.match(r"\*\*\d\.\d\*\*", m.value)]
    assert shown == ["1.1", "2.1", "2.2", "3.1"]


def _section(html: str, indicator: str) -> str:
    start = html.index(f'data-indicator="{indicator}"')
    return html[start:html.index("</table>", start)]


def test_both_periods_reports_with_the_shared_indicator_continuous(two_periods):
    d = dbmod.Database(two_periods)
    try:
        old, new = report.render_html(d, 2025), report.render_html(d, 2025, period="2025-2028")
        with pytest.raises(Exception, match="Okänd målbildsperiod"):
            report.render_html(d, 2025, period="1999-2000")
    finally:
        d.close()
    assert "Uppföljning 2025 av målbilden 2021–2024" in old
    assert "Uppföljning 2025 av målbilden 2025–2028 (testexempel)" in new
    assert "Effektmål 2.1: Exempel: alla i arbetsför ålder har arbete" in new
    assert "Effektmål 3.1: Exempel: alla har en trygg bostad" in new and "Effektmål 3.4" not in new
    assert new.count('class="indicator"') == 7  # only the indicators the example period follows
    assert _section(old, SHARED).split("<table>")[1] == _section(new, SHARED).split("<table>")[1]
    assert "<td>2025</td>" in _section(new, SHARED) and "<td>2024</td>" in _section(new, SHARED)


def test_the_prioritering_page_ranks_the_chosen_periods_effektmal(two_periods, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(two_periods))
    old = run_page("pages/10_prioritering.py")
    new = run_page("pages/10_prioritering.py", {"period": "2025-2028"})
    assert not old.exception and not new.exception, (old.exception, new.exception)
    shown = sorted(c.split(" ", 1)[0] for c in new.dataframe[0].value["Effektmål"])
    assert shown == ["1.1", "2.1", "2.2", "3.1"] and len(old.dataframe[0].value) == 13
