"""Swedish labels and sentences built from numbers and constants: series names, method prose, verdicts,
målvärden, Prioritering and målbild periods.

The names of the three series come from the chosen area set (`series_labels`); the method text is
written from the thresholds in `shb.analysis.measures`, so it cannot drift from what is computed.

Why one module of a little over 500 lines: the house rule puts every Swedish sentence here, so that
wording, units and number formats are read and changed in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shb.analysis import measures
from shb.analysis.measures import DispersionTrend, GapTrend, Significance, TargetStatus
from shb.core import format as fmt
from shb.core.catalog import GOAL_AREA_ID, LEVEL_LABELS, LIFE_STAGES, Indicator
from shb.present.urlstate import Facts, View

CITY_LABEL = "Hela Borås"
REST_LABEL = "Övriga staden"
OTHER_AREAS_LABEL = "Övriga områden"
FOCUS_FALLBACK = "Utvalda områden"  # a chart drawn without a set's title (never by the app)


def map_base_credit(source: str) -> str:
    """A map's credit for its borders, named apart from its values' source (both would otherwise read
    "Källa: …"): "Kartunderlag: SCB (områdeskoder)" from the geometry's "Källa: SCB (områdeskoder)"."""
    return "Kartunderlag: " + source.strip().removeprefix("Källa:").strip()


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
    if goal_area == GOAL_AREA_ID:
        return "hör till det övergripande målet (sidan Livscykeln)"
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


# --- verdicts --------------------------------------------------------------------------------------

UNJUDGED = "Utvecklingen kan inte bedömas"
VERDICT_TEXT = {"minskar": "Skillnaden minskar", "ökar": "Skillnaden ökar", "oförändrad": "Skillnaden är oförändrad"}
DISPERSION_TEXT = {
    "minskar": "Skillnaderna mellan områdena minskar",
    "ökar": "Skillnaderna mellan områdena ökar",
    "oförändrad": "Skillnaderna mellan områdena är oförändrade",
}
VERDICT_ARROWS = {"minskar": "↘", "ökar": "↗", "oförändrad": "→"}


def verdict_text(trend: GapTrend) -> str:
    """'Skillnaden minskar' (a gap) or 'Skillnaderna mellan områdena minskar' (a dispersion), or that
    the development cannot be judged."""
    words = DISPERSION_TEXT if isinstance(trend, DispersionTrend) else VERDICT_TEXT
    return words.get(trend.verdict, UNJUDGED)


def verdict_cell(trend: GapTrend) -> str:
    """The gap's trend for a table cell: '↘ Skillnaden minskar', or '–' when it cannot be judged."""
    if trend.verdict not in VERDICT_ARROWS:
        return "–"
    return f"{VERDICT_ARROWS[trend.verdict]} {verdict_text(trend)}"


def verdict_badge(trend: GapTrend) -> tuple[str, str]:
    """(colour, words) for the gap's trend: blue when the set moved the better way, orange the worse."""
    if trend.verdict not in VERDICT_ARROWS:
        return "gray", UNJUDGED
    colour = "gray" if trend.better is None else ("blue" if trend.better else "orange")
    return colour, f"{VERDICT_ARROWS[trend.verdict]} {verdict_text(trend)} ({trend.start_year}–{trend.end_year})"


STATUS_COLOURS = {"går åt rätt håll": "blue", "går åt fel håll": "orange", "blandat": "violet",
                  "oförändrat": "gray", "kan inte bedömas": "gray"}


def target_status_text(s: TargetStatus) -> str:
    """How an effektmål's status was reached, in words a reader can check."""
    noun = "indikator" if s.indicators == 1 else "indikatorer"
    if s.status == "kan inte bedömas":
        return (f"{s.assessed} av {s.indicators} {noun} har bedömbar utveckling; minst hälften behövs."
                if s.indicators else "Effektmålet har inga indikatorer med bedömbar utveckling.")
    same = "oförändrad" if s.unchanged == 1 else "oförändrade"
    return (f"{s.assessed} av {s.indicators} {noun} har bedömbar utveckling: {s.improving} går åt rätt håll, "
            f"{s.worsening} åt fel håll och {s.unchanged} är {same}.")


def target_status_badge(s: TargetStatus) -> tuple[str, str, str]:
    """(colour, badge words, how it was reached) for an effektmål's status."""
    return STATUS_COLOURS[s.status], f"Effektmålet {s.status}", target_status_text(s)


# --- statistical significance ---------------------------------------------------------------------

