"""The målbild, indicators and population groups, read from data/ and checked on the way in.

Why one module of about 530 lines: the catalog's declarations (units, kinds, life stages, the
övergripande mål) and the checks of every field, including the optional `fetch:` block, belong together;
splitting the fetch checks off would only move the declarations they check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import NamedTuple

from shb.core import paths, yamlfile
from shb.core.errors import CatalogError, UnknownIndicator
from shb.core.format import number

LEVELS = ("municipality", "district", "regso", "deso")
LEVEL_LABELS = {"municipality": "Kommun", "district": "Stadsdel", "regso": "RegSO", "deso": "DeSO"}
KINDS = ("share", "rate", "mean", "count", "code")
DIRECTIONS = ("higher", "lower", "balance")
DIRECTION_LABELS = {
    "higher": "Högre värde är bättre",
    "lower": "Lägre värde är bättre",
    "balance": "En jämn fördelning är målet",
}
UNITS = {
    "procent": "%",
    "per_1000": "per 1 000 invånare",
    "per_100000": "per 100 000 invånare",
    "per_invanare": "per invånare",
    "poang": "poäng",
    "antal": "antal",
    "kod": "kod",
    "index": "index",
    "ar": "år",
    "dagar": "dagar",
}
KIND_UNITS = {
    "share": {"procent"},
    "rate": {"per_1000", "per_100000", "per_invanare"},
    "mean": {"poang", "index", "ar", "dagar"},
    "count": {"antal"},
    "code": {"kod"},
}
SCALE = {"procent": 100.0, "per_1000": 1000.0, "per_100000": 100_000.0, "per_invanare": 1.0}


class UnitRange(NamedTuple):
    """The values a unit can plausibly take, and what a value of the unit is called (in a Swedish message)."""

    low: float
    high: float
    noun: str

    def text(self) -> str:
        """'en andel i procent ska ligga mellan 0 och 100'."""
        return f"{self.noun} ska ligga mellan {number(self.low, 0)} och {number(self.high, 0)}"

    def outside(self, values):
        """True where `values` (a number, array or Series) lie outside the range; missing values are not."""
        slack = 1e-9 * max(1.0, abs(self.low), abs(self.high))  # rounding noise, e.g. 100.00000000000003
        return (values < self.low - slack) | (values > self.high + slack)


# Declared once, beside the units: an import refuses a value, ki_låg or ki_hög outside its unit's range
# (shb.ingest.validate), and the demo generator keeps to it. Wide enough for any real figure of a
# municipality of Borås's size, narrow enough that a typing error (or 1.7e308) cannot reach a chart.
UNIT_RANGES = {
    "procent": UnitRange(0, 100, "en andel i procent"),
    "per_1000": UnitRange(0, 1_000, "en kvot per 1 000 invånare"),
    "per_100000": UnitRange(0, 100_000, "en kvot per 100 000 invånare"),
    "per_invanare": UnitRange(0, 1_000, "en kvot per invånare"),
    "poang": UnitRange(0, 1_000, "ett värde i poäng"),
    "antal": UnitRange(0, 100_000_000, "ett antal"),
    "kod": UnitRange(0, 99, "en kod"),
    "index": UnitRange(0, 100, "ett index"),
    "ar": UnitRange(0, 120, "ett värde i år"),
    "dagar": UnitRange(0, 366, "ett antal dagar"),
}
COUNT_RANGE = UNIT_RANGES["antal"]  # täljare, nämnare and befolkning are counts
# The övergripande mål (jämlika livsvillkor och god hälsa) as a pseudo-effektmål "0" under a pseudo-målområde 0:
# its indicators measure health and living conditions over the whole life course, above the målområden.
GOAL_TARGET = "0"
GOAL_AREA_ID = 0
# Life stages an indicator concerns (declared per indicator as `life_stages`): a subset of the four, or alla.
LIFE_STAGES = {
    "barn": "Barn 0–15 år",
    "unga": "Unga 16–24 år",
    "vuxna": "Vuxna 25–64 år",
    "aldre": "Äldre 65+ år",
    "alla": "Alla åldrar",
}
LIFE_STAGE_ORDER = ("barn", "unga", "vuxna", "aldre")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


# --- Where an indicator can be fetched from (the optional `fetch:` block) -------------------------

@dataclass(frozen=True)
class Codelist:
    """An SCB code list for the variable Region: the level it holds, the suffix its codes carry in
    Statistikdatabasen and the reference years it is valid for (outside them SCB may answer 0)."""

    level: str
    suffix: str
    first_year: int | None
    last_year: int | None


# As the code lists are titled in Statistikdatabasen ("RegSO 2020 t.o.m. år 2023", "RegSO 2025 fr.o.m. år
# 2024", …): the 2018/2020 divisions carry plain codes up to reference year 2023, the 2025 divisions codes
# with a suffix from 2024 on. vs_DeSO2025 is left out on purpose: data/areas/ holds the DeSO 2018 codes only.
CODELISTS = {
    "vs_RegSO2020": Codelist("regso", "", None, 2023),
    "vs_RegSO2025": Codelist("regso", "_RegSO2025", 2024, None),
    "vs_RegSo1": Codelist("regso", "", None, 2023),
    "vs_DeSO2018": Codelist("deso", "", None, 2023),
    "vs_DeSoHE": Codelist("deso", "", None, 2023),
}
_TABLE = re.compile(r"^TAB\d+$")
_KPI = re.compile(r"^[NU]\d{5}$")
_VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CONTENTS_VARIABLE = "ContentsCode"


@dataclass(frozen=True)
class ScbArea:
    """One request's worth of areas: all Borås areas of `level`, through `codelist` (None: plain codes),
    for the years first_year–last_year. `sum_of` builds the kommun value by adding up the counts of the
    areas at that level (only for values derived from a numerator and a denominator)."""

    level: str
    codelist: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    sum_of: str | None = None

    def covers(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class ScbFetch:
    """How to ask SCB's Statistikdatabasen (PxWeb API v2) for one indicator."""

    table: str
    confirmed: bool  # content codes and variable values checked against the table's metadata
    areas: tuple[ScbArea, ...]
    value: str | None = None  # content code holding the value as published
    numerator: str | None = None  # or: value = scale × numerator / denominator
    denominator: str | None = None
    filters: dict[str, str] = field(default_factory=dict)  # variable → the one value selected
    groups: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # variable → code → group
    region: str = "Region"
    time: str = "Tid"

    @property
    def contents(self) -> list[str]:
        return [c for c in (self.value, self.numerator, self.denominator) if c]


