"""Frames and charts for the Livscykeln page, the övergripande mål on Översikt and the report: the chosen
set against the rest of the city per life stage, and the social gradient by education level."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from shb.analysis import catalog_wide, lifecycle, measures
from shb.core import format as fmt
from shb.core.catalog import GOAL_TARGET, LIFE_STAGE_ORDER
from shb.present import charts, provenance, text, views
from shb.present.urlstate import View
from shb.store.db import Database

# The panels of Livscykeln, in order: the four stages, then the indicators that concern every age (`alla`)
# once, not repeated in every stage.
STAGES = (*LIFE_STAGE_ORDER, "alla")
STAGE_COLUMNS = ["stage", "stage_label", "indicator_id", "title", "goal_level", "year", "focus", "rest", "city",
                 "gap", "severity", "verdict", "better", "area_level", "focus_text", "rest_text", "city_text",
                 "gap_text", "severity_text", "trend_text", "demo", "source_text", "stage_gap"]


def life_course(database: Database, set_id: str) -> pd.DataFrame:
    """One row per life stage × indicator that concerns it (`alla` is a panel of its own): the set and the
    rest of the city in the indicator's latest year, the gap, how much worse or better the set is
    (`severity`), the gap's trend, and whether the values are real or demo. Within a stage the worst gaps
    come first; indicators that exist for the kommun only come last."""
    inds = views.indicators(database)
    origins = provenance.sources(database)
    _, members = views.set_members(database, set_id)
    numbers = catalog_wide.set_rest_gaps(inds, database.run("city_values"),
                                         database.run("set_member_sums", set_id=set_id), members)
    out = []
    for n in numbers.itertuples(index=False):
        ind_id, ind = n.indicator_id, inds[n.indicator_id]
        g = lifecycle.StageGap(ind_id, n.year, n.focus, n.rest, n.city, n.gap, n.severity, n.trend, n.area_level)
        d = fmt.decimals_for(ind.unit)
        base = {
            "indicator_id": ind_id, "title": ind.title, "goal_level": ind.target == GOAL_TARGET, "year": g.year,
            "focus": g.focus, "rest": g.rest, "city": g.city, "gap": g.gap, "severity": g.severity,
            "verdict": g.trend.verdict, "better": g.trend.better, "area_level": g.area_level,
            "focus_text": fmt.value_with_unit(g.focus, ind.unit, ind.unit_label, d),
            "rest_text": fmt.value_with_unit(g.rest, ind.unit, ind.unit_label, d),
            "city_text": fmt.value_with_unit(g.city, ind.unit, ind.unit_label, d),
            "gap_text": fmt.difference(g.gap, ind.unit, ind.unit_label, d),
            "severity_text": text.severity_cell(g.severity), "trend_text": text.verdict_cell(g.trend),
            "demo": origins[ind_id].demo, "source_text": origins[ind_id].cell, "stage_gap": g,
        }
        out += [{**base, "stage": stage, "stage_label": text.life_stage_label(stage)} for stage in ind.life_stages]
    frame = pd.DataFrame(out, columns=STAGE_COLUMNS)
    order = {s: n for n, s in enumerate(STAGES)}
    catalog_order = {i: n for n, i in enumerate(inds)}
    frame = frame.assign(_stage=frame.stage.map(order), _worse=-frame.severity.astype(float),
                         _no_set=~frame.area_level.astype(bool), _catalog=frame.indicator_id.map(catalog_order))
    frame = frame.sort_values(["_stage", "_no_set", "_worse", "_catalog"], na_position="last")
    return frame.drop(columns=["_stage", "_worse", "_no_set", "_catalog"]).reset_index(drop=True)


def stage_summaries(rows: pd.DataFrame, set_title: str) -> dict[str, str]:
    """Per life stage (in order) the sentence of `text.stage_sentence`, from `life_course` rows."""
    titles = dict(zip(rows.indicator_id, rows.title))
    return {stage: text.stage_sentence(stage, rows.loc[rows.stage == stage, "stage_gap"].tolist(), titles, set_title)
            for stage in STAGES if (rows.stage == stage).any()}


@dataclass(frozen=True)
class Gradient:
    """The social gradient of one indicator: the chart's frame (latest year), the gradient per series and
    year, the verdict per series, the sentences, and a note when areas cannot be compared."""

    year: int
    frame: pd.DataFrame  # group_value, group_label, series, label, value (the chart's rows)
    gradient: pd.DataFrame  # series, year, low, high, difference
    trends: dict[str, measures.GapTrend]
    sentences: list[str]
    note: str | None
    chart: object


def gradient_frame(database: Database, view: View) -> pd.DataFrame:
    """year, series (focus, city), group_value, value for every education level of the view's indicator:
    the set from its RegSO's summed counts (none for a kommun-level indicator), the city as published."""
    ind = views.indicators(database)[view.indikator]
    _, members = views.set_members(database, view.jamfor)
    city = database.run("indicator_values", indicator=ind.id, level="municipality", group_dim="utbildning")
    area = (city.iloc[0:0] if ind.lowest_level == "municipality"
            else database.run("indicator_values", indicator=ind.id, level="regso", group_dim="utbildning"))
    parts = [measures.comparison(ind, area, city, members, value).assign(group_value=value)
             for value in lifecycle.EDUCATION if value in ind.groups.get("utbildning", [])]
    if not parts:
        return pd.DataFrame(columns=["year", "series", "group_value", "value"])
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame.series.isin(["focus", "city"])][["year", "series", "group_value", "value"]].reset_index(
        drop=True)


def gradient(database: Database, view: View) -> Gradient | None:
    """The gradient for the view's indicator in its latest year with city values, or None when the indicator
    has no utbildning dimension or no value by education level at all."""
    ind = views.indicators(database)[view.indikator]
    if "utbildning" not in ind.groups:
        return None
    long = gradient_frame(database, view)
    known = long[(long.series == "city") & long.value.notna()]
    if known.empty:
        return None
    year = int(known.year.max())
    set_title, _ = views.set_members(database, view.jamfor)
    labels = views.group_labels(database)
    names = text.series_labels(set_title)
    shown = long[long.year == year]
    if ind.lowest_level == "municipality":
        shown = shown[shown.series == "city"]
    frame = shown.assign(group_label=[labels[("utbildning", v)] for v in shown.group_value],
                         label=shown.series.map(names)).reset_index(drop=True)
    grad = lifecycle.gradient(long)
    trends, sentences = {}, []
    for series in ("focus", "city"):
        latest = grad[(grad.series == series) & (grad.year == year)]
        if latest.empty:
            continue
        trends[series] = lifecycle.gradient_trend(ind, grad, series, year)
        sentences.append(text.gradient_sentence(ind, names[series], trends[series],
                                                float(latest.difference.iloc[0]), year))
    note = text.GRADIENT_MUNICIPALITY_ONLY.format(set_title=set_title) if ind.lowest_level == "municipality" else None
    origin = views.origin_of(database, ind.id, None, "gradient")
    chart = charts.gradient_chart(frame, title=text.gradient_title(ind, year), unit_label=ind.unit_label,
                                  direction_label=views.subtitle(ind), decimals=fmt.decimals_for(ind.unit),
                                  demo=origin.demo, citation=origin.citation)
    return Gradient(year, frame, grad, trends, sentences, note, chart)


def goal_rows(ov: pd.DataFrame) -> pd.DataFrame:
    """The övergripande mål's indicators from `views.overview` rows, in catalog order."""
    return ov[ov.target_id == GOAL_TARGET].reset_index(drop=True)

