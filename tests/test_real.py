"""Real data in data/real/: the values are the files' own, carry provenance and satisfy the catalog.

The raw files are read here independently (csv, gzip), never through shb.ingest.real, so a mistake in
the module's reading or arithmetic shows up as a disagreement with the file.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from shb.core import paths
from shb.core.areas import load_geography
from shb.core.catalog import load_catalog
from shb.core.errors import CatalogError
from shb.ingest import real
from shb.store.schema import OBS_COLUMNS, OBSERVATION_KEY
from tests.conftest import reference

CAT = load_catalog()
GEO = load_geography()
FOLDER = paths.DATA / "real"
NORRBY, SPARSOR_OST, HASSLEHOLMEN_VAST = "1490R025", "1490R037", "1490R019"


@pytest.fixture(scope="module")
def data() -> real.RealData:
    return real.real_data(CAT, GEO)


@pytest.fixture(scope="module")
def obs(data) -> pd.DataFrame:
    return data.observations


def rows(name: str) -> list[dict[str, str]]:
    """A raw file's rows as text, read with the csv module."""
    raw = (FOLDER / name).read_bytes()
    text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def only(items: list) -> object:
    assert len(items) == 1, items
    return items[0]


def one(obs: pd.DataFrame, indicator: str, year: int, area: str = "1490", group: tuple[str, str] = ("total", "alla")):
    r = obs[(obs.indicator_id == indicator) & (obs.year == year) & (obs.area_code == area)
            & (obs.group_dim == group[0]) & (obs.group_value == group[1])]
    assert len(r) == 1, (indicator, year, area, group, len(r))
    return r.iloc[0]


# --- Three hand-picked values per file, against the file's own rows ----------------------------------------

LATEST = [  # kpi, gender, year → indicator, group; README's rounded value
    ("N15428", "T", "2024", "behoriga_yrkesprogram_hemkommun", ("total", "alla"), 79.97),
    ("N07907", "K", "2023", "trangbodda_norm_2", ("kon", "kvinnor"), None),
    ("N02904", "T", "2021", "barn_ekonomiskt_utsatta_0_19", ("total", "alla"), 6.49),
    ("N07907", "T", "2023", "trangbodda_norm_2", ("total", "alla"), 16.64),
]


@pytest.mark.parametrize(("kpi", "gender", "year", "indicator", "group", "rounded"), LATEST, ids=lambda v: str(v))
def test_kolada_latest_values_are_the_files(obs, kpi, gender, year, indicator, group, rounded):
    raw = only([r for r in rows(real.KOLADA_LATEST) if (r["kpi"], r["gender"], r["year"]) == (kpi, gender, year)])
    o = one(obs, indicator, int(year), group=group)
    assert o.status == "ok" and o.value == float(raw["value"])
    if rounded is not None:
        assert round(o.value, 2) == rounded
    assert o.source_version.startswith("data/real/kolada_boras_latest.csv sha256:")


def test_kolada_privacy_is_kept_as_suppressed(obs):
    raw = only([r for r in rows(real.KOLADA_LATEST) if (r["kpi"], r["gender"], r["year"]) == ("N09890", "K", "2020")])
    assert raw["status"] == "Privacy" and raw["value"] == ""
    o = one(obs, "kulturskola_elever_6_15", 2020, group=("kon", "kvinnor"))
    assert o.status == "suppressed" and math.isnan(o.value)


DUMP = [
    ("N31807", "T", "2022", "ekonomiskt_bistand_befolkningen", ("total", "alla"), 1.85),
    ("N05831", "T", "2022", "valdeltagande_lagsta_valdistrikt", ("total", "alla"), 41.91),
    ("U65861", "T", "2022", "valdeltagande_kommunval", ("bakgrund", "utrikes_fodda"), 54.0),
    ("U01413", "K", "2022", "tillit_saknas_16_84", ("kon", "kvinnor"), None),
]


