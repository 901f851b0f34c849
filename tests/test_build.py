"""`python -m shb build` (what `make run` does): real open statistics where they exist, demo elsewhere.

The oracles read data/real/ with the csv module, independently of shb.ingest.real.
"""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from shb.cli import main as cli
from shb.core import paths
from shb.ingest import build, real
from shb.present import compare
from shb.store import db as dbmod

REAL = paths.DATA / "real"
FOCUS = ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]  # data/area_sets.yaml: omradesutveckling


def test_the_build_names_its_real_indicators(real_build):
    """The session's real database (tests/conftest.py: real_build, real_db) as `build` made it."""
    assert len(real_build.real_indicators) >= 15


def _rows(path, **where):
    con = duckdb.connect(str(path), read_only=True)
    try:
        clauses = " and ".join(f"{k} = ${k}" for k in where) or "true"
        return con.execute(f"select * from observation where {clauses}", where).df()  # noqa: S608 (test keys)
    finally:
        con.close()


def _tenure(year: int) -> dict[str, dict[str, int]]:
    """Dwellings per RegSO and upplåtelseform in `year`, straight from SCB's file."""
    out: dict[str, dict[str, int]] = {}
    with (REAL / "scb_regso_lagenheter_upplatelseform_boras_2020_2023.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["regso_kod"], {})[row["upplåtelseform"]] = int(row[f"Antal {year}"])
    return out


def test_info_counts_real_and_demo_indicators(real_db, capsys):
    assert cli.main(["info", "--db", str(real_db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["real_indicators"] >= 15
    assert info["real_indicators"] + info["demo_indicators"] == info["indicators"]
    assert info["built_from"]["kind"] == "real"


def test_every_indicator_is_real_or_demo_never_a_mix(real_db):
    con = duckdb.connect(str(real_db), read_only=True)
    try:
        mixed = con.execute("select indicator_id from observation group by 1 "
                            "having bool_or(is_demo) and not bool_and(is_demo)").fetchall()
        real_ids = {i for (i,) in con.execute(
            "select indicator_id from observation group by 1 having not bool_or(is_demo)").fetchall()}
        cited = {s for (s,) in con.execute("select subject from source_record").fetchall()}
    finally:
        con.close()
    assert mixed == []
    assert real_ids == set(real.real_indicator_ids()) & real_ids and len(real_ids) >= 15
    assert real_ids <= cited and build.POPULATION_SUBJECT in cited  # every real indicator cites its source


def test_norrby_2023_tenure_and_area_type_are_the_files_own(real_db):
    norrby = _tenure(2023)["1490R025"]
    assert (norrby["hyresrätt"], norrby["bostadsrätt"], norrby["äganderätt"]) == (1242, 276, 17)
    share = 100 * 1242 / (1242 + 276 + 17 + norrby.get("uppgift saknas", 0))
    stored = _rows(real_db, indicator_id="lagenheter_hyresratt", area_code="1490R025", year=2023)
    assert stored.value.item() == pytest.approx(share)
    assert not stored.is_demo.item()
    area_type = _rows(real_db, indicator_id="befolkning_omradestyp_1_2", area_code="1490R025", year=2023)
    assert area_type.value.item() == 100.0 and area_type.denominator.item() == 3943


def test_the_focus_set_comparison_is_built_from_the_real_counts(real_db):
    tenure = _tenure(2023)
    hyres = sum(tenure[c]["hyresrätt"] for c in FOCUS)
    total = sum(sum(tenure[c].values()) for c in FOCUS)
    city_hyres = sum(t["hyresrätt"] for t in tenure.values())
    city_total = sum(sum(t.values()) for t in tenure.values())
    out = compare.compare(dbmod.Database(real_db), "lagenheter_hyresratt", 2023)
    assert out["set_value"] == pytest.approx(100 * hyres / total, abs=1e-3)
    assert out["city_value"] == pytest.approx(100 * city_hyres / city_total, abs=1e-3)
    assert out["rest_value"] == pytest.approx(100 * (city_hyres - hyres) / (city_total - total), abs=1e-3)


def test_area_type_shares_are_shown_not_suppressed(real_db):
    """Zero and small counts of an area attribute are public facts: none is hidden by the rule."""
    con = duckdb.connect(str(real_db), read_only=True)
    try:
        hidden = con.execute("select count(*) from published_observation where indicator_id = "
                             "'befolkning_omradestyp_1_2' and status = 'suppressed'").fetchone()[0]
    finally:
        con.close()
    assert hidden == 0


def test_population_is_real_where_scb_has_it_and_marked_demo_elsewhere(real_db):
    con = duckdb.connect(str(real_db), read_only=True)
    try:
        pop = con.execute("select area_code, year, population, is_demo from area_population "
                          "where area_code in ('1490', '1490R025')").df().set_index(["area_code", "year"])
    finally:
        con.close()
    assert pop.loc[("1490R025", 2023)].tolist() == [3943, False]
    assert pop.loc[("1490", 2021)].tolist() == [114091, False]
    assert bool(pop.loc[("1490R025", 2024), "is_demo"]) and bool(pop.loc[("1490", 2019), "is_demo"])


def test_the_demo_build_stays_all_demo(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        real_rows = con.execute("select count(*) from observation where not is_demo").fetchone()[0]
        records = con.execute("select count(*) from source_record").fetchone()[0]
    finally:
        con.close()
    assert real_rows == 0 and records == 0
