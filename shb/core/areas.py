"""Borås geography as facts: kommun, districts, RegSO, DeSO and named area sets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from shb.core import paths, yamlfile
from shb.core.errors import CatalogError

MUNICIPALITY = "1490"
# The levels whose boundaries can be imported (`python -m shb geo import`), and the source shown on a map
# when the import names none.
GEOMETRY_LEVELS = ("regso", "deso", "district")
DEFAULT_SOURCES = {
    "regso": "Källa: SCB, RegSO 2025 (öppna geodata, CC0)",
    "deso": "Källa: SCB, DeSO (öppna geodata, CC0)",
    "district": "Källa: importerad stadsdelsindelning",
}
MUNICIPALITY_NAME = "Borås"
CODE_PATTERNS = {
    "municipality": re.compile(r"^\d{4}$"),
    "district": re.compile(r"^\d{4}D\d{2}$"),
    "regso": re.compile(r"^\d{4}R\d{3}$"),
    "deso": re.compile(r"^\d{4}[ABC]\d{4}$"),
}
BREAK_YEAR = 2024  # first year published on the 2025 RegSO borders
AREA_SUFFIX = re.compile(r"_(REGSO|DESO)\d{4}$")  # SCB's code-list suffix, e.g. 1490R025_RegSO2025


def normal_area_code(code: object) -> str:
    """'1490r025_RegSO2025' → '1490R025': SCB's code-list suffix dropped, upper case, no spaces."""
    return AREA_SUFFIX.sub("", str(code).strip().upper())


@dataclass(frozen=True)
class AreaSet:
    id: str
    title: str
    description: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Geography:
    """All areas (one row each) and how they nest."""

    areas: pd.DataFrame  # code, name, level, parent_code, centroid_lat, centroid_lon, area_km2, tatort, border_changed_2025
    district_members: pd.DataFrame  # district_code, regso_code
    sets: tuple[AreaSet, ...]
    default_set: str

    def codes(self, level: str) -> list[str]:
        return self.areas.loc[self.areas.level == level, "code"].tolist()

    def area_set(self, set_id: str) -> AreaSet:
        for s in self.sets:
            if s.id == set_id:
                return s
        raise CatalogError(f"Okänd områdesmängd: {set_id!r}.")

    def regso_of(self, level: str) -> dict[str, list[str]]:
        """For each area at `level`, the RegSO it consists of (DeSO map to their one RegSO)."""
        a = self.areas
        if level == "regso":
            return {c: [c] for c in self.codes("regso")}
        if level == "district":
            dm = self.district_members
            return {d: g.regso_code.tolist() for d, g in dm.groupby("district_code", sort=False)}
        if level == "municipality":
            return {MUNICIPALITY: self.codes("regso")}
        deso = a[a.level == "deso"]
        return {c: [p] for c, p in zip(deso.code, deso.parent_code)}


def _check_codes(df: pd.DataFrame, level: str) -> None:
    bad = [c for c in df.code if not CODE_PATTERNS[level].match(c)]
    if bad or df.code.duplicated().any():
        raise CatalogError(f"Felaktiga eller dubblerade {level}-koder: {bad[:5]}")


def load_geography(folder: Path = paths.AREAS, sets_file: Path = paths.AREA_SETS) -> Geography:
    """Read the area facts in data/areas/ and the sets in data/area_sets.yaml, checking they agree."""
    regso = pd.read_csv(folder / "regso.csv", dtype={"code": str, "police_2025": str})
    deso = pd.read_csv(folder / "deso.csv", dtype=str)
    districts = pd.read_csv(folder / "districts.csv", dtype={"code": str})
    for df, level in ((regso, "regso"), (deso, "deso"), (districts, "district")):
        _check_codes(df, level)
    regso_names = dict(zip(regso.code, regso.name))
    unknown = set(deso.regso_code) - set(regso_names)
    members = districts.assign(regso_code=districts.regso_codes.str.split()).explode("regso_code")
    unknown |= set(members.regso_code) - set(regso_names)
    if unknown:
        raise CatalogError(f"Okända RegSO-koder i områdesfilerna: {sorted(unknown)}")

    rows = [
        pd.DataFrame({"code": [MUNICIPALITY], "name": [MUNICIPALITY_NAME], "level": "municipality",
                      "parent_code": [None]}),
        districts.assign(level="district", parent_code=MUNICIPALITY)[
            ["code", "name", "level", "parent_code", "centroid_lat", "centroid_lon"]],
        regso.assign(level="regso", parent_code=MUNICIPALITY),
        deso.assign(level="deso", parent_code=deso.regso_code,
                    name=[f"{c} ({regso_names[r]})" for c, r in zip(deso.code, deso.regso_code)])[
            ["code", "name", "level", "parent_code"]],
    ]
    areas = pd.concat(rows, ignore_index=True)
    areas["tatort"] = areas["tatort"].astype("boolean").fillna(False).astype(bool)
    areas["border_changed_2025"] = areas["border_changed_2025"].astype("boolean").fillna(False).astype(bool)

    raw_sets = yamlfile.load(sets_file.read_text(encoding="utf-8"))
    sets = tuple(
        AreaSet(id=k, title=v["title"], description=v["description"].strip(), members=tuple(v["members"]))
        for k, v in raw_sets["sets"].items()
    )
    for s in sets:
        if not s.members or set(s.members) - set(regso_names):
            raise CatalogError(f"Områdesmängden {s.id!r} har okända eller inga RegSO.")
    if raw_sets["default"] not in {s.id for s in sets}:
        raise CatalogError("Standardmängden i area_sets.yaml finns inte.")
    dm = members[["code", "regso_code"]].rename(columns={"code": "district_code"}).reset_index(drop=True)
    return Geography(areas=areas, district_members=dm, sets=sets, default_set=raw_sets["default"])


@cache
def geography() -> Geography:
    """The committed geography, read once per process."""
    return load_geography()
