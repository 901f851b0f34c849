"""Reading the current snapshot: named queries from queries/, parameters always bound.

`run("name", **params)` reads `queries/name.sql`, checks that the parameters given are exactly the
ones its header declares, and runs it on a read-only connection with the values bound.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from shb.core import paths
from shb.core.errors import DatabaseMissing, ImportFailed, QueryParameterError, UnknownQuery
from shb.store.schema import OPTIONAL_TABLES, SCHEMA, statement

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_HEADER = re.compile(r"^--\s*(question|grain|parameters):\s*(.*)$")
_VERSION_ID = re.compile(r"\d{8}T\d{6}Z")  # 20261126T054700Z: when the version was made, UTC
REBUILD = "Bygg den med: python -m shb build --demo (eller återställ en sparad version, se python -m shb snapshots list)."


def is_version_id(text: object) -> bool:
    """Whether `text` is a version id and nothing else: the whole text, so no trailing newline or path
    comes along (every check of a version id, in a URL, a file name or a command, goes through here)."""
    return isinstance(text, str) and _VERSION_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class Query:
    name: str
    question: str
    grain: str
    parameters: tuple[str, ...]
    sql: str

    def used_parameters(self) -> set[str]:
        """The $names the SQL body uses (comments left out)."""
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return set(_PARAM.findall(body))


def parse_query(name: str, text: str) -> Query:
    header = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if m:
            header[m.group(1)] = m.group(2).strip()
    declared = tuple(p.strip().lstrip("$") for p in header.get("parameters", "").split(",")
                     if p.strip() and p.strip() != "none")
    return Query(name, header.get("question", ""), header.get("grain", ""), declared, text)


@cache
def load_query(name: str, folder: Path = paths.QUERIES) -> Query:
    if not _NAME.match(name) or not (folder / f"{name}.sql").is_file():
        raise UnknownQuery(f"Det finns ingen fråga som heter {name!r}.")
    return parse_query(name, (folder / f"{name}.sql").read_text(encoding="utf-8"))


def query_names(folder: Path = paths.QUERIES) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.sql"))


def attach_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that reads the file now at `path`, read-only, as its catalog `snapshot_file`.

    The file is attached to an in-memory database rather than opened with duckdb.connect(path): within
    one process DuckDB hands back the instance it already has for a path, which after an `os.replace`
    is the replaced file (measured, DuckDB 2.0.1). Replacement scans are off, so no Python variable can
    stand in for a table. Raises duckdb.Error when the file cannot be read.
    """
    con = duckdb.connect()
    try:
        con.execute("attach $path as snapshot_file (read_only)", {"path": str(Path(path).resolve())})
        con.execute("use snapshot_file")
        con.execute("set python_enable_replacements = false")
    except duckdb.Error:
        con.close()
        raise
    return con