HEALTH = [  # the övergripande mål's key figures; README's rounded values where it gives them
    ("N00923", "T", "2022", "medellivslangd_man", ("total", "alla"), 80.12),
    ("N00925", "T", "2022", "medellivslangd_kvinnor", ("total", "alla"), 84.23),
    ("N00957", "T", "2022", "ohalsotal", ("total", "alla"), 25.13),
    ("N00938", "K", "2022", "sjukpenningtal", ("kon", "kvinnor"), None),
    ("U01402", "M", "2007", "daglig_rokning_16_84", ("kon", "man"), None),
    ("N01717", "T", "2017", "ensamboende_65", ("total", "alla"), None),
    ("U20462", "T", "2022", "fallskador_65", ("total", "alla"), None),
]


@pytest.mark.parametrize(("kpi", "gender", "year", "indicator", "group", "rounded"), HEALTH, ids=lambda v: str(v))
def test_health_key_figures_are_the_files(obs, kpi, gender, year, indicator, group, rounded):
    raw = only([r for r in rows(real.KOLADA_HEALTH) if (r["kpi"], r["gender"], r["year"]) == (kpi, gender, year)])
    o = one(obs, indicator, int(year), group=group)
    assert o.status == "ok" and o.value == float(raw["value"]) and not o.is_demo
    if rounded is not None:
        assert round(o.value, 2) == rounded
    assert o.source_version.startswith(f"data/real/{real.KOLADA_HEALTH} sha256:")


def test_the_health_file_is_the_reference_dumps_rows_for_its_key_figures():
    full = reference("real/kolada_ddf_dump_boras_all_kpis_2024-08.csv.gz")
    text = gzip.decompress(full.read_bytes()).decode("utf-8")
    ids = set(yaml.safe_load((FOLDER / f"{real.KOLADA_HEALTH}.meta.yaml").read_text(encoding="utf-8"))["source_ids"])
    wanted = [r for r in csv.DictReader(io.StringIO(text, newline="")) if r["kpi"] in ids]
    assert rows(real.KOLADA_HEALTH) == wanted and len(ids) == 15


@pytest.mark.parametrize(("kpi", "gender", "year", "indicator", "group", "rounded"), DUMP, ids=lambda v: str(v))
def test_kolada_dump_values_are_the_files(obs, kpi, gender, year, indicator, group, rounded):
    raw = only([r for r in rows(real.KOLADA_DUMP) if (r["kpi"], r["gender"], r["year"]) == (kpi, gender, year)])
    o = one(obs, indicator, int(year), group=group)
    assert o.status == "ok" and o.value == float(raw["value"])
    if rounded is not None:
        assert round(o.value, 2) == rounded


def test_election_key_figures_keep_election_years_only(obs):
    raw_years = {int(r["year"]) for r in rows(real.KOLADA_DUMP) if r["kpi"] == "N05401" and r["gender"] == "T"}
    assert {2019, 2020, 2021} <= raw_years  # Kolada repeats the 2018 value between the elections
    kept = obs[obs.indicator_id == "valdeltagande_kommunval"]
    assert set(kept.year) == {1994, 1998, 2002, 2006, 2010, 2014, 2018, 2022}
    assert one(obs, "valdeltagande_kommunval", 2022).value == 78.0
    assert set(obs[obs.indicator_id == "valdeltagande_lagsta_valdistrikt"].year) == {2014, 2018, 2022}


AREA_TYPES = [(NORRBY, "2023", 1), (SPARSOR_OST, "2023", 5), (HASSLEHOLMEN_VAST, "2022", 1)]


@pytest.mark.parametrize(("area", "year", "area_type"), AREA_TYPES)
def test_area_type_share_follows_the_files(obs, area, year, area_type):
    raw_type = only([int(r["omradestyp"]) for r in rows(real.SCB_AREA_TYPE) if (r["regso_kod"], r["ar"]) == (area, year)])
    population = only([int(r[f"Antal {year}"]) for r in rows(real.SCB_POPULATION)
                       if r["regso_kod"] == area and r["födelseregion"] == "totalt" and r["kön"] == "totalt"])
    assert raw_type == area_type
    o = one(obs, "befolkning_omradestyp_1_2", int(year), area)
    assert (o.numerator, o.denominator) == ((population if area_type <= 2 else 0), population)
    assert o.value == (100.0 if area_type <= 2 else 0.0)


