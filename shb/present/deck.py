"""Presentation views and the bildspel (deck), as data: what one slide shows (its stating title, one
caption line, the chart without its own title, the plain sentence for the speaker) and which slides a
deck has. No Streamlit here; the app, the PowerPoint/PDF export and the command line share it.

A slide is addressed by a view URL relative to the app, e.g. ``god_start?diagram=effektmal`` or
``karta?indikator=…&ar=2024``; a deck is an ordered list of such URLs with a title.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode, urlsplit

import altair as alt
import pandas as pd

from shb.analysis import measures
from shb.core.catalog import GOAL_AREA_ID
from shb.present import charts, lifecycle, priorities, text, urlstate, views
from shb.present.urlstate import Facts, View
from shb.store.db import Database

CAPTION_SEPARATOR = " · "
# The URL path of each page a slide can show (shb.web.site.PAGES names the scripts; a test keeps the
# two in step): "" is the start page, then the three målområden and the map.
GOAL_AREA_PATHS = {1: "god_start", 2: "arbete", 3: "boende"}
MAP_PATH = "karta"
OVERVIEW_PATH = ""
LIFE_CYCLE_PATH = "livscykeln"
TOP_GAPS = 3  # the largest gaps per stage of life on the Livscykeln slide
PRIORITY_PATH = "prioritering"
PRIORITY_ROWS = 6  # the first effektmål of the ranking on the Prioritering slide
PRIORITY_TOP = 3  # the effektmål its title names
WIDENING_SLIDES = 3  # how many of the most widening gaps the default deck shows


@dataclass(frozen=True)
class Slide:
    """What one presentation view shows."""

    title: str  # states the message, at most two lines on a screen
    caption: str  # one line: direction, source or demo, schematic geometry
    spec: dict | None  # the chart as Vega-Lite, without its own title (the slide's title says it)
    sentence: str  # the plain-Swedish sentence (speaker notes)
    demo: bool
    url: str = ""
    lines: tuple[str, ...] = field(default=())  # extra lines a summary slide lists


def chart_slide(title: str, spec: dict | None, sentence: str = "", demo: bool = False, url: str = "") -> Slide:
    """A slide of one chart: the chart's own title goes (the slide title states the message) and its
    subtitle lines become one caption line."""
    if spec is None:
        return Slide(title, "", None, sentence, demo, url)
    spec = copy.deepcopy(spec)
    own = spec.pop("title", None)
    lines = own.get("subtitle", []) if isinstance(own, dict) else []
    lines = [lines] if isinstance(lines, str) else list(lines)
    return Slide(title, CAPTION_SEPARATOR.join(lines), spec, sentence, demo, url)


def slide_url(path: str, params: dict[str, str]) -> str:
    """A slide's view URL relative to the app: ``path?a=1&b=2`` (only the path when no parameters)."""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)}, safe=",:")
    return f"{path}?{query}" if query else path


def split_url(url: str) -> tuple[str, dict[str, list[str]]]:
    """A slide URL as its page path ("" for the start page) and query parameters; a full address
    (``http://host/karta?…``) is read the same way."""
    parts = urlsplit(url.strip())
    return parts.path.strip("/"), parse_qs(parts.query, keep_blank_values=False)


def widening(ov: pd.DataFrame, n: int = WIDENING_SLIDES) -> list[str]:
    """The indicators, followed per area, whose gap to the city widens most (`views.overview` rows):
    verdict "ökar", the largest growth in the gap's size first."""
    rows = ov[ov.area_level & (ov.verdict == "ökar")]
    change = rows.trend.map(lambda t: t.change)
    return rows.assign(change=change).sort_values("change", ascending=False).indicator_id.head(n).tolist()


