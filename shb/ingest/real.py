"""Real Borås statistics shipped in data/real/: observations, population and provenance per indicator.

Each raw file in data/real/ has a provenance record beside it (`<file>.meta.yaml`: origin, retrieval,
licence, the citation to show, what was transformed, and the file's sha256, checked on every read).
`real_data(cat, geo)` turns the files into

- observations in the store's shape (`OBS_COLUMNS`, `is_demo` False, `source_version` naming the file),
  for every indicator in `KOLADA_SERIES`, `SCB_INDICATORS` and `ME0105_INDICATOR`;
- population and foreign-born per RegSO, district and kommun for the years the SCB file covers;
- a `Provenance` per indicator.

An indicator is real or demo, never both: years, areas and groups a file lacks are simply absent here
(no DeSO values exist in data/real/, so DeSO rows are never produced). Counts (numerator, denominator)
are given where the source has them; Kolada's status Privacy is kept as suppressed and Missing as
missing, a zero denominator gives not_applicable.

Why one module of about 530 lines: one reader per shipped source file (Kolada, SCB area type,
population, tenure, turnout) and the provenance they share; each reader is a small function.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shb.core import paths, yamlfile
from shb.core.areas import MUNICIPALITY, Geography
from shb.core.catalog import Catalog, Indicator
from shb.core.errors import CatalogError, UnknownIndicator
from shb.store.schema import OBS_COLUMNS

REAL_DIR = paths.DATA / "real"
KOLADA_LATEST = "kolada_boras_latest.csv"
KOLADA_DUMP = "kolada_ddf_dump_boras_selected_kpis_2024-08.csv"
KOLADA_HEALTH = "kolada_ddf_dump_boras_health_kpis_2024-08.csv"  # the övergripande mål: health, habits, äldre
SCB_AREA_TYPE = "scb_regso_omradestyp_boras_2022_2023.csv"
SCB_POPULATION = "scb_regso_befolkning_fodelseregion_boras_2020_2023.csv"
SCB_TENURE = "scb_regso_lagenheter_upplatelseform_boras_2020_2023.csv"
SCB_TURNOUT = "scb_me0105_valdeltagande_riksdag_utbildning_boras_2018_2022.csv"
KOLADA_CATALOGUE = "kolada_kpi_catalogue_2026.csv.gz"

# Swedish general elections (riksdag, region, kommun) since 1994, every fourth year. Kolada repeats the last
# election's value in the years between, so election key figures keep these years only.
ELECTION_YEARS = frozenset(range(1994, 2031, 4))
KOLADA_GENDERS = {"T": ("total", "alla"), "K": ("kon", "kvinnor"), "M": ("kon", "man")}
KOLADA_STATUS = {"Privacy": "suppressed", "Missing": "missing"}
CHALLENGED_AREA_TYPES = (1, 2)  # SCB områdestyp 1 (stora) and 2 (vissa socioekonomiska utmaningar)
TENURES = {"hyresrätt": "hyresratt", "bostadsrätt": "bostadsratt", "äganderätt": "aganderatt",
           "uppgift saknas": "saknas"}


@dataclass(frozen=True)
class KoladaSeries:
    """One indicator from one Kolada file: `kpi` gives the total (T) and, if the indicator has kön, K/M;
    `groups` adds other groups from their own key figures (their T value)."""

    indicator: str
    file: str
    kpi: str
    groups: tuple[tuple[str, str, str], ...] = ()  # (kpi, dimension, value)
    elections_only: bool = False

    @property
    def kpis(self) -> tuple[str, ...]:
        return (self.kpi, *(g[0] for g in self.groups))


KOLADA_SERIES = (
    KoladaSeries("behoriga_yrkesprogram_hemkommun", KOLADA_LATEST, "N15428"),
    KoladaSeries("gymnasieexamen_4_ar_hemkommun", KOLADA_LATEST, "N17461"),
    KoladaSeries("hogskolebehorighet_4_ar_hemkommun", KOLADA_LATEST, "N17538"),
    KoladaSeries("idrott_deltagartillfallen_7_20", KOLADA_LATEST, "U09800"),
    KoladaSeries("kulturskola_elever_6_15", KOLADA_LATEST, "N09890"),
    KoladaSeries("barn_ekonomiskt_utsatta_0_19", KOLADA_LATEST, "N02904"),
    KoladaSeries("trangbodda_norm_2", KOLADA_LATEST, "N07907"),
    KoladaSeries("anmalda_skadegorelsebrott_per_100000", KOLADA_LATEST, "U07452"),
    KoladaSeries("meritvarde_ak9_hemkommun", KOLADA_DUMP, "N15507"),
    KoladaSeries("ak3_svenska_alla_delprov", KOLADA_DUMP, "N15472"),
    KoladaSeries("barn_lag_ekonomisk_standard_0_19", KOLADA_DUMP, "N66077"),
    KoladaSeries("eftergymnasial_utbildning_25_64", KOLADA_DUMP, "N01982"),
    KoladaSeries("forvarvsarbetande_20_64", KOLADA_DUMP, "N00914"),
    KoladaSeries("ekonomiskt_bistand_befolkningen", KOLADA_DUMP, "N31807"),
    KoladaSeries("lag_inkomst_18_64", KOLADA_DUMP, "U01803"),
    KoladaSeries("arbetslosa_och_program_18_65", KOLADA_DUMP, "N03920"),
    KoladaSeries("bostadsmarknadslage", KOLADA_DUMP, "U30446"),
    KoladaSeries("avhysningar_per_100000", KOLADA_DUMP, "U00958"),
    KoladaSeries("anmalda_valdsbrott_per_100000", KOLADA_DUMP, "N07403"),
    KoladaSeries("anmalda_brott_per_100000", KOLADA_DUMP, "N07540"),
    KoladaSeries("otrygghet_utomhus_ntu", KOLADA_DUMP, "N07609"),
    KoladaSeries("tillit_saknas_16_84", KOLADA_DUMP, "U01413"),
    KoladaSeries("valdeltagande_kommunval", KOLADA_DUMP, "N05401", elections_only=True, groups=(
        ("U65860", "bakgrund", "inrikes_fodda"), ("U65861", "bakgrund", "utrikes_fodda"),
        ("U65862", "utbildning", "forgymnasial"), ("U65863", "utbildning", "gymnasial"),
        ("U65864", "utbildning", "eftergymnasial"))),
    KoladaSeries("valdeltagande_lagsta_valdistrikt", KOLADA_DUMP, "N05831", elections_only=True),
    KoladaSeries("valdeltagande_hogsta_valdistrikt", KOLADA_DUMP, "N05833", elections_only=True),
    KoladaSeries("medellivslangd_man", KOLADA_HEALTH, "N00923"),
    KoladaSeries("medellivslangd_kvinnor", KOLADA_HEALTH, "N00925"),
    KoladaSeries("ohalsotal", KOLADA_HEALTH, "N00957"),
    KoladaSeries("sjukpenningtal", KOLADA_HEALTH, "N00938"),
    KoladaSeries("fortida_dodsfall_25_64", KOLADA_HEALTH, "N01451"),
    KoladaSeries("gott_psykiskt_valbefinnande_16_84", KOLADA_HEALTH, "U01473"),
    KoladaSeries("daglig_rokning_16_84", KOLADA_HEALTH, "U01402"),
    KoladaSeries("riskabla_alkoholvanor_16_84", KOLADA_HEALTH, "U01404"),
    KoladaSeries("fetma", KOLADA_HEALTH, "U01411"),
    KoladaSeries("fysiskt_aktiva_150_min_16_84", KOLADA_HEALTH, "U01429"),
    KoladaSeries("avstatt_tandvard_16_84", KOLADA_HEALTH, "N01464"),
    KoladaSeries("avsaknad_emotionellt_stod", KOLADA_HEALTH, "U01435"),
    KoladaSeries("ensamboende_65", KOLADA_HEALTH, "N01717"),
    KoladaSeries("fallskador_65", KOLADA_HEALTH, "U20462"),
    KoladaSeries("lag_ekonomisk_standard_65", KOLADA_HEALTH, "N66079"),
)

# Indicators derived here from SCB's RegSO counts: (files, what was done).
SCB_INDICATORS = {
    "befolkning_omradestyp_1_2": (
        (SCB_AREA_TYPE, SCB_POPULATION),
        "Andelen av folkmängden som bor i RegSO av områdestyp 1 eller 2: täljaren är folkmängden i sådana RegSO, "
        "nämnaren hela folkmängden; stadsdelar och kommun som summor av RegSO."),
    "utrikes_fodda_andel": (
        (SCB_POPULATION,),
        "Utrikes födda (folkmängd totalt minus födda i Sverige) av hela folkmängden per RegSO; stadsdelar och "
        "kommun som summor av RegSO."),
    "lagenheter_hyresratt": (
        (SCB_TENURE, SCB_POPULATION),
        "Lägenheter med hyresrätt av alla lägenheter (uppgift saknas ingår i nämnaren) per RegSO; stadsdelar och "
        "kommun ur summerade antal. Befolkningen bakom värdet är områdets folkmängd."),
    "lagenheter_bostadsratt": (
        (SCB_TENURE, SCB_POPULATION),
        "Lägenheter med bostadsrätt av alla lägenheter (uppgift saknas ingår i nämnaren) per RegSO; stadsdelar och "
        "kommun ur summerade antal. Befolkningen bakom värdet är områdets folkmängd."),
    "lagenheter_smahus_aganderatt": (
        (SCB_TENURE, SCB_POPULATION),
        "Lägenheter med äganderätt av alla lägenheter (uppgift saknas ingår i nämnaren) per RegSO; stadsdelar och "
        "kommun ur summerade antal. Befolkningen bakom värdet är områdets folkmängd."),
    "upplatelseform_blandningsindex": (
        (SCB_TENURE, SCB_POPULATION),
        "Normerad entropi (0–100) över andelarna hyresrätt, bostadsrätt och äganderätt (uppgift saknas räknas inte), "
        "per RegSO och ur summerade antal för stadsdelar och kommun. Befolkningen bakom värdet är områdets "
        "folkmängd."),
}
TENURE_SHARES = {"lagenheter_hyresratt": "hyresratt", "lagenheter_bostadsratt": "bostadsratt",
                 "lagenheter_smahus_aganderatt": "aganderatt"}

ME0105_INDICATOR = "valdeltagande_riksdagsval"
# (gender, education level) in the file → group; the crossed cells (kön × utbildning) are not used.
ME0105_GROUPS = {
    ("totalt", "samtliga utbildningsnivåer"): ("total", "alla"),
    ("kvinnor", "samtliga utbildningsnivåer"): ("kon", "kvinnor"),
    ("män", "samtliga utbildningsnivåer"): ("kon", "man"),
    ("totalt", "förgymnasial utbildning"): ("utbildning", "forgymnasial"),
    ("totalt", "gymnasial utbildning"): ("utbildning", "gymnasial"),
    ("totalt", "eftergymnasial utbildning"): ("utbildning", "eftergymnasial"),
}
ME0105_YEARS = (2018, 2022)


def real_indicator_ids() -> list[str]:
    """The indicators data/real/ gives values for (without reading the files)."""
    return sorted([*(s.indicator for s in KOLADA_SERIES), *SCB_INDICATORS, ME0105_INDICATOR])


# --- Provenance ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceFile:
    """A raw file in data/real/ and its provenance record (`<file>.meta.yaml`)."""

    file: str
    sha256: str
    rows: int
    title: str
    publisher: str
    origin: str
    origin_url: str
    source_ids: tuple[str, ...]
    retrieved: str
    licence: str
    citation: str
    transformed: str
    notes: tuple[str, ...] = ()
    folder: Path = REAL_DIR

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def version(self) -> str:
        """What an observation's source_version says: the file and the start of its checksum."""
        return f"data/real/{self.file} sha256:{self.sha256[:12]}"


