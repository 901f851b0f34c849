"""Demo data: deterministic, consistent between levels, realistic, and marked demo."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from shb.core.catalog import load_catalog
from shb.ingest.build import build_demo_snapshot
from shb.store import writer as store

CAT = load_catalog()


def observations(path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select * from observation").df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def obs(demo_db) -> pd.DataFrame:
    return observations(demo_db)


def test_two_builds_give_identical_observations(demo_db, tmp_path, obs):
    second = tmp_path / "again.duckdb"
    build_demo_snapshot(second)
    pd.testing.assert_frame_equal(obs, observations(second))


def test_rebuilding_keeps_the_previous_snapshot(tmp_path):
    path = tmp_path / "shb.duckdb"
    first = build_demo_snapshot(path)
    second = build_demo_snapshot(path)
    assert first.kept_previous is None
    assert second.kept_previous == tmp_path / "snapshots" / f"{first.version}.duckdb"
    assert store.snapshot_version(second.kept_previous) == first.version
    assert store.snapshot_version(path) == second.version


def test_every_row_is_demo_and_years_span_2012_2024(obs):
    assert obs.is_demo.all()
    assert (obs.year.min(), obs.year.max()) == (2012, 2024)


def test_every_indicator_has_each_of_its_levels_and_groups(obs):
    have = obs.groupby("indicator_id").agg(levels=("level", set), dims=("group_dim", set))
    for ind in CAT.indicators:
        assert have.loc[ind.id, "levels"] == set(ind.levels), ind.id
        assert have.loc[ind.id, "dims"] == {"total", *ind.groups}, ind.id


def test_shares_are_within_0_100_and_numerator_within_denominator(obs):
    shares = obs[obs.indicator_id.isin([i.id for i in CAT.indicators if i.kind == "share"])]
    ok = shares[shares.status == "ok"]
    assert ok.value.between(0, 100).all()
    assert (ok.numerator <= ok.denominator).all()
    assert ((ok.value - 100 * ok.numerator / ok.denominator).abs() < 0.01).all()


def test_status_keeps_suppressed_missing_and_not_applicable_apart(obs):
    counts = obs.status.value_counts()
    assert {"ok", "suppressed", "missing"} <= set(counts.index)
    hidden = obs[obs.status != "ok"]
    assert hidden.value.isna().all()
    assert obs.loc[obs.status == "ok", "value"].notna().all()
    assert hidden.loc[hidden.status == "suppressed", "numerator"].isna().all()


def test_levels_add_up(obs):
    """RegSO counts are sums of their DeSO, and the kommun is the sum of all RegSO."""
    ind = next(i for i in CAT.indicators if i.lowest_level == "deso" and i.kind == "share")
    from shb.core.areas import load_geography

    geo = load_geography()
    parent = dict(zip(geo.areas.code, geo.areas.parent_code))
    full = obs[(obs.indicator_id == ind.id) & (obs.group_dim == "total") & (obs.year == 2020)]
    deso = full[full.level == "deso"].assign(regso=lambda d: d.area_code.map(parent))
    regso = full[full.level == "regso"].set_index("area_code")
    # Compare populations (never suppressed) to check the sums without hidden cells.
    assert (deso.groupby("regso").population.sum() == regso.population).all()
    city = full[full.level == "municipality"].population.iloc[0]
    assert city == regso.population.sum()


def test_groups_add_up_to_the_total(obs):
    rows = obs[(obs.level == "regso") & (obs.status == "ok")]
    ind = next(i for i in CAT.indicators if "kon" in i.groups and i.kind == "share" and i.lowest_level != "municipality"
               and not i.survey and i.frequency == "annual")
    r = rows[rows.indicator_id == ind.id]
    total = r[r.group_dim == "total"].set_index(["area_code", "year"]).denominator
    kon = r[r.group_dim == "kon"].groupby(["area_code", "year"]).denominator.agg(["sum", "count"])
    kon = kon.loc[kon["count"] == 2, "sum"]  # both groups published
    both = pd.concat([total, kon], axis=1, join="inner")
    assert len(both) > 100 and (both.iloc[:, 0] == both.iloc[:, 1]).all()


def _focus_vs_city(obs, ind, year):
    from shb.core.areas import load_geography

    focus = set(load_geography().area_set("omradesutveckling").members)
    r = obs[(obs.indicator_id == ind.id) & (obs.year == year) & (obs.group_dim == "total")]
    f = r[(r.level == "regso") & r.area_code.isin(focus) & (r.status == "ok")]
    city = r[r.level == "municipality"]
    if ind.kind in ("share", "rate"):
        focus_value = ind.scale * f.numerator.sum() / f.denominator.sum()
    else:
        focus_value = np.average(f.value, weights=f.population)
    return focus_value, city.value.iloc[0]


def test_focus_set_is_on_the_worse_side_for_most_indicators(obs):
    area_inds = [i for i in CAT.indicators if i.lowest_level != "municipality" and i.direction != "balance"]
    worse = 0
    for ind in area_inds:
        year = int(obs[(obs.indicator_id == ind.id) & (obs.status == "ok")].year.max())
        focus, city = _focus_vs_city(obs, ind, year)
        worse += (focus < city) if ind.direction == "higher" else (focus > city)
    assert worse >= 0.8 * len(area_inds), f"{worse} av {len(area_inds)}"


def test_gaps_move_some_close_some_widen(obs):
    moves = []
    for ind in CAT.indicators:
        if ind.lowest_level == "municipality":
            continue
        years = sorted(obs[(obs.indicator_id == ind.id) & (obs.status == "ok")].year.unique())
        f0, c0 = _focus_vs_city(obs, ind, years[0])
        f1, c1 = _focus_vs_city(obs, ind, years[-1])
        moves.append(abs(f1 - c1) - abs(f0 - c0))
    assert sum(m < 0 for m in moves) >= 3 and sum(m > 0 for m in moves) >= 3


def test_group_gap_employment_lower_among_foreign_born(obs):
    ind = next(i for i in CAT.indicators if i.id.startswith("sysselsattning") and "bakgrund" in i.groups)
    r = obs[(obs.indicator_id == ind.id) & (obs.level == "municipality") & (obs.group_dim == "bakgrund")]
    by = r.groupby("group_value").value.mean()
    assert by["utrikes_fodda"] < by["inrikes_fodda"] - 8


def test_noise_grows_as_populations_shrink(obs):
    ind = next(i for i in CAT.indicators if i.lowest_level == "deso" and i.kind == "share")
    r = obs[(obs.indicator_id == ind.id) & (obs.group_dim == "total") & (obs.status == "ok")]
    change = r.sort_values("year").groupby(["level", "area_code"]).value.apply(lambda v: v.diff().abs().mean())
    assert change["deso"].mean() > change["municipality"].mean()


def test_border_changes_2025_are_flagged_as_series_breaks(obs):
    breaks = obs[obs.series_break]
    assert set(breaks.year) == {2024}
    assert "1490R025" in set(breaks.area_code) and "1490R020" not in set(breaks.area_code)


def test_indicators_generated_together_are_as_each_alone():
    """The build generates the levels and statuses of many indicators at once; each indicator's rows are
    the same as when it is generated alone (one of every kind of value and lowest level)."""
    from shb.core.areas import load_geography
    from shb.ingest import demo

    cat, geo = load_catalog(), load_geography()
    profiles = demo.load_profiles()
    picked = list({(demo._family(i), i.lowest_level, bool(i.survey)): i for i in cat.indicators}.values())
    assert len({demo._family(i) for i in picked}) == 3 and len({i.lowest_level for i in picked}) >= 3
    base = demo._areas_base(geo, set(geo.area_set(geo.default_set).members))
    together = demo._observations(picked, profiles, geo, demo._shared(base, geo, {i.lowest_level for i in picked}))
    alone = pd.concat([demo.indicator_observations(i, profiles[i.id], base, geo) for i in picked],
                      ignore_index=True)
    assert list(together.indicator_id.unique()) == [i.id for i in picked]
    pd.testing.assert_frame_equal(together[alone.columns], alone, check_dtype=False)