SIGNIFICANCE_TEXT = {
    True: "skillnaden är statistiskt säkerställd",
    False: "skillnaden är inte statistiskt säkerställd (osäkerheten är för stor)",
}
SIGNIFICANCE_METHOD = (
    "Områdena jämförs med övriga staden (hela staden minus områdena) med Newcombes intervall för "
    "skillnaden mellan två andelar, byggt av två 95-procentiga Wilson-intervall. Skillnaden är statistiskt "
    "säkerställd när intervallet inte innehåller noll. Skillnaden mot hela Borås är samma skillnad i mindre "
    "skala, eftersom områdena ingår i staden, och säkerställs därför av samma prövning.")
REGISTER_NOTE = ("Uppgiften kommer från ett register där alla räknas; intervallet beskriver då slumpmässig "
                 "variation, inte ett urvalsfel.")
UNTESTABLE_TEXT = {
    "not_share": "indikatorn är inte en andel med täljare och nämnare",
    "counts_unknown": "antalen för områdena eller för hela staden är inte kända",
    "no_rest": "antalen räcker inte för en jämförelse med övriga staden",
    "set_incomplete": "något område i mängden är dolt eller saknas, så övriga staden är inte känd",
}


def significance_text(sig: Significance | None) -> str:
    """The words for a sentence ("skillnaden är statistiskt säkerställd", "skillnaden är inte
    statistiskt säkerställd (osäkerheten är för stor)"), or "" when nothing was tested."""
    if sig is None or sig.significant is None:
        return ""
    return SIGNIFICANCE_TEXT[sig.significant]


def significance_method(sig: Significance) -> str:
    """How the difference was tested, or why it could not be."""
    if sig.untested:
        return f"Kan inte prövas: {UNTESTABLE_TEXT[sig.untested]}."
    return f"{SIGNIFICANCE_METHOD} {REGISTER_NOTE}" if sig.register else SIGNIFICANCE_METHOD


# --- sentences --------------------------------------------------------------------------------------

def comparison_sentence(ind: Indicator, frame: pd.DataFrame, trend: GapTrend, year: int, set_title: str,
                        significance: Significance | None = None) -> str:
    """One plain-Swedish sentence stating what the chart shows, from the same numbers.

    With `significance` (see `measures.significance`) for the same year, the sentence also says
    whether the difference is statistically secured, when it could be tested.
    """
    d = fmt.decimals_for(ind.unit)
    city = measures.value_at(frame, "city", year)
    city_text = fmt.value_with_unit(city, ind.unit, ind.unit_label, d)
    focus = measures.value_at(frame, "focus", year)
    if np.isnan(focus):
        if np.isnan(city):
            return f"{ind.title}: inget publicerat värde för {year}."
        return f"{ind.title} var {city_text} i hela Borås {year}; värdet redovisas inte per område."
    diff = fmt.difference(focus - city, ind.unit, ind.unit_label, d)
    said = (f"{ind.title} var {fmt.value_with_unit(focus, ind.unit, ind.unit_label, d)} i "
            f"områdena inom {set_title.lower()} och {city_text} i hela Borås {year}, en skillnad på {diff}.")
    secured = significance_text(significance)
    if secured:
        said += f" {secured[0].upper()}{secured[1:]}."
    if trend.verdict in ("minskar", "ökar"):
        size = fmt.difference(abs(trend.change), ind.unit, ind.unit_label, d).lstrip("+")
        verb = "minskat" if trend.verdict == "minskar" else "ökat"
        said += f" Sedan {trend.start_year} har skillnaden {verb} med {size}."
    elif trend.verdict == "oförändrad":
        said += f" Skillnaden är i stort sett oförändrad sedan {trend.start_year}."
    return said


def dispersion_sentence(ind: Indicator, disp: pd.DataFrame | None, trend: DispersionTrend | None,
                        year: int | None) -> str:
    """How far the RegSO are from the whole city in `year`, what that rests on, and the trend."""
    if disp is None or year is None:
        return ""
    row = disp[disp.year == year]
    if row.empty or pd.isna(row.dispersion.iloc[0]):
        return ""
    r = row.iloc[0]
    d = fmt.decimals_for(ind.unit)
    size = fmt.difference(float(r.dispersion), ind.unit, ind.unit_label, d).lstrip("+")
    share = "" if pd.isna(r.population_share) else f", {fmt.number(100 * r.population_share, 0)} % av invånarna"
    said = (f"Spridningen mellan RegSO {year}: i genomsnitt {size} från hela Borås, vägt efter befolkning "
            f"({int(r.areas_used)} av {int(r.areas)} områden med publicerat värde{share}).")
    if trend is not None and trend.verdict in ("minskar", "ökar", "oförändrad"):
        said += f" {verdict_text(trend)} sedan {trend.start_year}."
    return said