@dataclass(frozen=True)
class Provenance:
    """Where one real indicator's values come from, and what to write under them."""

    indicator_id: str
    citation: str  # e.g. "Källa: Kolada (RKA), nyckeltal N15428"
    licence: str
    files: tuple[str, ...]  # names in data/real/
    source_ids: tuple[str, ...]  # Kolada key figures or SCB tables
    origin: str
    retrieved: str
    transformation: str


@dataclass(frozen=True)
class RealData:
    """Everything real that data/real/ holds, ready for the store's write path."""

    observations: pd.DataFrame  # OBS_COLUMNS
    population: pd.DataFrame  # area_code, year, population, foreign_born
    provenance: dict[str, Provenance]  # indicator id → provenance
    population_provenance: Provenance
    sources: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def indicator_ids(self) -> list[str]:
        return sorted(self.provenance)


_META_FIELDS = ("file", "sha256", "rows", "title", "publisher", "origin", "origin_url", "source_ids", "retrieved",
                "licence", "citation", "transformed")


def read_source(name: str, folder: Path = REAL_DIR) -> SourceFile:
    """The provenance record of data/real/<name>, checked against the file's content."""
    meta_path = folder / f"{name}.meta.yaml"
    try:
        raw = yamlfile.load(meta_path.read_text(encoding="utf-8"))
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        rows = len(pd.read_csv(folder / name, dtype=str))
    except (OSError, yamlfile.YAMLError, pd.errors.ParserError) as exc:
        raise CatalogError(f"Kunde inte läsa {name} eller dess källbeskrivning: {exc}") from exc
    missing = [k for k in _META_FIELDS if not isinstance(raw, dict) or raw.get(k) in (None, "")]
    missing = [k for k in missing if k != "source_ids"]
    if missing:
        raise CatalogError(f"Källbeskrivningen {meta_path.name} saknar: {', '.join(missing)}")
    if raw["file"] != name or raw["sha256"] != digest or raw["rows"] != rows:
        raise CatalogError(f"{name} stämmer inte med sin källbeskrivning (filnamn, sha256 eller antal rader); "
                           "filen har ändrats sedan källbeskrivningen skrevs.")
    return SourceFile(**{k: raw[k] for k in _META_FIELDS if k not in ("source_ids",)},
                      source_ids=tuple(str(s) for s in raw.get("source_ids") or ()),
                      notes=tuple(raw.get("notes") or ()), folder=folder)


