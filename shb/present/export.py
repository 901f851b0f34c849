"""Downloads of a selection: CSV and Excel with a metadata sheet, citation and the demo flag."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from shb.core.catalog import DIRECTION_LABELS, Indicator

STATUS_LEGEND = {
    "värde": "Ett publicerat värde.",
    "undertryckt (..)": "Värdet är dolt av sekretesskäl eller för att det bygger på för få personer.",
    "saknas (-)": "Källan har inget värde för området och året.",
    "ej tillämplig (.)": "Det finns ingen att mäta på (t.ex. inga personer i gruppen).",
}


def citation(ind: Indicator, version: str, demo: bool) -> str:
    prefix = "DEMODATA – genererade värden, inte Borås siffror. " if demo else ""
    return (f"{prefix}{ind.title}. Källa: {ind.source} ({ind.source_ref}), bearbetning Socialt hållbart Borås, "
            f"dataversion {version}, hämtad {date.today().isoformat()}.")


def metadata(ind: Indicator, version: str, demo: bool, set_title: str | None = None) -> pd.DataFrame:
    rows = [
        ("Indikator", f"{ind.title} ({ind.id})"), ("Effektmål", ind.target),
        ("Definition", ind.definition), ("Enhet", ind.unit_label),
        ("Riktning", DIRECTION_LABELS[ind.direction]), ("Population", ind.population),
        ("Källa", f"{ind.source}, {ind.source_ref}"), ("Licens", ind.licence),
        ("Förbehåll", " ".join(ind.caveats)), ("Dataversion", version),
        ("Demodata", "JA – genererade värden, inte Borås siffror" if demo else "nej"),
        ("Citera som", citation(ind, version, demo)),
    ]
    if set_title:
        rows.append(("Jämförelsemängd", f"{set_title} (kolumnen jämförelsemängd visar dess områden)"))
    rows += [(f"Status: {k}", v) for k, v in STATUS_LEGEND.items()]
    return pd.DataFrame(rows, columns=["fält", "värde"])


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (opens correctly in Excel), semicolon and decimal comma (Swedish Excel)."""
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_excel(frame: pd.DataFrame, ind: Indicator, version: str, demo: bool, set_title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Data", index=False)
        metadata(ind, version, demo, set_title).to_excel(writer, sheet_name="Metadata", index=False)
    return buffer.getvalue()


def file_name(ind: Indicator, version: str, demo: bool, suffix: str) -> str:
    return f"{ind.id}_{version}{'_DEMODATA' if demo else ''}.{suffix}"
