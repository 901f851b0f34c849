"""A set's value from its members' sums: the rules on hand-made sums, and the query's sums against pandas'."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from shb.analysis import set_sums
from shb.store import db as dbmod
from shb.store.schema import SCHEMA


def sums(members_used, numerator=0.0, denominator=0.0, population=0.0, value=0.0, weighted=0.0,
         den_known=None, pop_known=None, member_rows=None) -> pd.DataFrame:
    """One row of `set_sums.SUM_COLUMNS` (known counts default to every member used)."""
    return pd.DataFrame([{
        "member_rows": members_used if member_rows is None else member_rows, "members_used": members_used,
        "numerator_sum": numerator, "denominator_sum": denominator, "population_sum": population, "value_sum": value,
        "weighted_sum": weighted, "denominators_known": members_used if den_known is None else den_known,
        "populations_known": members_used if pop_known is None else pop_known}], index=pd.Index([2024], name="year"))


NAN = np.nan


# (kind, scale, survey, sums, members) → (value, numerator, denominator, population, complete)
@pytest.mark.parametrize("kind,scale,sum_row,members,want", [
    # a share from summed counts, not a mean of the areas' shares
    ("share", 100, sums(2, numerator=60, denominator=500, population=500), 2, (12.0, 60, 500, 500, True)),
    ("rate", 1000, sums(2, numerator=3, denominator=1500, population=1500), 2, (2.0, 3, 1500, 1500, True)),
    # a member hidden: the sums are the others', the set is not complete
    ("share", 100, sums(1, numerator=50, denominator=100, population=100, member_rows=2), 2, (50.0, 50, 100, 100, False)),
    # a member without a row at all: not complete either
    ("share", 100, sums(1, numerator=50, denominator=100, population=100), 2, (50.0, 50, 100, 100, False)),
    # a used member without a denominator: the set's counts and share are unknown
    ("share", 100, sums(2, numerator=50, denominator=100, population=300, den_known=1), 2, (NAN, NAN, NAN, 300, True)),
    # every member hidden: nothing is known
    ("share", 100, sums(0, member_rows=2), 2, (NAN, NAN, NAN, NAN, False)),
    ("count", None, sums(3, value=42.0, population=900), 3, (42.0, NAN, NAN, 900, True)),
    ("count", None, sums(0, member_rows=3), 3, (NAN, NAN, NAN, NAN, False)),
    # means (and codes) weighted by population: (10 × 100 + 40 × 300) / 400
    ("mean", None, sums(2, population=400, weighted=13000.0), 2, (32.5, NAN, NAN, 400, True)),
    ("code", None, sums(2, population=400, weighted=13000.0), 2, (32.5, NAN, NAN, 400, True)),
    # a mean needs every used member's population, and a positive one
    ("mean", None, sums(2, population=100, weighted=1000.0, pop_known=1), 2, (NAN, NAN, NAN, NAN, True)),
    ("mean", None, sums(2, population=0, weighted=0.0), 2, (NAN, NAN, NAN, 0, True)),
    # an empty set is never complete
    ("share", 100, sums(0, member_rows=0), 0, (NAN, NAN, NAN, NAN, False)),
])
def test_set_from_sums_follows_the_rules(kind, scale, sum_row, members, want):
    got = set_sums.set_from_sums(sum_row, kind, scale, False, members).iloc[0]
    value, numerator, denominator, population, complete = want
    np.testing.assert_array_equal([got.value, got.numerator, got.denominator, got.population],
                                  [value, numerator, denominator, population])
    assert got.complete is np.bool_(complete) or got.complete == complete
    assert (got.members_used, got.members) == (sum_row.members_used.iloc[0], members)
    assert np.isnan(got.ci_low) and np.isnan(got.ci_high)


def test_a_survey_share_gets_its_wilson_interval_and_nothing_else_does():
    row = sums(2, numerator=60, denominator=500, population=500)
    survey = set_sums.set_from_sums(row, "share", 100, True, 2).iloc[0]
    assert survey.ci_low == pytest.approx(9.44, abs=0.01) and survey.ci_high == pytest.approx(15.14, abs=0.01)
    for kind, flag in (("share", False), ("rate", True)):
        other = set_sums.set_from_sums(row, kind, 100, flag, 2).iloc[0]
        assert np.isnan(other.ci_low) and np.isnan(other.ci_high)


def test_arrays_of_kinds_give_what_each_kind_gives_alone():
    rows = pd.concat([sums(2, numerator=60, denominator=500, population=500, value=7.0, weighted=9000.0)] * 4,
                     ignore_index=True)
    kinds, scales, surveys = ["share", "count", "mean", "rate"], [100, np.nan, np.nan, 1000], [True, False, True, False]
    together = set_sums.set_from_sums(rows, np.array(kinds, dtype=object), np.array(scales), np.array(surveys), 2)
    for i, (kind, scale, survey) in enumerate(zip(kinds, scales, surveys)):
        alone = set_sums.set_from_sums(rows.iloc[[i]], kind, None if np.isnan(scale) else scale, survey, 2)
        pd.testing.assert_frame_equal(together.iloc[[i]], alone)


def test_member_sums_leave_hidden_rows_out_and_count_every_row():
    rows = pd.DataFrame({
        "year": [2024, 2024, 2024, 2023], "status": ["ok", "ok", "suppressed", "ok"],
        "value": [10.0, 40.0, 99.0, 5.0], "numerator": pd.array([1, 2, 50, 3], dtype="Int64"),
        "denominator": pd.array([10, 20, 60, None], dtype="Int64"),
        "population": pd.array([100, 300, 1000, 7], dtype="Int64")})
    got = set_sums.member_sums(rows)
    assert got.index.tolist() == [2023, 2024]
    assert got.loc[2024].tolist() == [3, 2, 3.0, 30.0, 400.0, 50.0, 13000.0, 2, 2]
    assert got.loc[2023].tolist() == [1, 1, 3.0, 0.0, 7.0, 5.0, 35.0, 0, 1]


def test_values_are_summed_exactly_whatever_their_order():
    """1e16 + 1 − 1e16 + 1 is 2: a plain sum gives 1 and pandas' own (Kahan) sum 0 in this order."""
    rows = pd.DataFrame({"year": 2024, "status": "ok", "value": [1e16, 1.0, -1e16, 1.0],
                         "numerator": pd.array([None] * 4, dtype="Int64"), "denominator": pd.array([None] * 4, dtype="Int64"),
                         "population": pd.array([1, 1, 1, 1], dtype="Int64")})
    got = set_sums.member_sums(rows).iloc[0]
    assert (got.value_sum, got.weighted_sum) == (2.0, 2.0)
    assert rows.groupby("year").value.sum().iloc[0] != 2.0, "the check on the check: pandas' sum is not exact here"


