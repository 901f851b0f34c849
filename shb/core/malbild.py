"""Målbild periods: each period's målbild is one file in data/malbild/ with its validity, so a later
period (new or changed effektmål, indicators moved between them) can be added without losing the first.

The current period's file is the one `shb.core.catalog.load_catalog` reads: its effektmål are the ones
data/indicators.yaml names. Any other period's file lists, under `indicators`, which of its effektmål each
indicator it follows belongs to. An indicator keeps its id across periods, so its series (one per
indicator in the store) continues from one period into the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shb.core import paths, yamlfile
from shb.core.catalog import Catalog
from shb.core.errors import CatalogError

_PERIOD_ID = re.compile(r"^\d{4}-\d{4}$")


@dataclass(frozen=True)
class PeriodTarget:
    id: str
    goal_area: int
    goal_area_title: str
    goal_area_slug: str
    goal_area_description: str
    responsible: str
    title: str


@dataclass(frozen=True)
class Period:
    """One målbild period: its id (`2021-2024`, as in a URL), title (`2021–2024`), years of validity,
    effektmål and which effektmål each indicator belongs to."""

    id: str
    title: str
    first_year: int
    last_year: int
    targets: tuple[PeriodTarget, ...]
    indicator_targets: dict[str, str]
    current: bool


def _read(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as f:
            doc = yamlfile.load(f)
    except (OSError, yamlfile.YAMLError) as exc:
        raise CatalogError(f"Kunde inte läsa {path.name}: {exc}") from exc
    if not isinstance(doc, dict):
        raise CatalogError(f"{path.name} är ingen målbild.")
    return doc


def load_period(path: Path, cat: Catalog, current: bool = False) -> Period:
    """One period's file, checked: its validity, effektmål, and (for a period other than the current) that
    every indicator it follows exists and belongs to one of its effektmål; CatalogError naming each problem."""
    doc = _read(path)
    problems = []
    validity = doc.get("validity") or {}
    pid, first, last = validity.get("id"), validity.get("first_year"), validity.get("last_year")
    if not isinstance(pid, str) or not _PERIOD_ID.match(pid) or not all(isinstance(y, int) for y in (first, last)) \
            or first > last or pid != f"{first}-{last}":
        problems.append("validity ska ha id (t.ex. \"2021-2024\"), first_year och last_year som stämmer med id")
    try:
        targets = tuple(
            PeriodTarget(str(t["id"]), int(ga["id"]), ga["title"], ga["slug"], ga.get("description", ""),
                         ga.get("responsible", ""), t["title"])
            for ga in doc["goal_areas"] for t in ga["targets"])
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"{path.name}: målområden och effektmål saknar fältet {exc}") from exc
    ids = {t.id for t in targets}
    if current:
        mapping = {i.id: i.target for i in cat.indicators}
    else:
        mapping = {str(k): str(v) for k, v in (doc.get("indicators") or {}).items()}
        known = {i.id for i in cat.indicators}
        problems += [f"okänd indikator {i!r}" for i in mapping if i not in known]
        problems += [f"indikatorn {i} hör till okänt effektmål {t!r}" for i, t in mapping.items() if t not in ids]
        if not mapping:
            problems.append("indicators ska ange effektmålet för varje indikator perioden följer")
    if problems:
        raise CatalogError(f"Målbilden {path.name} kunde inte läsas: " + "; ".join(problems))
    return Period(pid, str(doc.get("period") or pid), first, last, targets, mapping, current)


def load_periods(cat: Catalog, files: list[Path] | None = None, current: Path = paths.MALBILD) -> tuple[Period, ...]:
    """Every period (default: each file in data/malbild/), oldest first; the current one is `current`."""
    files = sorted(files if files is not None else paths.MALBILD_DIR.glob("*.yaml"))
    periods = tuple(load_period(f, cat, current=f.resolve() == current.resolve()) for f in files)
    ids = [p.id for p in periods]
    if len(set(ids)) < len(ids) or sum(p.current for p in periods) != 1:
        raise CatalogError(f"Målbildsperioderna ska ha olika id och exakt en aktuell: {', '.join(ids)}")
    return tuple(sorted(periods, key=lambda p: p.first_year))
