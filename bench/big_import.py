"""A 1 000 000-row valid CSV imported into a copy of the demo database: wall time and peak memory.

The demo catalog allows about 341 000 distinct (indicator, area, year, group) keys from 1990 on, so
the copy's catalog is widened with four clones of every indicator (ids `<id>_k1` … `<id>_k4`, same
levels and groups); the file then holds one million distinct, valid rows. The import runs in its own
process (`python -m shb import --replace`), so its peak resident memory is measured alone, and so does
the DuckDB-only baseline (`bench.duckdb_baseline`) on the same file, in turns, in the same run: the
ratio of the two is the figure that means something on a shared machine.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from shb.core.catalog import LEVELS
from shb.store import db as dbmod

ROWS = 1_000_000
CLONES = 4
TEN_M_CLONES = 41  # 42 copies of the catalog hold some 10.3 million distinct keys (7.6 million with 31)
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


def with_counts(data: Path, db: Path, out: Path) -> None:
    """`data` again with counts: every share in percent gets a denominator (20–2 000) and a numerator, and
    its value from them, so the import publishes it through secondary suppression (the other rows as they
    are). The counts follow from the row's place in the file: the same file every run."""
    con = duckdb.connect()
    try:
        con.execute("attach $db as w (read_only)", {"db": str(db)})
        con.sql("""
            with f as (
                select *, 20 + ordinality % 1981 as n, (20 + ordinality % 1981) * (ordinality * 7919 % 1000) // 1000 as t
                from read_csv($data, delim = ';', header = true, all_varchar = true) with ordinality),
            s as (select f.*, coalesce(i.kind = 'share' and i.unit = 'procent', false) as counted
                  from f left join w.indicator as i on i.id = f.indikator)
            select indikator, omrade, ar,
                   case when counted then replace(printf('%.2f', 100.0 * t / n), '.', ',') else varde end as varde,
                   case when counted then t::varchar end as taljare,
                   case when counted then n::varchar end as namnare,
                   grupp_typ, grupp
            from s order by ordinality""", params={"data": str(data)}).write_csv(str(out), sep=";", header=True)
    finally:
        con.close()


def measured(*command: str, env: dict | None = None) -> dict:
    """Wall time and peak memory of `command`, run alone in a child process (bench.child)."""
    done = subprocess.run([sys.executable, "-m", "bench.child", *command], capture_output=True, text=True,
                          env=env, check=True)
    out = json.loads(done.stdout)
    if out["returncode"] != 0:
        raise RuntimeError(f"{command[:4]} failed ({out['returncode']}): {out['stderr']}")
    return out


def compare_with_baseline(widened: Path, folder: Path, data: Path, rows: int, repeats: int = 2,
                          import_args: tuple[str, ...] = ()) -> dict:
    """The project's import and the DuckDB-only baseline (bench.duckdb_baseline) on the same file, taking
    turns `repeats` times in this run; the best of each, their ratio, and the peak memory of each."""
    imports, baselines = [], []
    for n in range(repeats):
        base_out = folder / f"baseline{n}.duckdb"
        baselines.append(measured(sys.executable, "-m", "bench.duckdb_baseline", str(data), str(widened),
                                  str(base_out)))
        base_out.unlink(missing_ok=True)
        db = folder / f"run{n}" / "data" / "shb.duckdb"
        db.parent.mkdir(parents=True)
        shutil.copyfile(widened, db)
        env = {**os.environ, "SHB_DB": str(db)}
        imports.append(measured(sys.executable, "-m", *(import_args or ("shb", "import")), str(data), "--replace",
                                "--max-mb", "2000", "--db", str(db), env=env))
        db_after = db.stat().st_size
        shutil.rmtree(db.parent.parent)
    best_import = min(imports, key=lambda r: r["seconds"])
    best_base = min(baselines, key=lambda r: r["seconds"])
    return {"rows": rows, "file_mb": round(data.stat().st_size / 1e6, 1),
            "import_s": best_import["seconds"], "baseline_s": best_base["seconds"],
            "ratio": round(best_import["seconds"] / best_base["seconds"], 2),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in imports),
            "baseline_peak_rss_mb": max(r["peak_rss_mb"] for r in baselines),
            "db_after_mb": round(db_after / 1e6, 1), "all_import_s": [r["seconds"] for r in imports],
            "all_baseline_s": [r["seconds"] for r in baselines]}


def time_big_import(demo_db: Path, folder: Path) -> dict:
    """1 000 000 rows, and with SHB_BENCH_10M=1 also 10 000 000 rows (a longer run: the file is 0.6 GB)."""
    widened = folder / "widened.duckdb"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_db, widened)
    widen_catalog(widened)
    data = folder / "miljon.csv"
    rows = write_csv(widened, data)
    out = compare_with_baseline(widened, folder, data, rows)
    counted = folder / "miljon_antal.csv"
    with_counts(data, widened, counted)
    data.unlink()
    db = folder / "counts" / "data" / "shb.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copyfile(widened, db)
    run = measured(sys.executable, "-m", "shb", "import", str(counted), "--replace", "--max-mb", "2000", "--db", str(db),
                   env={**os.environ, "SHB_DB": str(db)})
    out["with_counts"] = {"file_mb": round(counted.stat().st_size / 1e6, 1), "import_s": run["seconds"],
                          "peak_rss_mb": run["peak_rss_mb"]}
    counted.unlink()
    shutil.rmtree(db.parent.parent)
    if os.environ.get("SHB_BENCH_10M") == "1":
        wide10 = folder / "widened10.duckdb"
        shutil.copyfile(demo_db, wide10)
        widen_catalog(wide10, clones=TEN_M_CLONES)
        data = folder / "tio_miljoner.csv"
        rows = write_csv(wide10, data, rows=10 * ROWS)
        try:
            out["ten_million"] = compare_with_baseline(wide10, folder, data, rows, repeats=1,
                                                       import_args=("bench.big_file_import",))
        except RuntimeError as exc:  # said in the results, not lost with the other figures
            out["ten_million_failed"] = str(exc)[-1500:]
        data.unlink()
    return out


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(time_big_import(Path(sys.argv[1]), Path(tmp) / "big"), indent=2))
