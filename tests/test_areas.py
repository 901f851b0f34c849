"""Area facts agree with the reference lists of Borås geography."""

import pandas as pd
import pytest

from shb.core.areas import CODE_PATTERNS, load_geography
from tests.conftest import reference

GEO = load_geography()


def test_counts_per_level():
    assert GEO.areas.level.value_counts().to_dict() == {"deso": 77, "regso": 47, "district": 25, "municipality": 1}


@pytest.mark.parametrize("level", ["municipality", "district", "regso", "deso"])
def test_codes_follow_their_pattern(level):
    assert all(CODE_PATTERNS[level].match(c) for c in GEO.codes(level))


def test_regso_codes_names_and_centroids_match_reference():
    ref = pd.read_csv(reference("boras/boras_regso_list.csv"))
    ours = GEO.areas[GEO.areas.level == "regso"].set_index("code")
    assert sorted(ours.index) == sorted(ref.regsokod)
    for r in ref.itertuples():
        assert ours.loc[r.regsokod, "name"] == r.regsonamn
        assert ours.loc[r.regsokod, "centroid_lat"] == pytest.approx(r.centroid_lat)
        assert ours.loc[r.regsokod, "centroid_lon"] == pytest.approx(r.centroid_lon)
        assert bool(ours.loc[r.regsokod, "border_changed_2025"]) == bool(r.boundary_changed_2020_to_2025)
    assert ours.border_changed_2025.sum() == 16


def test_deso_map_to_their_regso_as_in_reference():
    ref = pd.read_csv(reference("boras/boras_regso_list.csv"))
    expected = {d: r.regsokod for r in ref.itertuples() for d in r.deso2018_codes.split()}
    deso = GEO.areas[GEO.areas.level == "deso"]
    assert dict(zip(deso.code, deso.parent_code)) == expected


def test_districts_are_the_reference_unions():
    ref = pd.read_csv(reference("boras/boras_district_centroids.csv"))
    ours = GEO.regso_of("district")
    names = dict(zip(GEO.areas.code, GEO.areas.name))
    assert {names[d]: sorted(m) for d, m in ours.items()} == {
        r.district: sorted(r.regso_codes.split("+")) for r in ref.itertuples()}


def test_default_focus_set_is_hassleholmen_hulta_norrby():
    s = GEO.area_set(GEO.default_set)
    assert s.id == "omradesutveckling"
    assert sorted(s.members) == ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]