def _provenance(indicator_id: str, sources: list[SourceFile], ids: tuple[str, ...], transformation: str,
                label: str = "", retrieved: str | None = None, processed: bool = False) -> Provenance:
    """One indicator's record from its files' records: the citations joined, the ids named."""
    citations = [s.citation.removeprefix("Källa: ") for s in sources]
    citation = "Källa: " + "; ".join(dict.fromkeys(citations))
    if ids:
        citation += f", {label} {', '.join(ids)}"
    if processed:
        citation += ", egen bearbetning"
    return Provenance(
        indicator_id=indicator_id, citation=citation,
        licence="; ".join(dict.fromkeys(s.licence for s in sources)),
        files=tuple(s.file for s in sources), source_ids=ids,
        origin="; ".join(dict.fromkeys(s.origin for s in sources)),
        retrieved=retrieved or "; ".join(dict.fromkeys(s.retrieved for s in sources)), transformation=transformation)


# --- Kolada ----------------------------------------------------------------------------------------

def _kolada_values(source: SourceFile) -> pd.DataFrame:
    """kpi, gender, year, value, status (None where the file gives none) for one Kolada file."""
    raw = pd.read_csv(source.path, dtype={"kpi": str, "gender": str})
    none = pd.Series(None, index=raw.index, dtype=object)
    return pd.DataFrame({"kpi": raw.kpi, "gender": raw.gender, "year": raw.year.astype(int),
                         "value": raw.value.astype(float), "status": raw.get("status", none).astype(object),
                         "snapshot": raw.get("snapshot", none).astype(object)})


