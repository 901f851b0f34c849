"""Templates for loading one indicator: a CSV and an Excel file an analyst fills in and imports as is.

A template holds the columns `shb.ingest` reads, one row per area at the indicator's levels for the
next year to report, the indicator id filled in and the values empty; it describes the allowed groups
and statuses (above the header in the CSV, on an "Instruktioner" sheet in the Excel file). A filled-in
template passes `ingest.import_file` unchanged: that is what the tests check. A survey template
(`survey_template`, e.g. Fokus Äldres Hälsa) holds every indicator of one survey in one file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import pandas as pd

from shb.core.catalog import LEVEL_LABELS, UNITS
from shb.core.errors import UnknownIndicator
from shb.store import db as dbmod

COLUMNS = ("indikator", "omrade", "ar", "varde", "grupp_typ", "grupp", "taljare", "namnare", "ki_lag", "ki_hog",
           "status")
KIND_TEXT = {
    "share": "en andel i procent (0–100)",
    "rate": "en kvot",
    "mean": "ett medelvärde eller index",
    "count": "ett antal",
    "code": "en kod",
}
STATUS_TEXT = (
    ("..", "sekretess: värdet finns men får inte visas (t.ex. för få personer)"),
    (".", "ej tillämplig: det finns ingen att mäta på"),
    ("-", "saknas: källan har inget värde"),
)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Template:
    """What a template for one indicator holds."""

    indicator_id: str
    title: str
    kind: str
    unit_label: str
    levels: tuple[str, ...]
    survey: bool
    year: int
    areas: pd.DataFrame  # code, name, level: every area the indicator is reported for
    groups: pd.DataFrame  # dimension, value, dimension_label, label: the allowed groups besides the total

    def rows(self) -> pd.DataFrame:
        """One row per area for the total, the indicator id and year filled in, everything else empty."""
        out = pd.DataFrame({c: "" for c in COLUMNS}, index=range(len(self.areas)), dtype=object)
        out["indikator"] = self.indicator_id
        out["omrade"] = self.areas.code.tolist()
        out["ar"] = self.year
        return out

    def file_name(self, extension: str) -> str:
        return f"mall_{self.indicator_id}_{self.year}.{extension}"


def next_year(latest: int | None, frequency: str, today: date) -> int:
    """The year a template is for: the one after the latest with data (two after, for biennial
    indicators), never later than this year, which is the last one an import accepts."""
    if latest is None:
        return today.year - 1
    return min(int(latest) + (2 if frequency == "biennial" else 1), today.year)


def template(database: dbmod.Database, indicator_id: str, today: date | None = None) -> Template:
    """The template for `indicator_id` on this snapshot; UnknownIndicator if it has no such indicator."""
    cat = database.run("indicator_catalog").set_index("id")
    if indicator_id not in cat.index:
        raise UnknownIndicator(f"Det finns ingen indikator {indicator_id!r}; se python -m shb catalog.")
    ind = cat.loc[indicator_id]
    years = database.run("indicator_years")
    years = years.loc[years.indicator_id == indicator_id, "year"]
    levels = tuple(ind.levels)
    areas = pd.concat([database.run("areas_at_level", level=lvl)[["code", "name", "level"]] for lvl in levels],
                      ignore_index=True)
    groups = database.run("indicator_groups")
    groups = groups[(groups.indicator_id == indicator_id) & (groups.dimension != "total")]
    order = {d: i for i, d in enumerate(ind.group_dimensions)}
    groups = groups.assign(dim_order=groups.dimension.map(order)).sort_values("dim_order", kind="stable")
    return Template(
        indicator_id=indicator_id, title=ind.title, kind=ind.kind, unit_label=UNITS.get(ind.unit, ind.unit_label),
        levels=levels, survey=bool(ind.survey),
        year=next_year(int(years.max()) if len(years) else None, ind.frequency, today or date.today()),
        areas=areas, groups=groups[["dimension", "value", "dimension_label", "label"]].reset_index(drop=True))


# --- What the template says -------------------------------------------------------------------------------

def group_text(t: Template) -> str:
    """'kon/kvinnor (Kvinnor), kon/man (Män)' or a sentence saying there are no groups."""
    if t.groups.empty:
        return "Indikatorn har inga grupper: lämna grupp_typ och grupp tomma."
    pairs = ", ".join(f"{r.dimension}/{r.value} ({r.label})" for r in t.groups.itertuples(index=False))
    return f"Tillåtna grupper (grupp_typ/grupp): {pairs}. Lämna båda tomma för totalen (alla)."


def column_help(t: Template) -> list[tuple[str, str, str]]:
    """(column, what to write, required?) for every column, in Swedish."""
    level_names = ", ".join(LEVEL_LABELS[lvl].lower() for lvl in t.levels)
    dims = ", ".join(dict.fromkeys(t.groups.dimension)) or "inga för den här indikatorn"
    ki = " Används för urvalsundersökningar som den här." if t.survey else ""
    return [
        ("indikator", f"Indikatorns id, redan ifyllt ({t.indicator_id}). Ändra det inte.", "ja"),
        ("omrade", f"Områdeskoden, redan ifylld: en rad per område på nivåerna {level_names}. "
                   "Se listan över tillåtna områden nedan.", "ja"),
        ("ar", f"Året som värdet gäller, ett heltal (ifyllt med {t.year}; ändra om det gäller ett annat år).", "ja"),
        ("varde", f"Värdet, {KIND_TEXT.get(t.kind, 'ett tal')} i enheten {t.unit_label}. Skriv bara talet, utan "
                  "enhet eller procenttecken; decimalkomma eller decimalpunkt, men samma i hela filen. Lämna tomt "
                  "och fyll i status när värdet inte finns.", "ja"),
        ("grupp_typ", f"Grupptyp när värdet gäller en grupp ({dims}); tomt för totalen.", "nej"),
        ("grupp", "Gruppen inom grupptypen, se listan nedan; tomt för totalen. Kopiera raden för varje grupp.", "nej"),
        ("taljare", "Antal som uppfyller villkoret (heltal), om det finns. Med täljare och nämnare kan värden för "
                    "områdesmängder räknas rätt.", "nej"),
        ("namnare", "Antal i befolkningen som andelen räknas på (heltal), om det finns.", "nej"),
        ("ki_lag", f"Konfidensintervallets nedre gräns, om det finns.{ki}", "nej"),
        ("ki_hog", f"Konfidensintervallets övre gräns, om det finns.{ki}", "nej"),
        ("status", "Tomt (eller ok) när värdet finns. Annars en av statusarna nedan, med tomt värde.", "nej"),
    ]


def preamble(t: Template) -> list[str]:
    """The lines above the CSV's header row (an import skips everything above the header)."""
    statuses = ", ".join(f"'{code}' {text.split(':')[0]}" for code, text in STATUS_TEXT)
    return [
        f"Mall för {t.title} ({t.indicator_id}), enhet {t.unit_label}, år {t.year}. Raderna ovanför "
        "rubrikraden läses inte in.",
        f"Fyll i varde på varje rad. {group_text(t)}",
        f"Saknas värdet: lämna varde tomt och skriv status {statuses}. Decimalkomma eller decimalpunkt, "
        "samma i hela filen.",
    ]


