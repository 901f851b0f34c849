"""Distance to a målvärde and the pace towards it: pure functions, numbers only.

For a series of values (one per year) and a målvärde to be reached by a target year:

- `distance`: the latest value − the målvärde, in the indicator's unit (positive: above the aim);
- `pace_needed`: the change per year that reaches the målvärde exactly in the target year;
- `pace_recent`: the change per year over the last PACE_WINDOW years (slope of a straight line fitted by
  least squares to the values in the window, the same window as the gap trend);
- `reached_year`: the first whole year in which the recent pace reaches the målvärde, the latest year
  itself when it is reached already, and None when the series moves away or stands still.

Whether a value has reached its målvärde depends on the indicator's direction: for "higher" at or above
it, for "lower" at or below it, for "balance" only exactly on it. Sentences about them are written in
`shb.present.text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb.analysis.measures import TREND_WINDOW

PACE_WINDOW = TREND_WINDOW
_EPS = 1e-9


def distance(current: float, aim: float) -> float:
    """The latest value minus the målvärde (NaN when the value is missing)."""
    return float(current) - float(aim) if _known(current) else math.nan


def pace_needed(current: float, current_year: int, aim: float, aim_year: int) -> float:
    """Change per year from `current` (in `current_year`) to `aim` by `aim_year`; NaN when the target year
    is not after the latest year or the value is missing."""
    if not _known(current) or aim_year <= current_year:
        return math.nan
    return (float(aim) - float(current)) / (aim_year - current_year)


def recent_window(years, values, end_year: int, window: int = PACE_WINDOW) -> pd.DataFrame:
    """The (year, value) pairs with a value from `end_year − window` to `end_year`, by year."""
    frame = pd.DataFrame({"year": np.asarray(years, dtype=float), "value": np.asarray(values, dtype=float)})
    frame = frame.dropna()
    return frame[(frame.year >= end_year - window) & (frame.year <= end_year)].sort_values("year")


def pace_recent(years, values, end_year: int, window: int = PACE_WINDOW) -> float:
    """Change per year over the window ending in `end_year` (least-squares slope); NaN with fewer than
    two years of values in it."""
    w = recent_window(years, values, end_year, window)
    if len(w) < 2:
        return math.nan
    x, y = w.year.to_numpy(), w.value.to_numpy()
    dx = x - x.mean()
    return float((dx * (y - y.mean())).sum() / (dx * dx).sum())  # least squares, in closed form


def is_reached(current: float, aim: float, direction: str) -> bool:
    """Whether `current` has reached `aim`, judged by the indicator's direction."""
    if not _known(current):
        return False
    if direction == "higher":
        return current >= aim - _EPS
    if direction == "lower":
        return current <= aim + _EPS
    return abs(current - aim) <= _EPS


def reached_year(current: float, current_year: int, aim: float, pace: float, direction: str) -> int | None:
    """The first whole year in which `current` moving at `pace` per year reaches `aim`: `current_year` when
    it is reached already, None when the value is missing, or it moves away from the aim or stands still."""
    if not _known(current):
        return None
    if is_reached(current, aim, direction):
        return int(current_year)
    need = float(aim) - float(current)
    if not _known(pace) or abs(pace) <= _EPS or need * pace < 0:
        return None
    return int(current_year + math.ceil(need / pace - _EPS))


@dataclass(frozen=True)
class AimProgress:
    """Where a series stands against one målvärde, in the latest year with a value up to `end_year`."""

    aim: float
    aim_year: int
    current: float
    current_year: int | None
    distance: float
    pace_needed: float
    pace_recent: float
    reached_year: int | None
    reached: bool
    window: tuple[int, int] | None  # first and last year the recent pace was fitted on
    points: int  # years of values in the window
    on_time: bool | None  # reached by the target year at the recent pace (None: cannot be judged)


def progress(years, values, end_year: int, aim: float, aim_year: int, direction: str,
             window: int = PACE_WINDOW) -> AimProgress:
    """The distance, the paces and the year of reaching `aim` for the series (years, values) at `end_year`."""
    w = recent_window(years, values, end_year, window)
    if w.empty:
        return AimProgress(aim, aim_year, math.nan, None, math.nan, math.nan, math.nan, None, False, None, 0, None)
    current_year, current = int(w.year.iloc[-1]), float(w.value.iloc[-1])
    pace = pace_recent(w.year, w.value, current_year, window)
    reached = is_reached(current, aim, direction)
    year = reached_year(current, current_year, aim, pace, direction)
    judged = reached or _known(pace)
    return AimProgress(
        aim=float(aim), aim_year=int(aim_year), current=current, current_year=current_year,
        distance=distance(current, aim), pace_needed=0.0 if reached else pace_needed(current, current_year, aim,
                                                                                     aim_year),
        pace_recent=pace, reached_year=year, reached=reached,
        window=(int(w.year.iloc[0]), current_year) if len(w) >= 2 else None, points=len(w),
        on_time=(year is not None and year <= aim_year) if judged else None)


def _known(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


# --- Prioritering: effektmål ranked by their distance to the målvärden and by widening gaps -------------

def pace_share(p: AimProgress) -> float:
    """The recent pace as a share of the pace needed, at most 1: 1 when the målvärde is reached or the
    pace suffices, between 0 and 1 when too slow, below 0 when moving away; NaN when it cannot be judged."""
    if p.reached:
        return 1.0
    if not _known(p.pace_needed) or not _known(p.pace_recent) or abs(p.pace_needed) <= _EPS:
        return math.nan
    return min(p.pace_recent / p.pace_needed, 1.0)


PRIORITY_COLUMNS = ["target_id", "aims", "off_track", "off_track_share", "pace_share", "widening", "judged",
                    "sort_key"]


def rank_targets(per_indicator: pd.DataFrame, per_target: pd.DataFrame) -> pd.DataFrame:
    """Every effektmål in the order to prioritise it, most urgent first.

    `per_indicator`: one row per indicator with a målvärde: target_id, on_time (True, False or None: not
    judged), pace_share. `per_target`: one row per effektmål: target_id, sort_key (its order in the
    målbild), widening (indicators whose gap to the city grows), judged (whose gap trend can be judged).

    The order, in words: effektmål with målvärden first; among them the largest share of målvärden not
    reached by the target year at the recent pace (`off_track_share`), then the lowest mean pace share
    (furthest behind the pace needed), then the most widening gaps; effektmål without målvärden after,
    by widening gaps; ties in målbild order.
    """
    ind = per_indicator.assign(off=per_indicator.on_time.eq(False), known=per_indicator.on_time.notna())
    agg = ind.groupby("target_id").agg(aims=("target_id", "size"), off_track=("off", "sum"),
                                       judged_aims=("known", "sum"), pace_share=("pace_share", "mean"))
    out = per_target.merge(agg, left_on="target_id", right_index=True, how="left")
    out["aims"] = out.aims.fillna(0).astype(int)
    out["off_track"] = out.off_track.fillna(0).astype(int)
    out["off_track_share"] = (out.off_track / out.judged_aims.where(out.judged_aims > 0)).astype(float)
    out["has_aims"] = out.aims > 0
    out = out.sort_values(["has_aims", "off_track_share", "pace_share", "widening", "sort_key"],
                          ascending=[False, False, True, False, True], na_position="last", kind="mergesort")
    out = out.reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out[["rank", *PRIORITY_COLUMNS]]
