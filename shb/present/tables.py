"""Tables people read: the overview per effektmål, an area's profile, the indicator catalog, where each
indicator's values come from, and the short facts about an indicator and a data version, with Swedish
headings. Every table of indicators says per row whether its values are real or demo."""

from __future__ import annotations

import json

import pandas as pd

from shb.core import format as fmt
from shb.core.catalog import DIRECTION_LABELS, LEVEL_LABELS, Indicator
from shb.present import provenance, text

SOURCE_COLUMN = "Källa"  # per indicator row: the source of real values, or "Demodata"

BETTER_CSS, WORSE_CSS = "color: #0b5cad; font-weight: 600", "color: #b34700; font-weight: 600"
ASSESSMENT_CSS = {"bättre än staden": BETTER_CSS, "sämre än staden": WORSE_CSS}


def overview_table(rows: pd.DataFrame, set_title: str, links: list[str]) -> pd.DataFrame:
    """One effektmål's indicators (`views.overview` rows): the set, the city, the difference, the
    gap's trend over the trend window, the gap per year and where the values come from (real source or
    Demodata); `links` open each indicator."""
    return pd.DataFrame({
        "Indikator": rows.title,
        SOURCE_COLUMN: rows.source_text,
        "År": rows.year.astype("Int64"),
        set_title: rows.focus_text,
        text.CITY_LABEL: rows.city_text,
        "Skillnad": rows.difference_text,
        text.trend_column_label(): rows.trend_text,
        "Skillnad över tid": rows.gap_series,
        "Visa": links,
    }).reset_index(drop=True)


def aim_table(ind: Indicator, rows) -> pd.DataFrame:
    """Per målvärde (rows of (scope title, Aim, AimProgress)): the aim, the latest value, the distance to
    the målvärde, the pace needed against the recent pace, and when the recent pace reaches it."""
    d = fmt.decimals_for(ind.unit)
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)

    def pace(x: float) -> str:
        return "–" if pd.isna(x) else f"{fmt.number(x, 2, sign=True)} {unit}/år"

    return pd.DataFrame({
        "Gäller": [t for t, _, _ in rows],
        "Målvärde": [f"{fmt.value_with_unit(a.value, ind.unit, ind.unit_label, d)} år {a.year}" for _, a, _ in rows],
        "Senaste värde": [f"{fmt.value_with_unit(p.current, ind.unit, ind.unit_label, d)} ({p.current_year})"
                          if p.current_year else "–" for _, _, p in rows],
        text.AIM_DISTANCE_LABEL: [text.aim_distance_text(ind, p) for _, _, p in rows],
        "Takt som behövs": [pace(p.pace_needed) for _, _, p in rows],
        "Nuvarande takt": [pace(p.pace_recent) for _, _, p in rows],
        "I nuvarande takt": [text.aim_reach_text(p) for _, _, p in rows],
        "Målvärdet bygger på": [f"{a.origin_label}: {a.wording}" for _, a, _ in rows],
    })


def priority_table(ranked: pd.DataFrame, links: list[str]) -> pd.DataFrame:
    """The Prioritering view: one row per effektmål in rank order, with what the rank rests on."""
    return pd.DataFrame({
        "Rang": ranked["rank"],
        "Effektmål": [f"{t} {title}" for t, title in zip(ranked.target_id, ranked.target_title, strict=True)],
        "Målvärden som inte nås i tid": [text.off_track_cell(int(o), int(a)) for o, a in
                                         zip(ranked.off_track, ranked.aims, strict=True)],
        "Takt mot målvärdena": [text.pace_share_cell(x) for x in ranked.pace_share],
        "Skillnader som ökar": [text.widening_cell(int(w), int(j)) for w, j in
                                zip(ranked.widening, ranked.judged, strict=True)],
        "Status": ranked.status,
        "Visa": links,
    })


def trend_cell_styles(table: pd.DataFrame, better: list) -> pd.DataFrame:
    """CSS per cell: the trend column blue where the set moved the better way, orange the worse."""
    column = text.trend_column_label()
    styles = pd.DataFrame("", index=table.index, columns=table.columns)
    styles[column] = [{True: BETTER_CSS, False: WORSE_CSS}.get(b, "") for b in better]
    return styles


def profile_table(rows: pd.DataFrame) -> pd.DataFrame:
    """An area's (or set's) indicators in one målområde (`views.area_profile` rows), each saying where
    its values come from (real source or Demodata)."""
    return pd.DataFrame({
        "Effektmål": rows.target, "Indikator": rows.title, SOURCE_COLUMN: rows.source_text,
        "År": rows.year.astype("Int64"),
        "Området": rows.value_text, text.CITY_LABEL: rows.city_text, "Skillnad": rows.difference_text,
        "Bedömning": rows.assessment,
    }).reset_index(drop=True)


def catalog_table(catalog: pd.DataFrame, search: str = "",
                  origins: dict[str, provenance.Origin] | None = None) -> pd.DataFrame:
    """The catalog (`indicator_catalog` rows) as a table, filtered by a free-text search: every
    word must occur somewhere in the row. The search is a pandas filter; it never reaches SQL.
    With `origins` (`provenance.sources`) a column says whether each indicator's values are real or demo."""
    values = {"Värden": [origins[i].label for i in catalog.id]} if origins else {}
    table = pd.DataFrame({
        "Effektmål": catalog.target_id, "Indikator": catalog.title, **values, "Enhet": catalog.unit_label,
        "Riktning": catalog.direction.map(DIRECTION_LABELS), "Lägsta nivå": catalog.lowest_level.map(LEVEL_LABELS),
        "Källa": catalog.source + ", " + catalog.source_ref, "Licens": catalog.licence,
        "Definition": catalog.definition, "Id": catalog.id,
    })
    terms = search.strip().lower().split()
    if terms:
        rows = table.astype(str).agg(" ".join, axis=1).str.lower()
        table = table[rows.apply(lambda row: all(term in row for term in terms))]
    return table