AIM_METHOD_FIT = "rät linje anpassad med minsta kvadratmetoden"
AIM_DISTANCE_LABEL = "Avstånd till målvärdet"


def aim_pace_method(window: tuple[int, int] | None, points: int) -> str:
    """How the recent pace was measured: the window and the fit, in words."""
    if window is None:
        return "Den nuvarande takten kan inte beräknas: färre än två år med värden."
    return (f"Nuvarande takt: förändring per år {window[0]}–{window[1]} ({points} år med värden, "
            f"{AIM_METHOD_FIT}).")


def aim_reach_text(p) -> str:
    """'i nuvarande takt nås målvärdet år 2028' / '… år 2036, inte före målåret 2030' / 'nås inte …'."""
    if p.current_year is None:
        return "Inga värden att jämföra med målvärdet."
    if p.reached:
        return f"Målvärdet är nått {p.current_year}."
    if p.reached_year is None:
        if p.window is None:
            return "Den nuvarande takten kan inte bedömas (för få år med värden)."
        moving = "står still" if abs(p.pace_recent) < 1e-9 else "går bort från målvärdet"
        return f"I nuvarande takt nås målvärdet inte: utvecklingen {moving}."
    if p.reached_year <= p.aim_year:
        return f"I nuvarande takt nås målvärdet år {p.reached_year}."
    return f"I nuvarande takt nås målvärdet år {p.reached_year}, inte före målåret {p.aim_year}."


def aim_value_text(ind: Indicator, aim) -> str:
    """'Målvärde 0 % år 2030 (effektmålets formulering)'."""
    value = fmt.value_with_unit(aim.value, ind.unit, ind.unit_label, fmt.decimals_for(ind.unit))
    return f"Målvärde {value} år {aim.year} ({aim.origin_label})"


def aim_distance_text(ind: Indicator, p) -> str:
    """'2,3 procentenheter över målvärdet' from the distance (value − målvärde)."""
    if p.current_year is None or np.isnan(p.distance):
        return "–"
    size = fmt.difference(abs(p.distance), ind.unit, ind.unit_label, fmt.decimals_for(ind.unit)).lstrip("+")
    if abs(p.distance) < 0.5 * 10 ** -fmt.decimals_for(ind.unit):
        return "på målvärdet"
    return f"{size} {'över' if p.distance > 0 else 'under'} målvärdet"


def analysis_heading(year: int, state: str, asked: int | None = None) -> str:
    """'Samlad analys 2024 (utkast)', saying when it is an earlier year's than the one asked for."""
    earlier = f", den senaste före {asked}" if asked is not None and asked != year else ""
    return f"Samlad analys {year} ({state}{earlier})"


def analysis_byline(author: str, created: str) -> str:
    """'Skriven av Anna, 2026-12-04' (the author already escaped by the caller where it is Markdown)."""
    return f"Skriven av {author}, {created}"


def steering_line(titles: list[str], basis: str | None = None) -> str:
    """'Styrdokument och processer: Program mot hemlöshet, Säker och Trygg.' ('' without any)."""
    if not titles:
        return ""
    return f"Styrdokument och processer: {', '.join(titles)}." + (f" {basis}" if basis else "")


def steering_filter_text(title: str, n_targets: int) -> str:
    """'Program mot hemlöshet hör till 1 effektmål; listan visar bara dem.'"""
    return f"{title} hör till {n_targets} effektmål; listan visar bara dem."


def no_goal_area_in_period(goal_area: int, period_title: str) -> str:
    return f"Målbilden {period_title} har inget målområde {goal_area}; välj en annan målbild eller sida."


def period_caption(title: str, first_year, last_year, current: bool) -> str:
    """'Målbild 2025–2028 (gäller 2025–2028), inte den aktuella.' for a period chosen in the URL."""
    said = f"Målbild {title}"
    if first_year is not None and not pd.isna(first_year):
        said += f" (gäller {int(first_year)}–{int(last_year)})"
    return said + ("." if current else ", inte den aktuella målbilden. Indikatorernas serier är desamma.")


PRIORITY_TITLE = "Prioritering"