def _kolada_wanted(cat: Catalog) -> pd.DataFrame:
    """What each series takes from its file: file, kpi, gender → indicator and group (one row each)."""
    rows = []
    for s in KOLADA_SERIES:
        ind = _indicator(cat, s.indicator)
        for kpi in s.kpis:
            if kpi not in ind.source_ref:
                raise CatalogError(f"Indikatorn {ind.id!r}: nyckeltalet {kpi} står inte i source_ref "
                                   f"({ind.source_ref!r}).")
        genders = ["T", "K", "M"] if "kon" in ind.groups else ["T"]
        rows += [(s.indicator, s.file, s.kpi, g, *KOLADA_GENDERS[g], s.elections_only) for g in genders]
        for kpi, dim, value in s.groups:
            if value not in ind.groups.get(dim, []):
                raise CatalogError(f"Indikatorn {ind.id!r} har ingen grupp {dim}/{value} för {kpi}.")
            rows.append((s.indicator, s.file, kpi, "T", dim, value, s.elections_only))
    return pd.DataFrame(rows, columns=["indicator_id", "file", "kpi", "gender", "group_dim", "group_value",
                                       "elections_only"])


def kolada_observations(cat: Catalog, sources: dict[str, SourceFile]) -> pd.DataFrame:
    """The Kolada series as observations at kommun level."""
    wanted = _kolada_wanted(cat)
    values = pd.concat([_kolada_values(sources[f]).assign(file=f) for f in wanted.file.unique()],
                       ignore_index=True)
    absent = wanted[["file", "kpi"]].drop_duplicates().merge(
        values[["file", "kpi"]].drop_duplicates(), how="left", indicator=True)
    absent = absent[absent._merge == "left_only"]
    if len(absent):
        raise CatalogError("Nyckeltal saknas i filerna: " + ", ".join(f"{r.kpi} ({r.file})" for r in absent.itertuples()))
    obs = wanted.merge(values, on=["file", "kpi", "gender"])
    obs = obs[~obs.elections_only | obs.year.isin(ELECTION_YEARS)]
    unknown = sorted(set(obs.status.dropna()) - set(KOLADA_STATUS))
    if unknown:
        raise CatalogError(f"Okänd Kolada-status i data/real/: {', '.join(map(str, unknown))}")
    status = obs.status.map(KOLADA_STATUS)
    status = status.where(status.notna(), np.where(obs.value.notna(), "ok", "missing"))
    obs = obs.assign(status=status, value=obs.value.where(status == "ok"), level="municipality",
                     area_code=MUNICIPALITY, numerator=np.nan, denominator=np.nan, population=np.nan,
                     source_version=obs.file.map({name: s.version for name, s in sources.items()}))
    return obs


