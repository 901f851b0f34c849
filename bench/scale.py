"""Reads at 100× the catalog: a snapshot with a hundred copies of every indicator, measured beside the demo.

`build_scaled` makes the big snapshot from a demo database in SQL: 99 clones of every indicator (ids
`<id>_s1` … `<id>_s99`, later in catalog order) with their group values, period membership, source
record, observations and published observations, the observations stored sorted as every writer stores
them. It is written in a temporary folder, outside the write transaction: the file is the benchmark's
own, never served.

On the demo database and on the big one, each measurement runs in a fresh child process
(`bench.child`: wall time and peak memory), so the first page run finds every cache cold:

- the first AppTest run of Översikt (app.py), Områden (pages/4_omraden.py) and Livscykeln, modules imported
  before the clock starts (as `shb.web.serve` imports them before the server takes visitors); then the
  same page after `shb.web.serve.warm()` (what the first visitor of a started server finds), and a
  second run in the same process (warm);
- every named query's p50/p95 (`bench.__main__.time_queries`);
- a one-row import (`python -m shb import ONE_ROW.csv --replace --db COPY`) into a copy of each.

    python -m bench.scale DEMO_DB      # prints the figures as JSON
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from shb.store.schema import OBSERVATION_ORDER

COPIES = 100  # the demo catalog and 99 clones of it
PAGES = {"oversikt": "app.py", "omraden": "pages/4_omraden.py", "livscykeln": "pages/9_livscykeln.py"}
PAGE_TIMEOUT_S = 900


def build_scaled(demo_db: Path, out: Path, copies: int = COPIES) -> dict:
    """Write a snapshot at `out` with `copies` copies of `demo_db`'s catalog and values; its counts."""
    shutil.copyfile(demo_db, out)
    con = duckdb.connect(str(out))
    try:
        con.execute("set enable_progress_bar = false")
        con.execute("set preserve_insertion_order = false")
        con.execute("create temp table clone as select range as k, '_s' || range as suffix from range(1, $n)",
                    {"n": copies})
        offset = con.execute("select max(sort_key) + 1 from indicator").fetchone()[0]
        con.execute("create temp table original as select id from indicator")
        con.execute("insert into indicator select i.* replace (i.id || c.suffix as id, i.sort_key + c.k * $offset "
                    "as sort_key) from indicator as i cross join clone as c", {"offset": offset})
        for table, column in (("indicator_group", "indicator_id"), ("period_indicator", "indicator_id"),
                              ("source_record", "subject")):
            # Table and column names from the fixed tuple above; no value is formatted into SQL.
            con.execute(f"insert into {table} select t.* replace (t.{column} || c.suffix as {column}) "  # noqa: S608
                        f"from {table} as t cross join clone as c where t.{column} in (select id from original)")
        for table in ("observation", "published_observation"):
            con.execute(f"create temp table kept as select * from {table}")  # noqa: S608
            con.execute(f"delete from {table}")  # noqa: S608
            con.execute(f"insert into {table} select * from (select * from kept union all select o.* replace "  # noqa: S608
                        f"(o.indicator_id || c.suffix as indicator_id) from kept as o cross join clone as c) "
                        f"order by {OBSERVATION_ORDER}")
            con.execute("drop table kept")
        con.execute("checkpoint")
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608
                  for t in ("indicator", "observation", "published_observation")}
    finally:
        con.close()
    return {**counts, "copies": copies, "db_mb": round(out.stat().st_size / 1e6, 1)}


def _measured(*command: str) -> dict:
    """Wall time and peak memory of `command` in a child (bench.child), and the JSON it printed last."""
    done = subprocess.run([sys.executable, "-m", "bench.child", *command], capture_output=True, text=True,
                          check=True)
    out = json.loads(done.stdout)
    if out["returncode"] != 0:
        raise RuntimeError(f"{command[:5]} failed ({out['returncode']}): {out['stderr'][-1500:]}")
    lines = [line for line in out["stdout"].splitlines() if line.startswith("{")]
    return {"wall_s": out["seconds"], "peak_rss_mb": out["peak_rss_mb"], **(json.loads(lines[-1]) if lines else {})}


def _page_in_this_process(db: str, page: str, warmed: bool) -> dict:
    """The first and second AppTest run of `page` here (a fresh process: caches cold), optionally after
    `shb.web.serve.warm()` has run as at a server start."""
    os.environ["SHB_DB"] = db
    import altair  # noqa: F401  imported before the clock, as shb.web.serve imports them at start
    import geopandas  # noqa: F401
    import pandas  # noqa: F401
    from streamlit.testing.v1 import AppTest

    from shb.core import paths
    from shb.web import serve

    out = {}
    if warmed:
        t = time.perf_counter()
        w = serve.warm(wait=True)
        out["warm_s"] = round(time.perf_counter() - t, 2)
        if w.problem:
            raise RuntimeError(w.problem)
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=PAGE_TIMEOUT_S)
    if page != "app.py":
        at.switch_page(page)
    for key in ("first_s", "second_s"):
        t = time.perf_counter()
        at.run()
        out[key] = round(time.perf_counter() - t, 2)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
    return out


def _queries_in_this_process(db: str) -> dict:
    from bench.__main__ import time_queries
    from shb.store import db as dbmod

    database = dbmod.Database(Path(db))
    try:
        return {"queries": time_queries(database)}
    finally:
        database.close()


