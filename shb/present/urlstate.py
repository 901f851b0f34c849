"""The view as a URL: parse query parameters into a checked View, and write a View back.

Pure: no Streamlit. Every parameter is checked against the facts of the current snapshot; what
cannot be used is dropped with one short Swedish notice and replaced by a sensible default.
Nothing here reaches SQL except as a value that has already been matched against known ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from shb.core.catalog import LEVEL_LABELS, LIFE_STAGES
from shb.store.db import is_version_id

MAX_LENGTH = 200  # longer values are never ids
MAX_AREAS = 20
EXTENTS = ("tatort", "kommun")
MAP_LEVELS = ("regso", "deso", "district")
# Parameters that mean the same whatever the indicator (kept on a link to a page of another indicator).
INDICATOR_FREE = ("omrade", "jamfor", "utsnitt", "visning", "v", "livsfas", "period")
ORDER = ("indikator", "ar", "fran", "till", "niva", "omrade", "jamfor", "grupp", "utsnitt", "livsfas", "visning", "v",
         "period", "diagram", "bildspel", "bild")
# What a målområde page shows in presentation mode (`diagram`); the bildspel page's slide (`bild`, from 1)
# of a saved deck (`bildspel`, its id) or of the default deck.
DIAGRAMS = ("trend", "skillnad", "rangordning", "effektmal")
DECK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_SAFE = re.compile(r"^[A-Za-z0-9_\-.,:]*$")
PARAM_LABELS = {
    "indikator": "indikator", "ar": "år", "fran": "från år", "till": "till år", "niva": "nivå",
    "omrade": "område", "jamfor": "jämförelse", "grupp": "grupp", "utsnitt": "kartutsnitt",
    "visning": "visning", "v": "dataversion", "livsfas": "livsfas", "period": "målbildsperiod",
    "diagram": "diagram", "bildspel": "bildspel", "bild": "bild",
}
LIFE_STAGE_UNKNOWN = "Okänd livsfas ignorerades; välj barn, unga, vuxna, aldre eller alla."


@dataclass(frozen=True)
class IndicatorFacts:
    levels: tuple[str, ...]
    group_dimensions: tuple[str, ...]
    years: tuple[int, ...]
    group_values: tuple[str, ...] = ()  # "dimension:value", e.g. "kon:kvinnor" (a map of one group)


@dataclass(frozen=True)
class Facts:
    """What a view may refer to in the current snapshot."""

    indicators: Mapping[str, IndicatorFacts]
    default_indicator: str
    area_codes: frozenset[str]
    set_ids: tuple[str, ...]
    default_set: str
    version: str
    # Swedish names for notices: group ids ("kon", "kon:kvinnor") and indicator ids → label or title.
    labels: Mapping[str, str] = field(default_factory=dict)
    periods: tuple[str, ...] = ()  # målbild period ids ("2021-2024"), oldest first
    current_period: str = ""  # the period a view without `period` shows

    def name(self, key: str) -> str:
        """The Swedish name of a group or indicator id (the id itself when none is known)."""
        return self.labels.get(key, key)


@dataclass(frozen=True)
class View:
    indikator: str
    ar: int
    fran: int
    till: int
    niva: str = "regso"
    omrade: tuple[str, ...] = ()
    jamfor: str = "omradesutveckling"
    grupp: str = "total"
    utsnitt: str = "tatort"
    visning: str = ""
    v: str = ""
    period: str = ""  # målbild period id; "" is the current period
    livsfas: str = ""  # a life stage code (barn, unga, vuxna, aldre, alla) on Livscykeln; "" = every stage
    diagram: str = ""
    bildspel: str = ""
    bild: int = 0  # 0: no slide asked for
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def presentation(self) -> bool:
        return self.visning == "presentation"

    @property
    def group_dimension(self) -> str:
        """The dimension of `grupp`: "kon" for both "kon" and "kon:kvinnor" ("total" for none)."""
        return self.grupp.split(":", 1)[0]

    @property
    def group_value(self) -> str | None:
        """The one group value of `grupp` ("kvinnor" for "kon:kvinnor"), or None for a whole dimension."""
        return self.grupp.split(":", 1)[1] if ":" in self.grupp else None


def _first(raw: object) -> tuple[str | None, bool]:
    """The first value of a parameter and whether it was repeated."""
    if isinstance(raw, list | tuple):
        return (str(raw[0]) if raw else None), len(raw) > 1
    return (None if raw is None else str(raw)), False


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and re.fullmatch(r"\d{4}", text) else None


def defaults_for(facts: Facts, indicator: str, base: View | None = None) -> View:
    """A complete view for `indicator`, keeping what still fits from `base`."""
    f = facts.indicators[indicator]
    years = f.years or (0,)
    area_levels = [lvl for lvl in MAP_LEVELS if lvl in f.levels]
    niva = base.niva if base and base.niva in area_levels else (area_levels[0] if area_levels else "municipality")
    grupp = base.grupp if base and base.grupp in (*f.group_dimensions, *f.group_values) else (f.group_dimensions[0] if f.group_dimensions else "total")
    ar = base.ar if base and base.ar in years else years[-1]
    till = base.till if base and base.till in years else years[-1]
    fran = base.fran if base and base.fran in years and base.fran < till else years[0]
    return View(indikator=indicator, ar=ar, fran=fran, till=till, niva=niva,
                omrade=base.omrade if base else (), jamfor=base.jamfor if base else facts.default_set,
                grupp=grupp, utsnitt=base.utsnitt if base else "tatort",
                visning=base.visning if base else "", v=facts.version, livsfas=base.livsfas if base else "",
                period=base.period if base else "")


def _raw_values(params: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """Known parameters as single, plausible strings; notices for repeated, long or odd ones."""
    notices: list[str] = []
    values: dict[str, str] = {}
    for key in ORDER:
        text, repeated = _first(params.get(key))
        if repeated:
            notices.append(f"Parametern {PARAM_LABELS[key]} fanns flera gånger; den första användes.")
        if text is None:
            continue
        if len(text) > MAX_LENGTH or not _SAFE.match(text):
            notices.append(f"Ogiltigt värde för {PARAM_LABELS[key]} ignorerades.")
            continue
        values[key] = text
    unknown = sorted(str(k) for k in params if k not in ORDER)
    if unknown:
        notices.append("Okända parametrar ignorerades: " + ", ".join(k[:30] for k in unknown[:5]) + ".")
    return values, notices


def _years(values: dict[str, str], f: IndicatorFacts, view: View, notices: list[str]) -> dict[str, int]:
    changes: dict[str, int] = {}
    for key in ("ar", "fran", "till"):
        if key in values:
            year = _int(values[key])
            if year in f.years:
                changes[key] = year
            elif year is not None:  # a real year, just not one the indicator has
                shown = getattr(view, key)
                notices.append(f"Året {year} finns inte för indikatorn; {PARAM_LABELS[key]} blir {shown}.")
            else:
                notices.append(f"Året {values[key][:12]} finns inte för indikatorn; {PARAM_LABELS[key]} sattes om.")
    if changes.get("fran", view.fran) >= changes.get("till", view.till):
        if "fran" in changes or "till" in changes:
            notices.append("Från-året måste ligga före till-året; perioden sattes om.")
        changes["fran"], changes["till"] = view.fran, view.till
    return changes


def _areas(text: str, facts: Facts, notices: list[str]) -> tuple[str, ...]:
    codes = [c for c in text.split(",") if c]
    good = tuple(dict.fromkeys(c for c in codes if c in facts.area_codes))[:MAX_AREAS]
    if len(good) < len(codes):
        notices.append("Okända områdeskoder ignorerades.")
    return good


def _known_groups(facts: Facts) -> set[str]:
    """Every group dimension and group value some indicator has."""
    return {g for i in facts.indicators.values() for g in (*i.group_dimensions, *i.group_values)}


def _choices(values: dict[str, str], facts: Facts, f: IndicatorFacts, view: View,
             notices: list[str]) -> dict[str, str]:
    allowed = {
        "niva": tuple(lvl for lvl in MAP_LEVELS if lvl in f.levels), "jamfor": facts.set_ids,
        "grupp": ("total", *f.group_dimensions, *f.group_values), "utsnitt": EXTENTS,
        "visning": ("presentation", ""), "livsfas": (*LIFE_STAGES, ""), "diagram": DIAGRAMS,
    }
    changes = {}
    for key, options in allowed.items():
        if key in values:
            if values[key] in options:
                changes[key] = values[key]
            elif key == "grupp" and values[key] in _known_groups(facts):
                notices.append(f"Gruppen {facts.name(values[key])} finns inte för indikatorn; "
                               f"visar {facts.name(view.grupp)}.")
            elif key == "niva" and values[key] in MAP_LEVELS:
                notices.append(f"Nivån {LEVEL_LABELS[values[key]]} finns inte för indikatorn; "
                               f"visar {LEVEL_LABELS.get(view.niva, view.niva)}.")
            elif key == "livsfas":
                notices.append(LIFE_STAGE_UNKNOWN)
            else:
                notices.append(f"Okänt värde för {PARAM_LABELS[key]} ignorerades.")
    return changes


def parse(params: Mapping[str, object], facts: Facts, default_indicator: str | None = None) -> View:
    """A checked View from query parameters; `notices` say (in Swedish) what was ignored."""
    values, notices = _raw_values(params)
    indicator = values.get("indikator") or default_indicator or facts.default_indicator
    if indicator not in facts.indicators:
        notices.append("Okänd indikator ignorerades; visar standardindikatorn.")
        indicator = default_indicator or facts.default_indicator
    f = facts.indicators[indicator]
    view = defaults_for(facts, indicator)
    changes: dict[str, object] = {**_years(values, f, view, notices), **_choices(values, facts, f, view, notices)}
    if "omrade" in values:
        changes["omrade"] = _areas(values["omrade"], facts, notices)
    if "period" in values:
        if values["period"] in facts.periods:
            changes["period"] = "" if values["period"] == facts.current_period else values["period"]
        else:
            shown = facts.current_period.replace("-", "–") or "den aktuella"
            notices.append(f"Okänd målbildsperiod ignorerades; visar {shown}.")
    if "bild" in values:
        if re.fullmatch(r"[1-9]\d{0,2}", values["bild"]):
            changes["bild"] = int(values["bild"])
        else:
            notices.append("Ogiltigt bildnummer ignorerades; bildspelet börjar på bild 1.")
    if "bildspel" in values:
        if DECK_ID.match(values["bildspel"]):
            changes["bildspel"] = values["bildspel"]
        else:
            notices.append("Ogiltigt namn på bildspel ignorerades; visar standardbildspelet.")
    if "v" in values:
        if is_version_id(values["v"]):  # the whole text: a trailing newline is no version
            changes["v"] = values["v"]
        else:
            notices.append("Ogiltig dataversion ignorerades.")
    return replace(view, **changes, notices=tuple(notices))


def to_params(view: View) -> dict[str, str]:
    """The canonical query parameters of a view: every parameter, in a fixed order."""
    out = {
        "indikator": view.indikator, "ar": str(view.ar), "fran": str(view.fran), "till": str(view.till),
        "niva": view.niva, "omrade": ",".join(view.omrade), "jamfor": view.jamfor, "grupp": view.grupp,
        "utsnitt": view.utsnitt, "livsfas": view.livsfas, "visning": view.visning, "v": view.v,
        "period": view.period, "diagram": view.diagram, "bildspel": view.bildspel,
        "bild": str(view.bild) if view.bild else "",
    }
    return {k: v for k, v in out.items() if v != ""}