# --- SCB, RegSO ------------------------------------------------------------------------------------

def _years_long(raw: pd.DataFrame, keys: list[str], prefix: str) -> pd.DataFrame:
    """Columns '<prefix> 2020' … → one row per key and year."""
    cols = [c for c in raw.columns if c.startswith(prefix)]
    long = raw.melt(id_vars=keys, value_vars=cols, var_name="year", value_name="count")
    long["year"] = long.year.str.removeprefix(prefix).str.strip().astype(int)
    return long


def _check_regso(codes: pd.Series, geo: Geography, file: str) -> None:
    unknown = sorted(set(codes) - set(geo.codes("regso")))
    missing = sorted(set(geo.codes("regso")) - set(codes))
    if unknown or missing:
        raise CatalogError(f"{file}: okända RegSO {unknown[:5]}, saknade RegSO {missing[:5]}")


def _all_levels(regso: pd.DataFrame, geo: Geography, counts: list[str]) -> pd.DataFrame:
    """RegSO rows (area_code, year, counts) with their districts and the kommun added as sums."""
    dm = geo.district_members
    district = regso.merge(dm, left_on="area_code", right_on="regso_code").groupby(
        ["district_code", "year"], as_index=False)[counts].sum().rename(columns={"district_code": "area_code"})
    city = regso.groupby("year", as_index=False)[counts].sum().assign(area_code=MUNICIPALITY)
    return pd.concat([regso.assign(level="regso"), district.assign(level="district"),
                      city.assign(level="municipality")], ignore_index=True)