def test_city_share_in_area_types_1_and_2_is_the_population_weighted_sum(obs):
    types = {r["regso_kod"]: int(r["omradestyp"]) for r in rows(real.SCB_AREA_TYPE) if r["ar"] == "2023"}
    pop = {r["regso_kod"]: int(r["Antal 2023"]) for r in rows(real.SCB_POPULATION)
           if r["födelseregion"] == "totalt" and r["kön"] == "totalt"}
    challenged = sum(p for code, p in pop.items() if types[code] <= 2)
    o = one(obs, "befolkning_omradestyp_1_2", 2023)
    assert (o.numerator, o.denominator) == (challenged, sum(pop.values()))
    assert o.value == pytest.approx(100 * challenged / sum(pop.values()))


POPULATION = [(NORRBY, 2023, 3943, 1329), (HASSLEHOLMEN_VAST, 2020, 4173, 1438), ("1490", 2021, 114_091, None)]


@pytest.mark.parametrize(("area", "year", "total", "born_in_sweden"), POPULATION)
def test_population_and_foreign_born_are_the_files(data, obs, area, year, total, born_in_sweden):
    raw = [r for r in rows(real.SCB_POPULATION) if r["kön"] == "totalt" and (area == "1490" or r["regso_kod"] == area)]
    raw_total = sum(int(r[f"Antal {year}"]) for r in raw if r["födelseregion"] == "totalt")
    raw_sweden = sum(int(r[f"Antal {year}"]) for r in raw if r["födelseregion"] == "Sverige")
    assert raw_total == total and born_in_sweden in (None, raw_sweden)
    p = data.population
    got = only(p[(p.area_code == area) & (p.year == year)].to_dict("records"))
    assert (got["population"], got["foreign_born"]) == (raw_total, raw_total - raw_sweden)
    o = one(obs, "utrikes_fodda_andel", year, area)
    assert (o.numerator, o.denominator) == (raw_total - raw_sweden, raw_total)


def test_the_kommun_matches_published_borås_figures(data):
    city = data.population[(data.population.area_code == "1490") & (data.population.year == 2021)].iloc[0]
    assert (city.population, city.foreign_born) == (114_091, 27_488)  # boras.se, 2021


def _tenure(area: str, year: str) -> dict[str, int]:
    return {r["upplåtelseform"]: int(r[f"Antal {year}"]) for r in rows(real.SCB_TENURE) if r["regso_kod"] == area}


def test_norrby_2023_type_population_and_rental_share(data, obs):
    assert only([r["omradestyp"] for r in rows(real.SCB_AREA_TYPE) if (r["regso_kod"], r["ar"]) == (NORRBY, "2023")]) == "1"
    pop = data.population
    assert pop[(pop.area_code == NORRBY) & (pop.year == 2023)].population.tolist() == [3943]
    t = _tenure(NORRBY, "2023")
    assert (t["hyresrätt"], t["bostadsrätt"], t["äganderätt"]) == (1242, 276, 17)
    all_dwellings = t["hyresrätt"] + t["bostadsrätt"] + t["äganderätt"] + t["uppgift saknas"]
    o = one(obs, "lagenheter_hyresratt", 2023, NORRBY)
    assert (o.numerator, o.denominator) == (1242, all_dwellings)
    assert o.value == pytest.approx(100 * 1242 / all_dwellings)
    assert one(obs, "befolkning_omradestyp_1_2", 2023, NORRBY).value == 100.0


TENURE = [("lagenheter_bostadsratt", "bostadsrätt", "1490R001", "2020"),
          ("lagenheter_smahus_aganderatt", "äganderätt", "1490R024", "2022"),  # an area with 'uppgift saknas'
          ("lagenheter_hyresratt", "hyresrätt", HASSLEHOLMEN_VAST, "2021")]


@pytest.mark.parametrize(("indicator", "tenure", "area", "year"), TENURE)
def test_tenure_shares_are_the_files(obs, indicator, tenure, area, year):
    t = _tenure(area, year)
    o = one(obs, indicator, int(year), area)
    assert (o.numerator, o.denominator) == (t[tenure], sum(t.values()))
    assert o.value == pytest.approx(100 * t[tenure] / sum(t.values()))


