"""Swedish labels and sentences built from numbers and constants: series names, method prose, verdicts.

The names of the three series come from the chosen area set (`series_labels`); the method text is
written from the thresholds in `shb.analysis.measures`, so it cannot drift from what is computed.
"""

from __future__ import annotations

import pandas as pd

from shb.analysis import measures
from shb.core import format as fmt
from shb.core.catalog import LEVEL_LABELS
from shb.present.urlstate import Facts, View

CITY_LABEL = "Hela Borås"
REST_LABEL = "Övriga staden"
OTHER_AREAS_LABEL = "Övriga områden"
FOCUS_FALLBACK = "Utvalda områden"  # a chart drawn without a set's title (never by the app)
MAIN_SERIES = ("focus", "rest", "city")
NUMBER_WORDS = {1: "ett", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio",
                10: "tio"}


def series_labels(set_title: str) -> dict[str, str]:
    """The legend names of the series focus, rest and city when the set titled `set_title` is compared."""
    return {"focus": set_title, "rest": REST_LABEL, "city": CITY_LABEL}


def with_series_labels(frame: pd.DataFrame, set_title: str) -> pd.DataFrame:
    """`frame` with a `label` column: the set's title, övriga staden, hela Borås; individual areas
    (`area:<code>`) keep the label they have (their name)."""
    names = series_labels(set_title)
    own = frame["label"] if "label" in frame else pd.Series(None, index=frame.index, dtype=object)
    return frame.assign(label=frame["series"].map(names).fillna(own))


def number_word(n: int) -> str:
    """A small count in words ("fyra"), larger ones in digits."""
    return NUMBER_WORDS.get(int(n), str(int(n)))


def trend_column_label() -> str:
    """The heading of the column that judges the gap's development: 'Skillnaden, 4 år'."""
    return f"Skillnaden, {measures.TREND_WINDOW} år"


def _percent(share: float) -> str:
    return f"{fmt.number(100 * share, 0)} %"


def change_rule() -> str:
    """How minskar/ökar/oförändrad is decided, from the thresholds the measures use."""
    window = measures.TREND_WINDOW
    floor = measures.MIN_CHANGE["procent"]
    return (f"över de senaste {number_word(window)} åren: förändringen av skillnadens storlek måste vara minst "
            f"{fmt.number(floor, 1)} procentenheter ({_percent(measures.CITY_SHARE_MIN_CHANGE)} av stadens värde "
            f"för andra enheter) eller {_percent(measures.RELATIVE_MIN_CHANGE)} av skillnaden, annars oförändrad")


def method_lines() -> list[str]:
    """The method in short markdown bullets for the Data och metod page."""
    return [
        "**Områdesmängder** (t.ex. områdesutveckling) beräknas ur summerade täljare och nämnare – aldrig som "
        "ett medelvärde av områdenas andelar. Medelvärden vägs med befolkningen.",
        "**Övriga staden** är hela staden minus mängden, räknat på antal.",
        "**Skillnad** anges i indikatorns enhet, för andelar i procentenheter.",
        f"**Minskar/ökar** bedöms {change_rule()}. "
        "Färgen visar om fokusområdena rört sig åt det bättre hållet enligt indikatorns riktning.",
        "**Seriebrott:** 16 RegSO fick nya gränser 2025; SCB redovisar 2024 och framåt på de nya gränserna.",
    ]


# --- notices: what a link asked for and what is shown instead --------------------------------------

NOT_ON_MAP = "redovisas bara för hela kommunen och kan inte visas på kartan"
NO_GROUPS = "redovisas inte per grupp"


def other_goal_area(goal_area: int) -> str:
    return f"hör till målområde {goal_area}"


def replaced_view(asked: View, shown: View, facts: Facts, reason: str) -> str:
    """One notice: the indicator asked for, why it is not shown here, and what is shown instead
    (with the year, period, group or level that changed with it)."""
    out = f"Indikatorn «{facts.name(asked.indikator)}» {reason}. Här visas «{facts.name(shown.indikator)}»"
    changes = []
    if asked.ar != shown.ar:
        changes.append(f"år {shown.ar} i stället för {asked.ar}")
    if (asked.fran, asked.till) != (shown.fran, shown.till):
        changes.append(f"perioden {shown.fran}–{shown.till} i stället för {asked.fran}–{asked.till}")
    if asked.grupp != shown.grupp and asked.grupp != "total":
        changes.append(f"gruppen {facts.name(shown.grupp)} i stället för {facts.name(asked.grupp)}")
    if asked.niva != shown.niva and asked.niva != "municipality":
        changes.append(f"nivån {LEVEL_LABELS.get(shown.niva, shown.niva)} i stället för {LEVEL_LABELS[asked.niva]}")
    return out + (", " + ", ".join(changes) if changes else "") + "."


def year_not_shown(asked: int, shown: int, fran: int, till: int) -> str:
    """The year asked for has no value in the period shown."""
    return f"Det finns inga värden för {asked} under perioden {fran}–{till}; här visas {shown}."


def areas_not_shown(asked: list[str], shown: str) -> str:
    """Areas in the link that the Områden page cannot show (it shows one at a time)."""
    names = ", ".join(asked[:3]) + (" …" if len(asked) > 3 else "")
    return f"Sidan visar ett område i taget; {names} visas inte. Här visas {shown}."


def no_area_values(year: int) -> str:
    """Said instead of a ranking when a year has a value for the whole city only."""
    return f"{year} finns bara ett värde för hela Borås, inget per område."


def no_group_values(year: int) -> str:
    """Said instead of the group chart when no group has a value in the year."""
    return f"{year} finns inga värden per grupp."