@dataclass(frozen=True)
class KoladaFetch:
    """A Kolada key figure (KPI) for the municipality."""

    kpi: str


@dataclass(frozen=True)
class FetchSpec:
    """The sources an indicator can be fetched from by `python -m shb fetch`."""

    scb: ScbFetch | None = None
    kolada: KoladaFetch | None = None

    @property
    def sources(self) -> list[str]:
        return [name for name in ("scb", "kolada") if getattr(self, name)]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the follow-up, as declared in data/indicators.yaml."""

    id: str
    title: str
    target: str
    kind: str
    unit: str
    direction: str
    source: str
    source_ref: str
    source_ref_confirmed: bool
    licence: str
    lowest_level: str
    groups: dict[str, list[str]]
    population: str
    survey: bool
    frequency: str
    definition: str
    caveats: list[str] = field(default_factory=list)
    fetch: FetchSpec | None = None
    life_stages: tuple[str, ...] = ()

    @property
    def stages(self) -> tuple[str, ...]:
        """The life stages the indicator covers, `alla` spelt out as all four."""
        return LIFE_STAGE_ORDER if "alla" in self.life_stages else self.life_stages

    @property
    def goal_level(self) -> bool:
        """True for an indicator of the övergripande mål (not of an effektmål)."""
        return self.target == GOAL_TARGET

    @property
    def levels(self) -> list[str]:
        """Levels with data: the lowest one and every level above it (districts come from RegSO)."""
        if self.lowest_level == "municipality":
            return ["municipality"]
        return list(LEVELS[: LEVELS.index(self.lowest_level) + 1])

    @property
    def group_dimensions(self) -> list[str]:
        return list(self.groups)

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit]

    @property
    def scale(self) -> float | None:
        """Factor from numerator/denominator to value, for shares and rates."""
        return SCALE.get(self.unit) if self.kind in ("share", "rate") else None


@dataclass(frozen=True)
class Target:
    id: str
    goal_area: int
    title: str


@dataclass(frozen=True)
class GoalArea:
    id: int
    title: str
    slug: str
    description: str
    responsible: str
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Catalog:
    """Everything declared about the programme and its indicators."""

    programme: dict
    goal_areas: tuple[GoalArea, ...]
    indicators: tuple[Indicator, ...]
    groups: dict[str, dict]

    @property
    def targets(self) -> list[Target]:
        return [t for ga in self.goal_areas for t in ga.targets]

    @property
    def goal(self) -> GoalArea:
        """The övergripande mål as goal area 0 with the one pseudo-effektmål "0", built from the målbild's
        `goal:` block, so the joins indicator → target → goal_area hold for its indicators too."""
        g = self.programme["goal"]
        return GoalArea(id=GOAL_AREA_ID, title=g["title"], slug="overgripande_mal",
                        description=" ".join(str(g["description"]).split()), responsible="Kommunstyrelsen",
                        targets=(Target(GOAL_TARGET, GOAL_AREA_ID, g["title"]),))

    @property
    def all_goal_areas(self) -> tuple[GoalArea, ...]:
        """The övergripande mål (0) first, then the målområden: what the snapshot's tables hold."""
        return (self.goal, *self.goal_areas)

    @property
    def goal_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.goal_level]

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise UnknownIndicator(f"Okänd indikator: {indicator_id!r}.")

    def group_label(self, dimension: str, value: str) -> str:
        return self.groups[dimension]["values"][value]