# --- Files ------------------------------------------------------------------------------------------------

def to_csv(t: Template) -> bytes:
    """The CSV template: UTF-8 with BOM (Excel opens it with å, ä, ö intact), semicolon-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in preamble(t):
        writer.writerow([line])
    writer.writerow(COLUMNS)
    writer.writerows(t.rows().itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(t: Template) -> bytes:
    """The Excel template: a "Data" sheet with the columns and rows, and an "Instruktioner" sheet."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    data.append(list(COLUMNS))
    for row in t.rows().itertuples(index=False):
        data.append([row.indikator, row.omrade, int(row.ar), *([None] * (len(COLUMNS) - 3))])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJK", (34, 12, 8, 10, 12, 12, 10, 10, 10, 10, 8)):
        data.column_dimensions[letter].width = width
    last = len(t.areas) + 1
    for cells in (f"B2:B{last}",):  # area codes stay text (1490, not a number)
        for (cell,) in data[cells]:
            cell.number_format = "@"
    _validation(data, DataValidation, "K", '"ok,..,.,-"', last + 500, "Tomt, ok, .. (sekretess), . (ej tillämplig) "
                "eller - (saknas).")
    if not t.groups.empty:
        dims = ",".join(dict.fromkeys(t.groups.dimension))
        values = ",".join(dict.fromkeys(t.groups.value))
        if len(values) < 250:  # Excel's limit for a list written into the rule
            _validation(data, DataValidation, "F", f'"{values}"', last + 500, "Se fliken Instruktioner.")
        _validation(data, DataValidation, "E", f'"{dims}"', last + 500, "Se fliken Instruktioner.")
    data.freeze_panes = "A2"
    _instructions(wb.create_sheet("Instruktioner"), t, Font)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _validation(sheet, rule, column: str, formula: str, last_row: int, message: str) -> None:
    check = rule(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                 errorTitle="Ogiltigt värde", error=message)
    check.add(f"{column}2:{column}{last_row}")
    sheet.add_data_validation(check)