def priority_intro(set_title: str) -> str:
    """How the Prioritering view orders the effektmål, in words a reader can check."""
    return (f"Effektmålen i den ordning de behöver prioriteras. Först effektmål med målvärden: störst andel "
            f"målvärden som i nuvarande takt inte nås till målåret, sedan lägst takt i förhållande till den takt "
            f"som behövs, sedan flest ökande skillnader mellan {set_title} och hela Borås. Effektmål utan "
            f"målvärde kommer sist, ordnade efter ökande skillnader.")


def priority_presentation_title(target_ids: list[str], off_track: int, aims: int) -> str:
    """'Prioritera först 1.1, 1.5 och 3.1: 4 av 4 målvärden där nås inte i tid i nuvarande takt' (the top
    effektmål of the ranking and their målvärden)."""
    if not target_ids:
        return f"{PRIORITY_TITLE}: inga effektmål att rangordna"
    ids = target_ids[0] if len(target_ids) == 1 else f"{', '.join(target_ids[:-1])} och {target_ids[-1]}"
    if aims == 0:
        return f"Prioritera först {ids}: skillnaderna mot hela Borås"
    return f"Prioritera först {ids}: {off_track} av {aims} målvärden där nås inte i tid i nuvarande takt"


def priority_presentation_caption(set_title: str) -> str:
    """The one caption line of Prioritering in presentation mode: what the order rests on."""
    return (f"Ordnat efter målvärden som inte nås i tid, takten mot dem och ökande skillnader mellan {set_title} "
            "och hela Borås")


def rows_shown(shown: int, total: int, noun: str) -> str:
    """'Visar 8 av 18 indikatorer; 10 till i vanligt läge.' under a table cut to one screen ('' when whole)."""
    if shown >= total:
        return ""
    return f"Visar {shown} av {total} {noun}; {total - shown} till i vanligt läge."


AIM_LEGEND = {"off": "Nås inte i tid", "on": "Nås i tid"}
AIM_COUNT_AXIS = "Antal målvärden"


def priority_slide_line(label: str, off: int, aims: int, widening: int, judged: int, status: str) -> str:
    """One effektmål of the Prioritering slide in words (speaker notes)."""
    said = "inget målvärde" if aims == 0 else f"{off} av {aims} målvärden nås inte i tid"
    gaps = "skillnaderna kan inte bedömas" if judged == 0 else f"skillnaden ökar för {widening} av {judged} indikatorer"
    return f"{label}: {said}; {gaps}; effektmålet {status}."


def off_track_cell(off: int, aims: int) -> str:
    return "inget målvärde" if aims == 0 else f"{off} av {aims}"


def pace_share_cell(share: float) -> str:
    """'40 % av takten som behövs', 'tillräcklig', 'går åt fel håll' or '–'."""
    if share is None or np.isnan(share):
        return "–"
    if share >= 1:
        return "tillräcklig"
    if share < 0:
        return "går åt fel håll"
    return f"{fmt.number(100 * share, 0)} % av takten som behövs"


def widening_cell(widening: int, judged: int) -> str:
    return "kan inte bedömas" if judged == 0 else f"{widening} av {judged}"


def aim_lines(ind: Indicator, rows) -> list[tuple[float, str]]:
    """The trend chart's målvärde lines from (scope title, Aim, progress) rows: one per distinct value,
    labelled 'Målvärde 2030: 0 %' (with the scope when the city and the set differ)."""
    out: dict[float, str] = {}
    for title, aim, _ in rows:
        value = fmt.value_with_unit(aim.value, ind.unit, ind.unit_label, fmt.decimals_for(ind.unit))
        out.setdefault(aim.value, f"Målvärde {aim.year}: {value}" + (f" ({title})" if len(
            {a.value for _, a, _ in rows}) > 1 else ""))
    return list(out.items())


def aim_sentence(ind: Indicator, aim, p, scope_title: str) -> str:
    """One paragraph on a målvärde: the aim, the distance, the pace needed against the recent pace, and
    the year of reaching it at the recent pace."""
    if p.current_year is None:
        return f"{aim_value_text(ind, aim)}. {aim_reach_text(p)}"
    d = fmt.decimals_for(ind.unit)
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)
    current = fmt.value_with_unit(p.current, ind.unit, ind.unit_label, d)
    said = (f"{aim_value_text(ind, aim)}. {scope_title} {p.current_year}: {current}, "
            f"{aim_distance_text(ind, p)}.")
    if not p.reached and not np.isnan(p.pace_needed):
        said += f" Takt som behövs: {fmt.number(p.pace_needed, 2, sign=True)} {unit} per år"
        said += (f", nuvarande takt {fmt.number(p.pace_recent, 2, sign=True)} {unit} per år."
                 if not np.isnan(p.pace_recent) else ".")
    return f"{said} {aim_reach_text(p)}"