class Database:
    """A read-only connection to one snapshot file; a cursor per query (connections are not thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        require(self.path)
        stat = self.path.stat()
        self.identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        try:
            self._con = attach_read_only(self.path)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise DatabaseMissing(f"Databasen {self.path} kunde inte öppnas ({first}). {REBUILD}") from exc
        self._lock = threading.Lock()
        try:
            self.version = self.run("snapshot").iloc[0]["version"]
        except (duckdb.Error, IndexError) as exc:  # a DuckDB file, but no snapshot table or no version row
            self._con.close()
            raise DatabaseMissing(f"Databasen {self.path} är ingen databas för Socialt hållbart Borås: den "
                                  f"saknar versionsraden i tabellen snapshot. {REBUILD}") from exc
        lacking = lacking_parts(self._columns())
        if lacking:  # a file written by an earlier format: every query would fail on what it lacks
            self._con.close()
            raise DatabaseMissing(f"Databasen {self.path} (version {self.version}) har ett äldre format än "
                                  f"programmet och kan inte visas: den saknar {lacking}. {REBUILD}")

    def run(self, name: str, **params) -> pd.DataFrame:
        """Run the named query with its declared parameters bound; return a frame."""
        query = load_query(name)
        given, declared = set(params), set(query.parameters)
        if given != declared:
            raise QueryParameterError(
                f"Frågan {name!r} tar parametrarna {sorted(declared)}, fick {sorted(given)}.")
        with self._lock:
            cur = self._con.cursor()
        try:
            # A cursor starts in the in-memory catalog; no Python variable may ever stand in for a table.
            cur.execute("use snapshot_file")
            cur.execute("set python_enable_replacements = false")
            return cur.execute(query.sql, params).df() if params else cur.execute(query.sql).df()
        finally:
            cur.close()

    def _columns(self) -> set[tuple[str, str]]:
        with self._lock:
            rows = self._con.execute(statement("schema_columns"), {"database": "snapshot_file"}).fetchall()
        return {(t, c) for t, c in rows}

    def is_current(self) -> bool:
        """False once the file on disk has been replaced by a newer snapshot."""
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size) == self.identity

    def close(self) -> None:
        self._con.close()


@cache
def schema_columns() -> frozenset[tuple[str, str]]:
    """Every (table, column) the schema creates, optional tables included."""
    con = duckdb.connect()
    try:
        con.execute(SCHEMA)
        return frozenset(con.execute(statement("schema_columns"), {"database": "memory"}).fetchall())
    finally:
        con.close()


def expected_columns() -> frozenset[tuple[str, str]]:
    """Every (table, column) a snapshot file must have to be read (the optional tables aside)."""
    return frozenset((t, c) for t, c in schema_columns() if t not in OPTIONAL_TABLES)


def lacking_parts(found: set[tuple[str, str]]) -> str:
    """What a file lacks of today's schema, in words ("" when nothing): whole tables by name, then the
    columns missing from tables it has."""
    missing = expected_columns() - found
    if not missing:
        return ""
    have = {t for t, _ in found}
    tables = sorted({t for t, _ in missing if t not in have})
    columns = sorted(f"{t}.{c}" for t, c in missing if t in have)
    parts = ([("tabellen " if len(tables) == 1 else "tabellerna ") + ", ".join(tables)] if tables else []) + (
        [("kolumnen " if len(columns) == 1 else "kolumnerna ") + ", ".join(columns[:6])
         + (f" och {len(columns) - 6} till" if len(columns) > 6 else "")] if columns else [])
    return " och ".join(parts)


_current: Database | None = None
_current_lock = threading.Lock()


def require(path: Path | None = None) -> Path:
    """`path` (the default database when None) if a file is there; DatabaseMissing saying how to build one."""
    path = Path(path or paths.default_db())
    if not path.is_file():
        raise DatabaseMissing(f"Databasen {path} finns inte. Bygg den med: python -m shb build --demo")
    return path


def open_for_writer(path: Path) -> Database:
    """The snapshot a writer (import, note, restore) checks against; ImportFailed if it cannot be read."""
    try:
        return Database(path)
    except duckdb.Error as exc:
        raise ImportFailed(f"Databasen {path} kunde inte öppnas: {exc}") from exc


def connect(path: Path | None = None) -> Database:
    """The shared read-only database for `path`, reopened when the file has been swapped."""
    global _current
    path = Path(path or paths.default_db())
    with _current_lock:
        if _current is None or _current.path != path or not _current.is_current():
            _current = Database(path)
        return _current


_snapshots: dict[Path, Database] = {}


def snapshot_path(version: str, current: Path | None = None) -> Path:
    """Where a kept snapshot of `version` would be."""
    current = Path(current or paths.default_db())
    return paths.snapshots_dir(current) / f"{version}.duckdb"


def snapshot_exists(version: str) -> bool:
    """Whether a kept snapshot of `version` is there: a regular file, never a symbolic link."""
    path = snapshot_path(version) if is_version_id(version) else None
    return path is not None and path.is_file() and not path.is_symlink()


def snapshot(version: str) -> Database:
    """A kept earlier snapshot, opened read-only (once per process); DatabaseMissing unless it holds `version`."""
    if not snapshot_exists(version):
        raise DatabaseMissing(f"Version {version} finns inte längre sparad.")
    path = snapshot_path(version)
    with _current_lock:
        if path not in _snapshots:
            database = Database(path)
            if database.version != version:
                database.close()
                raise DatabaseMissing(f"Version {version} finns inte längre sparad.")
            _snapshots[path] = database
        return _snapshots[path]


def run(name: str, **params) -> pd.DataFrame:
    """Run a named query on the current snapshot."""
    return connect().run(name, **params)


def example_parameters(database: Database) -> dict[str, object]:
    """A valid value for every parameter any query declares, on this snapshot (checks, benchmarks)."""
    cat = database.run("indicator_catalog")
    area_level = cat[(cat.lowest_level != "municipality") & (cat.frequency == "annual")].iloc[0]
    summary = database.run("observation_summary").iloc[0]
    return {
        "indicator": area_level.id, "level": "regso", "year": int(summary.last_year),
        "group_dim": "total", "set_id": "omradesutveckling", "area_code": "1490R025",
        "from_year": int(summary.first_year), "to_year": int(summary.last_year),
        "period_id": str(database.run("periods").id.iloc[0]), "deck_id": "ledning",
    }