def regso_population(sources: dict[str, SourceFile], geo: Geography) -> pd.DataFrame:
    """area_code, level, year, population, foreign_born: RegSO from SCB, districts and kommun summed."""
    src = sources[SCB_POPULATION]
    raw = pd.read_csv(src.path, dtype={"regso_kod": str})
    raw = raw[raw["kön"] == "totalt"]
    _check_regso(raw.regso_kod, geo, src.file)
    long = _years_long(raw, ["regso_kod", "födelseregion"], "Antal ")
    wide = long.pivot_table(index=["regso_kod", "year"], columns="födelseregion", values="count",
                            aggfunc="sum").reset_index()
    regso = pd.DataFrame({"area_code": wide.regso_kod, "year": wide.year, "population": wide["totalt"],
                          "foreign_born": wide["totalt"] - wide["Sverige"]})
    return _all_levels(regso, geo, ["population", "foreign_born"])


def _area_type_share(sources: dict[str, SourceFile], geo: Geography, pop: pd.DataFrame) -> pd.DataFrame:
    src = sources[SCB_AREA_TYPE]
    raw = pd.read_csv(src.path, dtype={"regso_kod": str})
    _check_regso(raw.regso_kod, geo, src.file)
    regso = raw.rename(columns={"regso_kod": "area_code", "ar": "year"}).merge(
        pop[pop.level == "regso"][["area_code", "year", "population"]], on=["area_code", "year"], validate="1:1")
    regso = regso.assign(numerator=regso.population.where(regso.omradestyp.isin(CHALLENGED_AREA_TYPES), 0),
                         denominator=regso.population)
    out = _all_levels(regso[["area_code", "year", "numerator", "denominator"]], geo, ["numerator", "denominator"])
    return out.assign(indicator_id="befolkning_omradestyp_1_2", population=out.denominator)


def _tenure_counts(sources: dict[str, SourceFile], geo: Geography) -> pd.DataFrame:
    """Dwellings per tenure, one row per area (every level) and year."""
    src = sources[SCB_TENURE]
    raw = pd.read_csv(src.path, dtype={"regso_kod": str})
    _check_regso(raw.regso_kod, geo, src.file)
    unknown = sorted(set(raw["upplåtelseform"]) - set(TENURES))
    if unknown:
        raise CatalogError(f"{src.file}: okända upplåtelseformer {unknown}")
    long = _years_long(raw, ["regso_kod", "upplåtelseform"], "Antal ")
    wide = long.assign(tenure=long["upplåtelseform"].map(TENURES)).pivot_table(
        index=["regso_kod", "year"], columns="tenure", values="count", aggfunc="sum").reset_index()
    wide = wide.rename(columns={"regso_kod": "area_code"})
    wide.columns.name = None
    counts = list(TENURES.values())
    return _all_levels(wide[["area_code", "year", *counts]], geo, counts)