def default_deck(ov: pd.DataFrame, set_id: str, n: int = WIDENING_SLIDES) -> list[str]:
    """The default deck: the övergripande mål summary, its largest gaps over the life course, one slide per
    målområde (the status of its effektmål), the effektmål to prioritise, then the gap chart of each indicator
    whose gap widens most."""
    presentation = {"jamfor": set_id}
    slides = [slide_url(OVERVIEW_PATH, presentation), slide_url(LIFE_CYCLE_PATH, presentation)]
    slides += [slide_url(GOAL_AREA_PATHS[g], {"diagram": "effektmal", **presentation})
               for g in sorted(GOAL_AREA_PATHS)]
    on_pages = ov[ov.goal_area_id.isin(list(GOAL_AREA_PATHS))]
    goal_area_of = dict(zip(on_pages.indicator_id, on_pages.goal_area_id))
    slides.append(slide_url(PRIORITY_PATH, presentation))
    slides += [slide_url(GOAL_AREA_PATHS[int(goal_area_of[i])], {"indikator": i, "diagram": "skillnad", **presentation})
               for i in widening(on_pages, n)]
    return slides


# --- summary slides: the övergripande mål and each målområde -------------------------------------

VERDICT_ORDER = ("minskar", "oförändrad", "ökar", "okänd")
VERDICT_COLOURS = ("#0072b2", "#999999", "#d55e00", "#dddddd")  # Okabe–Ito blue/orange, greys
STAGE_COLOURS = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7")  # Okabe–Ito, one per stage of life


def verdict_counts(ov: pd.DataFrame, by: str, keys: list) -> pd.DataFrame:
    """Per `by` ("goal_area_id" or "target_id", every one of `keys`) how many indicators followed per
    area have a gap that closes, stays, widens or cannot be judged (`views.overview` rows); one row per
    key × verdict."""
    area = ov[ov.area_level]
    counts = (area.groupby([by, "verdict"]).size().unstack(fill_value=0)
              .reindex(index=keys, columns=list(VERDICT_ORDER), fill_value=0).rename_axis(by))
    return counts.reset_index().melt(id_vars=by, var_name="verdict", value_name="count")


