"""The one write transaction: lock → new file beside the current → check → install, keep previous → prune → clean up.

Every writer of a snapshot (the demo build, a file import, a fetch, a note, a restore) writes through
`new_version`, and the geometry beside the snapshot takes the same `writers_lock`::

    with writers_lock(db) as held:              # read and check what is to be written (optional)
        ...
        with new_version(db, held=held, based_on=version, failure="Importen kunde inte skrivas") as tx:
            writer.write_derived_snapshot(db, tx.path, ..., version=tx.version)
    tx.version, tx.kept_previous                # after the with: installed

Until `os.replace` the temporary file is the only thing written, so a failed or killed writer leaves
the current file byte-identical; after it, the new version is whole and current. Then the kept versions
are pruned by the retention rule (`Retention`: the newest 20, and the newest of each of the last 30
days, by default). `stage(name)` is the one hook a test uses to stop a writer at a stage and kill it
there (see `STAGES`).

Only valid kept snapshots count as versions (`stray_reason`): a regular file `<version>.duckdb` that
holds that version and is not from a clock running ahead. Anything else in `snapshots/` is listed and
otherwise ignored: it is never restored, never removed, and never moves the next version id.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from shb.core import paths
from shb.core.errors import ImportFailed
from shb.core.text import clean_name
from shb.store import locks, writer
from shb.store.db import is_version_id

PAUSE_ENV = "SHB_IMPORT_PAUSE"
# The transaction's own stages, in order; writers add theirs (an import: read, validated, copied).
STAGES = ("locked", "written", "checked", "kept", "installed")
_VERSION_FORMAT = "%Y%m%dT%H%M%SZ"
# How far ahead of this computer's clock a kept version may be and still count (clocks differ a little).
FUTURE_TOLERANCE = timedelta(minutes=5)
# `.<db name>.<pid>.building`, its `.wal`, and a kept copy being made (`snapshots/.<version>.duckdb.<pid>.partial`)
_TEMP = re.compile(r"^\..+\.\d+\.(building(\.wal)?|partial)$")
# A geometry version being written (`geometry/.building-<pid>-<version>`) and a manifest being replaced.
_GEOMETRY_TEMP = re.compile(r"^\.(building-\d+-.+|manifest\.json\.\d+\.tmp)$")
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


def _stale_temps(path: Path) -> list[Path]:
    """The temporary files of writers in the folder `path` lies in: snapshots being built (and their
    .wal), kept copies being made in `snapshots/`, geometry versions being written in `geometry/`."""
    found = []
    for where, pattern in ((Path(path).parent, _TEMP), (paths.snapshots_dir(Path(path)), _TEMP),
                           (paths.geometry_dir(Path(path)), _GEOMETRY_TEMP)):
        if where.is_dir():
            found += [tmp for tmp in where.glob(".*") if pattern.match(tmp.name) and not tmp.is_symlink()]
    return found


def remove_stale_temps(path: Path) -> None:
    """Delete the temporary files of writers in the folder `path` lies in (see `_stale_temps`). Called
    with the writers' lock held, when no writer can be building one."""
    for tmp in _stale_temps(path):
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def remove_killed_writers_files(path: Path) -> None:
    """What killed writers left in the folder of `path` (a half-built snapshot the size of the database,
    its .wal …), removed now if no writer is at work; else left to that writer. Every command and the
    server call this when they start. Creates nothing when there is nothing to remove."""
    # Best effort: a folder that cannot be read or written never stops the command that starts.
    with contextlib.suppress(OSError):
        if not _stale_temps(Path(path)):
            return
        # A writer holding the lock (ImportFailed: busy) may be building what is there: it is left alone.
        with contextlib.suppress(ImportFailed), locks.exclusive(lock_file(Path(path)).resolve(), busy_message(path)):
            remove_stale_temps(Path(path))


