"""The overview's vectorised pass gives, indicator by indicator, what the one-indicator functions give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shb.analysis import catalog_wide, measures
from shb.present import views
from shb.store import db as dbmod


def one_by_one(inds, rows, members, till=None) -> pd.DataFrame:
    """The overview's numbers as measures computes them for one indicator at a time."""
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
@pytest.mark.parametrize("which", ["demo_db", "real_db"])
def test_set_overview_equals_the_one_indicator_functions(which, till, request):
    database = dbmod.Database(request.getfixturevalue(which))
    try:
        inds = views.indicators(database)
        _, members = views.set_members(database, "omradesutveckling")
        rows = database.run("set_and_city_values", set_id="omradesutveckling")
        got = catalog_wide.set_overview(inds, rows, members, till)
        want = one_by_one(inds, rows, members, till)
    finally:
        database.close()
    assert got.indicator_id.tolist() == want.indicator_id.tolist()
    assert got.year.fillna(-1).tolist() == want.year.fillna(-1).tolist()
    np.testing.assert_allclose(got.focus.to_numpy(float), want.focus.to_numpy(float), equal_nan=True)
    np.testing.assert_allclose(got.city.to_numpy(float), want.city.to_numpy(float), equal_nan=True)
    assert got.gap_series.tolist() == want.gap_series.tolist()
    differ = [i for i, a, b in zip(got.indicator_id, got.trend, want.trend) if not same_trend(a, b)]
    assert not differ
    # The comparison is not empty: verdicts of every kind the demo data has are compared.
    assert {t.verdict for t in want.trend} >= {"minskar", "ökar", "okänd"}


def test_set_overview_sees_a_changed_member_value(demo_db):
    """A check on the check: one member's value changed changes the set's value in that year."""
    database = dbmod.Database(demo_db)
    try:
        inds = views.indicators(database)
        _, members = views.set_members(database, "omradesutveckling")
        rows = database.run("set_and_city_values", set_id="omradesutveckling")
    finally:
        database.close()
    ind = next(i for i in inds.values() if i.kind == "mean" and i.lowest_level != "municipality")
    before = catalog_wide.set_overview(inds, rows, members).set_index("indicator_id").loc[ind.id]
    at = (rows.indicator_id == ind.id) & (rows.level == "regso") & (rows.year == before.year) & (rows.status == "ok")
    changed = rows.copy()
    changed.loc[changed.index[at][0], "value"] += 10
    after = catalog_wide.set_overview(inds, changed, members).set_index("indicator_id").loc[ind.id]
    assert after.focus > before.focus
    assert after.city == before.city


def profile_from_rows(path, area_code: str) -> pd.DataFrame:
    """An area's profile numbers computed in pandas from every year of the area's and the kommun's totals."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select indicator_id, area_code, year, value, status from published_observation "
                           "where group_dim = 'total' and (area_code = $a or level = 'municipality') "
                           "order by indicator_id, year, area_code", {"a": area_code}).df()
    finally:
        con.close()
    own = rows[rows.area_code == area_code]
    last_ok = own[own.status == "ok"].groupby("indicator_id").tail(1).set_index("indicator_id")
    city = rows[(rows.area_code != area_code) & (rows.status == "ok")].groupby(["indicator_id", "year"]).value.first()
    ids = pd.unique(rows.indicator_id)
    year = last_ok.year.reindex(ids)
    return pd.DataFrame({"indicator_id": ids, "year": year.to_numpy(float),
                         "value": last_ok.value.reindex(ids).to_numpy(float),
                         "city": [city.get((i, y), np.nan) if pd.notna(y) else np.nan for i, y in zip(ids, year)]})


@pytest.mark.parametrize("area_code", ["1490R025", "1490D01", "1490", "1490C1560"])
def test_area_profile_query_gives_the_last_published_year_and_the_city_then(demo_db, area_code):
    database = dbmod.Database(demo_db)
    try:
        views.clear_caches()
        got = views.area_profile(database, area_code)
    finally:
        database.close()
    want = profile_from_rows(demo_db, area_code)
    assert got.indicator_id.tolist() == want.indicator_id.tolist() and len(want) > 0
    assert got.year.astype(float).fillna(-1).tolist() == want.year.fillna(-1).tolist()
    np.testing.assert_allclose(got.value.to_numpy(float), want.value.to_numpy(float), equal_nan=True)
    np.testing.assert_allclose(got.city.to_numpy(float), want.city.to_numpy(float), equal_nan=True)
