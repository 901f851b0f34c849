"""Comparisons the follow-up rests on: an area set against the rest of the city and the whole city.

Pure functions on frames from the named queries. Shares and rates of a set are computed from summed
numerators and denominators (never a plain mean of the areas' shares); means are weighted by
population. The rest of the city is the city's counts minus the set's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb import format as fmt
from shb.catalog import Indicator
from shb.stats import wilson

SERIES_LABELS = {"focus": "Områdesutveckling", "rest": "Övriga staden", "city": "Hela Borås"}
TREND_WINDOW = 4  # years over which "is the gap closing?" is judged
# A change in the size of the gap counts only if it is at least this large (see gap_trend).
MIN_CHANGE = {"procent": 0.5}
RELATIVE_MIN_CHANGE = 0.05

VERDICT_TEXT = {"minskar": "Skillnaden minskar", "ökar": "Skillnaden ökar", "oförändrad": "Skillnaden är oförändrad"}


def _ratio_value(ind: Indicator, numerator: float, denominator: float) -> float:
    return ind.scale * numerator / denominator if denominator and denominator > 0 else np.nan


def set_value(ind: Indicator, rows: pd.DataFrame) -> dict:
    """The value of a set of areas from their rows (one year, one group value).

    Returns value, numerator, denominator, population, ci_low, ci_high and `complete` (every
    member had a published value). Hidden members are left out of the sum, and `complete` says so.
    """
    ok = rows[rows.status == "ok"]
    out = {"value": np.nan, "numerator": np.nan, "denominator": np.nan, "population": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "complete": len(ok) == len(rows) and len(rows) > 0,
           "members_used": len(ok), "members": len(rows)}
    if ok.empty:
        return out
    if ind.kind in ("share", "rate") and ok.denominator.notna().all():
        num, den = float(ok.numerator.sum()), float(ok.denominator.sum())
        out.update(numerator=num, denominator=den, value=_ratio_value(ind, num, den))
        out["population"] = float(ok.population.sum()) if ok.population.notna().all() else np.nan
        if ind.survey and ind.kind == "share":
            low, high = wilson([num], [den])
            out.update(ci_low=low[0] * ind.scale, ci_high=high[0] * ind.scale)
    elif ind.kind == "count":
        out["value"] = float(ok.value.sum())
    elif ok.population.notna().all() and ok.population.sum() > 0:
        out["value"] = float(np.average(ok.value, weights=ok.population))
        out["population"] = float(ok.population.sum())
    return out


def rest_value(ind: Indicator, city: dict, focus: dict) -> float:
    """The rest of the city: city minus set, from counts (only when the set is complete)."""
    if not focus["complete"]:
        return np.nan
    if ind.kind in ("share", "rate"):
        if np.isnan(city["denominator"]) or np.isnan(focus["denominator"]):
            return np.nan
        return _ratio_value(ind, city["numerator"] - focus["numerator"], city["denominator"] - focus["denominator"])
    if ind.kind == "mean" and not np.isnan(city["population"]) and not np.isnan(focus["population"]):
        rest_pop = city["population"] - focus["population"]
        if rest_pop > 0:
            return (city["value"] * city["population"] - focus["value"] * focus["population"]) / rest_pop
    return np.nan


def _city_row(rows: pd.DataFrame) -> dict:
    if rows.empty:
        return {"value": np.nan, "numerator": np.nan, "denominator": np.nan, "population": np.nan,
                "ci_low": np.nan, "ci_high": np.nan, "complete": False, "status": "missing"}
    r = rows.iloc[0]
    return {"value": r.value if r.status == "ok" else np.nan,
            "numerator": float(r.numerator) if pd.notna(r.numerator) else np.nan,
            "denominator": float(r.denominator) if pd.notna(r.denominator) else np.nan,
            "population": float(r.population) if pd.notna(r.population) else np.nan,
            "ci_low": r.ci_low, "ci_high": r.ci_high, "complete": r.status == "ok", "status": r.status}


def comparison(ind: Indicator, area_rows: pd.DataFrame, city_rows: pd.DataFrame, members: list[str],
               group_value: str = "alla") -> pd.DataFrame:
    """Focus set, rest of city and whole city per year.

    `area_rows`: rows at the level the members are given at (RegSO), columns as in the
    `indicator_values` query; `city_rows`: the same query at municipality level.
    Returns year, series, label, value, ci_low, ci_high, complete, members_used, members.
    """
    a = area_rows[(area_rows.group_value == group_value) & area_rows.area_code.isin(members)]
    c = city_rows[city_rows.group_value == group_value]
    out = []
    for year in sorted(set(c.year) | set(a.year)):
        city = _city_row(c[c.year == year])
        focus = set_value(ind, a[a.year == year]) if members and ind.lowest_level != "municipality" else None
        out.append({"year": year, "series": "city", **{k: city[k] for k in ("value", "ci_low", "ci_high", "complete")}})
        if focus is not None:
            out.append({"year": year, "series": "focus", **{k: focus[k] for k in ("value", "ci_low", "ci_high", "complete")},
                        "members_used": focus["members_used"], "members": focus["members"]})
            out.append({"year": year, "series": "rest", "value": rest_value(ind, city, focus),
                        "ci_low": np.nan, "ci_high": np.nan, "complete": focus["complete"]})
    frame = pd.DataFrame(out, columns=["year", "series", "value", "ci_low", "ci_high", "complete",
                                       "members_used", "members"])
    frame["label"] = frame.series.map(SERIES_LABELS)
    return frame


def area_series(area_rows: pd.DataFrame, codes: list[str], group_value: str = "alla") -> pd.DataFrame:
    """Individual areas as extra series (`area:<code>`), for drawing thin lines beside the sets."""
    a = area_rows[(area_rows.group_value == group_value) & area_rows.area_code.isin(codes)]
    return pd.DataFrame({"year": a.year, "series": "area:" + a.area_code, "label": a.area_name,
                         "value": a.value.where(a.status == "ok"), "ci_low": np.nan, "ci_high": np.nan,
                         "complete": a.status == "ok"})


def gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Difference focus − city (in the indicator's unit) and the ratio focus / city, per year."""
    wide = frame.pivot_table(index="year", columns="series", values="value", aggfunc="first", dropna=False)
    if "focus" not in wide or "city" not in wide:
        return pd.DataFrame(columns=["year", "difference", "ratio"])
    out = pd.DataFrame({"year": wide.index, "difference": (wide["focus"] - wide["city"]).to_numpy()})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = (wide["focus"] / wide["city"]).replace([np.inf, -np.inf], np.nan).to_numpy()
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class GapTrend:
    """How the gap moved between two years, judged against a threshold and the indicator's direction."""

    start_year: int | None
    end_year: int | None
    start: float
    end: float
    change: float  # change in the size of the gap (|end| − |start|)
    slope: float  # change of the signed gap per year (least squares)
    verdict: str  # "minskar" | "ökar" | "oförändrad" | "okänd"
    better: bool | None  # did the focus set move in the better direction relative to the city?

    @property
    def text(self) -> str:
        return VERDICT_TEXT.get(self.verdict, "Utvecklingen kan inte bedömas")