def query_sums(path, rows: pd.DataFrame) -> pd.DataFrame:
    """The set_member_sums query for the set {A, B} on a file holding only `rows` (area_code, year, value,
    numerator, denominator, population, status) of one indicator."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        con.execute("insert into area_set_member values ('s', 'A'), ('s', 'B')")
        con.register("given", rows)
        con.execute("insert into published_observation select 'x', 'regso', year, area_code, 'total', 'alla', value, "
                    "numerator, denominator, population, null, null, status, false, true, 'v', 'none' from given")
        return con.execute(dbmod.load_query("set_member_sums").sql, {"set_id": "s"}).df()
    finally:
        con.close()


def test_the_query_sums_as_pandas_does_exactly_and_leaves_hidden_rows_out(tmp_path):
    rows = pd.DataFrame({
        "area_code": ["A", "B", "A", "B", "C", "A", "B"], "year": [2024, 2024, 2024, 2024, 2024, 2023, 2023],
        "value": [1e16, 1.0, -1e16, 1.0, 5.0, 3.0, 4.0],
        "numerator": pd.array([1, 2, 3, 4, 5, 6, None], dtype="Int64"),
        "denominator": pd.array([10, 20, 30, 40, 50, 60, 70], dtype="Int64"),
        "population": pd.array([1, 1, 1, 1, 1, 2, None], dtype="Int64"),
        "status": ["ok", "ok", "ok", "ok", "ok", "suppressed", "ok"]})
    got = query_sums(tmp_path / "x.duckdb", rows).set_index("year")
    want = set_sums.member_sums(rows[rows.area_code.isin(["A", "B"])])
    assert got[set_sums.SUM_COLUMNS].values.tolist() == want.values.tolist() == [
        [2, 1, 0.0, 70.0, 0.0, 4.0, 0.0, 1, 0], [4, 4, 10.0, 100.0, 4.0, 2.0, 2.0, 4, 4]]


def test_the_querys_sums_are_pandas_sums_of_the_members_rows(demo_db):
    """Every indicator and year of the demo database: the set_member_sums query's sums equal, to the last
    bit, `member_sums` of the members' rows read without it."""
    database = dbmod.Database(demo_db)
    try:
        got = database.run("set_member_sums", set_id="omradesutveckling")
    finally:
        database.close()
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        rows = con.execute("select o.indicator_id, o.year, o.area_code, o.value, o.numerator, o.denominator, "
                           "o.population, o.status from published_observation as o where o.group_dim = 'total' "
                           "and o.level = 'regso' and o.area_code in (select area_code from area_set_member "
                           "where set_id = 'omradesutveckling') order by o.indicator_id, o.year, o.area_code").df()
    finally:
        con.close()
    assert rows.status.nunique() > 1, "hidden members are among the rows compared"
    want = pd.concat({i: set_sums.member_sums(r) for i, r in rows.groupby("indicator_id", sort=True)},
                     names=["indicator_id", "year"]).reset_index()
    assert len(got) == len(want) > 0
    for column in ["indicator_id", "year", *set_sums.SUM_COLUMNS]:
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy(), err_msg=column)