def status_chart(counts: pd.DataFrame, labels: dict, by: str) -> alt.Chart:
    """Stacked bars, one per målområde or effektmål: how many gaps close, stay, widen or cannot be judged."""
    frame = counts.assign(label=counts[by].map(labels),
                          verdict_text=counts.verdict.map(text.VERDICT_LEGEND),
                          order=counts.verdict.map({v: n for n, v in enumerate(VERDICT_ORDER)}))
    legend = [text.VERDICT_LEGEND[v] for v in VERDICT_ORDER]
    height = max(160, 46 * frame.label.nunique())
    chart = alt.Chart(alt.Data(values=charts.records(frame, ["label", "verdict_text", "count", "order"]))).mark_bar(
        height={"band": 0.7}).encode(
        y=alt.Y("label:N", title=None, sort=list(dict.fromkeys(frame.label)),
                axis=alt.Axis(labelLimit=520, labelFontSize=charts.FONT_SIZES["axis_label"])),
        x=alt.X("count:Q", title=text.COUNT_AXIS, stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("verdict_text:N", title=None, scale=alt.Scale(domain=legend, range=list(VERDICT_COLOURS)),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("verdict_text:N", title=""),
                 alt.Tooltip("count:Q", title=text.COUNT_AXIS)],
    ).properties(width="container", height=height)
    return charts.finish_chart(chart)


def goal_slide(ov: pd.DataFrame, structure: pd.DataFrame, programme, demo: bool, caption: str) -> Slide:
    """The övergripande mål: for its own health indicators and per målområde how many gaps close and widen
    (the same indicators Översikt's leadership summary counts)."""
    structure = structure[structure.goal_area_id.isin([GOAL_AREA_ID, *GOAL_AREA_PATHS])]
    labels = {int(g): text.GOAL_BAR_LABEL if int(g) == GOAL_AREA_ID else f"{g}. {t}"
              for g, t in zip(structure.goal_area_id, structure.goal_area_title)}
    counts = verdict_counts(ov, "goal_area_id", list(labels))
    totals = counts.groupby("verdict")["count"].sum()
    title = text.goal_summary_title(programme.goal_title, int(totals.get("minskar", 0)), int(totals.get("ökar", 0)),
                                    int(totals.sum()))
    spec = status_chart(counts, labels, "goal_area_id").to_dict()
    return Slide(title, caption, spec, text.goal_summary_sentence(programme.goal_title, totals.to_dict()), demo,
                 slide_url(OVERVIEW_PATH, {}))


def goal_area_slide(ov: pd.DataFrame, structure: pd.DataFrame, goal_area_id: int, demo: bool,
                    caption: str) -> Slide:
    """A målområde: the status of each effektmål, and per effektmål how many gaps close and widen."""
    ga = structure[structure.goal_area_id == goal_area_id]
    labels = {t: f"{t} {title}" for t, title in zip(ga.target_id, ga.target_title)}
    rows = ov[ov.target_id.isin(list(labels))]
    area = rows[rows.area_level]
    statuses = [measures.target_status(area.loc[area.target_id == t, "trend"]) for t in labels]
    counts = verdict_counts(rows, "target_id", list(labels))
    title = text.goal_area_slide_title(goal_area_id, ga.goal_area_title.iloc[0], [s.status for s in statuses])
    lines = tuple(f"{t}: {text.target_status_badge(s)[1]}. {text.target_status_text(s)}"
                  for t, s in zip(labels, statuses))
    spec = status_chart(counts, labels, "target_id").to_dict()
    return Slide(title, caption, spec, " ".join(lines), demo, slide_url(GOAL_AREA_PATHS[goal_area_id],
                                                                          {"diagram": "effektmal"}), lines)


def life_course_slide(database: Database, set_id: str) -> Slide:
    """Livscykeln as one chart: per stage of life (not the panel for every age) its `TOP_GAPS` largest gaps on
    the worse side, in percent worse than the rest of the city, under a title naming the largest of all."""
    rows = lifecycle.life_course(database, set_id)
    set_title = views.set_members(database, set_id)[0]
    worse = rows[rows.area_level.astype(bool) & (rows.severity.astype(float) > 0) & (rows.stage != "alla")]
    top = worse.groupby("stage", sort=False).head(TOP_GAPS)  # each stage's rows come worst first
    demo = bool(top.demo.any())
    summaries = lifecycle.stage_summaries(rows[rows.stage != "alla"], set_title)
    url = slide_url(LIFE_CYCLE_PATH, {})
    if top.empty:
        return Slide(f"{text.LIFE_CYCLE_TITLE}: {set_title} är inte sämre än övriga staden i någon indikator",
                     "", None, " ".join(summaries.values()), demo, url)
    worst = top.loc[top.severity.astype(float).idxmax()]
    frame = top.assign(label=top.stage_label + ": " + top.title, percent=100 * top.severity.astype(float))
    chart = alt.Chart(alt.Data(values=charts.records(frame, ["label", "stage_label", "percent", "severity_text",
                                                             "year"]))).mark_bar(height={"band": 0.7}).encode(
        y=alt.Y("label:N", title=None, sort=list(frame.label),
                axis=alt.Axis(labelLimit=560, labelFontSize=charts.FONT_SIZES["axis_label"])),
        x=alt.X("percent:Q", title=text.SEVERITY_AXIS),
        color=alt.Color("stage_label:N", title=None, sort=list(dict.fromkeys(frame.stage_label)),
                        scale=alt.Scale(domain=list(dict.fromkeys(frame.stage_label)), range=list(STAGE_COLOURS)),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("severity_text:N", title=text.SEVERITY_AXIS),
                 alt.Tooltip("year:Q", title="År")],
    ).properties(width="container", height=max(160, 34 * len(frame)))
    return Slide(text.life_course_slide_title(worst.stage, worst.title, float(worst.severity), int(worst.year)),
                 text.life_course_slide_caption(TOP_GAPS, set_title, demo), charts.finish_chart(chart).to_dict(),
                 " ".join(summaries.values()), demo, url)


def priority_slide(database: Database, set_id: str, period: str = "") -> Slide:
    """Prioritering as one chart: the first `PRIORITY_ROWS` effektmål of the ranking with their målvärden that
    are and are not reached in time at the recent pace, under a title naming the ones to take first."""
    ov = views.overview(database, set_id)
    ranked = priorities.priorities(database, set_id, ov, period)
    set_title = views.set_members(database, set_id)[0]
    demo = bool(ov.demo.any())
    head = ranked.head(PRIORITY_TOP)
    title = text.priority_presentation_title(head.target_id.tolist(), int(head.off_track.sum()), int(head.aims.sum()))
    caption = text.priority_presentation_caption(set_title) + (f" · {text.DEMO_TEXT}" if demo else "")
    shown = ranked.head(PRIORITY_ROWS)
    labels = [f"{r}. {t} {name}" for r, t, name in zip(shown["rank"], shown.target_id, shown.target_title, strict=True)]
    frame = pd.DataFrame({"label": labels * 2, "kind": [text.AIM_LEGEND["off"]] * len(shown) + [text.AIM_LEGEND["on"]]
                          * len(shown), "count": [*shown.off_track.astype(int), *(shown.aims - shown.off_track).astype(int)],
                          "order": [0] * len(shown) + [1] * len(shown)})
    legend = [text.AIM_LEGEND["off"], text.AIM_LEGEND["on"]]
    chart = alt.Chart(alt.Data(values=charts.records(frame, ["label", "kind", "count", "order"]))).mark_bar(
        height={"band": 0.7}).encode(
        y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=560,
                                                                   labelFontSize=charts.FONT_SIZES["axis_label"])),
        x=alt.X("count:Q", title=text.AIM_COUNT_AXIS, stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=legend, range=[VERDICT_COLOURS[2],
                                                                                    VERDICT_COLOURS[0]]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("kind:N", title=""),
                 alt.Tooltip("count:Q", title=text.AIM_COUNT_AXIS)],
    ).properties(width="container", height=max(160, 46 * len(shown)))
    sentence = " ".join(text.priority_slide_line(*r) for r in zip(
        labels, shown.off_track.astype(int), shown.aims.astype(int), shown.widening.astype(int),
        shown.judged.astype(int), shown.status, strict=True))
    return Slide(title, caption, charts.finish_chart(chart).to_dict(), sentence, demo, slide_url(PRIORITY_PATH, {}))


