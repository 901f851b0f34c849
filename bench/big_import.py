"""A 1 000 000-row valid CSV imported into a copy of the demo database: wall time and peak memory.

The demo catalog allows about 341 000 distinct (indicator, area, year, group) keys from 1990 on, so
the copy's catalog is widened with four clones of every indicator (ids `<id>_k1` … `<id>_k4`, same
levels and groups); the file then holds one million distinct, valid rows. The import runs in its own
process (`python -m shb import --replace`), so its peak resident memory is measured alone.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from shb.core.catalog import LEVELS
from shb.store import db as dbmod

ROWS = 1_000_000
CLONES = 4
FIRST_YEAR = 1990


def widen_catalog(db: Path, clones: int = CLONES) -> None:
    """Add `clones` copies of every indicator (and its group values) to the snapshot at `db`.

    Written in place, outside the write transaction: `db` is the benchmark's private copy in a temporary
    folder, made before the measured import and never served."""
    con = duckdb.connect(str(db))
    try:
        con.execute("create temp table original as select id from indicator")
        for k in range(1, clones + 1):
            p = {"suffix": f"_k{k}", "offset": 1000 * k}
            con.execute("insert into indicator select * replace (id || $suffix as id, sort_key + $offset as sort_key) "
                        "from indicator where id in (select id from original)", p)
            con.execute("insert into indicator_group select * replace (indicator_id || $suffix as indicator_id) "
                        "from indicator_group where indicator_id in (select id from original)", {"suffix": p["suffix"]})
        con.execute("checkpoint")
    finally:
        con.close()


def write_csv(db: Path, out: Path, rows: int = ROWS, last_year: int = 2025) -> int:
    """Write `rows` distinct valid rows (semicolon, decimal comma, as Excel in Sweden saves them)."""
    d = dbmod.Database(db)
    try:
        cat = d.run("indicator_catalog")
        groups = d.run("indicator_groups")
        areas = {lvl: d.run("areas_at_level", level=lvl).code.tolist() for lvl in LEVELS}
    finally:
        d.close()
    groups = groups[groups.dimension != "total"]
    by_ind = {i: [("", "")] + list(zip(g.dimension, g.value)) for i, g in groups.groupby("indicator_id")}
    written = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["indikator", "omrade", "ar", "varde", "grupp_typ", "grupp"])
        for ind in cat.itertuples(index=False):
            if ind.kind == "code":
                continue
            for year in range(last_year, FIRST_YEAR - 1, -1):
                for dim, value in by_ind.get(ind.id, [("", "")]):
                    for level in ind.levels:
                        for code in areas[level]:
                            v = (written * 7919) % 10000 / 100  # 0–99,99: valid for every unit
                            w.writerow([ind.id, code, year, f"{v:.2f}".replace(".", ","), dim, value])
                            written += 1
                            if written == rows:
                                return written
    return written


def time_big_import(demo_db: Path, folder: Path) -> dict:
    db = folder / "data" / "shb.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copyfile(demo_db, db)
    widen_catalog(db)
    data = folder / "miljon.csv"
    rows = write_csv(db, data)
    env = {**os.environ, "SHB_DB": str(db)}
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "shb", "import", str(data), "--replace", "--max-mb", "200", "--db", str(db)],
                          capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    return {"rows": rows, "file_mb": round(data.stat().st_size / 1e6, 1), "import_s": round(seconds, 1),
            "peak_rss_mb": round(peak_mb), "db_after_mb": round(db.stat().st_size / 1e6, 1)}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(time_big_import(Path(sys.argv[1]), Path(tmp)))
