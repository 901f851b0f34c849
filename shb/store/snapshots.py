"""Data versions: list the kept snapshots and restore one.

Every write (an import, a note, a restore, the demo build) builds a new file beside the current one and
swaps it in through `shb.store.transaction.new_version`, which keeps the replaced file as
`snapshots/<version>.duckdb`. A restore installs a *copy* of a kept file, so the kept file stays and the
snapshot being replaced is kept in its turn: nothing is lost. A restored snapshot is that version again,
with its own import log.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from shb.core import paths
from shb.core.errors import DatabaseMissing, ShbError
from shb.core.text import clean_name
from shb.store import db as dbmod
from shb.store import transaction
from shb.store import writer as store
from shb.store.transaction import kept_snapshots, kept_versions

__all__ = ["RestoreResult", "SnapshotInfo", "kept_versions", "list_snapshots", "lock", "restore"]

# The writers' lock (one import, note, restore, demo build or geometry write at a time), by its old name.
lock = transaction.writers_lock


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
        what = {"import": f"import av {clean_name(source.get('file'))}", "demo": "demodata (genererad)",
                "note": "ny anteckning" if source.get("added") else "borttagen anteckning",
                "analysis": f"samlad analys {clean_name(source.get('target'))} {source.get('year')}",
                "deck": "sparat bildspel" if source.get("saved") else "borttaget bildspel"}.get(kind, str(kind or "?"))
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
    """The kept snapshots, oldest first, then the current one; entries of `snapshots/` that are no kept
    snapshot (a folder, a link, a file from a clock running ahead …) come first, each saying why it is
    not used (in `error`)."""
    dbmod.require(db)
    folder = paths.snapshots_dir(db)
    versions, strays = kept_snapshots(db)
    stray = [SnapshotInfo(s.name, clean_name(s.path), False, error=f"används inte: {s.reason}") for s in strays]
    kept = [describe(folder / f"{v}.duckdb", current=False) for v in versions]
    return [*stray, *kept, describe(db, current=True)]


@dataclass(frozen=True)
class RestoreResult:
    version: str
    kept_previous: Path | None
    previous_version: str | None


def restore(db: Path, version: str) -> RestoreResult:
    """Install a copy of the kept snapshot `version` as the current one (the current one is kept)."""
    if not dbmod.is_version_id(version):
        raise DatabaseMissing(f"{clean_name(repr(version))} är inget versions-id (t.ex. 20261126T054700Z). "
                              "Se python -m shb snapshots list.")
    source = paths.snapshots_dir(db) / f"{version}.duckdb"
    if not source.is_file() and not source.is_symlink():
        raise DatabaseMissing(f"Det finns ingen sparad version {version} för {db}. "
                              "Se python -m shb snapshots list.")
    why = transaction.stray_reason(source)  # a link is never followed; the file must hold that very version
    if why is not None:
        raise DatabaseMissing(f"Den sparade versionen {version} {why} och används inte. "
                              "Se python -m shb snapshots list.")
    with transaction.writers_lock(db) as held:
        previous = store.snapshot_version(db) if db.exists() else None
        if previous == version:
            return RestoreResult(version, None, previous)
        with transaction.new_version(db, held=held, based_on=previous, failure="Återställningen misslyckades") as tx:
            _copy_kept(source, tx.path, version)
    return RestoreResult(version, tx.kept_previous, previous)


def _copy_kept(source: Path, target: Path, version: str) -> None:
    """Copy the kept file `source` to `target` without following a link, and check that the copy holds
    `version` (the file could have been swapped since it was looked at); OSError or ValueError if not."""
    with os.fdopen(os.open(source, os.O_RDONLY | os.O_NOFOLLOW), "rb") as src, target.open("xb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    if store.snapshot_versions(target) != [version]:
        raise ValueError(f"den sparade filen för {version} innehåller inte den versionen")