def remove_temp(tmp: Path) -> None:
    """Remove a temporary snapshot file and DuckDB's write-ahead log beside it, if any."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


# --- Kept versions: what counts as one, and what is kept -------------------------------------------------

@dataclass(frozen=True)
class Stray:
    """An entry of `snapshots/` that is not a kept snapshot: listed with the reason, otherwise ignored."""

    name: str  # cleaned for printing
    path: Path
    reason: str  # Swedish: why it is not used


def _version_time(version: str) -> datetime:
    return datetime.strptime(version, _VERSION_FORMAT).replace(tzinfo=UTC)


def stray_reason(entry: Path, now: datetime | None = None, *, look_inside: bool = True) -> str | None:
    """Why `entry` in `snapshots/` is no kept snapshot (Swedish), or None when it is one.

    A kept snapshot is a regular file (not a symbolic link) named `<version>.duckdb`, whose version is
    not later than this computer's clock (beyond `FUTURE_TOLERANCE`) and, with `look_inside`, which
    opens and has one snapshot row holding that very version.
    """
    version = entry.name.removesuffix(".duckdb")
    if not entry.name.endswith(".duckdb") or not is_version_id(version):
        return "namnet är inget versions-id (t.ex. 20261126T054700Z.duckdb)"
    if entry.is_symlink():
        return "är en symbolisk länk"
    if not entry.is_file():
        return "är ingen fil"
    if _version_time(version) > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return "ligger i framtiden (gick datorns klocka före?)"
    if not look_inside:
        return None
    inside = writer.snapshot_versions(entry)
    if inside is None:
        return "kunde inte läsas som en ögonblicksbild"
    if inside != [version]:
        return f"innehåller version {', '.join(map(clean_name, inside)) or 'ingen'}"
    return None


def kept_snapshots(db: Path, *, look_inside: bool = True) -> tuple[list[str], list[Stray]]:
    """The versions kept under `snapshots/` beside `db` (oldest first), and every other entry there
    (hidden files aside: the lock and temporary files) with why it is not one (see `stray_reason`)."""
    folder = paths.snapshots_dir(db)
    kept, stray = [], []
    now = datetime.now(UTC)
    for entry in sorted(folder.iterdir()) if folder.is_dir() else ():
        if entry.name.startswith("."):
            continue
        reason = stray_reason(entry, now, look_inside=look_inside)
        if reason is None:
            kept.append(entry.name.removesuffix(".duckdb"))
        else:
            stray.append(Stray(clean_name(entry.name), entry, reason))
    return kept, stray


def kept_versions(db: Path) -> list[str]:
    """The version ids kept under `snapshots/` beside `db`, oldest first (valid kept snapshots only)."""
    return kept_snapshots(db)[0]


def version_after(taken: list[str], now: datetime | None = None) -> str:
    """A version id from the clock (`now`), later than every id in `taken` that is not itself later than
    the clock beyond `FUTURE_TOLERANCE` (ids have one-second resolution)."""
    now = now or datetime.now(UTC)
    version = writer.new_version(now)
    honest = [v for v in taken if is_version_id(v) and _version_time(v) <= now + FUTURE_TOLERANCE]
    if honest and version <= max(honest):
        version = (_version_time(max(honest)) + timedelta(seconds=1)).strftime(_VERSION_FORMAT)
    return version


def next_version(db: Path, now: datetime | None = None) -> str:
    """The id of the next snapshot of `db`: from the clock, later than the current one and every valid
    kept one, so ids strictly increase; a stray entry of `snapshots/` never counts, so it cannot move
    every later id to its year."""
    now = now or datetime.now(UTC)
    clock = writer.new_version(now)
    named, _ = kept_snapshots(db, look_inside=False)
    # Only a kept file from the clock's id on can matter; those few are opened to see that they are whole.
    folder = paths.snapshots_dir(db)
    taken = [v for v in named if v >= clock and stray_reason(folder / f"{v}.duckdb", now) is None]
    current = writer.snapshot_version(db) if db.exists() else None
    return version_after([*taken, *([current] if current else [])], now)


@dataclass(frozen=True)
class Retention:
    """Which kept versions stay: the newest `newest`, and the newest of each day of the last `days` days.

    Set with the environment variables SHB_KEEP_VERSIONS and SHB_KEEP_DAYS (defaults 20 and 30). The
    version a write replaced, and a kept copy of the current version (after a restore), always stay;
    files in `snapshots/` that are no kept snapshot are never removed. A link made on a version that
    has been removed opens on the current data and says so.
    """

    newest: int = 20
    days: int = 30

    @classmethod
    def from_environment(cls) -> Retention:
        def setting(name: str, default: int) -> int:
            try:
                return max(0, int(os.environ.get(name, default)))
            except ValueError:
                return default

        return cls(setting("SHB_KEEP_VERSIONS", cls.newest), setting("SHB_KEEP_DAYS", cls.days))

    def keep(self, versions: list[str], today: date) -> set[str]:
        """Of `versions` (sorted, oldest first), those this rule keeps."""
        kept = set(versions[-self.newest:]) if self.newest else set()
        newest_of_day = {v[:8]: v for v in versions}  # sorted, so the last of a day wins
        for day, v in newest_of_day.items():
            if (today - datetime.strptime(day, "%Y%m%d").date()).days < self.days:
                kept.add(v)
        return kept


def prune(db: Path, protect: tuple[str | None, ...] = (), retention: Retention | None = None) -> list[str]:
    """Remove the kept versions `retention` (default: from the environment) does not keep, never those
    in `protect`; return the versions removed. Called by `new_version` after an install, under the lock.
    A file that cannot be removed stays (the next write tries again)."""
    retention = retention or Retention.from_environment()
    named, _ = kept_snapshots(db, look_inside=False)
    keep = retention.keep(named, datetime.now(UTC).date()) | {v for v in protect if v}
    removed = []
    for version in named:
        path = paths.snapshots_dir(db) / f"{version}.duckdb"
        if version in keep or stray_reason(path) is not None:  # only whole kept snapshots are removed
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(version)
    return removed


def describe_os_error(exc: OSError) -> str:
    """An operating system error in Swedish, for a message to the user (a full disk, no permission …)."""
    known = {errno.ENOSPC: "disken är full", errno.EDQUOT: "diskkvoten är slut", errno.EACCES: "behörighet saknas",
             errno.EPERM: "behörighet saknas", errno.EROFS: "filsystemet är skrivskyddat",
             errno.ENAMETOOLONG: "filnamnet är för långt", errno.ELOOP: "filen är en symbolisk länk"}
    return known.get(exc.errno, exc.strerror or type(exc).__name__)


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
        except OSError as exc:
            raise ImportFailed(f"{failure} ({describe_os_error(exc)}). Databasen är oförändrad.") from exc
        except (duckdb.Error, ValueError) as exc:
            raise ImportFailed(f"{failure} ({exc}). Databasen är oförändrad.") from exc
        finally:
            remove_temp(tx.path)
        # Still under the lock: the version replaced and the one now current (a restore installs a kept one) stay.
        prune(db, protect=(writer.snapshot_version(db), tx.kept_previous.stem if tx.kept_previous else None))
