"""Run the benchmarks and write bench/results.json and bench/results.md."""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from shb import db as dbmod
from shb.build import build_demo_snapshot

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


def main() -> None:
    results: dict = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shb.duckdb"
        build = build_demo_snapshot(path)
        results["demo_build_s"] = round(build.seconds, 2)
        results["observations"] = build.observations
        results["db_size_mb"] = round(path.stat().st_size / 1e6, 2)
        database = dbmod.Database(path)
        results["queries"] = time_queries(database)
        database.close()
    (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Benchmark results ({results['measured_at']}, {results['machine']})", "",
             f"- Demo build: {results['demo_build_s']} s, {results['observations']} observations",
             f"- Database size: {results['db_size_mb']} MB", "",
             "| query | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {n} | {v['p50_ms']} | {v['p95_ms']} |" for n, v in results["queries"].items()]
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