def _read_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as f:
            return yamlfile.load(f)
    except (OSError, yamlfile.YAMLError) as exc:
        raise CatalogError(f"Kunde inte läsa {path.name}: {exc}") from exc


def _parse_indicator(raw: dict, target_ids: set[str], groups: dict) -> Indicator:
    try:
        ind = Indicator(**{**raw, "target": str(raw["target"]), "groups": raw.get("groups") or {}, "fetch": None,
                           "life_stages": tuple(raw.get("life_stages") or ())})
    except TypeError as exc:
        raise CatalogError(f"Indikatorn {raw.get('id')!r} har fel fält: {exc}") from exc
    problems = _field_problems(ind, target_ids, groups)
    if "fetch" in raw:
        spec, fetch_problems = parse_fetch(raw["fetch"], ind)
        problems += fetch_problems
        ind = replace(ind, fetch=spec)
    if problems:
        raise CatalogError(f"Indikatorn {ind.id!r}: " + "; ".join(problems))
    return ind


def _field_problems(ind: Indicator, target_ids: set[str], groups: dict) -> list[str]:
    problems = []
    if not _SLUG.match(ind.id):
        problems.append("id ska vara gemener, siffror och understreck")
    if ind.target not in target_ids:
        problems.append(f"okänt effektmål {ind.target}")
    if ind.kind not in KINDS or ind.unit not in KIND_UNITS.get(ind.kind, ()):
        problems.append(f"typ {ind.kind!r} passar inte enheten {ind.unit!r}")
    if ind.direction not in DIRECTIONS:
        problems.append(f"okänd riktning {ind.direction!r}")
    if ind.lowest_level not in ("municipality", "regso", "deso"):
        problems.append(f"okänd lägsta nivå {ind.lowest_level!r}")
    for dim, values in ind.groups.items():
        known = groups.get(dim, {}).get("values", {})
        if dim == "total" or not values or any(v not in known for v in values):
            problems.append(f"okända grupper {dim}: {values}")
    stages = ind.life_stages
    if not stages or any(s not in LIFE_STAGES for s in stages) or len(set(stages)) < len(stages) or (
            "alla" in stages and len(stages) > 1):
        problems.append(f"life_stages ska vara några av {', '.join(LIFE_STAGE_ORDER)} eller [alla], fick "
                        f"{list(stages)}")
    for name in ("title", "source", "source_ref", "definition", "population", "licence"):
        if not str(getattr(ind, name) or "").strip():
            problems.append(f"{name} saknas")
    return problems


def parse_fetch(raw: object, ind: Indicator) -> tuple[FetchSpec | None, list[str]]:
    """The `fetch:` block of an indicator and the problems with it (Swedish, empty when it is sound)."""
    if not isinstance(raw, dict) or not raw or set(raw) - {"scb", "kolada"}:
        return None, ["fetch ska ha nycklarna scb och/eller kolada"]
    problems: list[str] = []
    scb = _parse_scb(raw["scb"], ind, problems) if "scb" in raw else None
    kolada = _parse_kolada(raw["kolada"], ind, problems) if "kolada" in raw else None
    return (None if problems else FetchSpec(scb, kolada)), problems


