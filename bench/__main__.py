"""Run the benchmarks and write bench/results.json and bench/results.md."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.big_import import time_big_import
from bench.browser_cpu import lines as browser_cpu_lines
from bench.browser_cpu import time_browser_cpu
from bench.excel_read import lines as excel_read_lines
from bench.excel_read import time_excel_read
from bench.presentation import lines as presentation_lines
from bench.presentation import time_first_presentation_chart
from bench.scale import lines as scale_lines
from bench.scale import time_scale
from shb.ingest.build import build_demo_snapshot
from shb.store import db as dbmod

HERE = Path(__file__).parent
REPEATS = 30


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_queries(database: dbmod.Database) -> dict[str, dict[str, float]]:
    params = dbmod.example_parameters(database)
    out = {}
    for name in dbmod.query_names():
        q = dbmod.load_query(name)
        args = {p: params[p] for p in q.parameters}
        database.run(name, **args)  # warm
        times = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            database.run(name, **args)
            times.append((time.perf_counter() - t) * 1000)
        out[name] = {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 0.95), 2)}
    return out


def time_pages(db: Path, repeats: int = 10) -> dict[str, dict[str, float]]:
    """Server-side run time of every page (AppTest, warm: after one run in the same session)."""
    import os

    from streamlit.testing.v1 import AppTest

    from shb.core import paths
    from shb.web.ui import PAGES

    os.environ["SHB_DB"] = str(db)
    out = {}
    for page in PAGES:
        at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=120)
        if page.path != "app.py":
            at.switch_page(page.path)
        at.run()
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1000)
        if at.exception:
            raise RuntimeError(f"{page.path}: {at.exception}")
        out[page.path] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}
    return out


def time_first_page(db: Path) -> dict[str, float] | None:
    """A fresh `streamlit run`: seconds to healthy, and to a deep-linked målområde page drawn in chromium."""
    from tests.browser import CHROMIUM, browser_page, streamlit_server

    if not Path(CHROMIUM).exists():
        return None
    import os

    t0 = time.perf_counter()
    port = int(os.environ.get("SHB_BENCH_PORT", "0")) or None
    with streamlit_server(db, port=port) as url:
        healthy = time.perf_counter() - t0
        with browser_page() as page:
            # The browser's own work for the page (DevTools protocol: time its renderer spent on tasks and
            # scripts), so a page that embeds more than it draws shows here, not in the server's figures.
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            t1 = time.perf_counter()
            page.goto(f"{url}/arbete?indikator=sysselsattningsgrad_20_64", wait_until="domcontentloaded")
            page.wait_for_function("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 5",
                                   timeout=120_000)
            drawn = time.perf_counter() - t1
            page.wait_for_timeout(2000)  # let the last charts settle
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"server_healthy_s": round(healthy, 2), "first_page_drawn_s": round(drawn, 2),
            "browser_task_s": round(metrics.get("TaskDuration", 0.0), 2),
            "browser_script_s": round(metrics.get("ScriptDuration", 0.0), 2)}


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and by the child processes it has waited for (the report's
    drawing workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_report(db: Path) -> dict[str, float]:
    """Seconds to write the report for the last year (`report.build`, as `python -m shb report` does): HTML
    alone, then with the PDF, first cold (nothing kept for this data version), then again for the same
    version (built once per version: the second time only copies the kept files). The cold HTML's CPU
    seconds too (its drawing workers included): on a busy machine they say more than the wall time."""
    import shutil

    from shb.present import report

    database = dbmod.Database(db)
    year = int(database.run("observation_summary").iloc[0].last_year)
    shutil.rmtree(report.report_cache(database).folder, ignore_errors=True)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "r.html"
        for label in ("html_s", "html_cached_s"):
            t, cpu = time.perf_counter(), cpu_seconds()
            report.build(database, year, html)
            out[label] = round(time.perf_counter() - t, 2)
            if label == "html_s":
                out["html_cpu_s"] = round(cpu_seconds() - cpu, 2)
        out["pdf_s"] = out["pdf_cached_s"] = None
        if shutil.which("chromium"):
            for label in ("pdf_s", "pdf_cached_s"):  # the HTML is kept by now: the PDF from it
                t = time.perf_counter()
                report.build(database, year, html, Path(tmp) / "r.pdf")
                out[label] = round(time.perf_counter() - t, 2)
    database.close()
    return out


def big_import_lines(big: dict) -> list[str]:
    """The import figures beside the DuckDB-only baseline measured in the same run."""
    out = []
    for figures, how in ((big, "`python -m shb import --replace`"),
                         (big.get("ten_million"), "`python -m bench.big_file_import`, limits raised")):
        if not figures:
            continue
        rows = f"{figures['rows']:,}".replace(",", " ")
        out.append(f"Import of a {rows}-row valid CSV ({figures['file_mb']} MB, {how}): {figures['import_s']} s, "
                   f"peak memory {figures['peak_rss_mb']} MB; DuckDB-only baseline (bench/duckdb_baseline.py) in the "
                   f"same run {figures['baseline_s']} s, {figures['baseline_peak_rss_mb']} MB: ratio {figures['ratio']}; "
                   f"database afterwards {figures['db_after_mb']} MB")
    counts = big.get("with_counts")
    if counts:
        out.append(f"The same rows with numerators and denominators for every share ({counts['file_mb']} MB; published "
                   f"through secondary suppression): {counts['import_s']} s, peak memory {counts['peak_rss_mb']} MB")
    if "ten_million_failed" in big:
        out.append(f"The many-row import failed: {big['ten_million_failed']}")
    elif "ten_million" not in big:
        out.append("10 000 000 rows: not measured in this run (set SHB_BENCH_10M=1).")
    return out


def main() -> None:
    results: dict = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shb.duckdb"
        build = build_demo_snapshot(path)
        results["demo_build_s"] = round(build.seconds, 2)
        results["demo_build_split"] = build.split
        results["observations"] = build.observations
        results["db_size_mb"] = round(path.stat().st_size / 1e6, 2)
        database = dbmod.Database(path)
        results["queries"] = time_queries(database)
        database.close()
        results["pages"] = time_pages(path)
        results["report"] = time_report(path)
        results["first_page"] = time_first_page(path)
        results["first_presentation_chart"] = time_first_presentation_chart(path)
        results["browser_cpu"] = time_browser_cpu(path)
        results["big_import"] = time_big_import(path, Path(tmp) / "big")
        results["excel_read"] = time_excel_read(Path(tmp) / "excel")
        # Some ten minutes on a busy machine (two snapshots, each figure in a fresh process): asked for.
        if os.environ.get("SHB_BENCH_100X") == "1":
            results["scale"] = time_scale(path, Path(tmp) / "scale")
    (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Benchmark results ({results['measured_at']}, {results['machine']})", "",
             f"- Demo build: {results['demo_build_s']} s, {results['observations']} observations ("
             + ", ".join(f"{k.removesuffix('_s')} {v} s" for k, v in results["demo_build_split"].items()) + ")",
             f"- Database size: {results['db_size_mb']} MB", "",
             "| query | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {n} | {v['p50_ms']} | {v['p95_ms']} |" for n, v in results["queries"].items()]
    lines += ["", "| page (AppTest, warm) | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {n} | {v['p50_ms']} | {v['p95_ms']} |" for n, v in results["pages"].items()]
    rep = results["report"]
    lines += ["", f"Report for the last year (`report.build`): HTML {rep['html_s']} s ({rep['html_cpu_s']} s of CPU with "
              f"its drawing workers), PDF from it {rep['pdf_s']} s; "
              f"again for the same data version (kept files): HTML {rep['html_cached_s']} s, PDF {rep['pdf_cached_s']} s"]
    first = results["first_page"]
    lines += ["", "First page after a server start: " + (
        f"healthy after {first['server_healthy_s']} s, deep-linked målområde page drawn {first['first_page_drawn_s']} s later"
        if first else "not measured (chromium missing)")]
    if first:
        lines += [f"Chromium's own work for that page (DevTools Performance.getMetrics): tasks {first['browser_task_s']} s, "
                  f"scripts {first['browser_script_s']} s"]
    lines += presentation_lines(results["first_presentation_chart"])
    lines += browser_cpu_lines(results["browser_cpu"])
    lines += ["", *big_import_lines(results["big_import"])]
    lines += ["", *excel_read_lines(results["excel_read"])]
    lines += scale_lines(results.get("scale"))
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
