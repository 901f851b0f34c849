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
