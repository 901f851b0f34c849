"""Chromium's own work for the deep-linked Arbete page, for two or more checkouts of the code on one database.

Each checkout gets a server of its own (`python -m shb.web.serve` run from its folder, so its own
`shb` and `.streamlit/config.toml`), one after the other on one port, in rounds (A B A B …) so that a
change in the machine's load falls on all of them alike. Per visit, in a fresh chromium context:

- the renderer's TaskDuration and ScriptDuration (DevTools protocol, Performance.getMetrics, taken before
  the visit and after the page has drawn its charts and settled; the difference is the visit's work);
- the bytes the server sent over the websocket, and of them the Vega-Lite specs (read from Streamlit's
  own messages, `streamlit.proto.ForwardMsg`), per chart, for the Arbete page and the other chart pages.

With `--floor` (and always in `make bench`) the same is measured for Streamlit alone (`write_floor_app`), the
floor under every page of the app, so that each checkout's own work (its figure less the floor's) is
compared too. Chromium runs with the address bar's popup page turned off (tests.browser.CHROMIUM_ARGS): in
a headless window it is a renderer of its own that costs about 0.5 s of CPU a visit, the same for every
page, and counted it made every page look about 0.5 s heavier.

    python -m bench.browser_cpu --code original=/path/to/old/checkout --code now=. [--floor] [--repeats 5]

prints a JSON object: per checkout the median seconds and the bytes per page, and the ratios to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ARBETE = "arbete?indikator=sysselsattningsgrad_20_64"
# Chart pages whose payload is counted (the Arbete page first: its CPU is the figure).
PAGES = {"arbete": ARBETE, "karta": "karta?indikator=sysselsattningsgrad_20_64",
         "grupper": "grupper?indikator=sysselsattningsgrad_20_64",
         "arbete_presentation": f"{ARBETE}&visning=presentation"}
SETTLE_MS = 2000
# Done: the script has finished (no running indicator) and every chart on the page that is shown has
# drawn its canvas or svg.
DRAWN = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(e => e.offsetParent);
  return charts.length > 0 && charts.every(e => e.querySelector('canvas, svg.marks'));
}"""


# Streamlit's own cost, the floor under any page of the app: a multipage app (so a sidebar with the page
# list) with the app's Streamlit settings, whose Arbete page holds a title and a one-point chart.
FLOOR_PAGE = """import altair as alt
import pandas as pd
import streamlit as st

st.title("Målområde 2: Förutsättningar för arbete")
st.altair_chart(alt.Chart(pd.DataFrame({"x": [1], "y": [1]})).mark_point().encode(x="x", y="y"))
"""
FLOOR = "streamlit"


def write_floor_app(folder: Path) -> Path:
    """The floor app in `folder` (app.py, pages/arbete.py, .streamlit/config.toml from this checkout)."""
    from shb.core import paths

    (folder / "pages").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit").mkdir(exist_ok=True)
    (folder / "app.py").write_text(FLOOR_PAGE, encoding="utf-8")
    (folder / "pages" / "arbete.py").write_text(FLOOR_PAGE, encoding="utf-8")
    (folder / ".streamlit" / "config.toml").write_bytes((paths.ROOT / ".streamlit" / "config.toml").read_bytes())
    return folder


def server(root: Path, db: Path, port: int, timeout: float = 90):
    """`python -m shb.web.serve` from the checkout `root` on 127.0.0.1:`port` (tests.browser's starter), or
    `streamlit run app.py` for a folder that is not a checkout (the floor app); yields its base URL, stops it after."""
    from tests.browser import streamlit_server

    entry = ("shb.web.serve",) if (root / "shb").is_dir() else ("streamlit", "run", "app.py")
    return streamlit_server(db, timeout, port=port, root=root, entry=entry)


def _spec_sizes(payload: bytes) -> list[int]:
    """Bytes of each Vega-Lite spec (with its inline data) in one websocket message from Streamlit."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not every frame is a ForwardMsg (e.g. a ping); it then holds no chart
        return []
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return []
    element = msg.delta.new_element
    if element.WhichOneof("type") != "vega_lite_chart":
        return []
    chart = element.vega_lite_chart
    return [len(chart.spec.encode("utf-8")) + sum(len(d.data.data) for d in chart.datasets)
            + (len(chart.data.data) if chart.HasField("data") else 0)]


def _cpu(browser_cdp) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each chromium process (DevTools protocol, SystemInfo.getProcessInfo)."""
    return {p["id"]: (p["type"], p["cpuTime"]) for p in browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]}


