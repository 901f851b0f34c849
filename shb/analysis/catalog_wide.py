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


def _trend(row) -> measures.GapTrend:
    if row is None:
        return measures.GapTrend(None, None, np.nan, np.nan, np.nan, np.nan, "okänd", None)
    return measures.GapTrend(int(row.start_year), int(row.end_year), float(row.start), float(row.end),
                             float(row.change), float(row.slope), row.verdict,
                             None if row.better is None else bool(row.better))


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
    order = pd.Index(city_rows.indicator_id.unique()).union(sums.indicator_id.unique()).to_numpy()
    c = city_rows.drop_duplicates(["indicator_id", "year"])
    city = pd.Series(c.value.where(c.status == "ok").astype(float).to_numpy(),
                     index=pd.MultiIndex.from_arrays([c.indicator_id, c.year]), dtype=float)
    with_set = cat.index[cat.area_level] if members else cat.index[:0]
    s = sums[sums.indicator_id.isin(with_set)]
    of = cat.reindex(s.indicator_id)
    values = set_sums.set_from_sums(s, of.kind.to_numpy(), of.scale.to_numpy(), of.survey.to_numpy(dtype=bool),
                                    len(members)).value
    focus = pd.Series(values.to_numpy(), index=pd.MultiIndex.from_arrays([s.indicator_id, s.year]), dtype=float)
    # The years of each indicator: the city's, and for one followed per area also its members'.
    keys = city.index.union(focus.index) if len(focus) else city.index
    frame = pd.DataFrame({"city": city.reindex(keys), "focus": focus.reindex(keys)}).rename_axis(
        ["indicator_id", "year"]).reset_index()
    frame["has_set"] = frame.indicator_id.isin(with_set)
    frame.loc[~frame.has_set, "focus"] = np.nan
    if till:
        frame = frame[frame.year <= till]
    frame = frame.sort_values(["indicator_id", "year"], kind="stable")
    frame["difference"] = frame.focus - frame.city
    # The latest year in which the set (or else the city) has a value.
    last_focus = frame[frame.focus.notna()].groupby("indicator_id").year.max()
    last_city = frame[frame.city.notna()].groupby("indicator_id").year.max()
    year = last_focus.combine_first(last_city).reindex(order)
    at_year = frame.set_index(["indicator_id", "year"])
    picked = pd.MultiIndex.from_arrays([order, year.fillna(-1).astype(int).to_numpy()])
    focus_at = at_year.focus.reindex(picked).to_numpy()
    city_at = at_year.city.reindex(picked).to_numpy()
    diffs = frame[frame.has_set][["indicator_id", "year", "difference"]]
    trends = _trends(cat, diffs, year.fillna(0).astype(int), pd.Series(city_at, index=order))
    spark = diffs.dropna(subset=["difference"]).groupby("indicator_id", sort=False).tail(SPARK_POINTS)
    series = spark.difference.groupby(spark.indicator_id, sort=False).agg(list)
    by_id = dict(zip(trends.index, trends.itertuples(index=False)))
    return pd.DataFrame({
        "indicator_id": order,
        "year": [None if np.isnan(y) else int(y) for y in year.to_numpy(dtype=float)],
        "focus": focus_at, "city": city_at,
        "trend": [_trend(by_id.get(i)) for i in order],
        "gap_series": [[round(float(x), 2) for x in series.get(i, [])] for i in order],
    })