def one_row_file(db: Path, out: Path) -> None:
    """A one-row CSV that changes one published RegSO value of the first indicator followed per area."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "select o.indicator_id, o.area_code, o.year, o.value from observation as o "
            "inner join indicator as i on o.indicator_id = i.id "
            "where o.level = 'regso' and o.group_dim = 'total' and o.status = 'ok' and i.kind = 'share' "
            "order by i.sort_key, o.year desc, o.area_code limit 1").fetchone()
    finally:
        con.close()
    indicator, area, year, value = row
    new = round(min(max(value + 0.5, 0.0), 99.0), 1)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["indikator", "omrade", "ar", "varde", "grupp_typ", "grupp"])
        w.writerow([indicator, area, year, f"{new}".replace(".", ","), "", ""])


def time_one_row_import(db: Path, folder: Path, data: Path) -> dict:
    """`python -m shb import data --replace` into a copy of `db` (in its own data folder), in a child."""
    copy = folder / "data" / "shb.duckdb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, copy)
    env_before = os.environ.get("SHB_DB")
    os.environ["SHB_DB"] = str(copy)
    try:
        out = _measured(sys.executable, "-m", "shb", "import", str(data), "--replace", "--db", str(copy))
    finally:
        if env_before is None:
            os.environ.pop("SHB_DB", None)
        else:
            os.environ["SHB_DB"] = env_before
        shutil.rmtree(folder)
    return {"seconds": out["wall_s"], "peak_rss_mb": out["peak_rss_mb"]}


def measure(db: Path, folder: Path, one_row: Path) -> dict:
    """Every figure for one snapshot, each in a fresh process."""
    out: dict = {}
    for name, page in PAGES.items():
        out[name] = _measured(sys.executable, "-m", "bench.scale", "page", str(db), page)
        out[name + "_warmed"] = _measured(sys.executable, "-m", "bench.scale", "page", str(db), page, "warmed")
    q = _measured(sys.executable, "-m", "bench.scale", "queries", str(db))
    out["queries"] = q["queries"]
    out["worst_query_p95_ms"] = max(v["p95_ms"] for v in q["queries"].values())
    out["one_row_import"] = time_one_row_import(db, folder / "import", one_row)
    return out


def time_scale(demo_db: Path, folder: Path, copies: int = COPIES) -> dict:
    """The demo database (1×) and its `copies`× snapshot measured in the same run, and the ratios."""
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / "scaled.duckdb"
    t = time.perf_counter()
    size = build_scaled(demo_db, big, copies)
    size["build_s"] = round(time.perf_counter() - t, 1)
    one_row = folder / "en_rad.csv"
    one_row_file(demo_db, one_row)
    small = measure(demo_db, folder / "small", one_row)
    large = measure(big, folder / "large", one_row)
    big.unlink()
    return {"snapshot": size, "1x": small, f"{copies}x": large, "one_row_import_ratio": round(
        large["one_row_import"]["seconds"] / small["one_row_import"]["seconds"], 2)}


def lines(scale: dict | None) -> list[str]:
    """The figures for results.md."""
    if not scale:
        return ["", "Reads at 100× the catalog: not measured in this run (set SHB_BENCH_100X=1)."]
    size = scale["snapshot"]
    big_key = f"{size['copies']}x"
    small, large = scale["1x"], scale[big_key]
    out = ["", f"Reads at {size['copies']}× the catalog (bench/scale.py; {size['indicator']} indicators, "
           f"{size['observation']:,} observations, {size['db_mb']} MB, built in {size['build_s']} s), "
           "each in a fresh process:".replace(",", " "), "",
           f"| figure | 1× | {size['copies']}× |", "|---|---:|---:|"]
    for name, label in (("oversikt", "Översikt"), ("omraden", "Områden"), ("livscykeln", "Livscykeln")):
        out.append(f"| {label}: first run, cold caches (s) | {small[name]['first_s']} | {large[name]['first_s']} |")
        out.append(f"| {label}: first run after serve.warm() (s) | {small[name + '_warmed']['first_s']} | "
                   f"{large[name + '_warmed']['first_s']} |")
        out.append(f"| {label}: serve.warm() itself (s) | {small[name + '_warmed']['warm_s']} | "
                   f"{large[name + '_warmed']['warm_s']} |")
        out.append(f"| {label}: second run (s) | {small[name]['second_s']} | {large[name]['second_s']} |")
        out.append(f"| {label}: peak memory of the process (MB) | {small[name]['peak_rss_mb']} | "
                   f"{large[name]['peak_rss_mb']} |")
    out.append(f"| slowest named query, p95 (ms) | {small['worst_query_p95_ms']} | {large['worst_query_p95_ms']} |")
    out.append(f"| one-row import (s) | {small['one_row_import']['seconds']} | {large['one_row_import']['seconds']} |")
    out.append(f"| one-row import, peak memory (MB) | {small['one_row_import']['peak_rss_mb']} | "
               f"{large['one_row_import']['peak_rss_mb']} |")
    out += ["", f"One-row import at {size['copies']}× / 1×: ratio {scale['one_row_import_ratio']}", "",
            f"| query at {size['copies']}× | p50 ms | p95 ms |", "|---|---:|---:|"]
    out += [f"| {n} | {v['p50_ms']} | {v['p95_ms']} |" for n, v in large["queries"].items()]
    return out


if __name__ == "__main__":
    if sys.argv[1] == "page":
        print(json.dumps(_page_in_this_process(sys.argv[2], sys.argv[3], warmed=sys.argv[4:] == ["warmed"])))
    elif sys.argv[1] == "queries":
        print(json.dumps(_queries_in_this_process(sys.argv[2])))
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            result = time_scale(Path(sys.argv[1]), Path(tmp) / "scale")
        print(json.dumps(result, ensure_ascii=False, indent=2))
        print("\n".join(lines(result)))