def _tenure_indicators(sources: dict[str, SourceFile], geo: Geography, pop: pd.DataFrame) -> pd.DataFrame:
    t = _tenure_counts(sources, geo)
    t["total"] = t[list(TENURES.values())].sum(axis=1)
    t = t.merge(pop[["area_code", "year", "population"]], on=["area_code", "year"], how="left")
    parts = [t.assign(indicator_id=ind, numerator=t[col], denominator=t.total)
             for ind, col in TENURE_SHARES.items()]
    known = t[["hyresratt", "bostadsratt", "aganderatt"]].to_numpy(dtype=float)
    n = known.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, known / n, np.nan)
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    entropy = np.where(n[:, 0] > 0, 100 * terms.sum(axis=1) / np.log(3), np.nan)
    parts.append(t.assign(indicator_id="upplatelseform_blandningsindex", value=entropy, numerator=np.nan,
                          denominator=np.nan, status=np.where(n[:, 0] > 0, "ok", "not_applicable")))
    return pd.concat(parts, ignore_index=True)


def scb_observations(sources: dict[str, SourceFile], geo: Geography, pop: pd.DataFrame) -> pd.DataFrame:
    """The indicators derived from SCB's RegSO counts, at RegSO, district and kommun level."""
    foreign = pop.assign(indicator_id="utrikes_fodda_andel", numerator=pop.foreign_born, denominator=pop.population)
    obs = pd.concat([_area_type_share(sources, geo, pop), foreign, _tenure_indicators(sources, geo, pop)],
                    ignore_index=True)
    ratio = obs.status.isna() if "status" in obs else pd.Series(True, index=obs.index)
    den = obs.denominator.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(den > 0, 100.0 * obs.numerator / den, np.nan)
    obs["value"] = np.where(ratio, share, obs.value if "value" in obs else np.nan)
    obs["status"] = np.where(ratio, np.where(den > 0, "ok", "not_applicable"), obs.status)
    files = {ind: " + ".join(sources[f].version for f in spec[0]) for ind, spec in SCB_INDICATORS.items()}
    return obs.assign(source_version=obs.indicator_id.map(files))


# --- SCB ME0105, riksdag turnout by kön and utbildning ------------------------------------------------

def turnout_observations(sources: dict[str, SourceFile]) -> pd.DataFrame:
    """Turnout in the riksdag elections by kön and by education, kommun level (whole percent)."""
    src = sources[SCB_TURNOUT]
    raw = pd.read_csv(src.path)
    groups = pd.DataFrame([(g, e, d, v) for (g, e), (d, v) in ME0105_GROUPS.items()],
                          columns=["gender", "educationLevel", "group_dim", "group_value"])
    picked = raw.merge(groups, on=["gender", "educationLevel"], validate="1:1")
    if len(picked) != len(ME0105_GROUPS):
        raise CatalogError(f"{src.file}: väntade {len(ME0105_GROUPS)} rader för totalt, kön och utbildning, "
                           f"fann {len(picked)}")
    parts = [picked.assign(year=y, value=picked[f"votersPercent{y}"].astype(float),
                           population=picked[f"eligibleVoters{y}"]) for y in ME0105_YEARS]
    obs = pd.concat(parts, ignore_index=True)
    return obs.assign(indicator_id=ME0105_INDICATOR, level="municipality", area_code=MUNICIPALITY, numerator=np.nan,
                      denominator=np.nan, status=np.where(obs.value.notna(), "ok", "missing"),
                      source_version=src.version)


# --- Everything ------------------------------------------------------------------------------------

def _indicator(cat: Catalog, indicator_id: str) -> Indicator:
    try:
        return cat.indicator(indicator_id)
    except UnknownIndicator as exc:
        raise CatalogError(f"data/real/ har värden för {indicator_id!r}, som inte finns i katalogen.") from exc


