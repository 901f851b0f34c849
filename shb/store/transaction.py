"""The one write transaction: lock → new file beside the current → check → install, keep previous → clean up.

Every writer of a snapshot (the demo build, a file import, a fetch, a note, a restore) writes through
`new_version`, and the geometry beside the snapshot takes the same `writers_lock`::

    with writers_lock(db) as held:              # read and check what is to be written (optional)
        ...
        with new_version(db, held=held, based_on=version, failure="Importen kunde inte skrivas") as tx:
            writer.write_derived_snapshot(db, tx.path, ..., version=tx.version)
    tx.version, tx.kept_previous                # after the with: installed

Until `os.replace` the temporary file is the only thing written, so a failed or killed writer leaves
the current file byte-identical; after it, the new version is whole and current. `stage(name)` is the
one hook a test uses to stop a writer at a stage and kill it there (see `STAGES`).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from shb.core import paths
from shb.core.errors import ImportFailed
from shb.store import locks, writer

PAUSE_ENV = "SHB_IMPORT_PAUSE"
# The transaction's own stages, in order; writers add theirs (an import: read, validated, copied).
STAGES = ("locked", "written", "checked", "kept", "installed")
VERSION = re.compile(r"^\d{8}T\d{6}Z$")
_VERSION_FORMAT = "%Y%m%dT%H%M%SZ"
# `.<db name>.<pid>.building`, its `.wal`, and a kept copy being made (`snapshots/.<version>.duckdb.<pid>.partial`)
_TEMP = re.compile(r"^\..+\.\d+\.(building(\.wal)?|partial)$")
CHANGED = "Databasen byttes ut under tiden. Försök igen."


def stage(name: str) -> None:
    """Test hook, does nothing unless asked: when SHB_IMPORT_PAUSE names `name` (a comma-separated list
    is allowed), write one line to stderr and sleep SHB_IMPORT_PAUSE_SECONDS (default 60) so a test can
    kill the writer at that point. The transaction's stages are `STAGES`; an import adds read, validated
    and copied."""
    if name in os.environ.get(PAUSE_ENV, "").split(","):
        print(f"{PAUSE_ENV}: {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(f"{PAUSE_ENV}_SECONDS", "60")))


def lock_file(path: Path) -> Path:
    """The writers' lock of the data folder `path` lies in: `snapshots/.lock` in that folder.

    A database (`data/shb.duckdb`) and its geometry folder (`data/geometry`, see `paths.geometry_dir`)
    lie in the same folder, so both give the same lock: one writer at a time for the snapshot and its
    geometry together.
    """
    return paths.snapshots_dir(Path(path)) / ".lock"


def busy_message(path: Path) -> str:
    return f"En annan import eller återställning av {path} pågår just nu. Försök igen när den är klar."


@dataclass
class WritersLock:
    """The writers' lock of one folder, while it is held: handed to the writes done under it."""

    file: Path
    held: bool = True


@contextlib.contextmanager
def writers_lock(path: Path, held: WritersLock | None = None) -> Iterator[WritersLock]:
    """Hold the writers' lock of the folder `path` lies in; ImportFailed (in Swedish) if another writer has it.

    The lock is an flock, which the kernel releases when the holder dies, even by SIGKILL. A write done
    under a lock already held is given it as `held` (a demo build that holds it installs geometry) and
    goes on under it; any other taker, in this process or another, is refused. On taking it, the
    half-built files of killed writers are removed: every writer holds this lock while its temporary
    file exists, so any such file found now is stale.
    """
    file = lock_file(path).resolve()
    if held is not None:
        if not held.held or held.file != file:
            raise ValueError(f"writers_lock: the lock given is not held for {file}")
        yield held
        return
    with locks.exclusive(file, busy_message(path)):
        lock = WritersLock(file)
        try:
            remove_stale_temps(path)
            stage("locked")
            yield lock
        finally:
            lock.held = False


def remove_stale_temps(path: Path) -> None:
    """Delete the temporary snapshot files (and their .wal) in the folder `path` lies in, and the kept
    copies being made in its `snapshots/`. Called with the writers' lock held, when no writer can be
    building one."""
    for where in (Path(path).parent, paths.snapshots_dir(Path(path))):
        for tmp in where.glob(".*") if where.is_dir() else ():
            if _TEMP.match(tmp.name) and tmp.is_file():
                tmp.unlink(missing_ok=True)


def remove_temp(tmp: Path) -> None:
    """Remove a temporary snapshot file and DuckDB's write-ahead log beside it, if any."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def kept_versions(db: Path) -> list[str]:
    """The version ids kept under `snapshots/` beside `db`, oldest first."""
    folder = paths.snapshots_dir(db)
    return sorted(p.stem for p in folder.glob("*.duckdb") if VERSION.match(p.stem)) if folder.is_dir() else []


def next_version(db: Path, now: datetime | None = None) -> str:
    """A version id later than the current one and every kept one (ids have one-second resolution)."""
    taken = kept_versions(db)
    current = writer.snapshot_version(db) if db.exists() else None
    if current and VERSION.match(current):
        taken.append(current)
    version = writer.new_version(now)
    if taken and version <= max(taken):
        last = datetime.strptime(max(taken), _VERSION_FORMAT).replace(tzinfo=UTC)
        version = (last + timedelta(seconds=1)).strftime(_VERSION_FORMAT)
    return version


@dataclass
class Transaction:
    """What a writer gets inside `new_version`: the id to give the new snapshot and where to write it."""

    db: Path
    version: str
    path: Path  # a temporary file beside `db`; it must not exist when the writer starts writing
    kept_previous: Path | None = None  # where the replaced snapshot was kept (set once installed)


@contextlib.contextmanager
def new_version(db: Path, *, held: WritersLock | None = None, based_on: str | None = None,
                failure: str = "Skrivningen misslyckades") -> Iterator[Transaction]:
    """Write a new snapshot of `db`: the body writes a whole snapshot to `tx.path`; on leaving, it is
    checked and installed in place of `db`, which is kept under `snapshots/`.

    Parameters
    ----------
    db : Path
        The current snapshot file (need not exist yet: the first demo build).
    held : WritersLock, optional
        The writers' lock, when the caller already holds it (it read what it writes under it);
        otherwise the lock is taken here.
    based_on : str, optional
        The version the writer read; ImportFailed if `db` is another version by now.
    failure : str
        The Swedish start of the message when writing, checking or installing fails
        ("Importen kunde inte skrivas" → "Importen kunde inte skrivas (…). Databasen är oförändrad.").

    The writers' lock is held throughout. Whatever happens, the temporary file and its .wal are
    removed; anything raised before the swap leaves `db` byte-identical.
    """
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with writers_lock(db, held):
        if based_on is not None and writer.snapshot_version(db) != based_on:
            raise ImportFailed(CHANGED)
        tx = Transaction(db, next_version(db), writer.temp_path(db))
        remove_temp(tx.path)
        try:
            yield tx
            stage("written")
            writer.check_snapshot(tx.path)
            stage("checked")
            tx.kept_previous = writer.install(tx.path, db, before_replace=lambda: stage("kept"))
            stage("installed")
        except (OSError, duckdb.Error, ValueError) as exc:
            raise ImportFailed(f"{failure} ({exc}). Databasen är oförändrad.") from exc
        finally:
            remove_temp(tx.path)