def test_tenure_mix_index_is_the_normalised_entropy_of_summed_counts(obs):
    members = GEO.district_members
    hassleholmen = members[members.district_code == "1490D01"].regso_code.tolist()
    # Hässleholmen väst has no bostadsrätt; 1490R024 has dwellings of unknown tenure, which do not count
    for area, codes in (("1490D01", hassleholmen), (HASSLEHOLMEN_VAST, [HASSLEHOLMEN_VAST]),
                        ("1490R024", ["1490R024"])):
        counts = [sum(_tenure(c, "2022")[k] for c in codes) for k in ("hyresrätt", "bostadsrätt", "äganderätt")]
        shares = [c / sum(counts) for c in counts if c]
        expected = -100 * sum(p * math.log(p) for p in shares) / math.log(3)
        assert one(obs, "upplatelseform_blandningsindex", 2022, area).value == pytest.approx(expected)


TURNOUT = [("totalt", "samtliga utbildningsnivåer", ("total", "alla"), 84),
           ("totalt", "eftergymnasial utbildning", ("utbildning", "eftergymnasial"), 91),
           ("kvinnor", "samtliga utbildningsnivåer", ("kon", "kvinnor"), 84)]


@pytest.mark.parametrize(("gender", "education", "group", "percent"), TURNOUT)
def test_riksdag_turnout_by_education_is_the_files(obs, gender, education, group, percent):
    raw = only([r for r in rows(real.SCB_TURNOUT) if (r["gender"], r["educationLevel"]) == (gender, education)])
    assert int(raw["votersPercent2022"]) == percent
    o = one(obs, "valdeltagande_riksdagsval", 2022, group=group)
    assert (o.value, o.population) == (percent, int(raw["eligibleVoters2022"]))
    assert pd.isna(o.numerator)  # the file gives no count of voters, so none is made up


def test_the_kpi_catalogue_file_holds_the_known_facts():
    cat = {r["id"]: r for r in rows(real.KOLADA_CATALOGUE)}
    assert len(cat) == 6099
    assert "N02904" not in cat and "N00914" not in cat
    assert cat["N03937"]["title"] == "Öppet arbetslösa av befolkningen, 18-65 år, andel (%)"
    assert cat["U01803"]["is_divided_by_gender"] == "False" and cat["N01721"]["is_divided_by_gender"] == "False"


# --- Provenance --------------------------------------------------------------------------------------------

def test_every_file_in_data_real_has_a_record_that_matches_it():
    files = sorted(p.name for p in FOLDER.iterdir() if not p.name.endswith(".meta.yaml"))
    metas = sorted(p.name.removesuffix(".meta.yaml") for p in FOLDER.glob("*.meta.yaml"))
    assert files == metas
    for name in files:
        meta = yaml.safe_load((FOLDER / f"{name}.meta.yaml").read_text(encoding="utf-8"))
        assert meta["sha256"] == hashlib.sha256((FOLDER / name).read_bytes()).hexdigest(), name
        assert meta["rows"] == len(rows(name)), name
        assert meta["citation"].startswith("Källa: ") and meta["licence"] and meta["origin"], name
        assert meta["retrieved"] and len(meta["transformed"].split()) >= 5, name
    assert sum(p.stat().st_size for p in FOLDER.iterdir()) < 2 * 1024 * 1024


def test_every_real_indicator_has_provenance(data, obs):
    assert set(obs.indicator_id) == set(data.provenance)
    assert len(data.provenance) >= 15
    for ind_id, prov in data.provenance.items():
        assert prov.indicator_id == ind_id
        assert prov.citation.startswith("Källa: ") and prov.licence and prov.transformation and prov.retrieved
        assert prov.files and all((FOLDER / f).is_file() for f in prov.files)
        versions = set(obs.loc[obs.indicator_id == ind_id, "source_version"])
        assert all(f in v for v in versions for f in prov.files), (ind_id, versions)
        for source_id in prov.source_ids:
            assert source_id in prov.citation
    assert data.population_provenance.files == (real.SCB_POPULATION,)