def presentation_title(c) -> str:
    """A title that states the message: the focus set against the city, and the gap's direction
    (`c` is a `views.Comparison`)."""
    ind = c.indicator
    if c.year is None:
        return ind.title
    dec = fmt.decimals_for(ind.unit)
    focus, city = c.value("focus"), c.value("city")
    trend = "" if c.trend.verdict == "okänd" else f" – {verdict_text(c.trend).lower()}"
    return (f"{ind.title} {c.year}: {c.set_title.lower()} {fmt.value_with_unit(focus, ind.unit, ind.unit_label, dec)}, "
            f"hela Borås {fmt.value_with_unit(city, ind.unit, ind.unit_label, dec)}{trend}")


# --- presentation summaries (the bildspel's first slides and the leadership overview) --------------

VERDICT_LEGEND = {"minskar": "Skillnaden minskar", "oförändrad": "Oförändrad", "ökar": "Skillnaden ökar",
                  "okänd": "Kan inte bedömas"}
COUNT_AXIS = "Antal indikatorer"


def goal_summary_title(goal_title: str, closing: int, widening: int, total: int) -> str:
    """'Jämlika livsvillkor …: skillnaden mot hela Borås minskar för 12 och ökar för 7 av 30 indikatorer'."""
    noun = "indikator" if total == 1 else "indikatorer"
    return (f"{goal_title.rstrip('.')}: skillnaden mot hela Borås minskar för {closing} och ökar för {widening} "
            f"av {total} {noun}")


def goal_summary_sentence(goal_title: str, counts: dict) -> str:
    """The summary slide in a plain sentence, every count said."""
    n = {v: int(counts.get(v, 0)) for v in VERDICT_LEGEND}
    total = sum(n.values())
    return (f"Övergripande mål: {goal_title.rstrip('.')}. Av {total} indikatorer som följs per område minskar "
            f"skillnaden mot hela Borås för {n['minskar']}, ökar för {n['ökar']} och är oförändrad för "
            f"{n['oförändrad']}; för {n['okänd']} kan utvecklingen inte bedömas.")


def goal_area_slide_title(goal_area_id: int, title: str, statuses: list[str]) -> str:
    """'Målområde 1, God start …: 2 effektmål går åt rätt håll, 1 åt fel håll, 1 blandat'."""
    order = ("går åt rätt håll", "går åt fel håll", "blandat", "oförändrat", "kan inte bedömas")
    parts = [f"{statuses.count(s)} {s}" for s in order if statuses.count(s)]
    said = ", ".join(parts) if parts else "inga effektmål"
    return f"Målområde {goal_area_id}, {title}: effektmålen – {said}"


LEADERSHIP_HEADING = "Hur går det?"


def gap_counts(closing: int, widening: int) -> str:
    """'skillnaden minskar för 2, ökar för 1' (indicators followed per area)."""
    return f"skillnaden minskar för {closing}, ökar för {widening}"


def summary_caption(set_title: str, demo: bool) -> str:
    """The one caption line of a summary slide: what is compared, and demo while values are demo."""
    line = f"Indikatorer som följs per område: {set_title.lower()} mot hela Borås"
    return f"{line} · {DEMO_TEXT}" if demo else line


# --- the bildspel (deck) --------------------------------------------------------------------------

DEFAULT_DECK_TITLE = "Uppföljningen i korthet"
DECK_HELP = ("Bläddra med knapparna under bilden eller med piltangenterna ← och →. Varje bild är en länk "
             "(bild=N) som visar samma sak för den som öppnar den.")


DECK_PDF_NEEDS_CHROMIUM = "PDF kräver chromium på servern (Debian-paketet chromium); PowerPoint-filen går alltid."
DECK_EXPORT_NOTE = ("En bild per vy: den påstående rubriken, diagrammet som bild, källraden och demomärkningen; "
                    "talaranteckningarna har meningen, dataversionen och vyns länk. Att skapa filen tar en halv "
                    "minut. Från kommandoraden: python -m shb deck --out FIL.pptx --pdf FIL.pdf [--deck NAMN]")
