"""Comparisons the follow-up rests on: an area set against the rest of the city and the whole city.

Pure functions on frames from the named queries. Shares and rates of a set are computed from summed
numerators and denominators (never a plain mean of the areas' shares); means are weighted by
population. The rest of the city is the city's counts minus the set's. Besides the gap and its
trend: whether a difference is statistically secured, how far the areas are spread around the
city (and whether that spread shrinks), and an effektmål's status from its indicators.
Numbers and codes only ("minskar", "går åt rätt håll"); every sentence about them is written in
`shb.present.text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb.analysis import set_sums
from shb.core.catalog import Indicator
from shb.core.stats import newcombe, wilson

TREND_WINDOW = 4  # years over which "is the gap closing?" is judged
# A change in the size of the gap counts only if it is at least this large (see gap_trend).
MIN_CHANGE = {"procent": 0.5}
RELATIVE_MIN_CHANGE = 0.05
CITY_SHARE_MIN_CHANGE = 0.01  # for units other than procent: this share of the city's value


def _ratio(ind: Indicator, numerator, denominator):
    return set_sums.ratio(ind.scale, numerator, denominator)


SET_COLUMNS = set_sums.SET_COLUMNS
COMPARISON_COLUMNS = ["year", "series", "value", "ci_low", "ci_high", "numerator", "denominator", "complete",
                      "members_used", "members"]


def set_values(ind: Indicator, rows: pd.DataFrame, members: int | None = None) -> pd.DataFrame:
    """The value of a set of areas per year, from the member areas' rows (one group value).

    `set_sums.member_sums` → `set_sums.set_from_sums`: shares and rates come from summed numerators
    and denominators, means are weighted by population and counts are summed. Hidden members are
    left out of the sums and `complete` is False (so is it when a member has no row; `members` is
    the set's size, by default the most rows in a year). Returns one row per year, indexed by year.
    """
    n_members = members if members is not None else rows.groupby("year").size().max() if len(rows) else 0
    return set_sums.set_from_sums(set_sums.member_sums(rows), ind.kind, ind.scale, ind.survey, n_members)


def set_value(ind: Indicator, rows: pd.DataFrame) -> dict:
    """`set_values` for rows of a single year, as a dict (NaN values and complete=False when empty)."""
    frame = set_values(ind, rows)
    if frame.empty:
        return {**dict.fromkeys(SET_COLUMNS, np.nan), "complete": False, "members_used": 0, "members": len(rows)}
    return frame.iloc[0].to_dict()


def _city_values(ind: Indicator, rows: pd.DataFrame) -> pd.DataFrame:
    """The kommun's own published row per year (the first row of a year; hidden values as NaN), indexed by
    year in order. In numpy: this runs once per indicator and set, a hundred times for a report."""
    years, first = np.unique(rows.year.to_numpy(), return_index=True)
    ok = rows.status.to_numpy(dtype=object)[first] == "ok"

    def column(name: str, hide: bool = True) -> np.ndarray:
        values = rows[name].to_numpy(dtype=float, na_value=np.nan)[first]
        return np.where(ok, values, np.nan) if hide else values

    return pd.DataFrame({
        "value": column("value"), "numerator": column("numerator"), "denominator": column("denominator"),
        "population": column("population", hide=False), "ci_low": column("ci_low"), "ci_high": column("ci_high"),
        "complete": ok.astype(bool)}, index=pd.Index(years, name="year"))


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


def rest_counts(ind: Indicator, city: pd.DataFrame, focus: pd.DataFrame) -> pd.DataFrame:
    """Numerator and denominator of the rest of the city (city − set, only where the set is complete),
    with a Wilson interval for survey shares, like the set's. Indexed by year."""
    city, focus = city.align(focus, join="inner", axis=0)
    out = pd.DataFrame(index=city.index, columns=["numerator", "denominator", "ci_low", "ci_high"], dtype=float)
    if ind.kind not in ("share", "rate"):
        return out
    complete = focus.complete.to_numpy(dtype=bool)
    num = (city.numerator - focus.numerator).where(complete)
    den = (city.denominator - focus.denominator).where(complete)
    usable = (den > 0) & (num >= 0)
    if ind.kind == "share":
        usable &= num <= den
    out["numerator"], out["denominator"] = num.where(usable), den.where(usable)
    if ind.survey and ind.kind == "share":
        low, high = wilson(out.numerator, out.denominator)
        out["ci_low"], out["ci_high"] = low * ind.scale, high * ind.scale
    return out


def comparison(ind: Indicator, area_rows: pd.DataFrame, city_rows: pd.DataFrame, members: list[str],
               group_value: str = "alla") -> pd.DataFrame:
    """Focus set, rest of city and whole city per year.

    `area_rows`: rows at the level the members are given at (RegSO), columns as in the
    `indicator_values` query; `city_rows`: the same query at municipality level.
    Returns year, series, value, ci_low, ci_high, numerator, denominator, complete,
    members_used, members. Counts are those of the series (the rest's are city − set) and NaN
    where they are not known; intervals are given for survey shares.
    """
    sums = None
    if members and ind.lowest_level != "municipality":
        a = area_rows[(area_rows.group_value == group_value) & area_rows.area_code.isin(members)]
        sums = set_sums.member_sums(a)
    return comparison_from_sums(ind, city_rows[city_rows.group_value == group_value], sums, len(members))


def comparison_from_sums(ind: Indicator, city_rows: pd.DataFrame, sums: pd.DataFrame | None,
                         members: int) -> pd.DataFrame:
    """`comparison` from the kommun's rows of one group value and the set's member sums per year.

    `sums`: `set_sums.SUM_COLUMNS` indexed by year, for the years in which a member has a row (from
    `set_sums.member_sums`, or the indicator's rows of the `set_member_sums` query); None, or an
    indicator followed for the kommun only, gives the city alone. `members`: the set's size.
    """
    city = _city_values(ind, city_rows)
    parts = [city.assign(series="city")]
    if sums is not None and members and ind.lowest_level != "municipality":
        focus = set_sums.set_from_sums(sums, ind.kind, ind.scale, ind.survey, members)
        focus = focus.reindex(city.index.union(sums.index))
        focus["complete"] = focus.complete.astype("boolean").fillna(False).astype(bool)
        focus["members"] = members
        rest = rest_counts(ind, city, focus).assign(value=rest_values(ind, city, focus)).reindex(focus.index)
        rest["complete"] = focus.complete
        parts += [focus.assign(series="focus"), rest.assign(series="rest")]
    return _stacked(parts)


SERIES_ORDER = ("city", "focus", "rest")


def _stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The series' frames (each indexed by year, with its `series`) as one comparison frame: a row per year
    and series, by year and then city, focus, rest; a column a series lacks is NaN there."""
    years = np.concatenate([p.index.to_numpy(dtype=np.int64) for p in parts])
    codes = np.concatenate([np.full(len(p), SERIES_ORDER.index(p.series.iloc[0]) if len(p) else 0) for p in parts])
    order = np.lexsort((codes, years))
    out = {"year": years[order], "series": pd.array(np.array(SERIES_ORDER, dtype=object)[codes[order]], dtype="str")}
    for column in COMPARISON_COLUMNS[2:]:
        values = np.concatenate([p[column].to_numpy() if column in p else np.full(len(p), np.nan) for p in parts])
        out[column] = values[order]
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS)


def area_series(area_rows: pd.DataFrame, codes: list[str], group_value: str = "alla") -> pd.DataFrame:
    """Individual areas as extra series (`area:<code>`), for drawing thin lines beside the sets."""
    a = area_rows[(area_rows.group_value == group_value) & area_rows.area_code.isin(codes)]
    return pd.DataFrame({"year": a.year, "series": "area:" + a.area_code, "label": a.area_name,
                         "value": a.value.where(a.status == "ok"), "ci_low": np.nan, "ci_high": np.nan,
                         "complete": a.status == "ok"})


def series_by_year(frame: pd.DataFrame, series: str, years: np.ndarray) -> np.ndarray:
    """A series' value in each of `years` (a comparison frame's rows): its first known value that year,
    NaN where it has none. What `pivot_table(aggfunc="first")` gives, without its cost (5 ms a call)."""
    rows = frame.loc[(frame.series == series) & frame.value.notna(), ["year", "value"]].drop_duplicates("year")
    return rows.set_index("year").value.reindex(years).to_numpy(dtype=float)


def paired_series(frame: pd.DataFrame, first: str, second: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every year of a comparison frame (in order) and the two series' values in each (`series_by_year`);
    None when the frame lacks either series."""
    if not {first, second} <= set(frame.series):
        return None
    years = np.sort(frame.year.dropna().unique())
    return years, series_by_year(frame, first, years), series_by_year(frame, second, years)


def gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Difference focus − city (in the indicator's unit) and the ratio focus / city, per year (every year
    of the frame)."""
    paired = paired_series(frame, "focus", "city")
    if paired is None:
        return pd.DataFrame(columns=["year", "difference", "ratio"])
    years, focus, city = paired
    out = pd.DataFrame({"year": years, "difference": focus - city})
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = focus / city
    out["ratio"] = np.where(np.isinf(ratio), np.nan, ratio)
    return out


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


def change_threshold(ind: Indicator, start_gap: float, city_value: float) -> float:
    """The smallest change in the gap's size that counts: 0.5 procentenheter for shares (1 % of the
    city's value for other units), or 5 % of the starting gap if that is larger."""
    floor = MIN_CHANGE.get(ind.unit, CITY_SHARE_MIN_CHANGE * abs(city_value) if not np.isnan(city_value) else 0.0)
    return max(floor, RELATIVE_MIN_CHANGE * abs(start_gap))


def _window(frame: pd.DataFrame, column: str, end_year: int, window: int) -> pd.DataFrame:
    """Rows with a value in `column` from `end_year − window` to `end_year`."""
    g = frame.dropna(subset=[column])
    return g[(g.year <= end_year) & (g.year >= end_year - window)]


def _verdict(change: float, threshold: float) -> str:
    return "oförändrad" if abs(change) < threshold else ("minskar" if change < 0 else "ökar")


