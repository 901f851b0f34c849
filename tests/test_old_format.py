"""Snapshot files written by an earlier format of the program: refused by name, never half-read.

A kept version from before a schema change (a new column, a new table) cannot be read by today's queries.
Opening it says so in Swedish and names what it lacks; a link pinned to such a version shows the current
data with a notice instead of failing.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from shb.core import paths
from shb.core.errors import DatabaseMissing
from shb.store import db as dbmod
from tests.pages import run_page

OLD_VERSION = "20200101T000000Z"


def _older_format(source, target) -> None:
    """A copy of `source` as an earlier format would have written it: no life stages, no saved decks."""
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("alter table indicator drop column life_stages")
        con.execute("drop table deck")
        con.execute("update snapshot set version = $v", {"v": OLD_VERSION})
    finally:
        con.close()


def test_the_schema_names_every_column_a_file_must_have():
    expected = dbmod.expected_columns()
    assert ("indicator", "life_stages") in expected and ("observation", "indicator_id") in expected
    assert {t for t, _ in expected} >= {"snapshot", "indicator", "observation", "deck", "analysis"}
    assert "source_record" not in {t for t, _ in expected}  # files from before it are read with a fallback


def test_an_older_format_is_refused_with_what_it_lacks(demo_db, tmp_path):
    old = tmp_path / "old.duckdb"
    _older_format(demo_db, old)
    with pytest.raises(DatabaseMissing) as caught:
        dbmod.Database(old)
    message = str(caught.value)
    assert "äldre format" in message and OLD_VERSION in message
    assert "tabellen deck och kolumnen indicator.life_stages" in message
    dbmod.Database(demo_db).close()  # today's format opens


def test_a_link_pinned_to_an_older_format_shows_the_current_data_with_a_notice(private_db, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(private_db))
    kept = paths.snapshots_dir(private_db)
    kept.mkdir(exist_ok=True)
    _older_format(private_db, kept / f"{OLD_VERSION}.duckdb")
    at = run_page("pages/2_arbete.py", {"v": OLD_VERSION})
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(f"Version {OLD_VERSION} är sparad i ett äldre format" in w for w in warnings), warnings
    assert not [b for b in at.button if OLD_VERSION in b.label]  # no offer to show what cannot be shown
    assert at.query_params["v"] != [OLD_VERSION]