# --- any slide from its URL (the Bildspel page, the export and the command line) ------------------

def indicator_slide(database: Database, view: View, kind: str, map_height: int = 560) -> Slide:
    """The view's indicator as one chart (`kind`: trend, skillnad, rangordning or karta) under a title
    that states the message; the gap chart falls back to the trend when no year has a gap."""
    c = views.comparison(database, view)
    if kind == "karta":
        chart = views.map_chart(database, view, view.ar, height=map_height)
    elif kind == "rangordning" and c.year and not views.ranking_frame(database, view, c.members, c.year).empty:
        chart = views.ranking_chart(database, view, c)
    elif kind == "skillnad" and not c.gaps.dropna().empty:
        chart = views.gap_chart(c)
    else:
        chart = views.trend_chart(c)
    return chart_slide(text.presentation_title(c), chart.to_dict(), c.sentence, c.origin.demo)


def summary_slide(database: Database, set_id: str, goal_area: int = 0) -> Slide:
    """The övergripande mål summary (goal_area 0) or one målområde's effektmål, for the set."""
    ov = views.overview(database, set_id)
    structure = database.run("goal_structure")
    set_title = views.set_members(database, set_id)[0]
    demo = bool(ov[ov.area_level].demo.any())
    caption = text.summary_caption(set_title, demo)
    if goal_area:
        return goal_area_slide(ov, structure, goal_area, demo, caption)
    return goal_slide(ov, structure, database.run("programme").iloc[0], demo, caption)


def build_slide(database: Database, url: str, facts: Facts) -> Slide | None:
    """The slide a view URL shows, its parameters checked as a link's are; None for a page that has no
    presentation view. The slide keeps its URL."""
    path, params = split_url(url)
    view = urlstate.parse(params, facts)
    goal_area = next((g for g, p in GOAL_AREA_PATHS.items() if p == path), None)
    if path == OVERVIEW_PATH:
        slide = summary_slide(database, view.jamfor)
    elif goal_area is not None and view.diagram == "effektmal":
        slide = summary_slide(database, view.jamfor, goal_area)
    elif goal_area is not None:
        slide = indicator_slide(database, view, view.diagram or "trend")
    elif path == MAP_PATH:
        slide = indicator_slide(database, view, "karta")
    elif path == LIFE_CYCLE_PATH:
        slide = life_course_slide(database, view.jamfor)
    elif path == PRIORITY_PATH:
        slide = priority_slide(database, view.jamfor, view.period)
    else:
        return None
    return replace(slide, url=url)
