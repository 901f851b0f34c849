"""Series and legend labels come from the chosen area set: charts, map, CSV export and report name it."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from unittest import mock

import pytest
import yaml

from shb.core import areas, paths
from shb.ingest import build
from shb.present import export, report, text, urlstate, views
from shb.store import db as dbmod
from tests.pages import charts, run_page

EXTRA_ID, EXTRA_TITLE = "testmangd_oster", "Testmängd Öster"
DEFAULT_TITLE = "Områdesutveckling"
GOAL_AREA_PAGE = "pages/2_arbete.py"


@pytest.fixture(scope="module")
def extra_set_db(demo_db, tmp_path_factory) -> Path:
    """A demo database built from a copy of area_sets.yaml with one more set (the committed file is untouched)."""
    folder = tmp_path_factory.mktemp("extra_set")
    sets_file = folder / "area_sets.yaml"
    shutil.copyfile(paths.AREA_SETS, sets_file)
    doc = yaml.safe_load(sets_file.read_text(encoding="utf-8"))
    doc["sets"][EXTRA_ID] = {"title": EXTRA_TITLE, "description": "Två RegSO, bara för ett test.",
                             "members": ["1490R019", "1490R001"]}
    sets_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    db = folder / "data" / "shb.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "load_geography", functools.partial(areas.load_geography, sets_file=sets_file))
        build.build_demo_snapshot(db)
    return db


CASES = [("demo", "polisen_2025", "Polisens lista 2025"), ("extra", EXTRA_ID, EXTRA_TITLE)]


@pytest.fixture(params=CASES, ids=[c[1] for c in CASES])
def chosen(request, demo_db, monkeypatch) -> tuple[Path, str, str]:
    """(database, set id, set title); SHB_DB points at that database for the test."""
    which, set_id, title = request.param
    db = demo_db if which == "demo" else request.getfixturevalue("extra_set_db")
    monkeypatch.setenv("SHB_DB", str(db))
    return db, set_id, title


def assert_names_the_set(what: str, content: str, title: str) -> None:
    assert title.lower() in content.lower(), f"{what} does not name {title}"
    assert DEFAULT_TITLE.lower() not in content.lower(), f"{what} names {DEFAULT_TITLE}"


PAGES = [
    (GOAL_AREA_PAGE, {"indikator": "sysselsattningsgrad_20_64", "utsnitt": "kommun", "grupp": "kon"}, 5),
    ("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64", "utsnitt": "kommun"}, 1),
    ("pages/6_grupper.py", {"indikator": "sysselsattning_20_64_fodelseregion", "grupp": "bakgrund"}, 1),
]


@pytest.mark.parametrize("path,params,count", PAGES, ids=[p[0] for p in PAGES])
def test_every_chart_on_the_page_names_the_chosen_set(chosen, path, params, count):
    db, set_id, title = chosen
    at = run_page(path, {**params, "jamfor": set_id})
    assert not at.exception, at.exception
    specs = charts(at)
    assert len(specs) == count, [s.get("title") for s in specs]
    for spec in specs:
        spec.pop("_rows")
        assert_names_the_set(f"{path}: {spec.get('title', {}).get('text')}", json.dumps(spec, ensure_ascii=False),
                             title)


def test_the_csv_export_names_the_chosen_set(chosen):
    db, set_id, title = chosen
    database = dbmod.Database(db)
    view = urlstate.parse({"indikator": "sysselsattningsgrad_20_64", "jamfor": set_id}, views.facts(database))
    frame = views.selection_export(database, view)
    members = set(views.set_members(database, set_id)[1])
    assert set(frame.loc[frame.jämförelsemängd == title, "områdeskod"]) == members
    assert_names_the_set("CSV", export.to_csv(frame).decode("utf-8-sig"), title)


def test_the_report_names_the_chosen_set(chosen):
    """Charts go into the report as their spec text (drawing forty SVGs takes half a minute)."""
    db, set_id, title = chosen
    database = dbmod.Database(db)
    year = max(views.facts(database).indicators["sysselsattningsgrad_20_64"].years)
    as_text = lambda chart, **kw: json.dumps(chart.to_dict(), ensure_ascii=False)  # noqa: E731
    with mock.patch.object(report.charts, "export_svg", as_text):
        html = report.render_html(database, year, set_id)
    assert_names_the_set("report", html, title)
    assert f"<th>{title}</th>" in html, "the tables' column is the set"


@pytest.fixture
def other_thresholds(monkeypatch):
    from shb.analysis import measures

    monkeypatch.setattr(measures, "TREND_WINDOW", 6)
    monkeypatch.setattr(measures, "MIN_CHANGE", {"procent": 1.0})
    monkeypatch.setattr(measures, "RELATIVE_MIN_CHANGE", 0.1)


def test_method_text_and_trend_column_follow_the_constants(demo_db, other_thresholds):
    assert text.trend_column_label() == "Skillnaden, 6 år"
    method = " ".join(text.method_lines())
    assert "de senaste sex åren" in method and "1,0 procentenheter" in method and "10 % av skillnaden" in method
    at = run_page("pages/7_data_och_metod.py")
    shown = " ".join(m.value for m in at.markdown)
    assert "de senaste sex åren" in shown and "fyra" not in shown
    at = run_page("app.py")
    assert all("Skillnaden, 6 år" in df.value.columns for df in at.dataframe)
