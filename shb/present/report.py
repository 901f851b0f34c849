"""The biennial follow-up as a self-contained HTML file (charts and maps as inline SVG), and a PDF.

Every number comes from the same views the app shows (`shb.views`), so the report and the app agree.
Each indicator says where its values come from (its source, or Demodata: shb.present.provenance); the
cover and page flags count how many indicators are real. The PDF is printed by headless chromium from
the HTML.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import altair as alt
import jinja2
import numpy as np
import pandas as pd

from shb.analysis import measures
from shb.core import format as fmt
from shb.core.catalog import DIRECTION_LABELS, GOAL_AREA_ID
from shb.core.errors import ShbError
from shb.core.format import D3_LOCALE
from shb.core.text import as_typed
from shb.geo import geometry
from shb.ingest import analyses
from shb.present import charts, drawing, lifecycle, periods, provenance, steering, text, urlstate, views
from shb.present.cache import FileCache, SharedCache
from shb.store.db import Database

TEMPLATES = Path(__file__).parent / "templates"
CHROMIUM = ("chromium", "/usr/bin/chromium", "chromium-browser")
TABLE_YEARS = 5


def _css(trend) -> str:
    return "" if trend.better is None else ("better" if trend.better else "worse")


def _table(c: views.Comparison, year: int) -> tuple[list[str], list[list[str]]]:
    """The last few years of the set, the rest of the city and the city, formatted."""
    ind = c.indicator
    d = fmt.decimals_for(ind.unit)
    series = [s for s in ("focus", "rest", "city") if s in set(c.frame.series)]
    head = [c.frame.loc[c.frame.series == s, "label"].iloc[0] for s in series]
    years = sorted(y for y in set(c.frame.year) if y <= year)[-TABLE_YEARS:]
    first = measures.values_at(c.frame)  # `measures.value_at` of every cell, looked up once for the table
    rows = []
    for y in years:
        cells = [fmt.value_with_unit(float(first.get((s, y), np.nan)), ind.unit, ind.unit_label, d) for s in series]
        rows.append([str(y), *cells])
    return head, rows


def _draw(chart) -> str:
    """A chart of the report as SVG: the builders' specs are valid by construction (tested against the
    schema), so the schema check is skipped; laid out once (`charts.export_svg`'s `fit`), the page scales
    it to its column."""
    return charts.export_svg(chart, validate=False, fit=False)


def _drawer(painter: drawing.Painter) -> Callable[[object], Future]:
    """`_draw` as a Future, the chart drawn by `painter`'s worker processes (charts.export_svg_later)."""
    return lambda chart: charts.export_svg_later(chart, painter, validate=False, fit=False)


def _figure(chart, draw: Callable[[object], object]) -> dict:
    """A chart of the report as a figure: its title and subtitle lines as the page's own text, above a
    drawing without them (`draw`'s SVG, or a Future of it).

    In the page the words can be selected, found in the PDF and read aloud by a screen reader; drawn, they
    were the dearest part of a chart: vl-convert lays out every glyph from the font file to measure it, and
    the titles took a fifth of the report's drawing. The chart given loses its title (taken off the chart
    itself, which the report builds for this figure alone: a copy of a layered chart, even a shallow one,
    makes Altair copy every layer again); anything but a chart (the no-leak test's stand-ins give None) is
    drawn as given, and `charts.export_svg` says what is wrong with it.
    """
    if not isinstance(chart, alt.TopLevelMixin):
        return {"title": "", "subtitle": [], "svg": draw(chart)}
    title, chart.title = chart.title, alt.Undefined
    title = title.to_dict(validate=False) if isinstance(title, alt.SchemaBase) else (
        None if title is alt.Undefined else title)
    words, lines = (title.get("text", ""), title.get("subtitle", [])) if isinstance(title, dict) else (title, [])
    return {"title": " ".join(words) if isinstance(words, list) else words or "",
            "subtitle": lines if isinstance(lines, list) else [lines], "svg": draw(chart)}


def indicator_section(database: Database, f: urlstate.Facts, ind_id: str, year: int, set_id: str,
                      demo: bool | None = None, schematic_geometry: bool = True,
                      draw: Callable[[object], object] = _draw) -> dict:
    """Everything the report says about one indicator; real or demo is the indicator's own
    (`views.origin_of`: a `demo` the database contradicts raises ValueError). Its charts go to `draw`,
    which may return a Future of the SVG (`_resolved` waits for them)."""
    ind = views.indicators(database)[ind_id]
    origin = views.origin_of(database, ind_id, demo, "indicator_section")
    years = [y for y in f.indicators[ind_id].years if y <= year]
    base = urlstate.defaults_for(f, ind_id)
    view = replace(base, jamfor=set_id, ar=years[-1] if years else base.ar,
                   till=years[-1] if years else base.till, utsnitt="tatort")
    c = views.comparison(database, view)
    trend = _figure(views.trend_chart(c), draw)
    map_figure = None
    if ind.lowest_level != "municipality" and c.year:
        map_figure = _figure(views.map_chart(database, view, c.year, height=460), draw)
    head, table = _table(c, year)
    notes = database.run("notes_for_year", indicator=ind_id, year=year)
    aims = [text.aim_sentence(ind, aim, p, title) for title, aim, p in c.aims]
    return {
        "id": ind_id, "title": ind.title, "unit_label": ind.unit_label, "sentence": c.sentence,
        "dispersion": c.dispersion_text, "trend": c.trend, "area_level": ind.lowest_level != "municipality",
        "trend_text": text.verdict_text(c.trend),
        "verdict": c.trend.verdict if ind.lowest_level != "municipality" else "kommun",
        "css": _css(c.trend), "trend_figure": trend, "map_figure": map_figure, "table_head": head, "table": table,
        "definition": ind.definition, "source": f"{ind.source}, {ind.source_ref}", "licence": ind.licence,
        "demo": origin.demo, "values_label": origin.label, "citation": origin.citation,
        "provenance": [(label, value) for label, value in (
            ("Licens för värdena", origin.licence), ("Ursprung", origin.origin), ("Hämtad", origin.retrieved),
            ("Bearbetning", origin.transformation)) if value and not origin.demo],
        "direction": DIRECTION_LABELS[ind.direction], "caveats": ind.caveats,
        "aims": aims,
        "notes": [{"area": n.area_name or n.area_code, "year": None if pd.isna(n.year) else int(n.year),
                   "author": as_typed(n.author), "body": as_typed(n.body)} for n in notes.itertuples()],
    }


STATUS_CSS = {"går åt rätt håll": "better", "går åt fel håll": "worse"}


def _target(target_id: str, title: str, sections: list[dict], analysis: dict | None = None,
            steering_text: str = "") -> dict:
    """An effektmål with its indicators and its status (measures.target_status over those followed per
    area), saying when some of those are demo, and its samlad analys for the year (or None)."""
    judged = [i for i in sections if i["area_level"]]
    status = measures.target_status(i["trend"] for i in judged)
    return {"id": target_id, "title": title, "indicators": sections, "status": status.status, "analysis": analysis,
            "steering": steering_text,
            "status_text": text.target_status_text(status), "status_css": STATUS_CSS.get(status.status, ""),
            "demo_note": text.status_demo_note(sum(i["demo"] for i in judged), len(judged))}


def analysis_of_year(database: Database, year: int) -> dict[str, dict]:
    """Per effektmål its samlad analys for `year` (the latest earlier one when that year has none), as
    typed (the template escapes it) with author, date, state and year."""
    rows = analyses.analyses(database)
    rows = rows[rows.year <= year].sort_values("year", ascending=False).drop_duplicates("target_id")
    return {r.target_id: {"year": int(r.year), "state": r.state, "author": as_typed(r.author),
                          "body": as_typed(r.body), "date": f"{r.created_at:%Y-%m-%d}",
                          "heading": text.analysis_heading(int(r.year), r.state, year)}
            for r in rows.itertuples(index=False)}


def _summary(goal_areas: list[dict]) -> list[dict]:
    out = []
    for ga in goal_areas:  # the övergripande mål (id 0) first, then the målområden
        inds = [i for t in ga["targets"] for i in t["indicators"] if i["verdict"] != "kommun"]
        counts = Counter({"minskar": 0, "ökar": 0, "oförändrad": 0, "okänd": 0})
        counts.update(i["verdict"] for i in inds)
        items = [{"title": i["title"], "text": i["trend_text"].lower(), "css": i["css"], "demo": i["demo"]}
                 for i in inds if i["verdict"] in ("minskar", "ökar")]
        targets = [{"id": t["id"], "title": t["title"], "status": t["status"], "css": t["status_css"],
                    "demo_note": t["demo_note"]} for t in ga["targets"]]
        out.append({"id": ga["id"], "title": ga["title"], "heading": ga["heading"], "counts": dict(counts),
                    "items": items, "targets": targets,
                    "demo_count": sum(i["demo"] for i in inds), "judged": len(inds)})
    return out


_SECTIONS: SharedCache[dict] = SharedCache(1024)  # per file, data version, indicator, year and set
_LIFE_COURSE: SharedCache[dict] = SharedCache(16)  # per file, data version, set and year


def _identity(database) -> tuple:
    """The data version and the file itself: a snapshot rebuilt within the same second has the same
    version id, but not the same file."""
    try:
        stat = os.stat(database.path)
        return (str(database.path), database.version, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return (str(database.path), database.version)


def _workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _resolved(section: dict) -> dict:
    """The section with every drawn chart's Future replaced by its SVG (in the section's figures too)."""
    return {k: v.result() if isinstance(v, Future) else _resolved(v) if isinstance(v, dict) and k.endswith(
        "figure") else v for k, v in section.items()}


class _Queries:
    """The database for one report: each named query with the same parameters runs once (the sections
    ask for the set's members, the areas of a level and the district members again and again); every
    caller gets its own copy of the frame. Everything else is the database's own."""

    def __init__(self, database: Database):
        self._database = database
        self._frames: SharedCache[pd.DataFrame] = SharedCache(4096)

    def run(self, name: str, **params) -> pd.DataFrame:
        key = (name, tuple(sorted((k, repr(v)) for k, v in params.items())))
        return self._frames.get(key, lambda: self._database.run(name, **params)).copy()

    def __getattr__(self, name: str):
        return getattr(self._database, name)


def _sections(database: Database, f: urlstate.Facts, ids: list[str], year: int, set_id: str,
              schematic: bool, render: drawing.Painter | None = None) -> dict[str, dict]:
    """Every indicator's section, kept per data version: a second report of the same data draws no chart
    again. The sections are built by a few threads (their queries run outside Python's lock) and hand
    each chart to `render` as soon as it is built, so the charts are drawn by its worker processes while
    later sections are still being built."""
    identity = _identity(database)
    own = render is None
    render = render or drawing.Painter(D3_LOCALE)
    draw = _drawer(render)

    def one(ind_id: str) -> dict:
        hit = _SECTIONS.peek((identity, ind_id, year, set_id, schematic))
        return hit if hit is not None else indicator_section(
            database, f, ind_id, year, set_id, schematic_geometry=schematic, draw=draw)

    try:
        with ThreadPoolExecutor(max_workers=max(2, min(4, _workers()))) as pool:
            built = list(pool.map(one, ids))
        out = {}
        for ind_id, section in zip(ids, built, strict=True):
            out[ind_id] = _resolved(section)
            _SECTIONS.put((identity, ind_id, year, set_id, schematic), out[ind_id])
        return out
    finally:
        if own:
            render.close()


def render_html(database: Database, year: int, set_id: str | None = None, period: str = "") -> str:
    """The whole report as one HTML string, for the målbild `period` ("" : the current one). Its charts
    are drawn by worker processes (shb.present.drawing), started first so that they are ready when the
    first chart is built; they are built without Altair's check of every part (`charts.unchecked`)."""
    with drawing.Painter(D3_LOCALE) as painter, charts.unchecked():
        return _render_html(database, year, set_id, period, painter)


def _render_html(database: Database, year: int, set_id: str | None, period: str, painter: drawing.Painter) -> str:
    database = _Queries(database)
    f = views.facts(database)
    set_id = set_id or f.default_set
    first, last = min(min(i.years) for i in f.indicators.values() if i.years), max(
        max(i.years) for i in f.indicators.values() if i.years)
    if not first <= year <= last:
        raise ShbError(f"Året {year} ligger utanför data ({first}–{last}).")
    snap = database.run("snapshot").iloc[0]
    counts = provenance.summary(database)
    manifest = views.geometry_manifest(database)
    schematic = geometry.is_schematic(manifest, "regso")  # the report's maps are drawn per RegSO
    map_source = geometry.source_text(manifest, "regso")
    if period and period not in set(periods.periods(database).id):
        raise ShbError(f"Okänd målbildsperiod: {period!r}. Finns: {', '.join(periods.periods(database).id)}.")
    structure = periods.structure(database, period)
    inds = views.indicators(database)
    belongs = periods.indicator_targets(database, period)
    current = periods.is_current(database, period)
    collected = analysis_of_year(database, year) if current else {}
    linked = steering.links(database) if current else steering.links(database).iloc[0:0]
    sections = _sections(database, f, [i for i in belongs if i in f.indicators and f.indicators[i].years],
                         year, set_id, schematic, painter)
    goal_first = bool((structure.goal_area_id == GOAL_AREA_ID).any())
    life_course = _life_course(database, f, set_id, year, painter) if goal_first else None
    goal_areas = []
    for ga_id, targets in structure.groupby("goal_area_id", sort=True):
        heading = text.GOAL_HEADING if ga_id == GOAL_AREA_ID else f"Målområde {ga_id}"
        goal_areas.append({"id": int(ga_id), "title": targets.goal_area_title.iloc[0], "heading": heading,
                           "responsible": targets.responsible.iloc[0], "targets": [
            _target(t.target_id, t.target_title, [
                sections[i.id] for i in inds.values() if belongs.get(i.id) == t.target_id and f.indicators[i.id].years],
                collected.get(t.target_id), text.steering_line(steering.documents_of(linked, t.target_id)))
            for t in targets.itertuples()]})
    goal = next((ga for ga in goal_areas if ga["id"] == GOAL_AREA_ID), None)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return env.get_template("report.html.j2").render(
        goal=goal, life_course=life_course if goal else None,
        goal_area_sections=[ga for ga in goal_areas if ga["id"] != GOAL_AREA_ID],
        programme=database.run("programme").iloc[0], year=year, version=snap.version, kind=counts.kind,
        real_count=counts.real, demo_count=counts.demo, total_count=counts.total, demo_text=text.DEMO_TEXT,
        set_title=views.set_members(database, set_id)[0], created=datetime.now().strftime("%Y-%m-%d %H:%M"),
        summary=_summary(goal_areas), goal_areas=goal_areas, schematic=schematic, map_source=map_source,
        significance_method=text.SIGNIFICANCE_METHOD, min_population_share=measures.MIN_POPULATION_SHARE,
        window_words=text.number_word(measures.TREND_WINDOW), change_rule=text.change_rule(),
        steering_basis=linked.basis.iloc[0] if len(linked) else "", period_title=periods.title(database, period))


LIFE_COURSE_WORST = 3  # the largest gaps named per life stage


def _life_course(database: Database, f: urlstate.Facts, set_id: str, year: int, render: drawing.Painter) -> dict:
    """`life_course_section`, kept per data version, its charts drawn by `render`."""
    key = (_identity(database), set_id, year)
    hit = _LIFE_COURSE.peek(key)
    if hit is not None:
        return hit
    section = life_course_section(database, f, set_id, year, draw=_drawer(render))
    section["gradients"] = [_resolved(g) for g in section["gradients"]]
    _LIFE_COURSE.put(key, section)
    return section


def life_course_section(database: Database, f: urlstate.Facts, set_id: str, year: int,
                        draw: Callable[[object], object] = _draw) -> dict:
    """The life-cycle summary for the övergripande mål's section: per life stage the sentence and the
    largest gaps on the worse side (as on the Livscykeln page), and the social gradient of every goal
    indicator with an utbildning dimension (chart and sentences). Values up to `year`."""
    rows = lifecycle.life_course(database, set_id)
    rows = rows[rows.year.isna() | (rows.year <= year)]
    set_title = views.set_members(database, set_id)[0]
    summaries = lifecycle.stage_summaries(rows, set_title)
    stages = []
    for stage in lifecycle.STAGES:
        r = rows[(rows.stage == stage) & (rows.severity > 0)].head(LIFE_COURSE_WORST)
        stages.append({"label": text.life_stage_label(stage), "sentence": summaries.get(stage, ""),
                       "worst": [{"title": w.title, "gap": w.gap_text, "severity": w.severity_text,
                                  "trend": w.trend_text, "demo": bool(w.demo)} for w in r.itertuples()]})
    gradients = []
    for ind in views.indicators(database).values():
        if not ind.goal_level or "utbildning" not in ind.groups or not f.indicators[ind.id].years:
            continue
        g = lifecycle.gradient(database, replace(urlstate.defaults_for(f, ind.id), jamfor=set_id))
        if g is not None:
            gradients.append({"title": ind.title, "figure": _figure(g.chart, draw), "sentences": g.sentences,
                              "note": g.note})
    return {"stages": stages, "gradients": gradients}


def chromium_binary() -> str:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise ShbError("PDF kräver chromium (Debian-paketet chromium); HTML-rapporten skapades ändå.")


def html_to_pdf(html_file: Path, pdf_file: Path, timeout: float = 180) -> None:
    """Print an HTML file to PDF with headless chromium (no network, a throwaway profile)."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf_file}",
               html_file.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0 or not pdf_file.exists() or pdf_file.stat().st_size == 0:
        raise ShbError(f"Chromium kunde inte skapa PDF:en: {done.stderr.decode(errors='replace')[-300:]}")


REPORT_CACHE = ".reports"  # beside the database file; hidden, so never taken for a kept snapshot
CODE_PARTS = (("shb", "*.py"), ("shb/present/templates", "*"), ("queries", "*.sql"))


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code, templates and queries that write the report: a cached report is never
    served by a program that would write it differently."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder, pattern in CODE_PARTS:
        for path in sorted((root / folder).rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def report_cache(database: Database) -> FileCache:
    """Where built reports are kept: `.reports/` beside the database file."""
    return FileCache(Path(database.path).parent / REPORT_CACHE)


def _report_key(database: Database, year: int, set_id: str | None, period: str) -> tuple:
    """What the report depends on: the data (version and file), the geometry drawn in its maps, the
    chosen year, set and period, and the program."""
    manifest = json.dumps(views.geometry_manifest(database), sort_keys=True, default=str)
    return (_identity(database), manifest, int(year), set_id or "", period or "", code_fingerprint())


def report_html(database: Database, year: int, set_id: str | None = None, period: str = "") -> str:
    """The HTML report as text, kept like `build`'s (the app's download: built once per data version)."""
    with tempfile.TemporaryDirectory(prefix="shb-rapport-") as tmp:
        out = Path(tmp) / "rapport.html"
        build(database, year, out, None, set_id, period)
        return out.read_text(encoding="utf-8")


def build(database: Database, year: int, out: Path, pdf: Path | None = None, set_id: str | None = None,
          period: str = "") -> dict[str, bool]:
    """Write the HTML report (and the PDF when asked). Both are built once per data version (and year,
    set, period, geometry and program) and kept beside the database (`report_cache`), so writing the
    same report again only copies the files; says per file whether it was kept."""
    key = _report_key(database, year, set_id, period)
    files = report_cache(database)
    try:
        files.folder.mkdir(parents=True, exist_ok=True)
        usable = os.access(files.folder, os.W_OK)
    except OSError:  # no place to keep it (a read-only folder): built for this call only
        usable = False
    out.parent.mkdir(parents=True, exist_ok=True)
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
    if not usable:
        out.write_text(render_html(database, year, set_id, period), encoding="utf-8")
        if pdf is not None:
            html_to_pdf(out, pdf)
        return {"html": False, "pdf": False} if pdf is not None else {"html": False}
    html_file, html_kept = files.get((key, "html"), ".html", lambda part: part.write_text(
        render_html(database, year, set_id, period), encoding="utf-8"))
    shutil.copyfile(html_file, out)
    kept = {"html": html_kept}
    if pdf is not None:
        pdf_file, kept["pdf"] = files.get((key, "pdf"), ".pdf", lambda part: html_to_pdf(html_file, part))
        shutil.copyfile(pdf_file, pdf)
    return kept
