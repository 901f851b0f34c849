"""The one write transaction: every writer takes the one writers' lock and is refused while another
holds it, leaving the current file byte-identical; a writer killed at any stage of the transaction
leaves the current file whole, and the next writer removes what it left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from shb.cli import main as cli
from shb.core import paths
from shb.core.errors import ImportFailed
from shb.geo import geometry
from shb.ingest import importer, notes
from shb.ingest.build import build_demo_snapshot
from shb.store import snapshots, transaction
from shb.store import writer as store

SHARE = "sysselsattningsgrad_20_64"
BUSY = "En annan import eller återställning av .* pågår just nu"
HOLD = ("import sys\n"
        "from shb.store import transaction\n"
        "with transaction.writers_lock(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.read()\n")


@dataclass(frozen=True)
class Prepared:
    """A data folder with a note (so a version is kept) and two geometry versions."""

    folder: Path
    note_id: str
    kept_version: str
    kept_geometry: str


@pytest.fixture(scope="module")
def prepared(demo_db, tmp_path_factory) -> Prepared:
    folder = tmp_path_factory.mktemp("prepared") / "data"
    folder.mkdir()
    db = folder / "shb.duckdb"
    shutil.copyfile(demo_db, db)
    shutil.copytree(paths.geometry_dir(demo_db), paths.geometry_dir(db), ignore=shutil.ignore_patterns(".lock"))
    kept = store.snapshot_version(db)
    note = notes.add(db, SHARE, "1490", None, "Förberedd anteckning.", "Anna")
    geo = paths.geometry_dir(db)
    first = geometry.read_manifest(geo)
    geometry.install_geometry(geo, geometry.read_layers(geo, first), first["levels"], area_facts=first["area_facts"])
    return Prepared(folder, note.note_id, kept, first["version"])


@pytest.fixture
def db(prepared, tmp_path) -> Path:
    """A private copy of the prepared data folder; its snapshot file."""
    shutil.copytree(prepared.folder, tmp_path / "data")
    return tmp_path / "data" / "shb.duckdb"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the lock file aside) and its sha256."""
    return {p.relative_to(folder).as_posix(): store.file_sha256(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def leftovers(db: Path) -> list[str]:
    """Temporary files of writers beside `db` (snapshot, .wal) and kept copies being made."""
    return sorted(p.name for p in [*db.parent.glob(".*.building*"), *paths.snapshots_dir(db).glob(".*.partial")])


def csv_file(folder: Path, rows: list[str]) -> Path:
    path = folder / "fil.csv"
    path.write_text("\n".join(["indikator;omrade;ar;varde", *rows]) + "\n", encoding="utf-8")
    return path


# --- every writer is refused while another holds the lock --------------------------------------------

def _geometry_install(db: Path, prepared: Prepared) -> None:
    folder = paths.geometry_dir(db)
    current = geometry.read_manifest(folder)
    geometry.install_geometry(folder, geometry.read_layers(folder, current), current["levels"])


def _fetch(db: Path, prepared: Prepared) -> None:
    """Fetched values go through import_table, as shb.ingest.fetch hands them over (no network)."""
    table = importer.RawTable(["indikator", "omrade", "ar", "varde"], [[SHARE, "1490", 2025, 70.5]], [1], "SCB",
                              "json-stat2", header_row=0)
    importer.import_table(table, "SCB TAB6680", "0" * 64, db, noun="Hämtningen från")


WRITERS = {
    "demo build": lambda db, p: build_demo_snapshot(db),
    "import": lambda db, p: importer.import_file(csv_file(db.parent.parent, [f"{SHARE};1490;2025;70"]), db),
    "fetch": _fetch,
    "note add": lambda db, p: notes.add(db, SHARE, "1490R025", 2023, "Ny anteckning.", "Bo"),
    "note remove": lambda db, p: notes.remove(db, p.note_id),
    "restore": lambda db, p: snapshots.restore(db, p.kept_version),
    "geometry install": _geometry_install,
    "geometry restore": lambda db, p: geometry.restore(paths.geometry_dir(db), p.kept_geometry),
}


@contextlib.contextmanager
def held_by_thread(db: Path):
    """The writers' lock held by another thread of this process (as in the app, where pages run in threads)."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.writers_lock(db):
            taken.set()
            release.wait(60)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


@contextlib.contextmanager
def held_by_process(db: Path):
    """The writers' lock held by another process until its standard input closes."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], cwd=paths.ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield
    finally:
        proc.stdin.close()
        proc.wait(30)


@pytest.mark.parametrize("holder", [held_by_thread, held_by_process], ids=["thread", "process"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_writer_is_refused_while_another_holds_the_lock(db, prepared, writer, holder):
    before = fingerprint(db.parent)
    with holder(db), pytest.raises(ImportFailed, match=BUSY):
        WRITERS[writer](db, prepared)
    assert fingerprint(db.parent) == before  # the snapshot, the kept ones and the geometry: byte-identical
    assert not leftovers(db)


def test_the_lock_is_free_again_once_the_holder_is_gone(db, prepared):
    with held_by_process(db), pytest.raises(ImportFailed, match=BUSY):
        WRITERS["note add"](db, prepared)
    before = store.snapshot_version(db)
    assert WRITERS["note add"](db, prepared).version > before


def test_a_lock_handed_on_must_be_held_for_that_folder(db, tmp_path):
    with transaction.writers_lock(db) as held:
        with transaction.writers_lock(db, held):  # a write under the caller's lock goes on under it
            pass
        with pytest.raises(ValueError, match="not held"):
            transaction.writers_lock(tmp_path / "annan" / "shb.duckdb", held).__enter__()
    with pytest.raises(ValueError, match="not held"):
        transaction.writers_lock(db, held).__enter__()


# --- a demo build during an import (make demo while an analyst loads a file) ---------------------------

def paused(args: list[str], stage: str) -> subprocess.Popen:
    """`python -m shb <args>` stopped at `stage` of its write (it says so on stderr, then sleeps)."""
    env = {**os.environ, transaction.PAUSE_ENV: stage, f"{transaction.PAUSE_ENV}_SECONDS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "shb", *args], cwd=paths.ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    said = []  # EOF ('') if the process ended instead
    while not said or said[-1] not in ("", f"{transaction.PAUSE_ENV}: {stage}\n"):
        said.append(proc.stderr.readline())
    assert said[-1].strip() == f"{transaction.PAUSE_ENV}: {stage}", "".join(said)
    return proc


def killed(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_a_demo_build_during_an_import_is_refused_and_writes_nothing(db, capsys):
    path = csv_file(db.parent.parent, [f"{SHARE};1490;2025;70"])
    importing = paused(["import", str(path), "--db", str(db)], "validated")  # holds the lock, about to write
    try:
        before = fingerprint(db.parent)
        assert cli.main(["build", "--demo", "--db", str(db)]) == 1
        err = capsys.readouterr().err
        assert "pågår just nu" in err and "Traceback" not in err
        assert fingerprint(db.parent) == before and not leftovers(db)
    finally:
        killed(importing)


def test_an_import_during_a_demo_build_is_refused(db):
    building = paused(["build", "--demo", "--db", str(db)], "locked")
    try:
        before = fingerprint(db.parent)
        with pytest.raises(ImportFailed, match=BUSY):
            importer.import_file(csv_file(db.parent.parent, [f"{SHARE};1490;2025;70"]), db)
        assert fingerprint(db.parent) == before
    finally:
        killed(building)


# --- SIGKILL at each stage of the transaction ------------------------------------------------------------

def note_add(db: Path, prepared: Prepared) -> list[str]:
    return ["note", "add", "--db", str(db), "--indicator", SHARE, "--area", "1490R025", "--text", "Avbruten.",
            "--author", "Bo"]


def restore(db: Path, prepared: Prepared) -> list[str]:
    return ["snapshots", "restore", prepared.kept_version, "--db", str(db)]


def demo_build(db: Path, prepared: Prepared) -> list[str]:
    return ["build", "--demo", "--db", str(db)]


# The transaction's stages, and a note's "copied" (the temporary file and its .wal half written).
KILLS = [(note_add, stage) for stage in ("locked", "copied", "written", "checked", "kept", "installed")]
KILLS += [(restore, stage) for stage in transaction.STAGES]
KILLS += [(demo_build, stage) for stage in ("locked", "kept")]  # a whole build per stage: two are enough
WROTE = {"copied", "written", "checked", "kept"}  # stages by which a temporary file exists


def test_sigkill_at_each_stage_leaves_the_current_file_whole_and_the_next_writer_cleans_up(prepared, tmp_path):
    """Every writer in its own process and folder, all at once; SIGKILL as soon as its stage is reached."""
    runs = []
    for n, (args, stage) in enumerate(KILLS):
        folder = tmp_path / f"{n}-{args.__name__}-{stage}" / "data"
        shutil.copytree(prepared.folder, folder)
        db = folder / "shb.duckdb"
        runs.append((args.__name__, stage, db, store.file_sha256(db), store.snapshot_version(db),
                     paused(args(db, prepared), stage)))
    for *_, proc in runs:
        killed(proc)
    for writer, stage, db, sha, version, _ in runs:
        where = f"{writer} killed at {stage}"
        if stage == "installed":  # killed after os.replace: the new version is whole and current
            now = store.snapshot_version(db)
            assert (now == prepared.kept_version) if writer == "restore" else (now > version), where
            assert (paths.snapshots_dir(db) / f"{version}.duckdb").is_file(), where
        else:
            assert store.file_sha256(db) == sha, where
        store.check_snapshot(db)
        if stage in WROTE:
            assert leftovers(db), f"{where}: the test expects a half-built file here"
        # The next writer starts: it takes the free lock, removes what the killed one left, and writes.
        result = notes.add(db, SHARE, "1490", None, "Nästa skrivning.", "Cecilia")
        assert not leftovers(db), where
        assert store.snapshot_version(db) == result.version and result.version > version, where
