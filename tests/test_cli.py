"""The command line contract: info/catalog JSON, exit codes and messages."""

import json
import subprocess
import sys

from shb.core import paths


def shb(*args, env=None):
    return subprocess.run([sys.executable, "-m", "shb", *args], capture_output=True, text=True,
                          cwd=paths.ROOT, env=env, timeout=300)


def test_info_json_reports_the_demo_database(demo_db):
    out = shb("info", "--db", str(demo_db), "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["demo"] is True
    assert info["goal_areas"] == 3 and info["targets"] == 13 and info["indicators"] >= 45
    assert info["areas_by_level"] == {"municipality": 1, "district": 25, "regso": 47, "deso": 77}
    assert info["years"] == [2012, 2024]
    assert info["groups"]["kon"] == ["kvinnor", "man"]
    assert {"total", "bakgrund", "alder", "utbildning"} <= set(info["groups"])
    assert info["observations"] > 50_000
    assert info["version"]


def test_catalog_json_has_one_entry_per_indicator(demo_db):
    out = shb("catalog", "--db", str(demo_db), "--json")
    assert out.returncode == 0, out.stderr
    entries = json.loads(out.stdout)
    assert len(entries) >= 45 and len({e["id"] for e in entries}) == len(entries)
    for e in entries:
        assert {"id", "title", "target", "unit", "direction", "levels", "group_dimensions"} <= set(e)
        assert e["levels"][0] == "municipality"


def test_info_text_mentions_demo(demo_db):
    out = shb("info", "--db", str(demo_db))
    assert out.returncode == 0 and "DEMODATA" in out.stdout


def test_missing_database_exits_non_zero_with_a_swedish_message(tmp_path):
    out = shb("info", "--db", str(tmp_path / "saknas.duckdb"), "--json")
    assert out.returncode == 1
    assert "finns inte" in out.stderr and "build --demo" in out.stderr
    assert out.stdout == ""


def test_build_without_demo_flag_builds_real_values_where_they_exist(tmp_path):
    """`make run` on a fresh machine: real open statistics where data/real/ has them, demo elsewhere."""
    out = shb("build", "--db", str(tmp_path / "x.duckdb"))
    assert out.returncode == 0, out.stderr
    assert "indikatorer har riktiga värden ur data/real/" in out.stdout
    info = json.loads(shb("info", "--db", str(tmp_path / "x.duckdb"), "--json").stdout)
    assert info["real_indicators"] >= 15 and info["demo"]  # the rest is still demo, and the file says so
    # the övergripande mål: at least 12 health indicators, 6 of them real; äldre covered by at least 5
    assert info["goal_indicators"] >= 12 and info["goal_indicators_real"] >= 6
    assert info["goal_indicators"] == info["goal_indicators_real"] + info["goal_indicators_demo"]
    assert len(info["goal_indicator_ids"]) == info["goal_indicators"]
    assert info["goal_areas"] == 3 and info["targets"] == 13
    assert set(info["indicators_by_life_stage"]) == {"barn", "unga", "vuxna", "aldre"}
    assert info["indicators_by_life_stage"]["aldre"] >= 5
    entries = {e["id"]: e for e in json.loads(shb("catalog", "--db", str(tmp_path / "x.duckdb"), "--json").stdout)}
    assert entries["medellivslangd_man"]["life_stages"] == ["alla"] and entries["medellivslangd_man"]["target"] == "0"
    assert entries["ensamboende_65"]["life_stages"] == ["aldre"]
    assert all(e["life_stages"] for e in entries.values())


def test_every_command_on_a_database_without_tables_says_so_in_swedish(tmp_path):
    import duckdb

    db = tmp_path / "tom.duckdb"
    duckdb.connect(str(db)).close()
    for args in (["info"], ["catalog"], ["note", "list"],
                 ["compare", "--indicator", "sysselsattningsgrad_20_64", "--year", "2023"]):
        out = shb(*args, "--db", str(db))
        assert out.returncode == 1, (args, out.stderr)
        assert out.stderr.startswith(f"Fel: Databasen {db} ") and "build --demo" in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
    listed = shb("snapshots", "list", "--db", str(db))  # kept versions stay listed, to restore one
    assert listed.returncode == 0 and "(aktuell)" in listed.stdout and "kunde inte läsas" in listed.stdout
    assert "Traceback" not in listed.stderr