def _parse_kolada(raw: object, ind: Indicator, problems: list[str]) -> KoladaFetch | None:
    if not isinstance(raw, dict) or set(raw) != {"kpi"}:
        problems.append("fetch.kolada ska ha exakt nyckeln kpi")
        return None
    kpi = raw["kpi"]
    if not isinstance(kpi, str) or not _KPI.match(kpi):
        problems.append(f"fetch.kolada.kpi {kpi!r} är inget Kolada-id (t.ex. N15428)")
    elif kpi not in ind.source_ref or not ind.source_ref_confirmed:
        problems.append(f"fetch.kolada.kpi {kpi} ska stå i source_ref och vara bekräftat (source_ref_confirmed)")
    return KoladaFetch(kpi) if isinstance(kpi, str) else None


_SCB_KEYS = {"table", "confirmed", "areas", "value", "numerator", "denominator", "filters", "groups", "region",
             "time"}


def _parse_scb(raw: object, ind: Indicator, problems: list[str]) -> ScbFetch | None:
    if not isinstance(raw, dict):
        problems.append("fetch.scb ska vara en tabell av nycklar")
        return None
    before = len(problems)
    unknown = sorted(set(raw) - _SCB_KEYS)
    if unknown:
        problems.append(f"fetch.scb har okända nycklar: {', '.join(map(str, unknown))}")
    table = raw.get("table")
    if not isinstance(table, str) or not _TABLE.match(table):
        problems.append(f"fetch.scb.table {table!r} är inget tabell-id (t.ex. TAB6680)")
    elif table not in ind.source_ref:
        problems.append(f"fetch.scb.table {table} ska stå i source_ref")
    if not isinstance(raw.get("confirmed"), bool):
        problems.append("fetch.scb.confirmed ska vara true eller false")
    _check_contents(raw, ind, problems)
    names = {k: raw.get(k, default) for k, default in (("region", "Region"), ("time", "Tid"))}
    filters = raw.get("filters") or {}
    if not isinstance(filters, dict) or not all(isinstance(v, str) for v in filters.values()):
        problems.append("fetch.scb.filters ska ge ett värde (text) per variabel")
        filters = {}
    groups = _scb_groups(raw.get("groups") or {}, ind, problems)
    variables = [*names.values(), CONTENTS_VARIABLE, *filters, *groups]
    if any(not isinstance(v, str) or not _VARIABLE.match(v) for v in variables) or len(set(variables)) < len(
            variables):
        problems.append(f"fetch.scb: variablerna ska vara olika namn utan mellanslag: {variables}")
    areas = _scb_areas(raw.get("areas"), ind, raw.get("numerator") is not None, problems)
    if len(problems) > before:
        return None
    return ScbFetch(table=table, confirmed=raw["confirmed"], areas=areas, value=raw.get("value"),
                    numerator=raw.get("numerator"), denominator=raw.get("denominator"), filters=dict(filters),
                    groups=groups, region=names["region"], time=names["time"])


def _check_contents(raw: dict, ind: Indicator, problems: list[str]) -> None:
    codes = {k: raw.get(k) for k in ("value", "numerator", "denominator")}
    if any(c is not None and not isinstance(c, str) for c in codes.values()):
        problems.append("fetch.scb: innehållskoder ska skrivas som text inom citattecken")
    ratio = codes["numerator"] is not None or codes["denominator"] is not None
    if (codes["value"] is None) == (not ratio) or (ratio and None in (codes["numerator"], codes["denominator"])):
        problems.append("fetch.scb ska ha antingen value eller både numerator och denominator")
    elif ratio and ind.scale is None:
        problems.append(f"fetch.scb: numerator/denominator kräver en andel eller kvot, inte typen {ind.kind}")