def gap_trend(ind: Indicator, gap_frame: pd.DataFrame, end_year: int, window: int = TREND_WINDOW,
              city_value: float = np.nan) -> GapTrend:
    """Judge the gap between `end_year − window` and `end_year` (nearest years with a value)."""
    g = _window(gap_frame, "difference", end_year, window)
    if len(g) < 2:
        return GapTrend(None, None, np.nan, np.nan, np.nan, np.nan, "okänd", None)
    first, last = g.iloc[0], g.iloc[-1]
    slope = float(np.polyfit(g.year.astype(float), g.difference.astype(float), 1)[0])
    change = abs(last.difference) - abs(first.difference)
    verdict = _verdict(change, change_threshold(ind, first.difference, city_value))
    signed = last.difference - first.difference
    if verdict == "oförändrad":
        better = None
    elif ind.direction == "balance":
        better = change < 0
    else:
        better = bool(signed > 0) if ind.direction == "higher" else bool(signed < 0)
    return GapTrend(int(first.year), int(last.year), float(first.difference), float(last.difference),
                    float(change), slope, verdict, better)


# --- Is the difference statistically secured? -----------------------------------------------------

# Why a difference could not be tested (worded in shb.present.text).
UNTESTABLE = ("not_share", "counts_unknown", "no_rest", "set_incomplete")


@dataclass(frozen=True)
class Significance:
    """Whether the focus set differs from the rest of the city by more than chance, in one year.

    `significant` is None when the difference cannot be tested. `low`/`high` is the 95 % interval
    of focus − rest of city and `city_low`/`city_high` that of focus − city, in the indicator's
    unit (procentenheter for shares); NaN when not tested. `untested` is why it could not be tested
    (one of `UNTESTABLE`) or None; `register` is True for a register share (everyone counted).
    """

    significant: bool | None
    low: float
    high: float
    city_low: float
    city_high: float
    untested: str | None = None
    register: bool = False


def _untestable(reason: str) -> Significance:
    return Significance(None, np.nan, np.nan, np.nan, np.nan, untested=reason)


def _count(value) -> float:
    return np.nan if value is None or pd.isna(value) else float(value)


def difference_test(ind: Indicator, focus_numerator, focus_denominator, city_numerator,
                    city_denominator) -> Significance:
    """Test the focus set against the rest of the city from counts (shares only).

    The comparison tested is focus set vs rest of city (rest = city − set, in counts): the two are
    disjoint, so their shares are independent, and Newcombe's hybrid score interval for the
    difference of two independent shares applies (`stats.newcombe`, built from the two Wilson
    intervals). Focus vs the whole city is not tested on its own: the set is part of the city, so
    their shares are not independent, and a test that treats them as independent gets the
    uncertainty wrong (too wide). It needs no test of its own either: with n₁ and n₂ the set's and the rest's denominators,
    focus − city = n₂ / (n₁ + n₂) × (focus − rest) exactly, so it is non-zero exactly when
    focus − rest is, and its interval is the same interval scaled by n₂ / (n₁ + n₂).

    Returns `significant` True when the 95 % interval excludes zero, False when it includes zero,
    and None (with the reason in `untested`) for other kinds than shares, unknown counts, or counts
    that leave no rest of the city. For register shares (everyone counted, no sample) the interval
    stands for chance variation rather than sampling error (`register`).
    """
    if ind.kind != "share":
        return _untestable("not_share")
    x1, n1, xc, nc = (_count(v) for v in (focus_numerator, focus_denominator, city_numerator, city_denominator))
    if np.isnan([x1, n1, xc, nc]).any():
        return _untestable("counts_unknown")
    x2, n2 = xc - x1, nc - n1
    if n1 <= 0 or n2 <= 0 or not 0 <= x1 <= n1 or not 0 <= x2 <= n2:
        return _untestable("no_rest")
    low, high = (float(b) * ind.scale for b in newcombe(x1, n1, x2, n2))
    share_of_rest = n2 / nc
    return Significance(bool(low > 0 or high < 0), low, high, share_of_rest * low, share_of_rest * high,
                        register=not ind.survey)