def change_threshold(ind: Indicator, start_gap: float, city_value: float) -> float:
    """The smallest change in the gap's size that counts: 0.5 procentenheter for shares (1 % of the
    city's value for other units), or 5 % of the starting gap if that is larger."""
    floor = MIN_CHANGE.get(ind.unit, 0.01 * abs(city_value) if not np.isnan(city_value) else 0.0)
    return max(floor, RELATIVE_MIN_CHANGE * abs(start_gap))


def gap_trend(ind: Indicator, gap_frame: pd.DataFrame, end_year: int, window: int = TREND_WINDOW,
              city_value: float = np.nan) -> GapTrend:
    """Judge the gap between `end_year − window` and `end_year` (nearest years with a value)."""
    g = gap_frame.dropna(subset=["difference"])
    g = g[(g.year <= end_year) & (g.year >= end_year - window)]
    if len(g) < 2:
        return GapTrend(None, None, np.nan, np.nan, np.nan, np.nan, "okänd", None)
    first, last = g.iloc[0], g.iloc[-1]
    slope = float(np.polyfit(g.year.astype(float), g.difference.astype(float), 1)[0])
    change = abs(last.difference) - abs(first.difference)
    threshold = change_threshold(ind, first.difference, city_value)
    verdict = "oförändrad" if abs(change) < threshold else ("minskar" if change < 0 else "ökar")
    signed = last.difference - first.difference
    if verdict == "oförändrad":
        better = None
    elif ind.direction == "balance":
        better = change < 0
    else:
        better = bool(signed > 0) if ind.direction == "higher" else bool(signed < 0)
    return GapTrend(int(first.year), int(last.year), float(first.difference), float(last.difference),
                    float(change), slope, verdict, better)