def _scb_groups(raw: object, ind: Indicator, problems: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """variable → {code: (dimension, value)}; 'total' stands for total/alla."""
    if not isinstance(raw, dict) or not all(isinstance(m, dict) and m for m in raw.values()):
        problems.append("fetch.scb.groups ska ge, per variabel, koder och grupper (t.ex. \"1\": kon/man)")
        return {}
    out: dict[str, dict[str, tuple[str, str]]] = {}
    seen: list[tuple[str, str]] = []
    for variable, mapping in raw.items():
        out[variable] = {}
        for code, group in mapping.items():
            pair = ("total", "alla") if group == "total" else tuple(str(group).split("/", 1))
            if len(pair) != 2 or (pair != ("total", "alla") and pair[1] not in ind.groups.get(pair[0], [])):
                problems.append(f"fetch.scb.groups.{variable}: {code!r} pekar på en grupp som indikatorn inte har: "
                                f"{group!r}")
            elif pair in seen:
                problems.append(f"fetch.scb.groups: gruppen {group!r} förekommer flera gånger")
            seen.append(pair)
            out[variable][str(code)] = pair
    return out


_AREA_KEYS = {"level", "codelist", "first_year", "last_year", "sum_of"}


def _scb_areas(raw: object, ind: Indicator, ratio: bool, problems: list[str]) -> tuple[ScbArea, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("fetch.scb.areas ska vara en lista med minst en områdesnivå")
        return ()
    areas = []
    for item in raw:
        area = _scb_area(item, ind, ratio, problems)
        if area:
            areas.append(area)
    for i, a in enumerate(areas):
        for b in areas[i + 1:]:
            if a.level == b.level and _overlap(a, b):
                problems.append(f"fetch.scb.areas: nivån {a.level} förekommer flera gånger för samma år")
        if a.sum_of and a.sum_of not in {b.level for b in areas}:
            problems.append(f"fetch.scb.areas: kommunen summeras av {a.sum_of}, men den nivån hämtas inte")
    return tuple(areas)


def _scb_area(item: object, ind: Indicator, ratio: bool, problems: list[str]) -> ScbArea | None:
    if not isinstance(item, dict) or set(item) - _AREA_KEYS or "level" not in item:
        problems.append(f"fetch.scb.areas: {item!r} ska ha level och högst {', '.join(sorted(_AREA_KEYS))}")
        return None
    level, codelist, sum_of = item["level"], item.get("codelist"), item.get("sum_of")
    years = [item.get("first_year"), item.get("last_year")]
    if ind.lowest_level not in LEVELS or level not in ind.levels or level == "district":
        problems.append(f"fetch.scb.areas: nivån {level!r} finns inte för indikatorn (nivåer: {ind.levels})")
        return None
    if any(y is not None and (not isinstance(y, int) or isinstance(y, bool)) for y in years):
        problems.append(f"fetch.scb.areas: first_year och last_year ska vara årtal: {item!r}")
        return None
    if level == "municipality":
        if codelist is not None or sum_of not in (None, "regso", "deso") or (sum_of and (
                not ratio or sum_of not in ind.levels)):
            problems.append("fetch.scb.areas: kommunen hämtas utan codelist; sum_of (regso/deso) bara för värden "
                            "ur numerator och denominator")
            return None
        return ScbArea(level, None, years[0], years[1], sum_of)
    known = CODELISTS.get(codelist)
    if known is None or known.level != level or sum_of is not None:
        problems.append(f"fetch.scb.areas: nivån {level} kräver en känd codelist ({', '.join(CODELISTS)}), fick "
                        f"{codelist!r}")
        return None
    first = years[0] if years[0] is not None else known.first_year
    last = years[1] if years[1] is not None else known.last_year
    if (known.first_year and (first is None or first < known.first_year)) or (
            known.last_year and (last is None or last > known.last_year)) or (first and last and first > last):
        problems.append(f"fetch.scb.areas: åren {first}–{last} ligger utanför kodlistan {codelist}")
        return None
    return ScbArea(level, codelist, first, last)


def _overlap(a: ScbArea, b: ScbArea) -> bool:
    lo = max(a.first_year or 0, b.first_year or 0)
    hi = min(a.last_year or 9999, b.last_year or 9999)
    return lo <= hi


def load_catalog(
    malbild: Path = paths.MALBILD, indicators: Path = paths.INDICATORS, groups: Path = paths.GROUPS
) -> Catalog:
    """Read and check the catalog files; raise CatalogError naming what is wrong."""
    mb = _read_yaml(malbild)
    grp = _read_yaml(groups)["dimensions"]
    goal_areas = tuple(
        GoalArea(
            id=ga["id"],
            title=ga["title"],
            slug=ga["slug"],
            description=ga["description"],
            responsible=ga["responsible"],
            targets=tuple(Target(str(t["id"]), ga["id"], t["title"]) for t in ga["targets"]),
        )
        for ga in mb["goal_areas"]
    )
    target_ids = {t.id for ga in goal_areas for t in ga.targets} | {GOAL_TARGET}
    raw = _read_yaml(indicators)["indicators"]
    inds = tuple(_parse_indicator(r, target_ids, grp) for r in raw)
    ids = [i.id for i in inds]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"Indikatorer med samma id: {', '.join(dupes)}")
    programme = {k: mb[k] for k in ("programme", "period", "goal", "levels")}
    return Catalog(programme=programme, goal_areas=goal_areas, indicators=inds, groups=grp)


@cache
def catalog() -> Catalog:
    """The committed catalog, read once per process."""
    return load_catalog()