def significance(ind: Indicator, frame: pd.DataFrame, year: int) -> Significance:
    """`difference_test` for one year of a `comparison` frame: the focus set's and the city's counts.

    Not testable when the set is incomplete (a member hidden or missing: the rest of the city is
    then unknown) or when the frame has no counts.
    """
    def row(series: str) -> pd.Series | None:
        r = frame[(frame.series == series) & (frame.year == year)]
        return r.iloc[0] if len(r) and "numerator" in r else None

    focus, city = row("focus"), row("city")
    if focus is None or city is None:
        return difference_test(ind, np.nan, np.nan, np.nan, np.nan)
    if not bool(focus.complete):
        return _untestable("set_incomplete")
    return difference_test(ind, focus.numerator, focus.denominator, city.numerator, city.denominator)


# --- How far apart are the areas? -----------------------------------------------------------------

DISPERSION_COLUMNS = ["year", "dispersion", "city_value", "areas_used", "areas", "population_used",
                      "population_share"]
MIN_POPULATION_SHARE = 0.8  # a year counts in the dispersion's trend only if its areas hold this much


def dispersion(ind: Indicator, area_rows: pd.DataFrame, city_rows: pd.DataFrame,
               group_value: str = "alla") -> pd.DataFrame:
    """How far the areas are from the whole city, per year, in the indicator's unit.

    The population-weighted mean absolute deviation of the areas' values vᵢ from the city's value c:
    Σ pᵢ·|vᵢ − c| / Σ pᵢ, with pᵢ the area's population. Read it as "on average, an inhabitant
    lives in an area whose value is this far from the city's" (procentenheter for shares).

    `area_rows`: one level's rows (e.g. RegSO) as the `indicator_values` query returns them;
    `city_rows`: the same query at municipality level. Only areas with a published value (status
    ok) and a known population count; hidden areas are left out, never filled in. Returns
    `DISPERSION_COLUMNS`, one row per year: `areas_used` of `areas` rows, their `population_used`
    and `population_share` (of the city's population) say what each value rests on. The value is
    NaN when fewer than two areas are used or the city has no published value, and always for
    counts and codes (an area's count is a part of the city's, not comparable with it).
    """
    a = area_rows[area_rows.group_value == group_value]
    c = _city_values(ind, city_rows[city_rows.group_value == group_value])
    years = sorted(set(a.year.astype(int)) | set(c.index.astype(int)))
    value, pop = a.value.astype(float), a.population.astype(float)
    ok = (a.status == "ok") & value.notna() & pop.notna() & (pop > 0)
    used = pd.DataFrame({"year": a.year.astype(int), "pop": pop, "value": value})[ok]
    used["city"] = used.year.map(c.value)
    used["weighted"] = used["pop"] * (used.value - used.city).abs()
    by_year = used.groupby("year")  # plain sums and sizes: named aggregations cost a few ms more per call
    g = by_year[["pop", "weighted"]].sum().rename(columns={"pop": "population_used"})
    g["areas_used"] = by_year.size()
    g = g.reindex(years)
    out = pd.DataFrame({"year": years})
    out["city_value"] = c.value.reindex(years).to_numpy()
    out["areas_used"] = g.areas_used.fillna(0).astype(int).to_numpy()
    out["areas"] = a.groupby(a.year.astype(int)).size().reindex(years).fillna(0).astype(int).to_numpy()
    out["population_used"] = g.population_used.fillna(0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        city_pop = c.population.reindex(years).to_numpy()
        out["population_share"] = np.where(city_pop > 0, out.population_used / city_pop, np.nan)
        spread = g.weighted.to_numpy() / g.population_used.to_numpy()
    comparable = ind.kind in ("share", "rate", "mean")
    valid = comparable & (out.areas_used >= 2) & out.city_value.notna()
    out["dispersion"] = np.where(valid, spread, np.nan)
    return out[DISPERSION_COLUMNS]


@dataclass(frozen=True)
class DispersionTrend(GapTrend):
    """How the dispersion between areas moved (`start`/`end` are dispersions, `change` = end − start).

    `better` is True when the differences between areas shrink, whatever the indicator's
    direction: the programme's aim is that they shrink.
    """


def dispersion_trend(ind: Indicator, disp: pd.DataFrame, end_year: int, window: int = TREND_WINDOW,
                     min_population_share: float = MIN_POPULATION_SHARE) -> DispersionTrend:
    """Judge the dispersion between `end_year − window` and `end_year`, as `gap_trend` judges a gap.

    Years count only if their areas hold at least `min_population_share` of the city's population
    (otherwise a change could come from which areas are hidden). The change counts if it is at least
    `change_threshold` (0.5 procentenheter for shares, 1 % of the city's value otherwise, or 5 % of
    the starting dispersion if larger); "minskar" means the areas have come closer to the city.
    """
    d = disp[disp.population_share >= min_population_share]
    g = _window(d, "dispersion", end_year, window)
    if len(g) < 2:
        return DispersionTrend(None, None, np.nan, np.nan, np.nan, np.nan, "okänd", None)
    first, last = g.iloc[0], g.iloc[-1]
    slope = float(np.polyfit(g.year.astype(float), g.dispersion.astype(float), 1)[0])
    change = float(last.dispersion - first.dispersion)
    verdict = _verdict(change, change_threshold(ind, first.dispersion, last.city_value))
    better = None if verdict == "oförändrad" else verdict == "minskar"
    return DispersionTrend(int(first.year), int(last.year), float(first.dispersion), float(last.dispersion),
                           change, slope, verdict, better)


# --- Status of an effektmål -----------------------------------------------------------------------

TARGET_STATUSES = ("går åt rätt håll", "blandat", "går åt fel håll", "oförändrat", "kan inte bedömas")


@dataclass(frozen=True)
class TargetStatus:
    """An effektmål's status from its indicators' gap trends, with the counts behind it."""

    status: str  # one of TARGET_STATUSES
    indicators: int  # indicators considered
    assessed: int  # with a development that can be judged (minskar, ökar or oförändrad)
    improving: int  # the focus set moved the better way relative to the city
    worsening: int
    unchanged: int
    closing: int  # the gap shrank (verdict "minskar")
    widening: int  # the gap grew (verdict "ökar")


def target_status(trends: Iterable[GapTrend]) -> TargetStatus:
    """Combine the gap trends of one effektmål's indicators into a status, by counting.

    The rule, in words a reader can check:

    1. Each indicator counts once. Its development can be judged when its gap trend is "minskar",
       "ökar" or "oförändrad" (not "okänd"). It goes the right way when the focus set moved the
       better way relative to the whole city (`GapTrend.better`; for a balance indicator: the gap
       shrank), the wrong way when it moved the worse way.
    2. "kan inte bedömas" when fewer than half of the indicators (or none) can be judged.
    3. Otherwise: "går åt rätt håll" when at least one goes the right way and none the wrong way;
       "går åt fel håll" when at least one goes the wrong way and none the right way; "blandat"
       when some go each way; "oförändrat" when all that can be judged are unchanged.

    Values are never averaged: the indicators have different units, so only the directions are
    counted. Pass the trends of the indicators followed per area (an indicator with only a
    whole-city value has no gap and would count as not judged).
    """
    trends = list(trends)
    n = len(trends)
    judged = [t for t in trends if t.verdict in ("minskar", "ökar", "oförändrad")]
    improving = sum(t.better is True for t in judged)
    worsening = sum(t.better is False for t in judged)
    unchanged = sum(t.verdict == "oförändrad" for t in judged)
    closing = sum(t.verdict == "minskar" for t in judged)
    widening = sum(t.verdict == "ökar" for t in judged)
    m = len(judged)
    if m == 0 or 2 * m < n:
        status = "kan inte bedömas"
    else:
        if improving and worsening:
            status = "blandat"
        elif improving:
            status = "går åt rätt håll"
        elif worsening:
            status = "går åt fel håll"
        else:
            status = "oförändrat"
    return TargetStatus(status, n, m, improving, worsening, unchanged, closing, widening)


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


def values_at(frame: pd.DataFrame) -> pd.Series:
    """`value_at` for every series and year of a comparison frame at once: the value of each (series, year)'s
    first row, indexed by (series, year), for a caller that reads many (a table of years × series)."""
    return frame.drop_duplicates(["series", "year"]).set_index(["series", "year"]).value.astype(float)

