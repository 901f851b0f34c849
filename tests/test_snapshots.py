"""Data versions: imports swap whole snapshots, keep the previous one, survive SIGKILL at any point,
and never disturb readers; `snapshots list` and `snapshots restore` bring old versions back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from shb.cli import main as cli
from shb.core import paths
from shb.core.errors import DatabaseMissing
from shb.ingest import importer as ingest
from shb.ingest import staging
from shb.store import db as dbmod
from shb.store import snapshots
from shb.store import writer as store
from tests.conftest import observation_count

SHARE = "sysselsattningsgrad_20_64"
HEADER = "indikator;omrade;ar;varde"


@pytest.fixture
def db(private_db) -> Path:
    return private_db


def csv(folder: Path, rows: list[str], name: str = "fil.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def value(db: Path, area: str, year: int) -> float | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("select value from observation where indicator_id = $i and area_code = $a and year = $y "
                          "and group_dim = 'total'", {"i": SHARE, "a": area, "y": year}).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def shb_main(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_keeps_the_previous_version_and_restore_brings_it_back(db, tmp_path, capsys):
    v0, old = store.snapshot_version(db), value(db, "1490R025", 2023)
    path = csv(tmp_path, [f"{SHARE};1490R025;2023;12,5", f"{SHARE};1490;2025;70"])
    code, out, err = shb_main(capsys, "import", str(path), "--db", str(db), "--replace")
    assert code == 0, err
    v1 = store.snapshot_version(db)
    assert v1 > v0 and f"Ny version {v1}" in out
    kept = paths.snapshots_dir(db) / f"{v0}.duckdb"
    assert store.snapshot_version(kept) == v0 and value(kept, "1490R025", 2023) == old
    assert value(db, "1490R025", 2023) == 12.5

    code, out, _ = shb_main(capsys, "snapshots", "list", "--db", str(db), "--json")
    listed = json.loads(out)
    assert code == 0 and [(e["version"], e["current"]) for e in listed] == [(v0, False), (v1, True)]
    assert listed[1]["built_from"]["kind"] == "import" and listed[1]["built_from"]["based_on"] == v0
    assert listed[1]["built_from"]["file"] == "fil.csv" and listed[1]["observations"] == listed[0]["observations"] + 1
    code, out, _ = shb_main(capsys, "snapshots", "list", "--db", str(db))
    assert code == 0 and f"{v1} (aktuell)" in out and "import av fil.csv" in out

    code, out, err = shb_main(capsys, "snapshots", "restore", v0, "--db", str(db))
    assert code == 0, err
    assert f"Återställde version {v0}" in out and f"({v1}) är sparad som" in out
    assert store.snapshot_version(db) == v0 and value(db, "1490R025", 2023) == old
    assert value(db, "1490", 2025) is None
    assert store.file_sha256(db) == store.file_sha256(kept)  # an exact copy; the kept file stays
    assert store.snapshot_version(paths.snapshots_dir(db) / f"{v1}.duckdb") == v1

    code, out, _ = shb_main(capsys, "snapshots", "restore", v0, "--db", str(db))
    assert code == 0 and "redan den aktuella" in out
    code, _, err = shb_main(capsys, "snapshots", "restore", "20000101T000000Z", "--db", str(db))
    assert code == 1 and "ingen sparad version" in err
    code, _, err = shb_main(capsys, "snapshots", "restore", "../../etc/passwd", "--db", str(db))
    assert code == 1 and "inget versions-id" in err

    # The next import is based on the restored version and gets an id later than every kept one.
    assert shb_main(capsys, "import", str(csv(tmp_path, [f"{SHARE};1490;2026;71"], "ny.csv")), "--db", str(db))[0] == 0
    v2 = store.snapshot_version(db)
    assert v2 > v1 and json.loads(dbmod.Database(db).run("snapshot").built_from[0])["based_on"] == v0


def test_versions_stay_unique_when_imports_follow_within_a_second(db, tmp_path):
    versions = [store.snapshot_version(db)]
    for year in (2025, 2026):
        result = ingest.import_file(csv(tmp_path, [f"{SHARE};1490;{year};70"], f"{year}.csv"), db)
        versions.append(result.version)
    assert versions == sorted(set(versions))
    assert snapshots.kept_versions(db) == versions[:2]


def test_dry_run_and_rejections_write_nothing_not_even_a_kept_copy(db, tmp_path, capsys):
    before = store.file_sha256(db)
    path = csv(tmp_path, [f"{SHARE};1490;2025;70"])
    assert shb_main(capsys, "import", str(path), "--db", str(db), "--dry-run")[0] == 0
    assert shb_main(capsys, "import", str(csv(tmp_path, [f"{SHARE};1490R025;2023;1"], "b.csv")), "--db", str(db))[0] == 2
    assert store.file_sha256(db) == before and snapshots.kept_versions(db) == []


def test_a_second_writer_is_refused_while_one_holds_the_lock(db, tmp_path, capsys):
    path = csv(tmp_path, [f"{SHARE};1490;2025;70"])
    with snapshots.lock(db):
        code, _, err = shb_main(capsys, "import", str(path), "--db", str(db))
    assert code == 1 and "pågår just nu" in err
    assert shb_main(capsys, "import", str(path), "--db", str(db))[0] == 0


# The import's own stages (read, validated, copied) and those of the write transaction it goes through.
STAGES = ["read", "locked", "validated", "copied", "written", "checked", "kept", "installed"]


def test_sigkill_at_any_stage_leaves_a_whole_current_file(demo_db, tmp_path):
    """Each stage in its own process and folder, all at once; SIGKILL as soon as the stage is reached."""
    runs = {}
    for stage in STAGES:
        folder = tmp_path / stage
        folder.mkdir()
        db = folder / "shb.duckdb"
        shutil.copyfile(demo_db, db)
        path = csv(folder, [f"{SHARE};1490;2025;70", f"{SHARE};1490R025;2023;12,5"])
        env = {**os.environ, ingest.PAUSE_ENV: stage, f"{ingest.PAUSE_ENV}_SECONDS": "120"}
        proc = subprocess.Popen([sys.executable, "-m", "shb", "import", str(path), "--db", str(db), "--replace"],
                                cwd=paths.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[stage] = (proc, db, path, store.file_sha256(db), store.snapshot_version(db))
    for stage, (proc, *_) in runs.items():
        said = []  # the hook says where it sleeps; EOF ('') if the process ended instead
        while not said or said[-1] not in ("", f"{ingest.PAUSE_ENV}: {stage}\n"):
            said.append(proc.stderr.readline())
        assert said[-1].strip() == f"{ingest.PAUSE_ENV}: {stage}", "".join(said)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    for stage, (_, db, _path, sha, version) in runs.items():
        if stage == "installed":  # killed after os.replace: the new snapshot is whole and current
            assert store.snapshot_version(db) > version and value(db, "1490R025", 2023) == 12.5
        else:
            assert store.file_sha256(db) == sha, stage
        database = dbmod.Database(db)
        try:
            assert int(database.run("observation_summary").observations[0]) > 50_000
        finally:
            database.close()
        store.check_snapshot(db)
    # A killed writer holds no lock and its half-built file is cleaned up by the next import, and so is the
    # work folder (in the temporary folder) each killed import had.
    work = [w for proc, *_ in runs.values() for w in Path(tempfile.gettempdir()).glob(f"{staging.WORK_PREFIX}{proc.pid}.*")]
    assert len(work) >= 3, work  # killed while checking or writing
    _, db, path, sha, version = runs["copied"]
    assert list(db.parent.glob(".shb.duckdb.*.building*"))
    result = ingest.import_file(path, db, overwrite=True)
    assert result.version > version and not list(db.parent.glob(".shb.duckdb.*.building*"))
    assert not any(w.exists() for w in work)


def test_twenty_readers_see_whole_versions_while_five_imports_swap(db, tmp_path):
    """Readers in threads of this process (as in the app); imports from the command line, as analysts run
    them. Half the readers share shb.db.connect(), half open their own Database on every round."""
    versions = {store.snapshot_version(db): observation_count(db)}
    stop, errors = threading.Event(), []
    seen: list[set] = [set() for _ in range(20)]

    def read(i: int) -> None:
        while not stop.is_set():
            try:
                database = dbmod.connect(db) if i % 2 else dbmod.Database(db)
                count = int(database.run("observation_summary").observations[0])
                version = database.run("snapshot").version[0]
                assert version == database.version
                if i < 4:  # a few readers also run a real page query
                    assert len(database.run("indicator_values", indicator=SHARE, level="regso", group_dim="total"))
                seen[i].add((version, count))
                if not i % 2:
                    database.close()
            except Exception as exc:  # noqa: BLE001 - any failure in a reader is the finding
                errors.append(exc)
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    try:
        for k in range(5):
            rows = [f"{SHARE};1490R{n + 1:03d};2025;{40 + k}" for n in range(k * 5, k * 5 + k + 1)]
            before = store.snapshot_version(db)
            done = subprocess.run([sys.executable, "-m", "shb", "import", str(csv(tmp_path, rows, f"i{k}.csv")),
                                   "--db", str(db)], cwd=paths.ROOT, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            versions[store.snapshot_version(db)] = versions[before] + k + 1
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:3]
    assert len(versions) == 6 and all(seen)
    observed = set().union(*seen)
    assert all(versions[v] == n for v, n in observed), "a reader saw a count that belongs to another version"
    assert len({v for v, _ in observed}) >= 4, "readers did not follow the swaps"
    latest = max(versions)
    fresh = dbmod.connect(db)
    assert fresh.version == latest and int(fresh.run("observation_summary").observations[0]) == versions[latest]


def test_the_snapshot_is_demo_while_any_demo_number_remains(demo_db, tmp_path):
    """is_demo of a derived snapshot: true if any observation or population row is demo data."""
    import pandas as pd

    from shb.core.areas import geography
    from shb.core.catalog import catalog

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        demo_rows = con.execute("select * from observation where indicator_id = $i and year = 2023",
                                {"i": SHARE}).df()
    finally:
        con.close()
    real = demo_rows.assign(is_demo=False, source_version="test")
    population = pd.DataFrame({"area_code": ["1490"], "year": [2023], "population": [114_000], "foreign_born": [0]})
    base = tmp_path / "riktig.duckdb"
    store.write_snapshot(base, store.catalog_frames(catalog(), geography()), real, population, {"kind": "test"},
                         is_demo=False)
    added = real.head(1).assign(value=1.0, source_version="import")
    log = {"logged_at": pd.Timestamp.now(tz="UTC"), "username": "t", "file_name": "f", "sha256": "s", "rows": 1,
           "new_values": 0, "changed_values": 1, "unchanged_values": 0, "result": "inläst", "version": "v"}
    assert store.write_derived_snapshot(base, tmp_path / "a.duckdb", added, {}, "20990101T000000Z", log) is False
    assert store.write_derived_snapshot(demo_db, tmp_path / "b.duckdb", added, {}, "20990101T000000Z", log) is True
    mixed = pd.concat([real, demo_rows.head(1).assign(year=2024)], ignore_index=True)
    store.write_snapshot(tmp_path / "blandad.duckdb", store.catalog_frames(catalog(), geography()), mixed,
                         population, {"kind": "test"}, is_demo=False)
    assert store.write_derived_snapshot(tmp_path / "blandad.duckdb", tmp_path / "c.duckdb", added, {},
                                        "20990101T000000Z", log) is True




# --- Kept versions: a retention rule, and nothing but valid snapshots counts as one ------------------------

def kept_copy(db: Path, version: str, inside: str | None = None) -> Path:
    """A kept snapshot `snapshots/<version>.duckdb`: a copy of `db` whose snapshot row says `inside`
    (default: `version`, as every kept file written by the transaction does)."""
    target = paths.snapshots_dir(db) / f"{version}.duckdb"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(db, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("update snapshot set version = $v", {"v": inside or version})
    finally:
        con.close()
    return target


def stamp(when) -> str:
    return when.strftime("%Y%m%dT%H%M%SZ")


def test_kept_versions_follow_the_retention_rule_applied_after_each_write(db, monkeypatch):
    """Newest N, plus the newest of each day within M days (SHB_KEEP_VERSIONS, SHB_KEEP_DAYS); the
    version the write replaced is never removed, even when its id is old (it was restored)."""
    from datetime import UTC, datetime, timedelta

    from shb.ingest import notes

    now = datetime.now(UTC).replace(microsecond=0)
    old = {days: stamp(now - timedelta(days=days, hours=1)) for days in (10, 20, 100)}
    today = [stamp(now - timedelta(seconds=s)) for s in (3, 2, 1)]
    restored_from = stamp(now - timedelta(days=300))
    for v in [*old.values(), restored_from]:
        kept_copy(db, v)
    snapshots.restore(db, restored_from)  # current: version `restored_from` again; the demo version is kept
    for v in today:
        kept_copy(db, v)
    before = snapshots.kept_versions(db)
    assert len(before) == 8 and store.snapshot_version(db) == restored_from

    monkeypatch.setenv("SHB_KEEP_VERSIONS", "2")
    monkeypatch.setenv("SHB_KEEP_DAYS", "30")
    result = notes.add(db, SHARE, "1490", None, "Gallring.", "Anna")
    kept = snapshots.kept_versions(db)
    assert result.version not in kept and store.snapshot_version(db) == result.version
    assert today[1] in kept and today[2] in kept, "the newest two stay"
    assert old[10] in kept and old[20] in kept, "the newest of each day within 30 days stays"
    assert restored_from in kept, "the version this write replaced stays"
    assert old[100] not in kept and not (paths.snapshots_dir(db) / f"{old[100]}.duckdb").exists()
    assert today[0] not in kept, "an older version of a day that has a newer one goes"
    assert sorted(kept) == sorted({today[1], today[2], old[10], old[20], restored_from})


def test_a_symlink_or_a_file_whose_version_differs_from_its_name_is_never_restored(db, tmp_path):
    v0 = store.snapshot_version(db)
    outside = tmp_path / "utanfor.duckdb"
    shutil.copyfile(db, outside)
    linked = "20200101T000000Z"
    (paths.snapshots_dir(db)).mkdir(exist_ok=True)
    (paths.snapshots_dir(db) / f"{linked}.duckdb").symlink_to(outside)
    misnamed = "20200102T000000Z"
    kept_copy(db, misnamed, inside=v0)
    before = store.file_sha256(db)
    for version in (linked, misnamed):
        with pytest.raises(DatabaseMissing, match=f"Den sparade versionen {version} .*används inte"):
            snapshots.restore(db, version)
    assert store.file_sha256(db) == before and store.snapshot_version(db) == v0
    assert snapshots.kept_versions(db) == []


def test_stray_entries_in_snapshots_are_listed_and_never_move_the_version_clock(db, tmp_path, capsys):
    """A directory, a file from a clock running ahead and a file that is no snapshot: each reported, each
    ignored; the next version id comes from the clock, after the current one."""
    from datetime import UTC, datetime, timedelta

    folder = paths.snapshots_dir(db)
    folder.mkdir(exist_ok=True)
    (folder / "20990101T000001Z.duckdb").mkdir()
    kept_copy(db, "20990101T000002Z")  # whole and consistent, but from a clock running ahead
    (folder / "20990101T000003Z.duckdb").write_text("inte en databas", encoding="utf-8")
    soon = stamp(datetime.now(UTC) + timedelta(seconds=30))  # within the tolerance: a valid kept snapshot
    kept_copy(db, soon)
    assert snapshots.kept_versions(db) == [soon]
    result = ingest.import_file(csv(tmp_path, [f"{SHARE};1490;2025;70"]), db)
    assert soon < result.version < "2098" and result.version.startswith(datetime.now(UTC).strftime("%Y%m%d"))
    code, out, _ = shb_main(capsys, "snapshots", "list", "--db", str(db))
    assert code == 0
    for name in ("20990101T000001Z.duckdb", "20990101T000002Z.duckdb", "20990101T000003Z.duckdb"):
        line = next(line for line in out.splitlines() if name in line)
        assert "används inte" in line, line
    assert "i framtiden" in out and "ingen fil" in out
    code, out, _ = shb_main(capsys, "snapshots", "list", "--db", str(db), "--json")
    listed = json.loads(out)
    assert [e["version"] for e in listed if not e["error"]] == [result.based_on, soon, result.version]
    assert sum(bool(e["error"]) for e in listed) == 3


@pytest.mark.parametrize("text", ["20261126T054700Z\n", " 20261126T054700Z", "20261126T054700Z.duckdb"])
def test_a_version_id_is_the_whole_text_or_nothing(db, text):
    from shb.geo import geometry

    assert not dbmod.is_version_id(text) and dbmod.is_version_id(text.strip().removesuffix(".duckdb"))
    with pytest.raises(DatabaseMissing, match="inget versions-id"):
        snapshots.restore(db, text)
    with pytest.raises(ValueError):
        geometry.version_dir(paths.geometry_dir(db), text)
