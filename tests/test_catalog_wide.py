"""The overview's vectorised pass gives, indicator by indicator, what the one-indicator functions give."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from shb.analysis import catalog_wide, measures
from shb.present import views
from shb.store import db as dbmod


def totals(path, set_id: str) -> pd.DataFrame:
    """The RegSO rows of the set's members and the kommun's rows, totals only, read without the app's queries."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select o.* from published_observation as o where o.group_dim = 'total' and "
            "(o.level = 'municipality' or (o.level = 'regso' and o.area_code in (select m.area_code from "
            "area_set_member as m where m.set_id = $set_id))) order by o.indicator_id, o.level, o.year, o.area_code",
            {"set_id": set_id}).df()
    finally:
        con.close()


def queried(path, set_id: str):
    """The catalog, the set's members and the two queries' rows the overview is made from."""
    database = dbmod.Database(path)
    try:
        _, members = views.set_members(database, set_id)
        return (views.indicators(database), members, database.run("city_values"),
                database.run("set_member_sums", set_id=set_id))
    finally:
        database.close()


def overview_numbers(path, set_id: str, till=None):
    """`catalog_wide.set_overview` on the queries' rows, and the rows behind it (`totals`) with the members."""
    inds, members, city, sums = queried(path, set_id)
    return inds, members, catalog_wide.set_overview(inds, city, sums, members, till), totals(path, set_id)


def one_by_one(inds, rows, members, till=None) -> pd.DataFrame:
    """The overview's numbers as measures computes them for one indicator at a time, from its rows."""
    out = []
    for ind_id, r in rows.groupby("indicator_id", sort=False):
        ind = inds[ind_id]
        frame = measures.comparison(ind, r[r.level == "regso"], r[r.level == "municipality"], members)
        if till:
            frame = frame[frame.year <= till]
        gaps = measures.gaps(frame)
        year = measures.latest_year(frame)
        focus = measures.value_at(frame, "focus", year) if year else np.nan
        city = measures.value_at(frame, "city", year) if year else np.nan
        out.append({"indicator_id": ind_id, "year": year, "focus": focus, "city": city,
                    "trend": measures.gap_trend(ind, gaps, year or 0, city_value=city),
                    "gap_series": [round(float(x), 2) for x in gaps.difference.dropna().tail(8)]})
    return pd.DataFrame(out)


def same_trend(a: measures.GapTrend, b: measures.GapTrend) -> bool:
    close = np.isclose([a.start, a.end, a.change, a.slope], [b.start, b.end, b.change, b.slope], equal_nan=True)
    return (a.start_year, a.end_year, a.verdict, a.better) == (b.start_year, b.end_year, b.verdict, b.better) and close.all()


@pytest.mark.parametrize("till", [None, 2019])
@pytest.mark.parametrize("which,set_id", [("demo_db", "omradesutveckling"), ("real_db", "omradesutveckling"),
                                          ("demo_db", "polisen_2025")])
def test_set_overview_equals_the_one_indicator_functions(which, set_id, till, request):
    inds, members, got, rows = overview_numbers(request.getfixturevalue(which), set_id, till)
    want = one_by_one(inds, rows, members, till)
    assert got.indicator_id.tolist() == want.indicator_id.tolist()
    assert got.year.fillna(-1).tolist() == want.year.fillna(-1).tolist()
    # The same sums, whichever way they were taken: the same values to the last bit.
    np.testing.assert_array_equal(got.focus.to_numpy(float), want.focus.to_numpy(float))
    np.testing.assert_array_equal(got.city.to_numpy(float), want.city.to_numpy(float))
    assert got.gap_series.tolist() == want.gap_series.tolist()
    differ = [i for i, a, b in zip(got.indicator_id, got.trend, want.trend) if not same_trend(a, b)]
    assert not differ
    # The comparison is not empty: verdicts of every kind the demo data has are compared.
    assert {t.verdict for t in want.trend} >= {"minskar", "ökar", "okänd"}
    assert want.focus.notna().sum() > 10


