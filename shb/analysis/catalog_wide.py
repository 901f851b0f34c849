"""The overview's numbers for every indicator at once: one vectorised pass over all their rows.

`measures.comparison`, `gaps`, `latest_year` and `gap_trend` answer for one indicator; a catalog of
thousands of indicators asked one at a time costs tens of milliseconds each. `set_overview` gives the
same numbers for all of them from the `city_values` and `set_member_sums` queries' rows, with grouped
pandas operations over the whole frame: the set's value per indicator and year (from its members' sums
by `set_sums.set_from_sums`, the rules `measures.set_values` follows), the city's, their difference,
the latest year, and the gap's trend over `measures.TREND_WINDOW` years with the same threshold and
verdict as `measures.gap_trend`. Numbers only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shb.analysis import measures, set_sums
from shb.core.catalog import Indicator

SPARK_POINTS = 8  # differences kept for the sparkline


def _catalog_frame(indicators: dict[str, Indicator]) -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": list(indicators),
        "kind": [i.kind for i in indicators.values()],
        "scale": [np.nan if i.scale is None else float(i.scale) for i in indicators.values()],
        "unit": [i.unit for i in indicators.values()],
        "direction": [i.direction for i in indicators.values()],
        "survey": [bool(i.survey) for i in indicators.values()],
        "area_level": [i.lowest_level != "municipality" for i in indicators.values()],
    }).set_index("indicator_id")


def _trends(cat: pd.DataFrame, diffs: pd.DataFrame, end: pd.Series, city: pd.Series) -> pd.DataFrame:
    """Per indicator the gap trend as `measures.gap_trend(ind, gaps, end, city_value=city)` judges it."""
    d = diffs.dropna(subset=["difference"])
    d = d[(d.year <= d.indicator_id.map(end)) & (d.year >= d.indicator_id.map(end) - measures.TREND_WINDOW)]
    g = d.groupby("indicator_id", sort=False)
    out = pd.DataFrame({"n": g.size(), "start_year": g.year.first(), "end_year": g.year.last(),
                        "start": g.difference.first(), "end": g.difference.last()})
    x, y = d.year.astype(float), d.difference.astype(float)
    xm, ym = d.indicator_id.map(g.year.mean()), d.indicator_id.map(g.difference.mean())
    sxy = ((x - xm) * (y - ym)).groupby(d.indicator_id, sort=False).sum()
    sxx = ((x - xm) ** 2).groupby(d.indicator_id, sort=False).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["slope"] = sxy / sxx
    out = out[out.n >= 2]
    unit, direction = cat.unit.reindex(out.index), cat.direction.reindex(out.index)
    city_value = city.reindex(out.index)
    floor = np.where(unit == "procent", measures.MIN_CHANGE["procent"],
                     np.where(city_value.isna(), 0.0, measures.CITY_SHARE_MIN_CHANGE * city_value.abs()))
    threshold = np.maximum(floor, measures.RELATIVE_MIN_CHANGE * out.start.abs())
    out["change"] = out.end.abs() - out.start.abs()
    out["verdict"] = np.where(out.change.abs() < threshold, "oförändrad",
                              np.where(out.change < 0, "minskar", "ökar"))
    signed = out.end - out.start
    better = np.where(direction == "balance", out.change < 0,
                      np.where(direction == "higher", signed > 0, signed < 0))
    out["better"] = pd.Series(better, index=out.index, dtype=object).where(out.verdict != "oförändrad", None)
    return out


def _ids_and_years(order: np.ndarray, year: pd.Series) -> dict[str, list]:
    """The result's first columns: the indicators (by id) and each one's year (None without values)."""
    return {"indicator_id": order, "year": [None if np.isnan(y) else int(y) for y in year.to_numpy(dtype=float)]}


def _trend_list(trends: pd.DataFrame, order: np.ndarray) -> list[measures.GapTrend]:
    """Each indicator's `GapTrend` (from `_trends`' rows; "okänd" for one without), in `order`."""
    by_id = dict(zip(trends.index, trends.itertuples(index=False)))
    return [_trend(by_id.get(i)) for i in order]


def _trend(row) -> measures.GapTrend:
    if row is None:
        return measures.GapTrend(None, None, np.nan, np.nan, np.nan, np.nan, "okänd", None)
    return measures.GapTrend(int(row.start_year), int(row.end_year), float(row.start), float(row.end),
                             float(row.change), float(row.slope), row.verdict,
                             None if row.better is None else bool(row.better))


def _series_frame(cat: pd.DataFrame, city_rows: pd.DataFrame, sums: pd.DataFrame, members: list[str],
                  till: int | None = None, counts: bool = False) -> tuple[np.ndarray, pd.DataFrame]:
    """The indicators (by id) and one row per indicator and year (sorted): the city's value (`city`; its
    first row in a year, hidden as NaN) and the set's (`focus`; only for an indicator followed per area,
    with members: `has_set`), years after `till` left out. With `counts`, also what the rest of the city is
    made from: the city's and the set's numerator, denominator and population (`city_numerator`, …,
    `focus_population`; the city's population also where its value is hidden, as `measures._city_values`)
    and whether the set is `complete`."""
    order = pd.Index(city_rows.indicator_id.unique()).union(sums.indicator_id.unique()).to_numpy()
    c = city_rows.drop_duplicates(["indicator_id", "year"])
    at = pd.MultiIndex.from_arrays([c.indicator_id, c.year])
    city = pd.Series(c.value.where(c.status == "ok").astype(float).to_numpy(), index=at, dtype=float)
    with_set = cat.index[cat.area_level] if members else cat.index[:0]
    s = sums[sums.indicator_id.isin(with_set)]
    of = cat.reindex(s.indicator_id)
    sets = set_sums.set_from_sums(s, of.kind.to_numpy(), of.scale.to_numpy(), of.survey.to_numpy(dtype=bool),
                                  len(members))
    sets.index = pd.MultiIndex.from_arrays([s.indicator_id, s.year])
    # The years of each indicator: the city's, and for one followed per area also its members'.
    keys = city.index.union(sets.index) if len(sets) else city.index
    columns = {"city": city.reindex(keys), "focus": sets.value.astype(float).reindex(keys)}
    if counts:
        ok = (c.status == "ok").to_numpy()
        for name in ("numerator", "denominator", "population"):
            v = c[name].to_numpy(dtype=float, na_value=np.nan)
            columns[f"city_{name}"] = pd.Series(v if name == "population" else np.where(ok, v, np.nan),
                                                index=at, dtype=float).reindex(keys)
            columns[f"focus_{name}"] = sets[name].astype(float).reindex(keys)
        columns["complete"] = sets.complete.astype("boolean").reindex(keys).fillna(False).astype(bool)
    frame = pd.DataFrame(columns).rename_axis(["indicator_id", "year"]).reset_index()
    frame["has_set"] = frame.indicator_id.isin(with_set)
    frame.loc[~frame.has_set, "focus"] = np.nan
    if till:
        frame = frame[frame.year <= till]
    return order, frame.sort_values(["indicator_id", "year"], kind="stable")


def _latest(frame: pd.DataFrame, order: np.ndarray) -> pd.Series:
    """Per indicator (in `order`) the latest year in which the set (or else the city) has a value; NaN for none."""
    last_focus = frame[frame.focus.notna()].groupby("indicator_id").year.max()
    last_city = frame[frame.city.notna()].groupby("indicator_id").year.max()
    return last_focus.combine_first(last_city).reindex(order)


def _at(frame: pd.DataFrame, order: np.ndarray, year: pd.Series, *columns: str) -> list[np.ndarray]:
    """Each column's value per indicator in its `year` (NaN without a year)."""
    at_year = frame.set_index(["indicator_id", "year"])
    picked = pd.MultiIndex.from_arrays([order, year.fillna(-1).astype(int).to_numpy()])
    return [at_year[column].reindex(picked).to_numpy(dtype=float) for column in columns]


def _rest(cat: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """The rest of the city (city − set) per row of a `_series_frame(…, counts=True)`, as
    `measures.rest_values` gives it: from the counts for shares and rates, the difference for counts, the
    population-weighted difference for means; NaN for codes and where the set is not complete."""
    of = cat.reindex(frame.indicator_id)
    kind, scale = of.kind.to_numpy(), of.scale.to_numpy(dtype=float)
    c = {name: frame[f"city_{name}"].to_numpy(dtype=float) for name in ("numerator", "denominator", "population")}
    f = {name: frame[f"focus_{name}"].to_numpy(dtype=float) for name in ("numerator", "denominator", "population")}
    city_value, focus_value = frame.city.to_numpy(dtype=float), frame.focus.to_numpy(dtype=float)
    rest_pop = c["population"] - f["population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(rest_pop > 0, (city_value * c["population"] - focus_value * f["population"]) / rest_pop, np.nan)
    rest = np.select([np.isin(kind, ("share", "rate")), kind == "count", kind == "mean"],
                     [set_sums.ratio(scale, c["numerator"] - f["numerator"], c["denominator"] - f["denominator"]),
                      city_value - focus_value, mean], np.nan)
    return np.where(frame.complete.to_numpy(dtype=bool), rest, np.nan)


def set_overview(indicators: dict[str, Indicator], city_rows: pd.DataFrame, sums: pd.DataFrame, members: list[str],
                 till: int | None = None) -> pd.DataFrame:
    """One row per indicator that has rows: year, focus, city, the gap's trend and the last differences.

    `city_rows`: the `city_values` query's rows (the kommun's totals); `sums`: the `set_member_sums`
    query's rows for the set of `members` (its RegSO). Equal, indicator by indicator, to
    `measures.comparison` → `gaps` → `latest_year` → `value_at` → `gap_trend` (the values to the last
    bit, the slope up to rounding), with years after `till` left out. Returns indicator_id
    (by id), year (None without values), focus, city, trend (a `measures.GapTrend`) and gap_series
    (the last differences, rounded to two decimals).
    """
    cat = _catalog_frame(indicators)
    order, frame = _series_frame(cat, city_rows, sums, members, till)
    frame["difference"] = frame.focus - frame.city
    year = _latest(frame, order)
    focus_at, city_at = _at(frame, order, year, "focus", "city")
    diffs = frame[frame.has_set][["indicator_id", "year", "difference"]]
    trends = _trends(cat, diffs, year.fillna(0).astype(int), pd.Series(city_at, index=order))
    spark = diffs.dropna(subset=["difference"]).groupby("indicator_id", sort=False).tail(SPARK_POINTS)
    series = spark.difference.groupby(spark.indicator_id, sort=False).agg(list)
    return pd.DataFrame({
        **_ids_and_years(order, year), "focus": focus_at, "city": city_at, "trend": _trend_list(trends, order),
        "gap_series": [[round(float(x), 2) for x in series.get(i, [])] for i in order],
    })


def set_rest_gaps(indicators: dict[str, Indicator], city_rows: pd.DataFrame, sums: pd.DataFrame,
                  members: list[str]) -> pd.DataFrame:
    """The life course's numbers for every indicator at once: the set against the rest of the city.

    Same inputs as `set_overview`. Equal, indicator by indicator, to `measures.comparison_from_sums` →
    `lifecycle.stage_gap` (the values to the last bit, the slope up to rounding). Returns indicator_id (by
    id), year (None without values), focus, rest, city (in that year; the set's and the rest's only for an
    indicator followed per area), gap (focus − rest), severity (`lifecycle.severity`), area_level and trend
    (of focus − rest, a `measures.GapTrend`, judged against the rest's value, or the city's without one).
    """
    cat = _catalog_frame(indicators)
    order, frame = _series_frame(cat, city_rows, sums, members, counts=True)
    frame["rest"] = _rest(cat, frame)
    frame["difference"] = frame.focus - frame.rest
    year = _latest(frame, order)
    focus_at, rest_at, city_at = _at(frame, order, year, "focus", "rest", "city")
    area_level = cat.area_level.reindex(order).to_numpy(dtype=bool)
    focus_at, rest_at = np.where(area_level, focus_at, np.nan), np.where(area_level, rest_at, np.nan)
    diffs = frame[frame.has_set][["indicator_id", "year", "difference"]]
    judged_by = pd.Series(np.where(np.isnan(rest_at), city_at, rest_at), index=order)
    trends = _trends(cat, diffs, year.fillna(0).astype(int), judged_by)
    direction = cat.direction.reindex(order).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = (focus_at - rest_at) / np.abs(rest_at)
    relative = np.where(np.isnan(focus_at) | np.isnan(rest_at) | (rest_at == 0), np.nan, relative)
    severity = np.select([direction == "higher", direction == "lower"], [-relative, relative], np.abs(relative))
    return pd.DataFrame({
        **_ids_and_years(order, year), "focus": focus_at, "rest": rest_at, "city": city_at,
        "gap": focus_at - rest_at, "severity": severity, "area_level": area_level, "trend": _trend_list(trends, order),
    })
