"""A set of areas' value from its members' sums: the rules, stated once.

The set's value in a year rests on a handful of sums over its member areas' rows (`SUM_COLUMNS`):
`member_sums` takes them in pandas from the rows (one indicator, per year), the `set_member_sums`
query takes the same sums in DuckDB for every indicator at once. `set_from_sums` turns sums into
values: shares and rates from summed numerators and denominators (never a plain mean of the areas'
shares), counts summed, means (and codes) weighted by population, a Wilson interval for survey
shares. Only published ('ok') members are summed; the set is `complete` when every member is.
`set_from_sums` takes the indicator's kind, scale and survey flag as values or as arrays (one per
row of sums), so one indicator and a whole catalog go through the same lines.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shb.core.stats import wilson

# member_rows: the members' rows whatever their status; the rest over published ('ok') rows only, the
# sums 0 when nothing is known; weighted_sum is Σ value × population.
SUM_COLUMNS = ["member_rows", "members_used", "numerator_sum", "denominator_sum", "population_sum", "value_sum",
               "weighted_sum", "denominators_known", "populations_known"]
SET_COLUMNS = ["value", "numerator", "denominator", "population", "ci_low", "ci_high", "complete",
               "members_used", "members"]


def ratio(scale, numerator, denominator) -> np.ndarray:
    """scale × numerator / denominator where the denominator is positive, NaN elsewhere."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, scale * numerator / np.where(denominator > 0, denominator, 1), np.nan)


def exact_sum(values: np.ndarray) -> float:
    """The sum of the known (not NaN) values, correctly rounded whatever their order (0 when none is known).

    As DuckDB's `fsum` sums in the `set_member_sums` query, so a set's value is the same to the last
    bit whichever way its sums were taken (a plain or Kahan sum of non-integer values can differ in
    the last bit from one order to another).
    """
    return math.fsum(values[~np.isnan(values)].tolist())


def member_sums(rows: pd.DataFrame) -> pd.DataFrame:
    """The member areas' sums per year (`SUM_COLUMNS`, indexed by year, sorted), from their rows (one
    indicator, one group value: year, status, value, numerator, denominator, population). Sums of
    counts are of integers (exact); sums of values go through `exact_sum`."""
    ok = rows.status == "ok"
    r = pd.DataFrame({
        "year": rows.year, "used": ok.astype(int),
        "num": rows.numerator.where(ok).astype(float), "den": rows.denominator.where(ok).astype(float),
        "pop": rows.population.where(ok).astype(float), "val": rows.value.where(ok).astype(float)})
    r["wv"] = r.val * r["pop"]
    # Plain group sums and counts in one pass each; the two exact sums per year (a handful of years) through
    # `exact_sum` on each year's slice. Named aggregations with a Python function cost several times more.
    by_year = r.groupby("year", sort=True)
    plain = by_year[["used", "num", "den", "pop"]].sum()
    known = by_year[["den", "pop"]].count()
    r = r[r.year.notna()].sort_values("year", kind="stable")  # the groups' order, each year's rows together
    years = r.year.to_numpy()
    starts = np.flatnonzero(years[1:] != years[:-1]) + 1
    exact = {column: [exact_sum(part) for part in np.split(r[column].to_numpy(dtype=float), starts)] if len(r) else []
             for column in ("val", "wv")}
    return pd.DataFrame({
        "member_rows": by_year.size(), "members_used": plain.used, "numerator_sum": plain.num,
        "denominator_sum": plain.den, "population_sum": plain["pop"],
        "value_sum": pd.Series(exact["val"], index=plain.index, dtype=float),
        "weighted_sum": pd.Series(exact["wv"], index=plain.index, dtype=float),
        "denominators_known": known.den, "populations_known": known["pop"]})[SUM_COLUMNS]


def set_from_sums(sums: pd.DataFrame, kind, scale, survey, members: int) -> pd.DataFrame:
    """The set's `SET_COLUMNS` for each row of `sums` (`SUM_COLUMNS`), indexed as `sums`.

    `kind`, `scale` (None or NaN where the kind has none) and `survey` are the indicator's, or arrays
    with one entry per row of `sums`; `members` is the number of areas in the set. The population and
    the shares' counts are given only when every member used has them; a mean needs a positive
    population; hidden members make the set not `complete`, and so does a member without a row.
    """
    n = len(sums)
    kind = np.broadcast_to(np.asarray(kind, dtype=object), (n,))
    scale = np.broadcast_to(np.asarray(np.nan if scale is None else scale, dtype=float), (n,))
    survey = np.broadcast_to(np.asarray(survey, dtype=bool), (n,))
    used = sums.members_used.to_numpy(dtype=np.int64)
    some = used > 0
    counts = np.isin(kind, ("share", "rate"))
    known = counts & some & (sums.denominators_known.to_numpy() == used)
    pop_known = some & (sums.populations_known.to_numpy() == used)
    num = np.where(known, sums.numerator_sum.to_numpy(dtype=float), np.nan)
    den = np.where(known, sums.denominator_sum.to_numpy(dtype=float), np.nan)
    pop = sums.population_sum.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(pop_known & (pop > 0), sums.weighted_sum.to_numpy(dtype=float) / np.where(pop > 0, pop, 1),
                        np.nan)
    total = np.where(some, sums.value_sum.to_numpy(dtype=float), np.nan)
    value = np.where(counts, ratio(scale, num, den), np.where(kind == "count", total, mean))
    low, high = wilson(num, den)
    interval = survey & (kind == "share")
    return pd.DataFrame({
        "value": value, "numerator": num, "denominator": den, "population": np.where(pop_known, pop, np.nan),
        "ci_low": np.where(interval, low * scale, np.nan), "ci_high": np.where(interval, high * scale, np.nan),
        "complete": (used == members) & (members > 0), "members_used": used,
        "members": np.full(n, members, dtype=np.int64)}, index=sums.index)[SET_COLUMNS]