NO_SAVED_DECKS = "Inga sparade bildspel ännu."
DECK_URL_HELP = ("En vy per rad, som länkarna i appen: t.ex. karta?indikator=sysselsattningsgrad_20_64 eller "
                 "arbete?indikator=sysselsattningsgrad_20_64&diagram=skillnad (diagram: trend, skillnad, "
                 "rangordning, effektmal). Hela adresser går också.")


def deck_saved(deck_id: str, version: str) -> str:
    return f"Bildspelet {deck_id} sparades (version {version})."


def deck_file_name(title: str, version: str) -> str:
    """'bildspel_uppfoljningen-i-korthet_20261204T175549Z' (ASCII, for any file system)."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    return f"bildspel_{re.sub(r'[^a-z0-9]+', '-', plain).strip('-')[:50]}_{version}"


def unknown_deck(deck_id: str) -> str:
    return f"Det finns inget sparat bildspel som heter {deck_id[:60]}; visar standardbildspelet."


def slide_out_of_range(asked: int, total: int) -> str:
    return f"Bild {asked} finns inte; bildspelet har {total} bilder. Visar bild {total}."


def slide_not_shown(url: str) -> str:
    return f"Bilden kan inte visas: {url[:80]} är ingen vy som finns som bild."


def slide_position(n: int, total: int) -> str:
    return f"Bild {n} av {total}"


def slide_label(n: int, title: str) -> str:
    return f"{n}. {title}"


def group_gap_title(ind: Indicator, first: str, second: str) -> str:
    """The title of the chart of the gap between two groups (labels as shown), with its unit."""
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)
    return f"{ind.title}: {first.lower()} minus {second.lower()} ({unit})"


def group_gap_sentence(ind: Indicator, gap: pd.DataFrame, first: str, second: str) -> str:
    """How the citywide gap between two groups moved from its first to its last year."""
    city = gap[(gap.series == "city")].dropna(subset=["value"])
    if city.empty:
        return f"Det finns inga värden för {first.lower()} och {second.lower()}."
    a, b = city.iloc[0], city.iloc[-1]
    d = fmt.decimals_for(ind.unit)

    def diff(v: float) -> str:
        return fmt.difference(v, ind.unit, ind.unit_label, d)

    verb = "minskat" if abs(b.value) < abs(a.value) else "ökat"
    return (f"I hela Borås var skillnaden mellan {first.lower()} och {second.lower()} {diff(b.value)} {int(b.year)}, "
            f"mot {diff(a.value)} {int(a.year)}: skillnaden har {verb}.")


# --- real or demo: what the reader is told about where values come from (shb.present.provenance) ------

DEMO_TEXT = "Demodata – inte Borås siffror"
DEMO_LABEL, MIXED_LABEL, REAL_LABEL = "Demodata", "Delvis demodata", "Riktiga värden"
SOURCE_PREFIX = "Källa: "
DEMO_ORIGIN = "Genererade värden för att visa verktyget, inte Borås siffror"
MIXED_ORIGIN = "Inlästa värden blandade med genererade"
CATALOG_ORIGIN = "Inlästa värden; dataversionen har ingen källbeskrivning, så katalogens källa anges"
POPULATION_TITLE = "Befolkning (folkmängd och vikter)"
DEMO_BANNER = ("**Demodata.** Siffrorna är genererade för att visa verktyget – de är inte Borås siffror. "
               "Läs in riktiga data under *Läs in data*.")


def mixed_text(generated: int, observations: int, source: str) -> str:
    """The line under an indicator whose values are partly generated: how many, and the others' source."""
    return (f"{MIXED_LABEL} – {fmt.number(generated, 0)} av {fmt.number(observations, 0)} värden är genererade, "
            f"inte Borås siffror; övriga: {source.removeprefix(SOURCE_PREFIX)}")


def source_banner(real: int, demo: int) -> str | None:
    """The banner over every page: all demo, how many indicators are real and the rest demo, or none."""
    if not demo:
        return None
    if not real:
        return DEMO_BANNER
    return (f"**{real} av {real + demo} indikatorer har riktiga värden med källa; övriga {demo} är demodata** – "
            "genererade, inte Borås siffror. Diagram och tabeller säger vilket.")


def source_footer(real: int, demo: int) -> str:
    """The footer's words about the values: demodata, riktiga värden, or how many of each."""
    if not demo:
        return "riktiga värden med källa"
    if not real:
        return "demodata, inte Borås siffror"
    return f"riktiga värden för {real} av {real + demo} indikatorer, övriga genererade"


