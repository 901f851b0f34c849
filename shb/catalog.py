"""The målbild, indicators and population groups, read from data/ and checked on the way in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from shb import paths
from shb.errors import CatalogError, UnknownIndicator

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
    "per_invanare": "per invånare",
    "poang": "poäng",
    "antal": "antal",
    "kod": "kod",
    "index": "index",
}
KIND_UNITS = {
    "share": {"procent"},
    "rate": {"per_1000", "per_invanare"},
    "mean": {"poang", "index"},
    "count": {"antal"},
    "code": {"kod"},
}
SCALE = {"procent": 100.0, "per_1000": 1000.0, "per_invanare": 1.0}
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


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
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"Kunde inte läsa {path.name}: {exc}") from exc


def _parse_indicator(raw: dict, target_ids: set[str], groups: dict) -> Indicator:
    try:
        ind = Indicator(**{**raw, "target": str(raw["target"]), "groups": raw.get("groups") or {}})
    except TypeError as exc:
        raise CatalogError(f"Indikatorn {raw.get('id')!r} har fel fält: {exc}") from exc
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
    for name in ("title", "source", "source_ref", "definition", "population", "licence"):
        if not str(getattr(ind, name) or "").strip():
            problems.append(f"{name} saknas")
    if problems:
        raise CatalogError(f"Indikatorn {ind.id!r}: " + "; ".join(problems))
    return ind


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
    target_ids = {t.id for ga in goal_areas for t in ga.targets}
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
