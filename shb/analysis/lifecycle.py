"""The life course and the social gradient: numbers for the Livscykeln page and the report, no sentences.

Per indicator, the chosen set against the rest of the city (`measures.comparison`'s "rest" series) in
its latest year, how large the gap is relative to the rest of the city and on which side, and whether
the gap closed or widened over the trend window. Per indicator with an utbildning dimension, the
gradient: the value with eftergymnasial minus the value with förgymnasial utbildning, per series and
year, and whether it narrows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb.analysis import measures
from shb.core.catalog import Indicator

EDUCATION = ("forgymnasial", "gymnasial", "eftergymnasial")  # lowest to highest
GRADIENT_ENDS = ("forgymnasial", "eftergymnasial")


def rest_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Difference focus − rest of the city per year (`measures.comparison` frame); empty without a set."""
    paired = measures.paired_series(frame, "focus", "rest")
    if paired is None:
        return pd.DataFrame({"year": pd.Series(dtype=int), "difference": pd.Series(dtype=float)})
    years, focus, rest = paired
    return pd.DataFrame({"year": years.astype(int), "difference": focus - rest})


def severity(direction: str, focus: float, rest: float) -> float:
    """How far the set lies on the worse side of the rest of the city, relative to the rest's value:
    positive = worse, negative = better, NaN when either value is missing (or the rest is 0). For
    `balance` indicators any distance counts as worse."""
    if np.isnan(focus) or np.isnan(rest) or rest == 0:
        return np.nan
    relative = (focus - rest) / abs(rest)
    if direction == "higher":
        return -relative
    if direction == "lower":
        return relative
    return abs(relative)


@dataclass(frozen=True)
class StageGap:
    """One indicator's set against the rest of the city in its latest year, and the gap's trend."""

    indicator_id: str
    year: int | None
    focus: float
    rest: float
    city: float
    gap: float  # focus − rest, in the indicator's unit
    severity: float  # see `severity`
    trend: measures.GapTrend  # of the gap to the rest of the city
    area_level: bool  # False: the indicator exists for the kommun only, so no set can be compared


def stage_gap(ind: Indicator, frame: pd.DataFrame) -> StageGap:
    """`frame`: `measures.comparison(ind, …)` for the set (series city, focus, rest)."""
    area_level = ind.lowest_level != "municipality"
    year = measures.latest_year(frame)
    city = measures.value_at(frame, "city", year) if year else np.nan
    focus = measures.value_at(frame, "focus", year) if year and area_level else np.nan
    rest = measures.value_at(frame, "rest", year) if year and area_level else np.nan
    gaps = rest_gaps(frame)
    trend = measures.gap_trend(ind, gaps, year or 0, city_value=rest if not np.isnan(rest) else city)
    return StageGap(ind.id, year, focus, rest, city, focus - rest, severity(ind.direction, focus, rest), trend,
                    area_level)


def gradient(frame: pd.DataFrame) -> pd.DataFrame:
    """The gradient per series and year: value(eftergymnasial) − value(förgymnasial).

    `frame`: year, series, group_value, value (one row per year × series × education level).
    Returns year, series, low, high, difference; rows where either end is missing are dropped.
    """
    low, high = GRADIENT_ENDS
    wide = frame.pivot_table(index=["series", "year"], columns="group_value", values="value", aggfunc="first",
                             dropna=False)
    if low not in wide or high not in wide:
        return pd.DataFrame(columns=["series", "year", "low", "high", "difference"])
    out = pd.DataFrame({"low": wide[low], "high": wide[high]}).reset_index()
    out["difference"] = out.high - out.low
    return out.dropna(subset=["difference"]).reset_index(drop=True)


def gradient_trend(ind: Indicator, grad: pd.DataFrame, series: str, end_year: int,
                   window: int = measures.TREND_WINDOW) -> measures.GapTrend:
    """Whether the gradient of `series` narrowed ("minskar") or widened ("ökar") up to `end_year`, judged
    as a gap's size is (`measures.gap_trend`, with the same threshold)."""
    g = grad[grad.series == series][["year", "difference"]]
    level = float(grad.loc[grad.series == series, "low"].mean()) if len(g) else np.nan
    return measures.gap_trend(ind, g, end_year, window, city_value=level)
