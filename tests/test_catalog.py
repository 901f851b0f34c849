"""The catalog is complete and agrees with the målbild's own wording."""

import re
from collections import Counter

import pytest

from shb.catalog import DIRECTIONS, KIND_UNITS, load_catalog
from shb.demo import load_profiles
from tests.conftest import reference

CAT = load_catalog()


def test_three_goal_areas_and_thirteen_targets():
    assert [ga.id for ga in CAT.goal_areas] == [1, 2, 3]
    assert [t.id for t in CAT.targets] == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5"]


def test_titles_match_the_malbild_reference():
    text = reference("malbild.md").read_text(encoding="utf-8")
    targets = dict(re.findall(r"^- (\d\.\d) (.+)$", text, flags=re.M))
    goal_areas = dict(re.findall(r"^## Målområde (\d) — (.+)$", text, flags=re.M))
    assert {t.id: t.title for t in CAT.targets} == targets
    assert {str(ga.id): ga.title for ga in CAT.goal_areas} == goal_areas
    assert CAT.programme["goal"]["title"] in text


def test_at_least_45_indicators_and_three_per_target():
    per_target = Counter(i.target for i in CAT.indicators)
    assert len(CAT.indicators) >= 45
    assert {t.id for t in CAT.targets} == set(per_target)
    assert min(per_target.values()) >= 3, per_target


@pytest.mark.parametrize("ind", CAT.indicators, ids=lambda i: i.id)
def test_every_indicator_is_fully_declared(ind):
    assert ind.title and ind.source and ind.source_ref and ind.population
    assert len(ind.definition.split()) >= 8, "definitionen ska vara en mening eller mer"
    assert ind.caveats and all(c.strip() for c in ind.caveats)
    assert ind.direction in DIRECTIONS
    assert ind.unit in KIND_UNITS[ind.kind]
    assert ind.levels[0] == "municipality"


def test_area_level_indicators_in_every_goal_area():
    area_level = Counter(int(i.target[0]) for i in CAT.indicators if i.lowest_level != "municipality")
    assert all(area_level[g] >= 3 for g in (1, 2, 3)), area_level


def test_group_dimensions_cover_the_programme():
    dims = Counter(d for i in CAT.indicators for d in i.groups)
    assert dims["kon"] >= 10 and dims["bakgrund"] >= 4 and dims["alder"] >= 1 and dims["utbildning"] >= 1


def test_every_indicator_has_a_demo_profile():
    profiles = load_profiles()
    assert set(profiles) == {i.id for i in CAT.indicators}
    for ind in CAT.indicators:
        prof = profiles[ind.id]
        for dim, values in ind.groups.items():
            assert set(prof["group_offsets"][dim]) == set(values), (ind.id, dim)


def test_unknown_indicator_is_a_named_error():
    from shb.errors import UnknownIndicator

    with pytest.raises(UnknownIndicator, match="Okänd indikator"):
        CAT.indicator("finns_inte")