def test_set_overview_sees_a_changed_member_value(demo_db):
    """A check on the check: one member's value changed changes the set's value in that year."""
    inds, members, city, sums = queried(demo_db, "omradesutveckling")
    ind = next(i for i in inds.values() if i.kind == "mean" and i.lowest_level != "municipality")
    before = catalog_wide.set_overview(inds, city, sums, members).set_index("indicator_id").loc[ind.id]
    at = (sums.indicator_id == ind.id) & (sums.year == before.year)
    changed = sums.copy()
    changed.loc[at, "weighted_sum"] += 10 * changed.loc[at, "population_sum"]
    after = catalog_wide.set_overview(inds, city, changed, members).set_index("indicator_id").loc[ind.id]
    assert after.focus == pytest.approx(before.focus + 10)
    assert after.city == before.city


def test_set_overview_does_not_depend_on_the_order_of_the_rows(demo_db):
    """city_values hands its rows over in the stored order, which an import changes: the overview is the same
    for rows in any order."""
    inds, members, city, sums = queried(demo_db, "omradesutveckling")
    got = catalog_wide.set_overview(inds, city, sums, members)
    shuffled = catalog_wide.set_overview(inds, city.sample(frac=1, random_state=1),
                                         sums.sample(frac=1, random_state=2), members)
    pd.testing.assert_frame_equal(shuffled[["indicator_id", "year", "focus", "city"]],
                                  got[["indicator_id", "year", "focus", "city"]])
    assert [repr(t) for t in shuffled.trend] == [repr(t) for t in got.trend]
    assert shuffled.gap_series.tolist() == got.gap_series.tolist()


# --- The life course: the set against the rest of the city -------------------------------------------------

def rest_one_by_one(inds, rows, members) -> pd.DataFrame:
    """The life course's numbers as the one-indicator functions give them: `measures.comparison` from the
    indicator's rows, its latest year, the set's, the rest's and the city's value then, and the trend of the
    set's difference to the rest (judged against the rest's value, or the city's without one)."""
    out = []
    for ind_id, r in rows.groupby("indicator_id", sort=False):
        ind = inds[ind_id]
        frame = measures.comparison(ind, r[r.level == "regso"], r[r.level == "municipality"], members)
        area_level = ind.lowest_level != "municipality"
        year = measures.latest_year(frame)
        city = measures.value_at(frame, "city", year) if year else np.nan
        focus = measures.value_at(frame, "focus", year) if year and area_level else np.nan
        rest = measures.value_at(frame, "rest", year) if year and area_level else np.nan
        paired = measures.paired_series(frame, "focus", "rest")
        gaps = pd.DataFrame({"year": paired[0].astype(int), "difference": paired[1] - paired[2]} if paired
                            else {"year": [], "difference": []})
        trend = measures.gap_trend(ind, gaps, year or 0, city_value=rest if not np.isnan(rest) else city)
        relative = np.nan if np.isnan(focus) or np.isnan(rest) or rest == 0 else (focus - rest) / abs(rest)
        severity = {"higher": -relative, "lower": relative}.get(ind.direction, abs(relative))
        out.append({"indicator_id": ind_id, "year": year, "focus": focus, "rest": rest, "city": city,
                    "gap": focus - rest, "severity": severity, "area_level": area_level, "trend": trend})
    return pd.DataFrame(out)


@pytest.mark.parametrize("which,set_id", [("demo_db", "omradesutveckling"), ("real_db", "omradesutveckling"),
                                          ("demo_db", "polisen_2025")])