def origin_facts(origin: provenance.Origin) -> list[str]:
    """Markdown bullets on where the values shown come from: the source record for real values, or that
    they are generated (the catalog's source is then the one real values would come from)."""
    if origin.demo:
        return [f"**Värdena:** {origin.citation}. Källan nedan är den som riktiga värden ska hämtas från."]
    lines = [f"**Värdena:** {text.REAL_LABEL}. {origin.citation}"]
    lines += [f"**{label}:** {value}" for label, value in (
        ("Licens för värdena", origin.licence), ("Ursprung", origin.origin), ("Hämtad", origin.retrieved),
        ("Bearbetning", origin.transformation)) if value]
    return lines


def indicator_facts(ind: Indicator, origin: provenance.Origin | None = None) -> list[str]:
    """Markdown bullets about an indicator: where the values come from (with `origin`), the catalog's
    source, unit and direction, population, licence, caveats."""
    confirmed = "" if ind.source_ref_confirmed else " (referensen är inte bekräftad)"
    return [
        *(origin_facts(origin) if origin is not None else []),
        f"**Källa enligt katalogen:** {ind.source}, {ind.source_ref}{confirmed}" if origin is not None
        else f"**Källa:** {ind.source}, {ind.source_ref}{confirmed}",
        f"**Enhet:** {ind.unit_label} · **Riktning:** {DIRECTION_LABELS[ind.direction]}",
        f"**Population:** {ind.population} · **Lägsta nivå:** {LEVEL_LABELS[ind.lowest_level]}",
        f"**Licens:** {ind.licence}",
        *ind.caveats,
    ]


def data_version(snap: dict, summary: provenance.Summary | None = None) -> str:
    """Which data version is shown, what it holds (real or demo, per indicator with `summary`) and when
    it was built."""
    built = json.loads(snap["built_from"]) if isinstance(snap["built_from"], str) else snap["built_from"]
    if summary is not None:
        kind = text.data_kind(summary.real, summary.demo)
    else:
        kind = "genererade demodata" if snap["is_demo"] else "inlästa data"
    return (f"**Dataversion:** {snap['version']} ({kind}), byggd {pd.Timestamp(snap['created_at']):%Y-%m-%d %H:%M}. "
            f"Byggd från: {built.get('kind', '–')}.")


PROVENANCE_COLUMNS = ("Indikator", "Värden", "Källa", "Licens", "Ursprung", "Hämtad", "Bearbetning", "Antal värden")


def provenance_table(rows: list[tuple[str, provenance.Origin]]) -> pd.DataFrame:
    """Real or demo per indicator (`provenance.listing`): the citation, licence, origin, retrieval and
    transformation of real values; demo rows say they are generated."""
    return pd.DataFrame([
        (title, o.label, o.citation, o.licence or "–", o.origin or "–", o.retrieved or "–", o.transformation or "–",
         o.observations or None)
        for title, o in rows], columns=list(PROVENANCE_COLUMNS)).astype({"Antal värden": "Int64"})


def population_rows(population: pd.DataFrame) -> pd.DataFrame:
    """The years to show of an area's population (`area_population` rows): the real years when there
    are any (generated years are never mixed in), else the generated ones."""
    if "is_demo" not in population or population.empty:
        return population
    real = population[~population.is_demo.astype(bool)]
    return real if not real.empty else population


def population_note(population: pd.DataFrame, origin: provenance.Origin | None) -> str:
    """Where the population figures shown (`population_rows`) come from."""
    if population.empty:
        return ""
    years = f"{population.year.iloc[0]}–{population.year.iloc[-1]}"
    if "is_demo" in population and population.is_demo.astype(bool).any():
        return f"Folkmängd {years}: {text.DEMO_TEXT}."
    cited = origin.citation if origin is not None else "inlästa värden"
    return f"Folkmängd {years}: {cited}."


def population_metrics(population: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """(label, value, change) for an area's population (`area_population` rows, as `population_rows`
    picks them): folkmängd and the share born abroad in the last year."""
    if population.empty:
        return []
    last, first = population.iloc[-1], population.iloc[0]
    share = 100 * last.foreign_born / last.population if last.population else None
    return [
        (f"Folkmängd {last.year}", fmt.number(last.population, 0),
         f"{fmt.number(last.population - first.population, 0, sign=True)} sedan {first.year}"),
        (f"Utrikes födda {last.year}", f"{fmt.number(share, 1)} %", None),
    ]


def life_stage_table(rows: pd.DataFrame, set_title: str, links: list[str]) -> pd.DataFrame:
    """One life stage's indicators (`lifecycle.life_course` rows), worst gaps first: the set, the rest of
    the city, the difference, how much worse or better, the gap's trend and where the values come from."""
    return pd.DataFrame({
        "Indikator": rows.title,
        "År": rows.year.astype("Int64"),
        set_title: [t if a else "redovisas inte per område" for t, a in zip(rows.focus_text, rows.area_level)],
        text.REST_LABEL: rows.rest_text,
        text.CITY_LABEL: rows.city_text,
        "Skillnad": rows.gap_text,
        "Jämfört med övriga staden": rows.severity_text,
        text.trend_column_label(): rows.trend_text,
        SOURCE_COLUMN: rows.source_text,
        "Visa": links,
    }).reset_index(drop=True)