def _instructions(sheet, t: Template, font) -> None:
    bold = font(bold=True)

    def heading(text: str) -> None:
        sheet.append([])
        sheet.append([text])
        sheet.cell(sheet.max_row, 1).font = bold

    sheet.append([f"Mall för inläsning: {t.title}"])
    sheet.cell(1, 1).font = font(bold=True, size=14)
    sheet.append(["Fyll i fliken Data och läs in filen som den är, i appen (Läs in data) eller med "
                  "python -m shb import FIL. Ändra inte kolumnnamnen."])
    heading("Indikatorn")
    for label, value in (("Id", t.indicator_id), ("Titel", t.title), ("Enhet", t.unit_label),
                         ("Värdet är", KIND_TEXT.get(t.kind, "ett tal")),
                         ("Nivåer", ", ".join(LEVEL_LABELS[lvl] for lvl in t.levels)), ("År i mallen", t.year)):
        sheet.append([label, value])
    heading("Kolumner")
    sheet.append(["Kolumn", "Vad du skriver", "Krävs"])
    for row in column_help(t):
        sheet.append(list(row))
    heading("Status när värdet saknas (lämna då varde tomt)")
    for code, text in STATUS_TEXT:
        sheet.append([code, text])
    heading("Tillåtna grupper")
    sheet.append(["grupp_typ", "grupp", "Betydelse"])
    sheet.append(["(tomt)", "(tomt)", "Alla (totalen)"])
    for r in t.groups.itertuples(index=False):
        sheet.append([r.dimension, r.value, f"{r.dimension_label}: {r.label}"])
    heading("Tillåtna områden")
    sheet.append(["omrade", "Namn", "Nivå"])
    for r in t.areas.itertuples(index=False):
        sheet.append([r.code, r.name, LEVEL_LABELS[r.level]])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 24


# --- Fokus Äldres Hälsa: one file for a survey's aggregated results -----------------------------------------

@dataclass(frozen=True)
class SurveyTemplate:
    """A template for every indicator of one survey: a row per indicator × area × group (the total and each
    group the indicator has), so the survey's aggregated results go in as one file."""

    survey: str
    templates: tuple[Template, ...]

    def rows(self) -> pd.DataFrame:
        parts = []
        for t in self.templates:
            groups = [("", "")] + list(zip(t.groups.dimension, t.groups.value))
            for dim, value in groups:
                parts.append(t.rows().assign(grupp_typ=dim, grupp=value))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))

    def file_name(self, extension: str) -> str:
        slug = "".join(c if c.isalnum() else "_" for c in self.survey.lower().replace("ä", "a").replace("å", "a")
                       .replace("ö", "o")).strip("_")
        return f"mall_{slug}.{extension}"


FOKUS_ALDRES_HALSA = "Fokus Äldres Hälsa"


def survey_template(database: dbmod.Database, survey: str = FOKUS_ALDRES_HALSA,
                    today: date | None = None) -> SurveyTemplate:
    """The template for every indicator whose source reference names `survey` (e.g. Borås Stad's own
    survey of older residents, Fokus Äldres Hälsa); UnknownIndicator when the catalog has none."""
    cat = database.run("indicator_catalog")
    ids = cat.loc[cat.source_ref.str.contains(survey, regex=False), "id"].tolist()
    if not ids:
        raise UnknownIndicator(f"Ingen indikator har {survey!r} som källa; se python -m shb catalog.")
    return SurveyTemplate(survey, tuple(template(database, i, today) for i in ids))


def survey_csv(s: SurveyTemplate) -> bytes:
    """The survey's CSV template (UTF-8 with BOM, semicolons): a description above the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    statuses = ", ".join(f"'{code}' {text.split(':')[0]}" for code, text in STATUS_TEXT)
    lines = [f"Mall för {s.survey}: aggregerade resultat för {len(s.templates)} indikatorer, en rad per indikator, "
             "område och grupp. Raderna ovanför rubrikraden läses inte in.",
             *(f"{t.indicator_id}: {t.title}, enhet {t.unit_label}, år {t.year}. {group_text(t)}" for t in s.templates),
             "Skriv andelen i varde och gärna antal svarande i namnare och antal med svaret i taljare, så kan "
             "värden för områdesmängder räknas rätt. Radera rader för grupper som inte redovisas.",
             f"Saknas värdet (t.ex. för få svarande): lämna varde tomt och skriv status {statuses}."]
    for line in lines:
        writer.writerow([line])
    writer.writerow(COLUMNS)
    writer.writerows(s.rows().itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8-sig")
