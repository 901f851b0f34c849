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


def _ratio(ind: Indicator, numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, ind.scale * numerator / np.where(denominator > 0, denominator, 1), np.nan)


SET_COLUMNS = ["value", "numerator", "denominator", "population", "ci_low", "ci_high", "complete",
               "members_used", "members"]


def set_values(ind: Indicator, rows: pd.DataFrame, members: int | None = None) -> pd.DataFrame:
    """The value of a set of areas per year, from the member areas' rows (one group value).

    Shares and rates come from summed numerators and denominators, means are weighted by
    population and counts are summed. Hidden members are left out of the sums and `complete` is
    False (so is it when a member has no row). Returns one row per year, indexed by year.
    """
    n_members = members if members is not None else rows.groupby("year").size().max() if len(rows) else 0
    ok = rows.status == "ok"
    r = rows.assign(
        ok=ok.astype(int),
        num=rows.numerator.where(ok).astype(float), den=rows.denominator.where(ok).astype(float),
        pop=rows.population.where(ok).astype(float), val=rows.value.where(ok).astype(float))
    r["wv"] = r.val * r["pop"]
    g = r.groupby("year", sort=True).agg(
        members_used=("ok", "sum"), num=("num", "sum"), den=("den", "sum"), pop=("pop", "sum"),
        val=("val", "sum"), wv=("wv", "sum"), den_known=("den", "count"), pop_known=("pop", "count"))
    out = pd.DataFrame(index=g.index)
    out["members_used"] = g.members_used
    out["members"] = n_members
    out["complete"] = (g.members_used == n_members) & (n_members > 0)
    some = g.members_used > 0
    out["numerator"] = out["denominator"] = out["ci_low"] = out["ci_high"] = np.nan
    out["population"] = g["pop"].where(some & (g.pop_known == g.members_used))
    if ind.kind in ("share", "rate"):
        known = some & (g.den_known == g.members_used)
        out["numerator"], out["denominator"] = g.num.where(known), g.den.where(known)
        out["value"] = _ratio(ind, out.numerator.to_numpy(), out.denominator.to_numpy())
        if ind.survey and ind.kind == "share":
            low, high = wilson(out.numerator, out.denominator)
            out["ci_low"], out["ci_high"] = low * ind.scale, high * ind.scale
    elif ind.kind == "count":
        out["value"] = g.val.where(some)
    else:
        out["value"] = (g.wv / g["pop"]).where(some & (g.pop_known == g.members_used) & (g["pop"] > 0))
    return out[SET_COLUMNS]


def set_value(ind: Indicator, rows: pd.DataFrame) -> dict:
    """`set_values` for rows of a single year, as a dict (NaN values and complete=False when empty)."""
    frame = set_values(ind, rows)
    if frame.empty:
        return {**dict.fromkeys(SET_COLUMNS, np.nan), "complete": False, "members_used": 0, "members": len(rows)}
    return frame.iloc[0].to_dict()


def _city_values(ind: Indicator, rows: pd.DataFrame) -> pd.DataFrame:
    """The kommun's own published row per year (hidden values as NaN)."""
    c = rows.drop_duplicates("year").set_index("year").sort_index()
    ok = c.status == "ok"
    return pd.DataFrame({
        "value": c.value.where(ok).astype(float), "numerator": c.numerator.astype(float),
        "denominator": c.denominator.astype(float), "population": c.population.astype(float),
        "ci_low": c.ci_low.astype(float), "ci_high": c.ci_high.astype(float), "complete": ok})


def rest_values(ind: Indicator, city: pd.DataFrame, focus: pd.DataFrame) -> pd.Series:
    """The rest of the city: city minus set, from counts (only where the set is complete)."""
    city, focus = city.align(focus, join="inner", axis=0)
    if ind.kind in ("share", "rate"):
        rest = _ratio(ind, (city.numerator - focus.numerator).to_numpy(),
                      (city.denominator - focus.denominator).to_numpy())
    elif ind.kind == "count":
        rest = (city.value - focus.value).to_numpy()
    elif ind.kind == "mean":
        rest_pop = city.population - focus.population
        with np.errstate(divide="ignore", invalid="ignore"):
            rest = ((city.value * city.population - focus.value * focus.population) / rest_pop).where(rest_pop > 0)
        rest = rest.to_numpy()
    else:
        rest = np.full(len(city), np.nan)
    return pd.Series(np.where(focus.complete.to_numpy(dtype=bool), rest, np.nan), index=city.index, dtype=float)


def comparison(ind: Indicator, area_rows: pd.DataFrame, city_rows: pd.DataFrame, members: list[str],
               group_value: str = "alla") -> pd.DataFrame:
    """Focus set, rest of city and whole city per year.

    `area_rows`: rows at the level the members are given at (RegSO), columns as in the
    `indicator_values` query; `city_rows`: the same query at municipality level.
    Returns year, series, label, value, ci_low, ci_high, complete, members_used, members.
    """
    c = city_rows[city_rows.group_value == group_value]
    city = _city_values(ind, c)
    parts = [city.assign(series="city")]
    if members and ind.lowest_level != "municipality":
        a = area_rows[(area_rows.group_value == group_value) & area_rows.area_code.isin(members)]
        focus = set_values(ind, a, len(members)).reindex(city.index.union(a.year.unique()))
        focus["complete"] = focus.complete.astype("boolean").fillna(False).astype(bool)
        focus["members"] = len(members)
        rest = pd.DataFrame({"value": rest_values(ind, city, focus)}).reindex(focus.index)
        rest["complete"] = focus.complete
        parts += [focus.assign(series="focus"), rest.assign(series="rest")]
    frame = pd.concat(parts).rename_axis("year").reset_index()
    frame = frame.reindex(columns=["year", "series", "value", "ci_low", "ci_high", "complete", "members_used", "members"])
    order = {"city": 0, "focus": 1, "rest": 2}
    frame = frame.sort_values(["year", "series"], key=lambda s: s.map(order) if s.name == "series" else s)
    frame["label"] = frame.series.map(SERIES_LABELS)
    frame["year"] = frame.year.astype(int)
    return frame.reset_index(drop=True)


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