def status_demo_note(demo: int, judged: int) -> str:
    """Said beside an effektmål's status when some of the indicators it is judged from are demo."""
    if not demo:
        return ""
    if demo == judged:
        return "(bygger på demodata)"
    return f"(bygger delvis på demodata: {demo} av {judged} indikatorer)"


def sources_intro(real: int, demo: int) -> str:
    """The lead of the list of sources on Data och metod."""
    said = {"demo": f"Alla {demo} indikatorer har genererade värden (demodata) – inte Borås siffror.",
            "real": f"Alla {real} indikatorer har riktiga värden med källa.",
            "mixed": f"{real} av {real + demo} indikatorer har riktiga värden med källa; övriga {demo} har "
                     "genererade värden (demodata) – inte Borås siffror."}
    kind = "demo" if not real else ("real" if not demo else "mixed")
    return (f"{said[kind]} En indikator är antingen riktig eller demo: dess värden blandas aldrig utan att det "
            "sägs. Diagram, kartor, tabeller, nedladdningar och rapporten anger källan för riktiga värden och "
            "Demodata för genererade.")


def data_kind(real: int, demo: int) -> str:
    """What a data version holds, in a few words."""
    if not demo:
        return "riktiga värden med källa"
    if not real:
        return "genererade demodata"
    return f"riktiga värden för {real} av {real + demo} indikatorer, demodata för övriga {demo}"


def pinned_version_notice(shown: str, current: str) -> str:
    return f"Du ser data från version {shown}, som länken gjordes på. Aktuell version är {current}."


def old_link_notice(link_version: str, current: str) -> str:
    return (f"Länken gjordes på data från version {link_version}; siffrorna kan ha ändrats sedan dess. "
            f"Nu visas version {current}.")


def old_format_notice(link_version: str) -> str:
    return (f"Version {link_version} är sparad i ett äldre format som den här versionen av programmet inte kan "
            f"visa; siffrorna nedan är den aktuella versionens.")


# --- the övergripande mål and the life course (Översikt, Livscykeln, report) ---------------------------

GOAL_HEADING = "Övergripande mål"
GOAL_BAR_LABEL = "Övergripande mål: hälsa"  # its own indicators, beside the målområden in a chart
LIFE_CYCLE_TITLE = "Livscykeln"
ALL_STAGES_LABEL = "Alla livsfaser"


def life_stage_label(stage: str) -> str:
    """'Äldre 65+ år' for 'aldre'; the one place life stages get their Swedish names (shb.core.catalog)."""
    return LIFE_STAGES.get(stage, stage)


def goal_block_intro(n: int, real: int, set_title: str) -> str:
    """The sentence under the övergripande mål's heading on Översikt and in the report."""
    noun = "indikator" if n == 1 else "indikatorer"
    return (f"Målet följs med {n} {noun} om hälsa, levnadsvanor och livsvillkor över hela livet ({real} med "
            f"riktiga värden). Där värden finns per område jämförs {set_title} med hela Borås; övriga redovisas "
            "för hela kommunen.")


def stage_sentence(stage: str, gaps: list, titles: dict[str, str], set_title: str) -> str:
    """One sentence per life stage from its indicators' `lifecycle.StageGap`s: how many gaps to the rest of
    the city close and widen, how many cannot be compared, and the largest gap on the worse side."""
    label = life_stage_label(stage)
    compared = [g for g in gaps if g.area_level and not np.isnan(g.gap)]
    closing = sum(g.trend.verdict == "minskar" for g in compared)
    widening = sum(g.trend.verdict == "ökar" for g in compared)
    municipal = sum(not g.area_level for g in gaps)
    unknown = len(gaps) - len(compared) - municipal  # per area, but no gap the latest year (a hidden area)
    parts = [f"{label}: {len(gaps)} indikatorer"]
    if compared:
        parts.append(f"{len(compared)} jämför {set_title} med övriga staden – skillnaden minskar för {closing} och "
                     f"ökar för {widening}")
    if unknown:
        parts.append(f"för {unknown} saknas jämförelsen det senaste året")
    if municipal:
        parts.append(f"{municipal} finns bara för hela kommunen")
    sentence = "; ".join(parts) + "."
    worse = [g for g in compared if not np.isnan(g.severity) and g.severity > 0]
    if worse:
        top = max(worse, key=lambda g: g.severity)
        sentence += (f" Störst skillnad åt det sämre hållet: {titles.get(top.indicator_id, top.indicator_id)} "
                     f"({fmt.number(100 * top.severity, 0)} % sämre än övriga staden {top.year}).")
    return sentence


