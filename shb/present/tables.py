"""Tables people read: the overview per effektmål, an area's profile, the indicator catalog, and the
short facts about an indicator and a data version, with Swedish headings."""

from __future__ import annotations

import json

import pandas as pd

from shb.core.catalog import DIRECTION_LABELS, LEVEL_LABELS, Indicator
from shb.present import text

BETTER_CSS, WORSE_CSS = "color: #0b5cad; font-weight: 600", "color: #b34700; font-weight: 600"
ASSESSMENT_CSS = {"bättre än staden": BETTER_CSS, "sämre än staden": WORSE_CSS}


def overview_table(rows: pd.DataFrame, set_title: str, links: list[str]) -> pd.DataFrame:
    """One effektmål's indicators (`views.overview` rows): the set, the city, the difference, the
    gap's trend over the trend window and the gap per year; `links` open each indicator."""
    return pd.DataFrame({
        "Indikator": rows.title,
        "År": rows.year.astype("Int64"),
        set_title: rows.focus_text,
        text.CITY_LABEL: rows.city_text,
        "Skillnad": rows.difference_text,
        text.trend_column_label(): rows.trend_text,
        "Skillnad över tid": rows.gap_series,
        "Visa": links,
    }).reset_index(drop=True)


def trend_cell_styles(table: pd.DataFrame, better: list) -> pd.DataFrame:
    """CSS per cell: the trend column blue where the set moved the better way, orange the worse."""
    column = text.trend_column_label()
    styles = pd.DataFrame("", index=table.index, columns=table.columns)
    styles[column] = [{True: BETTER_CSS, False: WORSE_CSS}.get(b, "") for b in better]
    return styles


def profile_table(rows: pd.DataFrame) -> pd.DataFrame:
    """An area's (or set's) indicators in one målområde (`views.area_profile` rows)."""
    return pd.DataFrame({
        "Effektmål": rows.target, "Indikator": rows.title, "År": rows.year.astype("Int64"),
        "Området": rows.value_text, text.CITY_LABEL: rows.city_text, "Skillnad": rows.difference_text,
        "Bedömning": rows.assessment,
    }).reset_index(drop=True)


def catalog_table(catalog: pd.DataFrame, search: str = "") -> pd.DataFrame:
    """The catalog (`indicator_catalog` rows) as a table, filtered by a free-text search: every
    word must occur somewhere in the row. The search is a pandas filter; it never reaches SQL."""
    table = pd.DataFrame({
        "Effektmål": catalog.target_id, "Indikator": catalog.title, "Enhet": catalog.unit_label,
        "Riktning": catalog.direction.map(DIRECTION_LABELS), "Lägsta nivå": catalog.lowest_level.map(LEVEL_LABELS),
        "Källa": catalog.source + ", " + catalog.source_ref, "Licens": catalog.licence,
        "Definition": catalog.definition, "Id": catalog.id,
    })
    terms = search.strip().lower().split()
    if terms:
        rows = table.astype(str).agg(" ".join, axis=1).str.lower()
        table = table[rows.apply(lambda row: all(term in row for term in terms))]
    return table


def indicator_facts(ind: Indicator) -> list[str]:
    """Markdown bullets about an indicator: source, unit and direction, population, licence, caveats."""
    confirmed = "" if ind.source_ref_confirmed else " (referensen är inte bekräftad)"
    return [
        f"**Källa:** {ind.source}, {ind.source_ref}{confirmed}",
        f"**Enhet:** {ind.unit_label} · **Riktning:** {DIRECTION_LABELS[ind.direction]}",
        f"**Population:** {ind.population} · **Lägsta nivå:** {LEVEL_LABELS[ind.lowest_level]}",
        f"**Licens:** {ind.licence}",
        *ind.caveats,
    ]


def data_version(snap: dict) -> str:
    """Which data version is shown, what kind and when it was built."""
    built = json.loads(snap["built_from"]) if isinstance(snap["built_from"], str) else snap["built_from"]
    kind = "genererade demodata" if snap["is_demo"] else "inlästa data"
    return (f"**Dataversion:** {snap['version']} ({kind}), byggd {pd.Timestamp(snap['created_at']):%Y-%m-%d %H:%M}. "
            f"Byggd från: {built.get('kind', '–')}.")


def population_metrics(population: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """(label, value, change) for an area's population (`area_population` rows): folkmängd and the
    share born abroad in the last year."""
    from shb.core import format as fmt

    if population.empty:
        return []
    last, first = population.iloc[-1], population.iloc[0]
    share = 100 * last.foreign_born / last.population if last.population else None
    return [
        (f"Folkmängd {last.year}", fmt.number(last.population, 0),
         f"{fmt.number(last.population - first.population, 0, sign=True)} sedan {first.year}"),
        (f"Utrikes födda {last.year}", f"{fmt.number(share, 1)} %", None),
    ]
