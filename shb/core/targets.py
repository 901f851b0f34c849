"""Målvärden: the aim per indicator (for the whole city, optionally for an area set), read from
data/targets.yaml and checked against the catalog on the way in.

In code an aim is an `Aim` (the word *target* is the effektmål, as in the rest of the package); the
store's table is `indicator_target`. An unknown indicator, scope or origin, or a value outside the
indicator's unit, is a CatalogError in Swedish naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shb.core import paths, yamlfile
from shb.core.catalog import UNIT_RANGES, Catalog
from shb.core.errors import CatalogError

CITY = "city"
ORIGINS = {
    "effektmal": "effektmålets formulering",
    "beslut": "politiskt beslut",
    "arbetsmal": "analytikernas arbetsmål",
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Aim:
    """One målvärde: `value` (in the indicator's unit) to be reached by `year` in `scope` (CITY or an
    area set id), with where it comes from (`origin`, a key of ORIGINS) and the wording behind it."""

    indicator: str
    scope: str
    value: float
    year: int
    origin: str
    wording: str

    @property
    def origin_label(self) -> str:
        return ORIGINS[self.origin]


def _problems(raw: dict, cat: Catalog, set_ids: set[str]) -> list[str]:
    known = {i.id: i for i in cat.indicators}
    out = []
    ind = known.get(raw.get("indicator"))
    if ind is None:
        return [f"okänd indikator {str(raw.get('indicator'))[:60]!r}"]
    if raw.get("scope") != CITY and raw.get("scope") not in set_ids:
        out.append(f"scope ska vara city eller en områdesmängd ({', '.join(sorted(set_ids))}), "
                   f"inte {raw.get('scope')!r}")
    value, year = raw.get("value"), raw.get("year")
    if isinstance(value, bool) or not isinstance(value, int | float):
        out.append(f"value ska vara ett tal, inte {value!r}")
    elif UNIT_RANGES[ind.unit].outside(float(value)):
        out.append(f"value {value}: {UNIT_RANGES[ind.unit].text()}")
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        out.append(f"year ska vara ett årtal {FIRST_YEAR}–{LAST_YEAR}, inte {year!r}")
    if raw.get("origin") not in ORIGINS:
        out.append(f"origin ska vara en av {', '.join(ORIGINS)}, inte {raw.get('origin')!r}")
    if not str(raw.get("wording") or "").strip():
        out.append("wording saknas (formuleringen eller beslutet som målvärdet bygger på)")
    if ind.kind == "code":
        out.append("en kod har inget målvärde")
    return out


def load_aims(cat: Catalog, set_ids: set[str] | frozenset[str] = frozenset({"omradesutveckling"}),
              path: Path = paths.TARGETS, only_known: bool = False) -> tuple[Aim, ...]:
    """Every målvärde in `path`, checked against `cat` and the area sets; CatalogError naming each problem.

    `only_known` leaves out, unchecked, the entries of indicators `cat` does not hold (a catalog cut
    down to a few indicators, in tests); the build reads them strictly.
    """
    try:
        with path.open(encoding="utf-8") as f:
            doc = yamlfile.load(f) or {}
    except (OSError, yamlfile.YAMLError) as exc:
        raise CatalogError(f"Kunde inte läsa {path.name}: {exc}") from exc
    entries = doc.get("targets") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogError(f"{path.name} ska ha en lista targets med ett målvärde per post.")
    if only_known:
        known = {i.id for i in cat.indicators}
        entries = [e for e in entries if e.get("indicator") in known]
    problems = [f"{path.name}, post {n + 1} ({e.get('indicator')}): {p}"
                for n, e in enumerate(entries) for p in _problems(e, cat, set(set_ids))]
    keys = [(e.get("indicator"), e.get("scope")) for e in entries]
    problems += [f"{path.name}: {i} har flera målvärden för {s}" for i, s in sorted(set(k for k in keys
                                                                                   if keys.count(k) > 1))]
    if problems:
        raise CatalogError("Målvärdena kunde inte läsas: " + "; ".join(problems))
    return tuple(Aim(e["indicator"], e["scope"], float(e["value"]), int(e["year"]), e["origin"],
                     " ".join(str(e["wording"]).split())) for e in entries)