def life_stage_presentation_title(stage: str, gaps: list, titles: dict[str, str], set_title: str) -> str:
    """A life stage's stating title from its indicators' `lifecycle.StageGap`s: the largest gap on the worse
    side ('Barn 0–15 år: störst skillnad i …, 41 % sämre än övriga staden 2024')."""
    label = life_stage_label(stage)
    worse = [g for g in gaps if g.area_level and not np.isnan(g.gap) and not np.isnan(g.severity) and g.severity > 0]
    if not worse:
        return f"{label}: {set_title} är inte sämre än övriga staden i någon indikator"
    top = max(worse, key=lambda g: g.severity)
    return (f"{label}: störst skillnad i {titles.get(top.indicator_id, top.indicator_id)}, "
            f"{fmt.number(100 * top.severity, 0)} % sämre än övriga staden {top.year}")


def life_stage_caption(stage: str, gaps: list, set_title: str, source: str) -> str:
    """The one caption line of a life stage in presentation mode: how many gaps to the rest of the city widen
    and close, what is compared, and where the values come from."""
    compared = [g for g in gaps if g.area_level and not np.isnan(g.gap)]
    widening = sum(g.trend.verdict == "ökar" for g in compared)
    closing = sum(g.trend.verdict == "minskar" for g in compared)
    return (f"{LIFE_CYCLE_TITLE}, {life_stage_label(stage).lower()}: skillnaden ökar för {widening} och minskar för "
            f"{closing} av {len(compared)} indikatorer · {set_title} mot övriga staden, störst skillnad först · "
            f"{source}")


def life_course_slide_title(stage: str, indicator_title: str, severity: float, year) -> str:
    """The bildspel's Livscykeln slide: the largest gap on the worse side over the stages of life."""
    return (f"Livscykeln: störst skillnad för {life_stage_label(stage).lower()} i {indicator_title}, "
            f"{fmt.number(100 * severity, 0)} % sämre än övriga staden {year}")


def life_course_slide_caption(top: int, set_title: str, demo: bool) -> str:
    line = f"De {top} största skillnaderna åt det sämre hållet per livsfas: {set_title} mot övriga staden"
    return f"{line} · {DEMO_TEXT}" if demo else line


SEVERITY_AXIS = "Procent sämre än övriga staden"


def goal_status_badge(s: TargetStatus) -> tuple[str, str, str]:
    """(colour, badge words, how it was reached) for the övergripande mål, judged like an effektmål from its
    indicators followed per area."""
    return STATUS_COLOURS[s.status], f"Målet {s.status}", target_status_text(s).replace("Effektmålet", "Målet")


def severity_cell(value: float) -> str:
    """The relative gap to the rest of the city for a table cell: '23 % sämre', '5 % bättre', '–'."""
    if value is None or np.isnan(value):
        return "–"
    if round(100 * value) == 0:
        return "0 %"
    return f"{fmt.number(100 * abs(value), 0)} % {'sämre' if value > 0 else 'bättre'}"


GRADIENT_MUNICIPALITY_ONLY = ("Uppdelningen efter utbildningsnivå finns bara för hela kommunen, inte per område; "
                              "därför visas ingen kurva för {set_title}.")
NO_GRADIENT = "Indikatorn har ingen uppdelning efter utbildningsnivå."


def gradient_title(ind: Indicator, year: int) -> str:
    """'<indikator> efter utbildningsnivå, 2024', without saying it twice when the title already does."""
    said = "efter utbildningsnivå" in ind.title.lower()
    return f"{ind.title}, {year}" if said else f"{ind.title} efter utbildningsnivå, {year}"


def gradient_sentence(ind: Indicator, series_label: str, trend: GapTrend, latest: float, year: int) -> str:
    """Whether the gap between eftergymnasial and förgymnasial utbildning narrows, for one series: the
    numbers the chart shows and the verdict from `lifecycle.gradient_trend`."""
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)
    d = fmt.decimals_for(ind.unit)
    now = (f"{series_label} {year}: eftergymnasial minus förgymnasial utbildning är "
           f"{fmt.number(latest, d, sign=True)} {unit}")
    if trend.verdict not in VERDICT_ARROWS:
        return now + "; utvecklingen kan inte bedömas (för få år med båda värdena)."
    said = {"minskar": "gradienten minskar", "ökar": "gradienten ökar", "oförändrad": "gradienten är oförändrad"}
    return (now + f", mot {fmt.number(trend.start, d, sign=True)} {unit} {trend.start_year}: "
            f"{said[trend.verdict]}.")
