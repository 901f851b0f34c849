"""Data versions: list the kept snapshots, restore one, and the lock and version ids writers share.

Every write (an import, a restore) builds a new file beside the current one and swaps it in with
`store.install`, which keeps the replaced file as `snapshots/<version>.duckdb`. A restore installs a
*copy* of a kept file, so the kept file stays and the snapshot being replaced is kept in its turn:
nothing is lost. A restored snapshot is that version again, with its own import log.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from shb.core import paths
from shb.core.errors import DatabaseMissing, ImportFailed, ShbError
from shb.store import db as dbmod
from shb.store import locks
from shb.store import writer as store

VERSION = re.compile(r"^\d{8}T\d{6}Z$")
_VERSION_FORMAT = "%Y%m%dT%H%M%SZ"


@contextlib.contextmanager
def lock(db: Path) -> Iterator[None]:
    """Hold the writers' lock for `db` (one import, restore or note at a time); ImportFailed if it is taken."""
    with locks.exclusive(paths.snapshots_dir(db) / ".lock",
                         f"En annan import eller återställning av {db} pågår just nu. Försök igen när den är klar."):
        _remove_stale_temps(db)
        yield


def _remove_stale_temps(db: Path) -> None:
    """Delete half-built files left by writers that were killed (their process no longer runs)."""
    for tmp in db.parent.glob(f".{db.name}.*.building*"):
        pid = tmp.name[len(db.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not locks.running(int(pid)):
            tmp.unlink(missing_ok=True)


def remove_temp(tmp: Path) -> None:
    """Remove a temporary snapshot file and DuckDB's write-ahead log beside it, if any."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def kept_versions(db: Path) -> list[str]:
    folder = paths.snapshots_dir(db)
    return sorted(p.stem for p in folder.glob("*.duckdb") if VERSION.match(p.stem)) if folder.is_dir() else []


def next_version(db: Path, now: datetime | None = None) -> str:
    """A version id later than the current one and every kept one (ids have one-second resolution)."""
    taken = kept_versions(db)
    current = store.snapshot_version(db) if db.exists() else None
    if current and VERSION.match(current):
        taken.append(current)
    version = store.new_version(now)
    if taken and version <= max(taken):
        last = datetime.strptime(max(taken), _VERSION_FORMAT).replace(tzinfo=UTC)
        version = (last + timedelta(seconds=1)).strftime(_VERSION_FORMAT)
    return version


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot file: the current one or a kept earlier version."""

    version: str
    path: str
    current: bool
    created_at: str | None = None
    is_demo: bool | None = None
    observations: int | None = None
    built_from: dict | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def what(self) -> str:
        """What made this version, in Swedish (import of a file, a note, a restore, the demo build)."""
        source = self.built_from or {}
        kind = source.get("kind")
        what = {"import": f"import av {source.get('file')}", "demo": "demodata (genererad)",
                "note": "ny anteckning" if source.get("added") else "borttagen anteckning"}.get(kind, str(kind or "?"))
        return what + (", innehåller demodata" if self.is_demo and kind != "demo" else "")


def describe(path: Path, current: bool) -> SnapshotInfo:
    """What one snapshot file holds, read through named queries; an unreadable file says so."""
    try:
        database = dbmod.Database(path)
    except (duckdb.Error, ShbError, IndexError) as exc:
        return SnapshotInfo(path.stem, str(path), current, error=f"kunde inte läsas: {exc}")
    try:
        snap = database.run("snapshot").iloc[0]
        summary = database.run("observation_summary").iloc[0]
        return SnapshotInfo(str(snap.version), str(path), current, snap.created_at.isoformat(),
                            bool(snap.is_demo), int(summary.observations), json.loads(snap.built_from))
    finally:
        database.close()


def list_snapshots(db: Path) -> list[SnapshotInfo]:
    """The kept snapshots, oldest first, then the current one."""
    dbmod.require(db)
    folder = paths.snapshots_dir(db)
    kept = [describe(folder / f"{v}.duckdb", current=False) for v in kept_versions(db)]
    return [*kept, describe(db, current=True)]


@dataclass(frozen=True)
class RestoreResult:
    version: str
    kept_previous: Path | None
    previous_version: str | None


def restore(db: Path, version: str) -> RestoreResult:
    """Install a copy of the kept snapshot `version` as the current one (the current one is kept)."""
    if not VERSION.match(version or ""):
        raise DatabaseMissing(f"{version!r} är inget versions-id (t.ex. 20261126T054700Z). "
                              "Se python -m shb snapshots list.")
    source = paths.snapshots_dir(db) / f"{version}.duckdb"
    if not source.is_file():
        raise DatabaseMissing(f"Det finns ingen sparad version {version} för {db}. "
                              "Se python -m shb snapshots list.")
    with lock(db):
        previous = store.snapshot_version(db) if db.exists() else None
        if previous == version:
            return RestoreResult(version, None, previous)
        tmp = store.temp_path(db)
        try:
            shutil.copyfile(source, tmp)
            store.check_snapshot(tmp)
            kept = store.install(tmp, db)
        except (OSError, duckdb.Error, ValueError) as exc:
            raise ImportFailed(f"Återställningen misslyckades ({exc}). Databasen är oförändrad.") from exc
        finally:
            remove_temp(tmp)
    return RestoreResult(version, kept, previous)