def _cpu_used(before: dict, after: dict, kind: str | None = None) -> float:
    return sum(t - before.get(pid, (kind, 0.0))[1] for pid, (k, t) in after.items() if kind is None or k == kind)


def visit(browser, url: str, browser_cdp=None) -> dict:
    """One visit in a fresh context: the renderer's work (s), the websocket bytes and the chart specs' bytes.

    TaskDuration and ScriptDuration are the renderer main thread's task time, which also counts time the
    thread waited for a core; the processes' CPU seconds (`renderer_cpu_s`, `chromium_cpu_s` for all of
    chromium) do not, so they are the steadier figure on a loaded machine.
    """
    browser_cdp = browser_cdp or browser.new_browser_cdp_session()
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        received: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(
            f if isinstance(f, bytes) else f.encode("utf-8"))))
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        cpu_before = _cpu(browser_cdp)
        t = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_timeout(500)  # the script starts after the websocket opens
        page.wait_for_function(DRAWN, timeout=180_000, polling=100)
        drawn = time.perf_counter() - t
        page.wait_for_timeout(SETTLE_MS)
        after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        cpu_after = _cpu(browser_cdp)
        specs = [s for frame in received for s in _spec_sizes(frame)]
        return {"task_s": after["TaskDuration"] - before.get("TaskDuration", 0.0),
                "script_s": after["ScriptDuration"] - before.get("ScriptDuration", 0.0),
                "renderer_cpu_s": _cpu_used(cpu_before, cpu_after, "renderer"),
                "chromium_cpu_s": _cpu_used(cpu_before, cpu_after),
                "drawn_s": drawn, "ws_bytes": sum(map(len, received)), "spec_bytes": specs}
    finally:
        context.close()


def _median(visits: list[dict], key: str) -> float:
    return round(statistics.median(v[key] for v in visits), 3)


def measure(codes: dict[str, Path], db: Path, repeats: int = 5, rounds: int = 2, port: int = 8653) -> dict:
    """Per checkout: the median renderer task and script seconds over `repeats` × `rounds` visits to the
    deep-linked Arbete page (after one unmeasured visit that warms the server), and the bytes per page."""
    from tests.browser import chromium

    per_round = max(1, round(repeats / rounds))
    visits: dict[str, list[dict]] = {label: [] for label in codes}
    pages: dict[str, dict] = {label: {} for label in codes}
    with chromium() as browser:
        browser_cdp = browser.new_browser_cdp_session()
        for r in range(rounds):
            order = list(codes.items()) if r % 2 == 0 else list(codes.items())[::-1]  # A B, then B A
            for label, root in order:
                with server(root, db, port) as url:
                    visit(browser, f"{url}/{ARBETE}", browser_cdp)  # warm the server's caches, not measured
                    visits[label] += [visit(browser, f"{url}/{ARBETE}", browser_cdp) for _ in range(per_round)]
                    if r == 0 and label != FLOOR:  # the floor app has only its Arbete page
                        for name, path in PAGES.items():
                            v = visit(browser, f"{url}/{path}", browser_cdp)
                            pages[label][name] = {"ws_bytes": v["ws_bytes"], "spec_bytes": sum(v["spec_bytes"]),
                                                  "charts": v["spec_bytes"], "renderer_cpu_s": v["renderer_cpu_s"],
                                                  "chromium_cpu_s": v["chromium_cpu_s"]}
    out: dict = {"page": ARBETE, "visits": {label: len(v) for label, v in visits.items()}}
    for label, vs in visits.items():
        out[label] = {**{k: _median(vs, k) for k in FIGURES}, "drawn_s": _median(vs, "drawn_s"),
                      "each_task_s": [round(v["task_s"], 2) for v in vs],
                      "each_renderer_cpu_s": [round(v["renderer_cpu_s"], 2) for v in vs], "pages": pages[label]}
    first, *rest = codes
    for label in rest:
        out[f"{label}_vs_{first}"] = {k: round(out[label][k] / out[first][k], 3) if out[first][k] else None
                                      for k in FIGURES}
    if FLOOR in codes:  # each page's own work: what it costs above Streamlit's floor
        for label in (c for c in rest if c != FLOOR):
            out[f"{label}_above_floor_vs_{first}"] = {
                k: round((out[label][k] - out[FLOOR][k]) / (out[first][k] - out[FLOOR][k]), 3)
                if out[first][k] > out[FLOOR][k] else None for k in FIGURES}
    return out