def ranking(year_rows: pd.DataFrame, focus_codes: list[str], direction: str) -> pd.DataFrame:
    """Areas for one year, best first by the indicator's direction; hidden values last."""
    r = year_rows.assign(is_focus=year_rows.area_code.isin(focus_codes))
    r["value"] = r.value.where(r.status == "ok")
    ascending = direction == "lower"
    return r.sort_values(["value", "area_name"], ascending=[ascending, True], na_position="last").reset_index(drop=True)


def group_comparison(ind: Indicator, area_rows: pd.DataFrame, city_rows: pd.DataFrame, members: list[str],
                     year: int, labels: dict[str, str]) -> pd.DataFrame:
    """Per group value (e.g. kvinnor/män) in `year`: focus set, rest of city and whole city."""
    out = []
    for value, label in labels.items():
        frame = comparison(ind, area_rows[area_rows.year == year], city_rows[city_rows.year == year], members, value)
        out.append(frame.assign(group_value=value, group_label=label))
    if not out:
        return pd.DataFrame(columns=["group_value", "group_label", "series", "label", "value", "year"])
    return pd.concat(out, ignore_index=True)


def latest_year(frame: pd.DataFrame, series: str = "focus") -> int | None:
    """The latest year in which `series` (or else the city) has a value."""
    for s in (series, "city"):
        years = frame.loc[(frame.series == s) & frame.value.notna(), "year"]
        if not years.empty:
            return int(years.max())
    return None


def value_at(frame: pd.DataFrame, series: str, year: int) -> float:
    v = frame.loc[(frame.series == series) & (frame.year == year), "value"]
    return float(v.iloc[0]) if len(v) and pd.notna(v.iloc[0]) else np.nan


def sentence(ind: Indicator, frame: pd.DataFrame, trend: GapTrend, year: int, set_title: str) -> str:
    """One plain-Swedish sentence stating what the chart shows, from the same numbers."""
    d = fmt.decimals_for(ind.unit)
    city = value_at(frame, "city", year)
    city_text = fmt.value_with_unit(city, ind.unit, ind.unit_label, d)
    focus = value_at(frame, "focus", year)
    if np.isnan(focus):
        if np.isnan(city):
            return f"{ind.title}: inget publicerat värde för {year}."
        return f"{ind.title} var {city_text} i hela Borås {year}; värdet redovisas inte per område."
    diff = fmt.difference(focus - city, ind.unit, ind.unit_label, d)
    text = (f"{ind.title} var {fmt.value_with_unit(focus, ind.unit, ind.unit_label, d)} i "
            f"områdena inom {set_title.lower()} och {city_text} i hela Borås {year}, en skillnad på {diff}.")
    if trend.verdict in ("minskar", "ökar"):
        size = fmt.difference(abs(trend.change), ind.unit, ind.unit_label, d).lstrip("+")
        verb = "minskat" if trend.verdict == "minskar" else "ökat"
        text += f" Sedan {trend.start_year} har skillnaden {verb} med {size}."
    elif trend.verdict == "oförändrad":
        text += f" Skillnaden är i stort sett oförändrad sedan {trend.start_year}."
    return text