def _finish(obs: pd.DataFrame) -> pd.DataFrame:
    out = obs.assign(group_dim=obs.get("group_dim", pd.Series("total", index=obs.index)).fillna("total"),
                     group_value=obs.get("group_value", pd.Series("alla", index=obs.index)).fillna("alla"),
                     ci_low=np.nan, ci_high=np.nan, series_break=False, is_demo=False)
    hidden = out.status.isin(["suppressed", "missing"])
    out.loc[hidden, ["numerator", "denominator"]] = np.nan
    out.loc[out.status != "ok", "value"] = np.nan
    out["year"] = out.year.astype(int)
    for col in ("numerator", "denominator", "population"):
        out[col] = pd.to_numeric(out[col]).round().astype("Int64")
    out["value"] = out.value.astype(float)
    return out[OBS_COLUMNS].sort_values(["indicator_id", "level", "group_dim", "year", "area_code", "group_value"],
                                        ignore_index=True)


def load_sources(folder: Path = REAL_DIR) -> dict[str, SourceFile]:
    """Every provenance record in `folder`, each checked against its file."""
    names = sorted(p.name.removesuffix(".meta.yaml") for p in folder.glob("*.meta.yaml"))
    return {name: read_source(name, folder) for name in names}


def real_data(cat: Catalog, geo: Geography, folder: Path = REAL_DIR) -> RealData:
    """Observations, population and provenance from the real files in `folder` (data/real/).

    Parameters
    ----------
    cat : Catalog
        The catalog the indicators must exist in; each Kolada key figure used must stand in its
        indicator's source_ref, and each group must be one of the indicator's groups.
    geo : Geography
        Borås' areas; the SCB files must cover exactly its RegSO.
    folder : Path
        Where the files and their `.meta.yaml` records are.

    Returns
    -------
    RealData
        `observations` with exactly `OBS_COLUMNS` (never demo), `population` (area_code, year,
        population, foreign_born for RegSO, districts and the kommun), `provenance` per indicator
        id and `population_provenance`.

    Raises
    ------
    CatalogError
        When a file differs from its provenance record, or the files and the catalog disagree.
    """
    sources = load_sources(folder)
    for ind_id in real_indicator_ids():
        _indicator(cat, ind_id)
    pop = regso_population(sources, geo)
    kolada = kolada_observations(cat, sources)
    obs = _finish(pd.concat([kolada, scb_observations(sources, geo, pop), turnout_observations(sources)],
                            ignore_index=True))
    provenance = {}
    downloaded = kolada.dropna(subset=["snapshot"]).groupby("indicator_id").snapshot.agg(
        lambda s: "nedladdat från Kolada " + ", ".join(sorted(set(s))))
    for s in KOLADA_SERIES:
        note = ("Värdena oförändrade ur Kolada" + (", bara valåren" if s.elections_only else "")
                + (f"; grupperna ur {', '.join(g[0] for g in s.groups)}" if s.groups else "") + ".")
        provenance[s.indicator] = _provenance(s.indicator, [sources[s.file]], s.kpis, note, "nyckeltal",
                                              retrieved=downloaded.get(s.indicator))
    for ind_id, (files, note) in SCB_INDICATORS.items():
        ids = tuple(i for f in files for i in sources[f].source_ids)
        provenance[ind_id] = _provenance(ind_id, [sources[f] for f in files], ids, note, "tabell", processed=True)
    provenance[ME0105_INDICATOR] = _provenance(
        ME0105_INDICATOR, [sources[SCB_TURNOUT]], (), "Andelen röstande i hela procent, oförändrad; antalet "
        "röstberättigade som befolkning. Korsade celler (kön × utbildning) används inte.")
    population = pop[["area_code", "year", "population", "foreign_born"]].astype(
        {"population": "int64", "foreign_born": "int64"}).reset_index(drop=True)
    pop_prov = _provenance("", [sources[SCB_POPULATION]], (), "Folkmängd och utrikes födda (totalt minus födda i "
                           "Sverige) per RegSO; stadsdelar och kommun som summor.", processed=True)
    return RealData(observations=obs, population=population, provenance=provenance,
                    population_provenance=pop_prov, sources=sources)