def test_set_rest_gaps_equals_the_one_indicator_functions(which, set_id, request):
    path = request.getfixturevalue(which)
    inds, members, city, sums = queried(path, set_id)
    got = catalog_wide.set_rest_gaps(inds, city, sums, members)
    want = rest_one_by_one(inds, totals(path, set_id), members)
    assert got.indicator_id.tolist() == want.indicator_id.tolist()
    assert got.year.fillna(-1).tolist() == want.year.fillna(-1).tolist()
    assert got.area_level.tolist() == want.area_level.tolist()
    for column in ("focus", "rest", "city", "gap", "severity"):  # the same sums: the same values to the last bit
        np.testing.assert_array_equal(got[column].to_numpy(float), want[column].to_numpy(float), err_msg=column)
    differ = [i for i, a, b in zip(got.indicator_id, got.trend, want.trend) if not same_trend(a, b)]
    assert not differ
    # Not vacuous: rests of shares (and in the demo data of means), worse and better sets, verdicts of every kind.
    known = want[want.rest.notna()].indicator_id
    assert {inds[i].kind for i in known} >= ({"share"} if which == "real_db" else {"share", "mean"})
    assert (want.severity > 0).any() and (want.severity < 0).any()
    assert {t.verdict for t in want.trend} >= {"minskar", "ökar", "okänd"}


def test_set_rest_gaps_sees_a_hidden_member(demo_db):
    """A check on the check: a member hidden in a year leaves the set incomplete, so the rest of the city
    is unknown that year, and the set's value rests on the other members."""
    inds, members, city, sums = queried(demo_db, "omradesutveckling")
    before = catalog_wide.set_rest_gaps(inds, city, sums, members).set_index("indicator_id")
    ind_id = next(i for i in before.index if inds[i].kind == "share" and not np.isnan(before.loc[i, "rest"]))
    at = (sums.indicator_id == ind_id) & (sums.year == before.loc[ind_id, "year"])
    changed = sums.copy()
    changed.loc[at, ["members_used", "denominators_known", "populations_known"]] -= 1  # one fewer member summed
    after = catalog_wide.set_rest_gaps(inds, city, changed, members).set_index("indicator_id")
    assert after.loc[ind_id, "year"] == before.loc[ind_id, "year"] and not np.isnan(after.loc[ind_id, "focus"])
    assert np.isnan(after.loc[ind_id, "rest"]) and np.isnan(after.loc[ind_id, "gap"])
    assert after.loc[ind_id, "city"] == before.loc[ind_id, "city"]


def test_set_rest_gaps_judges_the_gaps_change_against_the_rest_of_the_city():
    """A count whose rest of the city is half the city's value: the gap to the rest shrinks by 8, which
    counts against 1 % of the rest (4.99) but would not against 1 % of the city (10)."""
    from dataclasses import replace

    from shb.core.catalog import load_catalog

    base = next(i for i in load_catalog().indicators if i.kind == "count")
    ind = replace(base, id="antal_test", lowest_level="regso", direction="lower")
    city = pd.DataFrame({"indicator_id": ind.id, "year": [2020, 2021], "value": [1000.0, 1000.0],
                         "numerator": pd.array([None, None], dtype="Int64"),
                         "denominator": pd.array([None, None], dtype="Int64"), "population": [50_000, 50_000],
                         "ci_low": np.nan, "ci_high": np.nan, "status": "ok"})
    members = ["1490R017", "1490R018"]
    sums = pd.DataFrame({"indicator_id": ind.id, "year": [2020, 2021], "member_rows": 2, "members_used": 2,
                         "numerator_sum": 0.0, "denominator_sum": 0.0, "population_sum": 20_000.0,
                         "value_sum": [505.0, 501.0], "weighted_sum": 0.0, "denominators_known": 0,
                         "populations_known": 2})
    got = catalog_wide.set_rest_gaps({ind.id: ind}, city, sums, members).iloc[0]
    assert (got.focus, got.rest, got.gap) == (501.0, 499.0, 2.0)
    gaps = pd.DataFrame({"year": [2020, 2021], "difference": [10.0, 2.0]})
    assert same_trend(got.trend, measures.gap_trend(ind, gaps, 2021, city_value=499.0))
    assert got.trend.verdict == "minskar"
    assert measures.gap_trend(ind, gaps, 2021, city_value=1000.0).verdict == "oförändrad"  # what the city would say
