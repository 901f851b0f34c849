"""Rough edges found by hostile and careless use: each answered in Swedish, never with a traceback."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import threading
import tomllib

import duckdb
import pytest

from shb.cli import main as cli
from shb.core import catalog, paths
from shb.store import transaction


def test_visitors_never_see_tracebacks_or_server_paths():
    config = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_reader_that_stops_early_is_no_error(demo_db):
    """`python -m shb catalog | head -1`: the command ends quietly when the pipe closes."""
    proc = subprocess.Popen([sys.executable, "-m", "shb", "catalog"], cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "SHB_DB": str(demo_db)})
    proc.stdout.close()  # the reader is gone before the first line (the whole catalog fits in a pipe's buffer)
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


# --- Values: every unit has a plausible range, declared once ------------------------------------------------

def test_every_unit_of_the_catalog_declares_its_plausible_range():
    assert set(catalog.UNIT_RANGES) == set(catalog.UNITS) == {u for us in catalog.KIND_UNITS.values() for u in us}
    for unit, r in catalog.UNIT_RANGES.items():
        assert math.isfinite(r.low) and math.isfinite(r.high) and r.low < r.high, unit
        assert r.noun and r.text().endswith(f"ska ligga mellan {r.low:g} och {r.high:,.0f}".replace(",", "\xa0"))
    assert catalog.UNIT_RANGES["index"][:2] == (0, 100) and catalog.UNIT_RANGES["procent"][:2] == (0, 100)
    assert catalog.UNIT_RANGES["antal"] == catalog.COUNT_RANGE
    for ind in catalog.catalog().indicators:
        assert ind.unit in catalog.UNIT_RANGES, ind.id


# --- Names from files and users: no control or direction characters reach a terminal or a table ---------

HOSTILE_NAME = "\x1b]0;kapad\x07fil\u202egnp.\u2066csv\u2069\r\n"


@pytest.mark.parametrize(("raw", "expected"), [
    (HOSTILE_NAME, "]0;kapad fil gnp. csv"), ("vanlig fil.csv", "vanlig fil.csv"), ("\x00\x9b", ""),
    ("Välfärd\u200f 2024\u061c.xlsx", "Välfärd 2024 .xlsx"), ("a\u2028b", "a b"), (None, "None"),
])
def test_a_name_keeps_no_control_or_direction_characters(raw, expected):
    from shb.core import text

    assert text.clean_name(raw) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+1", "'=1+1"), ("+46", "'+46"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("data.csv", "data.csv"), ("", ""), (-5, -5), (1.5, 1.5), (None, None),
])
def test_a_cell_is_never_a_formula_in_a_spreadsheet(cell, expected):
    from shb.core import text

    assert text.spreadsheet_safe(cell) == expected


def test_a_frame_for_download_keeps_its_numbers_and_neutralises_its_text():
    import pandas as pd

    from shb.core import text

    frame = pd.DataFrame({"namn": ["=HYPERLINK(1)", "Norrby", None], "värde": [-2.5, None, 3.0],
                          "antal": pd.array([-1, None, 3], dtype="Int64")})
    out = text.spreadsheet_safe_frame(frame)
    assert out.namn.tolist()[:2] == ["'=HYPERLINK(1)", "Norrby"] and pd.isna(out.namn.iloc[2])
    assert out["värde"].dtype == float and out.antal.dtype == "Int64" and out.antal.iloc[0] == -1
    assert frame.namn.iloc[0] == "=HYPERLINK(1)", "the frame given is not changed"


def test_a_hostile_file_name_is_stored_and_printed_clean(private_db, tmp_path, capsys):
    """`\\e]0;…\\a` retitles a terminal; U+202E turns the rest of a line around."""
    path = tmp_path / "\x1b]0;kapad\x07fil\u202egnp.csv"
    path.write_text("indikator;omrade;ar;varde\nsysselsattningsgrad_20_64;1490;2025;70\n", encoding="utf-8")
    assert cli.main(["import", str(path), "--db", str(private_db)]) == 0
    assert cli.main(["snapshots", "list", "--db", str(private_db)]) == 0
    assert cli.main(["snapshots", "list", "--db", str(private_db), "--json"]) == 0
    out = capsys.readouterr().out
    assert "import av ]0;kapad fil gnp.csv" in out and "Läste in ]0;kapad fil gnp.csv" in out
    assert not any(c in out for c in "\x1b\x07\u202e")
    con = duckdb.connect(str(private_db), read_only=True)
    try:
        logged = con.execute("select file_name from import_log").fetchall()
        built = con.execute("select built_from from snapshot").fetchone()[0]
    finally:
        con.close()
    assert logged == [("]0;kapad fil gnp.csv",)] and "\\u001b" not in built and "\\u202e" not in built


# --- What killed writers leave is removed when the next command starts -------------------------------------

def _half_built(db) -> list:
    """The files a writer killed mid-write leaves: its snapshot, the .wal, a kept copy being made."""
    snaps = paths.snapshots_dir(db)
    snaps.mkdir(exist_ok=True)
    files = [db.with_name(f".{db.name}.999999.building"), db.with_name(f".{db.name}.999999.building.wal"),
             snaps / ".20260101T000000Z.duckdb.999999.partial"]
    for f in files:
        f.write_bytes(b"x" * 1000)
    return files


def test_any_command_removes_what_a_killed_writer_left_unless_a_writer_is_at_work(private_db, capsys):
    files = _half_built(private_db)
    assert cli.main(["info", "--db", str(private_db)]) == 0
    assert not any(f.exists() for f in files)
    taken, release = threading.Event(), threading.Event()

    def writer():
        with transaction.writers_lock(private_db):
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    assert taken.wait(30)
    files = _half_built(private_db)  # as if the writer holding the lock were building them
    try:
        assert cli.main(["info", "--db", str(private_db)]) == 0
        assert all(f.exists() for f in files), "a writer holds the lock: its files are its own"
    finally:
        release.set()
        thread.join(30)


def test_a_command_on_a_missing_database_creates_nothing(tmp_path, capsys):
    assert cli.main(["info", "--db", str(tmp_path / "saknas" / "shb.duckdb")]) == 1
    assert not (tmp_path / "saknas").exists()


def test_the_server_removes_what_a_killed_writer_left_when_it_starts(private_db, monkeypatch):
    import streamlit.web.cli

    from shb.web import serve

    files = _half_built(private_db)
    monkeypatch.setenv("SHB_DB", str(private_db))
    monkeypatch.setattr(serve, "warm", lambda: serve.Warmed(0.0, 0))
    monkeypatch.setattr(serve, "refuse_foreign_websockets", lambda: None)
    monkeypatch.setattr(streamlit.web.cli, "main", lambda **kwargs: 0)
    assert serve.main([]) == 0
    assert not any(f.exists() for f in files)


# --- A database without its geometry folder still draws its maps (schematic, and saying so) --------------

def test_a_database_without_its_geometry_folder_draws_schematic_maps(demo_db, tmp_path):
    """`report --db` on a copied database failed with FileNotFoundError: …/geometry/regso.parquet."""
    from shb.present import maps, views
    from shb.present.urlstate import parse
    from shb.store import db as dbmod

    db = tmp_path / "kopia" / "shb.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    database = dbmod.Database(db)
    view = parse({"indikator": "sysselsattningsgrad_20_64", "ar": "2023", "niva": "regso"}, views.facts(database))
    spec = views.map_chart(database, view, 2023, demo=True).to_dict()
    assert maps.SCHEMATIC_TEXT in str(spec)
    assert not paths.geometry_dir(db).exists(), "drawing a map writes nothing"
