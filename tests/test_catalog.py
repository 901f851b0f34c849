"""The catalog is complete and agrees with the målbild's own wording."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from shb.core import paths
from shb.core.catalog import DIRECTIONS, GOAL_TARGET, KIND_UNITS, LIFE_STAGES, load_catalog
from shb.core.errors import CatalogError
from shb.ingest.demo import load_profiles
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
    # every effektmål has indicators; the övergripande mål's own ("0") are counted in test_life_course.py
    assert {t.id for t in CAT.targets} | {GOAL_TARGET} == set(per_target)
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
    from shb.core.errors import UnknownIndicator

    with pytest.raises(UnknownIndicator, match="Okänd indikator"):
        CAT.indicator("finns_inte")


# --- fetch: how an indicator is asked for at SCB or Kolada ------------------------------------------------

EMPLOYMENT_SCB = {
    "table": "TAB6680", "confirmed": False, "numerator": "0000089X", "denominator": "0000089Y",
    "filters": {"Alder": "20-64"}, "groups": {"Kon": {"1+2": "total", "1": "kon/man", "2": "kon/kvinnor"}},
    "areas": [{"level": "municipality", "sum_of": "regso"}, {"level": "regso", "codelist": "vs_RegSO2020"},
              {"level": "regso", "codelist": "vs_RegSO2025"}, {"level": "deso", "codelist": "vs_DeSO2018"}]}


def _with_fetch(tmp_path, indicator_id: str, fetch) -> Path:
    raw = yaml.safe_load(paths.INDICATORS.read_text(encoding="utf-8"))
    entry = {**next(i for i in raw["indicators"] if i["id"] == indicator_id), "fetch": fetch}
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump({"indicators": [entry]}, allow_unicode=True), encoding="utf-8")
    return path


def test_every_fetch_mapping_names_its_source_id():
    mapped = [i for i in CAT.indicators if i.fetch]
    assert {s for i in mapped for s in i.fetch.sources} == {"scb", "kolada"}
    for ind in mapped:
        if ind.fetch.kolada:
            assert ind.fetch.kolada.kpi in ind.source_ref and ind.source_ref_confirmed, ind.id
        if ind.fetch.scb:
            assert ind.fetch.scb.table in ind.source_ref, ind.id
            assert ind.fetch.scb.confirmed or any(ind.fetch.scb.table in c for c in ind.caveats), ind.id


def test_a_fetch_mapping_is_read_into_typed_fields(tmp_path):
    ind = load_catalog(indicators=_with_fetch(tmp_path, "sysselsattningsgrad_20_64", {"scb": EMPLOYMENT_SCB})
                       ).indicators[0]
    scb = ind.fetch.scb
    assert (scb.table, scb.contents, scb.filters, scb.region, scb.time) == (
        "TAB6680", ["0000089X", "0000089Y"], {"Alder": "20-64"}, "Region", "Tid")
    assert scb.groups["Kon"] == {"1+2": ("total", "alla"), "1": ("kon", "man"), "2": ("kon", "kvinnor")}
    assert [(a.level, a.codelist, a.first_year, a.last_year, a.sum_of) for a in scb.areas] == [
        ("municipality", None, None, None, "regso"), ("regso", "vs_RegSO2020", None, 2023, None),
        ("regso", "vs_RegSO2025", 2024, None, None), ("deso", "vs_DeSO2018", None, 2023, None)]


BAD_FETCH = [
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "colour": "blå"}}, "okända nycklar: colour"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "table": "TAB9999"}}, "TAB9999 ska stå i source_ref"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "table": "6680"}}, "inget tabell-id"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "value": "X"}}, "antingen value eller både"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "denominator": None}}, "antingen value eller både"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "confirmed": "ja"}}, "confirmed ska vara true"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "filters": {"Alder": ["20-64", "25-64"]}}},
     "ett värde \\(text\\) per variabel"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "groups": {"Kon": {"1": "kon/pojkar"}}}},
     "grupp som indikatorn inte har"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "groups": {"Kon": {"1": "total", "2": "total"}}}},
     "förekommer flera gånger"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "groups": {"Alder": {"1": "kon/man"}},
                                           "filters": {"Alder": "20-64"}}}, "variablerna ska vara olika"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": [{"level": "deso", "codelist": "vs_DeSO2025"}]}},
     "kräver en känd codelist"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": [
        {"level": "regso", "codelist": "vs_RegSO2025", "last_year": 2023}]}}, "utanför kodlistan vs_RegSO2025"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": [
        {"level": "regso", "codelist": "vs_RegSO2020"}, {"level": "regso", "codelist": "vs_RegSo1"}]}},
     "flera gånger för samma år"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": [{"level": "municipality", "sum_of": "regso"}]}},
     "den nivån hämtas inte"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": [{"level": "district"}]}}, "nivån 'district'"),
    ("sysselsattningsgrad_20_64", {"scb": {**EMPLOYMENT_SCB, "areas": []}}, "minst en områdesnivå"),
    ("lag_ekonomisk_standard", {"scb": {"table": "TAB6685", "confirmed": True, "value": "A", "areas": [
        {"level": "municipality", "sum_of": "regso"}, {"level": "regso", "codelist": "vs_RegSO2025"}]}},
     "sum_of \\(regso/deso\\) bara för värden ur numerator"),
    ("bostadsmarknadslage", {"scb": {"table": "TAB1", "confirmed": True, "numerator": "A", "denominator": "B",
                                     "areas": [{"level": "municipality"}]}}, "kräver en andel eller kvot"),
    ("sysselsattningsgrad_20_64", {"kolada": {"kpi": "N15428"}}, "N15428 ska stå i source_ref"),
    ("behoriga_yrkesprogram_hemkommun", {"kolada": {"kpi": "15428"}}, "inget Kolada-id"),
    ("behoriga_yrkesprogram_hemkommun", {"kolada": {"kpi": "N15428", "municipality": "1490"}}, "exakt nyckeln kpi"),
    ("behoriga_yrkesprogram_hemkommun", {"smhi": {"station": 1}}, "nycklarna scb och/eller kolada"),
    ("behoriga_yrkesprogram_hemkommun", "kolada", "nycklarna scb och/eller kolada"),
]


@pytest.mark.parametrize(("indicator", "fetch", "message"), BAD_FETCH,
                         ids=[f"{i}-{n}" for n, (i, _, _) in enumerate(BAD_FETCH)])
def test_a_bad_fetch_mapping_is_a_catalog_error(tmp_path, indicator, fetch, message):
    with pytest.raises(CatalogError, match=f"Indikatorn '{indicator}': .*{message}"):
        load_catalog(indicators=_with_fetch(tmp_path, indicator, fetch))


def test_a_kolada_mapping_needs_a_confirmed_id(tmp_path):
    path = _with_fetch(tmp_path, "gymnasieexamen_4_ar_hemkommun", {"kolada": {"kpi": "N17461"}})
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["indicators"][0]["source_ref_confirmed"] = False
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="Indikatorn 'gymnasieexamen_4_ar_hemkommun': .*vara bekräftat"):
        load_catalog(indicators=path)


# --- the övergripande mål and life stages -------------------------------------------------------------------

def test_the_overarching_goal_is_target_0_under_goal_area_0_titled_from_the_malbild():
    assert GOAL_TARGET == "0" and CAT.goal.id == 0
    assert [t.id for t in CAT.goal.targets] == ["0"]
    assert CAT.goal.title == CAT.programme["goal"]["title"] == "Skapa jämlika livsvillkor och god hälsa"
    assert [ga.id for ga in CAT.all_goal_areas] == [0, 1, 2, 3]
    assert GOAL_TARGET not in {t.id for t in CAT.targets}  # the målområden's pages never list it


def test_every_indicator_declares_its_life_stages():
    assert set(LIFE_STAGES) == {"barn", "unga", "vuxna", "aldre", "alla"}
    for ind in CAT.indicators:
        assert ind.life_stages and set(ind.life_stages) <= set(LIFE_STAGES), ind.id
        assert "alla" not in ind.life_stages or ind.life_stages == ("alla",), ind.id


def test_at_least_twelve_goal_indicators_six_real_kolada_and_five_for_aldre():
    goal = CAT.goal_indicators
    assert len(goal) >= 12
    confirmed_kolada = [i for i in goal if i.source_ref_confirmed and i.fetch and i.fetch.kolada]
    assert len(confirmed_kolada) >= 6
    only_aldre = [i for i in CAT.indicators if i.life_stages == ("aldre",)]
    assert len(only_aldre) >= 5, [i.id for i in only_aldre]


@pytest.mark.parametrize("stages", [[], ["vuxen"], ["alla", "barn"], ["barn", "barn"], None])
def test_bad_life_stages_are_refused_when_the_catalog_is_read(tmp_path, stages):
    raw = yaml.safe_load(paths.INDICATORS.read_text(encoding="utf-8"))
    first = raw["indicators"][0]
    if stages is None:
        first.pop("life_stages")
    else:
        first["life_stages"] = stages
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="life_stages"):
        load_catalog(indicators=path)
