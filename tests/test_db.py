"""Named queries: declared parameters match the SQL, every query runs, values are bound."""

from pathlib import Path

import duckdb
import pytest

from shb.core.errors import DatabaseMissing, QueryParameterError, UnknownQuery
from shb.store import db as dbmod
from shb.store import writer as store_writer

NAMES = dbmod.query_names()
EMPTY_ON_DEMO = {"notes_for_year", "notes", "import_log", "analyses", "decks", "deck_by_id"}  # no notes, analyses,
# saved decks or imports in the demo


@pytest.fixture(scope="module")
def sample(database):
    return dbmod.example_parameters(database)


@pytest.mark.parametrize("name", NAMES)
def test_header_declares_question_grain_and_exactly_the_parameters_used(name):
    q = dbmod.load_query(name)
    assert q.question and q.grain, f"{name}.sql needs -- question: and -- grain: lines"
    assert set(q.parameters) == q.used_parameters(), name


@pytest.mark.parametrize("name", NAMES)
def test_every_query_runs_on_the_demo_database(name, database, sample):
    q = dbmod.load_query(name)
    result = database.run(name, **{p: sample[p] for p in q.parameters})
    assert len(result.columns) > 0
    assert len(result) > 0 or name in EMPTY_ON_DEMO, f"{name} gave no rows on the demo database"


def test_wrong_parameters_are_refused(database):
    with pytest.raises(QueryParameterError):
        database.run("areas_at_level")
    with pytest.raises(QueryParameterError):
        database.run("areas_at_level", level="regso", extra=1)


@pytest.mark.parametrize("name", ["../etc/passwd", "snapshot; drop table area", "Snapshot", ""])
def test_unknown_query_names_are_refused(name, database):
    with pytest.raises(UnknownQuery):
        database.run(name)


def test_values_are_bound_not_formatted(database):
    hostile = "regso' or '1'='1"
    assert database.run("areas_at_level", level=hostile).empty
    assert len(database.run("areas_at_level", level="regso")) == 47


def test_connection_is_read_only(database):
    with pytest.raises(duckdb.Error):
        database._con.execute("create table x (a int)")


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseMissing, match="python -m shb build --demo"):
        dbmod.Database(tmp_path / "nope.duckdb")



def test_a_database_file_that_is_no_snapshot_is_a_clear_error(tmp_path):
    """A valid DuckDB file without tables, one with an empty snapshot table, and a file that is not DuckDB."""
    empty = tmp_path / "tom.duckdb"
    duckdb.connect(str(empty)).close()
    no_row = tmp_path / "utan_rad.duckdb"
    con = duckdb.connect(str(no_row))
    con.execute("create table snapshot (version varchar)")
    con.close()
    text = tmp_path / "text.duckdb"
    text.write_text("inte en databas", encoding="utf-8")
    for path in (empty, no_row, text):
        with pytest.raises(DatabaseMissing, match=f"Databasen {path} .*python -m shb build --demo"):
            dbmod.Database(path)


def test_a_swapped_file_is_read_anew(demo_db, tmp_path):
    """After os.replace the next Database sees the new file, even while the old one is still open."""
    import os
    import shutil

    from shb.store import writer as store

    path = tmp_path / "shb.duckdb"
    shutil.copy(demo_db, path)
    old = dbmod.Database(path)
    other = tmp_path / "other.duckdb"
    shutil.copy(demo_db, other)
    con = duckdb.connect(str(other))
    con.execute("update snapshot set version = '20300101T000000Z'")
    con.close()
    os.replace(other, path)
    assert not old.is_current()
    assert dbmod.Database(path).version == "20300101T000000Z"
    assert old.version != "20300101T000000Z" and len(old.run("snapshot")) == 1
    assert store.snapshot_version(path) == "20300101T000000Z"


STATEMENTS = sorted((Path(store_writer.__file__).parent / "sql").glob("*.sql"))


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: p.stem)
def test_each_fixed_statement_of_the_writer_says_what_it_does_declares_its_parameters_and_is_used(path):
    text = path.read_text(encoding="utf-8")
    parsed = dbmod.parse_query(path.stem, text)
    assert text.startswith("-- statement: "), f"{path.name} needs a -- statement: line first"
    assert "-- parameters:" in text and set(parsed.parameters) == parsed.used_parameters(), path.name
    code = "".join(p.read_text(encoding="utf-8") for p in Path(store_writer.__file__).parent.glob("*.py"))
    assert f'statement("{path.stem}")' in code, f"{path.name} is not used by the store"
