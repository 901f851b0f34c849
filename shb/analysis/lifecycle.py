"""The life course and the social gradient: numbers for the Livscykeln page and the report, no sentences.

Per indicator, the chosen set against the rest of the city (`measures.comparison`'s "rest" series) in
its latest year, how large the gap is relative to the rest of the city and on which side, and whether
the gap closed or widened over the trend window: a `StageGap`, computed for every indicator at once by
`catalog_wide.set_rest_gaps`. Per indicator with an utbildning dimension, the gradient: the value with
eftergymnasial minus the value with förgymnasial utbildning, per series and year, and whether it narrows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb.analysis import measures
from shb.core.catalog import Indicator

EDUCATION = ("forgymnasial", "gymnasial", "eftergymnasial")  # lowest to highest
GRADIENT_ENDS = ("forgymnasial", "eftergymnasial")


@dataclass(frozen=True)
class StageGap:
    """One indicator's set against the rest of the city in its latest year, and the gap's trend."""

    indicator_id: str
    year: int | None
    focus: float
    rest: float
    city: float
    gap: float  # focus − rest, in the indicator's unit
    # How far the set lies on the worse side of the rest of the city, relative to the rest's value: positive
    # = worse, negative = better, NaN when either value is missing (or the rest is 0). For `balance`
    # indicators any distance counts as worse.
    severity: float
    trend: measures.GapTrend  # of the gap to the rest of the city
    area_level: bool  # False: the indicator exists for the kommun only, so no set can be compared


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