FIGURES = ("task_s", "script_s", "renderer_cpu_s", "chromium_cpu_s")


BASELINE_COMMIT = "c84d21f"  # the app before its charts and maps were lightened


@contextmanager
def checkout(commit: str):
    """The project's files at `commit` in a temporary folder (`git archive`), or None without git or that commit."""
    from shb.core import paths

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(paths.ROOT), "archive", commit], capture_output=True)
        if archive.returncode != 0:
            yield None
            return
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        yield Path(tmp)


def time_browser_cpu(db: Path, repeats: int = 6) -> dict | None:
    """For `make bench`: the deep-linked Arbete page in chromium, BASELINE_COMMIT against this checkout."""
    from shb.core import paths
    from tests.browser import CHROMIUM, free_port

    if not Path(CHROMIUM).exists():
        return None
    with checkout(BASELINE_COMMIT) as base, tempfile.TemporaryDirectory() as floor:
        if base is None:
            return None
        port = int(os.environ.get("SHB_BENCH_PORT", "0")) or free_port()
        codes = {BASELINE_COMMIT: base, "now": paths.ROOT, FLOOR: write_floor_app(Path(floor))}
        return measure(codes, db, repeats, port=port)


def lines(result: dict | None) -> list[str]:
    """The figures for bench/results.md."""
    if not result:
        return ["", "Chromium's work per checkout (bench/browser_cpu.py): not measured"]
    out = ["", f"Chromium's work for the deep-linked page `{result['page']}` per checkout, same database, "
               "median of fresh visits (bench/browser_cpu.py):", "",
           "| checkout | visits | tasks s | scripts s | renderer CPU s | chromium CPU s | drawn s | Arbete specs kB "
           "| Arbete websocket kB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, n in result["visits"].items():
        r = result[label]
        arbete = r["pages"].get("arbete", {})
        out.append(f"| {label} | {n} | {r['task_s']} | {r['script_s']} | {r['renderer_cpu_s']} | {r['chromium_cpu_s']} "
                   f"| {r['drawn_s']} | {arbete.get('spec_bytes', 0) / 1000:.1f} | {arbete.get('ws_bytes', 0) / 1000:.1f} |")
    out += [f"- {key.replace('_above_floor_vs_', ' above the floor, against ').replace('_vs_', ' against ')}: "
            f"tasks ×{v['task_s']}, scripts ×{v['script_s']}, renderer CPU ×{v['renderer_cpu_s']}, chromium CPU "
            f"×{v['chromium_cpu_s']}" for key, v in result.items() if "_vs_" in key]
    shown = result.get("now", {}).get("pages", {}).get("arbete_presentation")
    if shown:
        out.append(f"- now, the same view in presentation mode (`&visning=presentation`, the meeting's link; one "
                   f"visit): renderer CPU {shown['renderer_cpu_s']:.2f} s, chromium CPU {shown['chromium_cpu_s']:.2f} s")
    if FLOOR in result["visits"]:
        out.append(f"- `{FLOOR}` is the floor: Streamlit alone, a multipage app with the app's settings whose page "
                   "holds a title and a one-point chart. \"Above the floor\" is a page's own work: its figure less "
                   "the floor's.")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="append", required=True, metavar="LABEL=FOLDER",
                        help="a checkout of the project; the first is the baseline")
    parser.add_argument("--floor", action="store_true", help=f"also measure the floor app (as `{FLOOR}`)")
    parser.add_argument("--db", type=Path, help="the database (default: a new one built by this checkout)")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SHB_BENCH_PORT", "8653")))
    args = parser.parse_args()
    codes = {label: Path(folder).resolve() for label, folder in (c.split("=", 1) for c in args.code)}
    with tempfile.TemporaryDirectory() as tmp:
        if args.floor:
            codes[FLOOR] = write_floor_app(Path(tmp) / "floor")
        db = args.db
        if db is None:
            from shb.ingest.build import build_demo_snapshot

            db = Path(tmp) / "shb.duckdb"
            build_demo_snapshot(db)
        result = measure(codes, db, args.repeats, args.rounds, args.port)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("\n".join(lines(result)))


if __name__ == "__main__":
    main()