def test_kolada_citations_name_the_key_figure(data):
    assert data.provenance["behoriga_yrkesprogram_hemkommun"].citation == "Källa: Kolada (RKA), nyckeltal N15428"
    assert data.provenance["barn_ekonomiskt_utsatta_0_19"].retrieved == "nedladdat från Kolada 2023-09-12"
    assert "CC0" in data.provenance["lagenheter_hyresratt"].citation
    # values (and the population behind them) that come from two files name both
    assert data.provenance["befolkning_omradestyp_1_2"].files == (real.SCB_AREA_TYPE, real.SCB_POPULATION)
    assert data.provenance["lagenheter_hyresratt"].files == (real.SCB_TENURE, real.SCB_POPULATION)


def test_a_changed_file_is_refused(tmp_path):
    folder = tmp_path / "real"
    shutil.copytree(FOLDER, folder)
    path = folder / real.SCB_TENURE
    path.write_text(path.read_text(encoding="utf-8").replace(",1242,", ",1342,", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=f"{real.SCB_TENURE} stämmer inte med sin källbeskrivning"):
        real.real_data(CAT, GEO, folder)


# --- The real frame satisfies the catalog -----------------------------------------------------------------

def test_real_observations_are_never_demo_and_have_the_store_columns(obs):
    assert list(obs.columns) == OBS_COLUMNS
    assert not obs.is_demo.any() and not obs.empty


def test_no_duplicate_keys(obs):
    assert not obs.duplicated(list(OBSERVATION_KEY)).any()


def test_levels_groups_and_areas_are_the_catalogs(obs):
    levels = dict(zip(GEO.areas.code, GEO.areas.level))
    for ind_id, r in obs.groupby("indicator_id"):
        ind = CAT.indicator(ind_id)
        assert set(r.level) <= set(ind.levels), ind_id
        assert (r.area_code.map(levels) == r.level).all(), ind_id
        allowed = {("total", "alla")} | {(d, v) for d, vs in ind.groups.items() for v in vs}
        assert set(zip(r.group_dim, r.group_value)) <= allowed, ind_id
    assert "deso" not in set(obs.level)  # no DeSO values exist in data/real/


RANGES = {"procent": (0, 100), "per_1000": (0, math.inf), "per_100000": (0, math.inf), "per_invanare": (0, math.inf),
          "poang": (0, 340), "index": (0, 100), "kod": (0, 2), "antal": (0, math.inf),
          "ar": (60, 100), "dagar": (0, 366)}


def test_values_lie_in_their_units_range_and_statuses_are_kept_apart(obs):
    units = {i.id: i.unit for i in CAT.indicators}
    ok = obs[obs.status == "ok"]
    low, high = zip(*ok.indicator_id.map(units).map(RANGES))
    assert ok.value.between(np.array(low), np.array(high)).all()
    assert ok.value.notna().all() and obs.loc[obs.status != "ok", "value"].isna().all()
    assert set(obs.status) <= {"ok", "suppressed", "missing", "not_applicable"}
    codes = ok[ok.indicator_id.map(units) == "kod"].value
    assert codes.isin([0, 1, 2]).all()
    counted = ok[ok.numerator.notna()]
    assert (counted.numerator <= counted.denominator).all()
    scale = counted.indicator_id.map(lambda i: CAT.indicator(i).scale)
    assert np.allclose(counted.value, scale * counted.numerator.astype(float) / counted.denominator.astype(float))


def test_area_counts_add_up_to_districts_and_kommun(data, obs):
    r = obs[(obs.indicator_id == "lagenheter_hyresratt") & (obs.year == 2022)].set_index("area_code")
    regso = r[r.level == "regso"]
    assert r.loc["1490", "denominator"] == regso.denominator.sum()
    members = GEO.district_members
    hulta = members[members.district_code == "1490D02"].regso_code
    assert r.loc["1490D02", "numerator"] == regso.loc[hulta, "numerator"].sum()
    p = data.population[data.population.year == 2023].set_index("area_code")
    assert p.loc["1490", "population"] == p.loc[GEO.codes("regso"), "population"].sum()


def test_kommun_level_indicators_are_only_at_kommun(obs):
    for ind_id, r in obs.groupby("indicator_id"):
        if CAT.indicator(ind_id).lowest_level == "municipality":
            assert set(r.area_code) == {"1490"}, ind_id


# --- Kolada ids in the catalog ----------------------------------------------------------------------------

KOLADA_ID = re.compile(r"\b[NU]\d{5}\b")


def _kolada_catalogue() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in rows(real.KOLADA_CATALOGUE)}


