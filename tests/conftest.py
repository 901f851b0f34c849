"""Shared fixtures: one demo snapshot and one real-where-possible snapshot built per test session, in
temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shb.ingest.build import BuildResult, build_demo_snapshot, build_snapshot
from shb.store import db as dbmod

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A freshly built demo database; SHB_DB points at it for the whole session."""
    path = tmp_path_factory.mktemp("demo") / "shb.duckdb"
    build_demo_snapshot(path)
    os.environ["SHB_DB"] = str(path)
    return path


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> BuildResult:
    """What `python -m shb build` (without --demo) does, once per session: real values from data/real/
    where they exist, demo elsewhere. SHB_DB is left alone (see `on_real_db`)."""
    return build_snapshot(tmp_path_factory.mktemp("real") / "shb.duckdb")


@pytest.fixture(scope="session")
def real_db(real_build) -> Path:
    """The session's real-where-possible database (its geometry beside it)."""
    return real_build.db


@pytest.fixture
def on_real_db(demo_db, real_db, monkeypatch) -> Path:
    """SHB_DB points at the real-where-possible database for one test (the demo database is built first,
    so its session-wide SHB_DB is what comes back afterwards)."""
    monkeypatch.setenv("SHB_DB", str(real_db))
    return real_db


@pytest.fixture
def private_db(demo_db, tmp_path) -> Path:
    """A private copy of the session's demo database and its geometry under tmp/data/ (the shared files
    are never written)."""
    import shutil

    target = tmp_path / "data" / "shb.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db, target)
    shutil.copytree(demo_db.parent / "geometry", target.parent / "geometry")
    return target


@pytest.fixture(scope="session")
def database(demo_db) -> dbmod.Database:
    return dbmod.Database(demo_db)


def reference(name: str) -> Path:
    """A file under ../shared/reference, or a skip saying why it is absent."""
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} saknas (../shared ligger inte bredvid projektet)")
    return path


def observation_count(path: Path) -> int:
    """How many observations a snapshot file holds (read-only)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from observation").fetchone()[0]
    finally:
        con.close()
