"""Downloads of a selection: CSV and Excel with a metadata sheet, citation and whether the values are
real or demo — the indicator's own answer (shb.present.provenance), never the database's."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from shb.core.catalog import DIRECTION_LABELS, Indicator
from shb.core.text import spreadsheet_safe_frame
from shb.present import provenance, text

STATUS_LEGEND = {
    "värde": "Ett publicerat värde.",
    "undertryckt (..)": "Värdet är dolt av sekretesskäl eller för att det bygger på för få personer.",
    "saknas (-)": "Källan har inget värde för området och året.",
    "ej tillämplig (.)": "Det finns ingen att mäta på (t.ex. inga personer i gruppen).",
}
DEMO_PREFIX = "DEMODATA – genererade värden, inte Borås siffror. "
DEMO_SUFFIX = "_DEMODATA"


def _check(demo: bool, origin: provenance.Origin | None, who: str) -> None:
    if origin is not None and bool(demo) != origin.demo:
        raise ValueError(f"{who}: demo={demo!r} but origin says {origin.indicator_id!r} is "
                         f"{'demo' if origin.demo else 'real'}; pass demo=origin.demo")


def citation(ind: Indicator, version: str, demo: bool, origin: provenance.Origin | None = None) -> str:
    """How to cite the download: the source record's citation for real values (`origin`), the catalog's
    source otherwise; demo values say so first."""
    _check(demo, origin, "citation")
    prefix = DEMO_PREFIX if demo else ""
    if origin is not None and origin.mixed:
        prefix = f"{origin.citation}. "
    cited = (origin.source.removeprefix(text.SOURCE_PREFIX) if origin is not None and (origin.mixed or not demo)
             else f"{ind.source} ({ind.source_ref})")
    return (f"{prefix}{ind.title}. Källa: {cited}, bearbetning Socialt hållbart Borås, "
            f"dataversion {version}, hämtad {date.today().isoformat()}.")


def _provenance_rows(origin: provenance.Origin | None) -> list[tuple[str, str]]:
    """Where a real indicator's values come from (nothing for demo values or without an origin)."""
    if origin is None or (origin.demo and not origin.mixed):
        return []
    rows = [("Källbeskrivning", origin.source), ("Ursprung", origin.origin), ("Hämtad", origin.retrieved),
            ("Bearbetning", origin.transformation)]
    return [(k, v) for k, v in rows if v]


def metadata(ind: Indicator, version: str, demo: bool, set_title: str | None = None,
             origin: provenance.Origin | None = None) -> pd.DataFrame:
    _check(demo, origin, "metadata")
    licence = origin.licence if origin is not None and origin.licence else ind.licence
    if not demo:
        flag = text.REAL_LABEL
    elif origin is not None and origin.mixed:
        flag = origin.citation
    else:
        flag = "DEMODATA – genererade värden, inte Borås siffror"
    rows = [
        ("Indikator", f"{ind.title} ({ind.id})"), ("Effektmål", ind.target),
        ("Definition", ind.definition), ("Enhet", ind.unit_label),
        ("Riktning", DIRECTION_LABELS[ind.direction]), ("Population", ind.population),
        ("Källa", f"{ind.source}, {ind.source_ref}"), ("Licens", licence),
        *_provenance_rows(origin),
        ("Förbehåll", " ".join(ind.caveats)), ("Dataversion", version),
        ("Värden", flag),
        ("Citera som", citation(ind, version, demo, origin)),
    ]
    if set_title:
        rows.append(("Jämförelsemängd", f"{set_title} (kolumnen jämförelsemängd visar dess områden)"))
    rows += [(f"Status: {k}", v) for k, v in STATUS_LEGEND.items()]
    return pd.DataFrame(rows, columns=["fält", "värde"])


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (opens correctly in Excel), semicolon and decimal comma (Swedish Excel)."""
    return spreadsheet_safe_frame(frame).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_excel(frame: pd.DataFrame, ind: Indicator, version: str, demo: bool, set_title: str | None = None,
             origin: provenance.Origin | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        spreadsheet_safe_frame(frame).to_excel(writer, sheet_name="Data", index=False)
        spreadsheet_safe_frame(metadata(ind, version, demo, set_title, origin)).to_excel(
            writer, sheet_name="Metadata", index=False)
    return buffer.getvalue()


def file_name(ind: Indicator, version: str, demo: bool, suffix: str) -> str:
    return f"{ind.id}_{version}{DEMO_SUFFIX if demo else ''}.{suffix}"


def report_file_name(year: int, version: str, summary: provenance.Summary) -> str:
    """The report's file name: _DEMODATA when every indicator is demo, _DELVIS_DEMODATA when some are."""
    tail = {"demo": DEMO_SUFFIX, "mixed": "_DELVIS_DEMODATA", "real": ""}[summary.kind]
    return f"socialt_hallbart_boras_uppfoljning_{year}_{version}{tail}.html"