def _ids(ind) -> set[str]:
    text = " ".join([ind.source_ref, *ind.caveats, ind.fetch.kolada.kpi if ind.fetch and ind.fetch.kolada else ""])
    return set(KOLADA_ID.findall(text))


def test_every_kolada_id_is_confirmed_in_the_2026_catalogue_or_has_a_caveat_saying_not():
    known = _kolada_catalogue()
    seen = set()
    for ind in CAT.indicators:
        for kpi in _ids(ind):
            seen.add(kpi)
            if kpi in known:
                continue
            said = [c for c in ind.caveats if kpi in c and re.search(r"finns inte|(ej|inte) bekräftat", c)]
            assert said, f"{ind.id}: {kpi} finns inte i Koladas katalog 2026 och ingen varning säger det"
            assert not (ind.fetch and ind.fetch.kolada and ind.fetch.kolada.kpi == kpi), ind.id
        if "Kolada" in ind.source_ref and not KOLADA_ID.search(ind.source_ref):
            assert not ind.source_ref_confirmed, f"{ind.id}: Kolada utan id kan inte vara bekräftat"
    assert {"N02904", "N00914", "N15428", "N03920"} <= seen


def test_kolada_indicators_split_by_kon_only_where_kolada_does():
    known = _kolada_catalogue()
    for ind in CAT.indicators:
        if ind.fetch and ind.fetch.kolada and "kon" in ind.groups:
            assert known[ind.fetch.kolada.kpi]["is_divided_by_gender"] == "True", ind.id
    assert "kon" not in CAT.indicator("lag_inkomst_18_64").groups
    assert "kon" not in CAT.indicator("lag_utbildningsniva_25_64").groups


def test_the_known_id_errors_are_corrected():
    assert "N03937" not in CAT.indicator("arbetslosa_och_program_18_65").source_ref
    assert not any(i.fetch and i.fetch.kolada and i.fetch.kolada.kpi in {"N02904", "N00914"} for i in CAT.indicators)
    sources = [s for i in CAT.indicators for s in (i.source_ref, *i.caveats) if "TAB6534" in s]
    assert sources and any("25–65" in s for s in sources)


def test_every_real_kolada_series_names_its_key_figures_in_the_catalog():
    for series in real.KOLADA_SERIES:
        ind = CAT.indicator(series.indicator)
        assert all(kpi in ind.source_ref for kpi in series.kpis), ind.id
        assert ind.fetch is None or ind.fetch.kolada is None or ind.fetch.kolada.kpi == series.kpi, ind.id


TITLE_UNITS = [("antal/100 000 inv", "per_100000"), ("/100 000 inv", "per_100000"), ("dagar", "dagar"), (", år", "ar"), ("antal/1000 inv", "per_1000"), ("antal/inv", "per_invanare"),
               ("andel (%)", "procent"), ("genomsnitt", "poang"), ("Underskott=0", "kod")]


def test_real_kolada_units_follow_the_key_figures_titles():
    # the 2026 catalogue's title; for the ids gone from it (N02904, N00914) the title in the file's own rows
    titles = {r["kpi"]: r["kpi_title"] for r in rows(real.KOLADA_LATEST)}
    titles |= {r["kpi"]: r["title"] for r in rows(real.KOLADA_DUMP)}
    titles |= {kpi: r["title"] for kpi, r in _kolada_catalogue().items()}
    for series in real.KOLADA_SERIES:
        ind = CAT.indicator(series.indicator)
        for kpi in series.kpis:
            unit = next(u for pattern, u in TITLE_UNITS if pattern in titles[kpi])
            assert ind.unit == unit, (ind.id, kpi, titles[kpi])


def test_the_list_of_real_indicators_is_what_the_files_give(data):
    assert real.real_indicator_ids() == data.indicator_ids
