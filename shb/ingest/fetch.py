"""Fetch indicator values from SCB (PxWeb API v2) and Kolada (API v3) and load them like an imported file.

The connectors in `shb.sources` turn the answers into the import's long format; `shb.ingest.import_table`
then validates, compares and writes the new snapshot, so --dry-run, --replace, the import log and the
atomic swap are the file import's. Everything is fetched before anything is checked, and nothing is
written unless every request succeeded and every row was accepted. What a connector skipped or assumed
(years without values, withdrawn values, SCB's limits) ends the summary as "Obs:" lines.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from shb.core.errors import FetchFailed
from shb.core.format import MINUS, THIN

if TYPE_CHECKING:
    from shb.core.catalog import Indicator
    from shb.ingest.importer import ImportResult, RawTable
    from shb.sources import Value
    from shb.sources.http import Client

SOURCES = {"scb": "SCB", "kolada": "Kolada"}
HEADER = ["indikator", "omrade", "ar", "varde", "grupp_typ", "grupp", "taljare", "namnare", "status"]
SYMBOLS = {"ok": "", "suppressed": "..", "not_applicable": ".", "missing": "-"}
NO_VALUE = {"suppressed": "undertryckt", "not_applicable": "ej tillämplig", "missing": "saknas"}
SHOWN = 20  # fetched values listed by a dry run
FIRST_YEAR, LAST_YEAR = 1990, 2100  # FIRST_YEAR is the import's (shb.ingest.FIRST_YEAR), kept here to stay light


@dataclass(frozen=True)
class Fetched:
    """What a connector brought back, before any check: the values and the raw answers."""

    name: str  # "SCB TAB6680", "Kolada N15428": the name in messages and the import log
    indicator_id: str
    values: list[Value]
    bodies: list[bytes]
    calls: int
    encoding: str
    notes: tuple[str, ...] = ()  # Swedish: what was skipped or assumed, for the summary

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for body in self.bodies:
            digest.update(body)
        return digest.hexdigest()


def fetchable(source: str) -> list[str]:
    """Ids of the indicators that have a mapping to `source` in data/indicators.yaml."""
    from shb.core.catalog import catalog

    return [i.id for i in catalog().indicators if i.fetch and getattr(i.fetch, source)]


def _indicator(source: str, indicator_id: str) -> Indicator:
    from shb.core.catalog import catalog

    if source not in SOURCES:
        raise FetchFailed(f"Okänd källa {source!r}; välj {' eller '.join(SOURCES)}.")
    ind = catalog().indicator(indicator_id)
    if not (ind.fetch and getattr(ind.fetch, source)):
        ids = ", ".join(fetchable(source)) or "(inga)"
        raise FetchFailed(f"Indikatorn {indicator_id} har ingen koppling till {SOURCES[source]} i "
                          f"data/indicators.yaml. Indikatorer som kan hämtas därifrån: {ids}.")
    return ind


def unconfirmed_warning(source: str, indicator_id: str) -> str | None:
    """A Swedish warning when the indicator's mapping to `source` is not confirmed against the source."""
    from shb.core.catalog import catalog

    ind = next((i for i in catalog().indicators if i.id == indicator_id), None)
    if source == "scb" and ind is not None and ind.fetch and ind.fetch.scb and not ind.fetch.scb.confirmed:
        return (f"Kopplingen till SCB-tabellen {ind.fetch.scb.table} är inte bekräftad mot tabellens metadata "
                "(se indikatorns förbehåll); granska värdena innan de läses in.")
    return None


def fetch_values(source: str, indicator_id: str, years: list[int] | None, *, client: Client | None = None,
                 cell_limit: int | None = None) -> Fetched:
    """Fetch every value of one indicator from `source` ("scb" or "kolada"); FetchFailed on any failure.
    Without `years`, every year the source has that the database can hold (1990 up to this year)."""
    from shb.sources import kolada, scb

    ind = _indicator(source, indicator_id)
    own = client is None
    client = client or (scb.client() if source == "scb" else kolada.client())
    notes: list[str] = []
    try:
        if source == "scb":
            values, bodies = scb.fetch(client, ind, years, cell_limit, notes=notes)
            name, encoding = f"SCB {ind.fetch.scb.table}", "json-stat2"
        else:
            values, bodies = kolada.fetch(client, ind, years, notes=notes)
            name, encoding = f"Kolada {ind.fetch.kolada.kpi}", "JSON"
    finally:
        if own:
            client.close()
    if years is None:
        values = [v for v in values if FIRST_YEAR <= v.year <= date.today().year]
    return Fetched(name, ind.id, values, bodies, client.calls, encoding, tuple(notes))


def to_table(fetched: Fetched) -> RawTable:
    """The fetched values in the import's long format, one row each (numbers stay numbers)."""
    from shb.ingest.importer import RawTable

    rows = []
    for v in fetched.values:
        dim, value = ("", "") if v.group == ("total", "alla") else v.group
        rows.append([fetched.indicator_id, v.area, v.year, "" if v.value is None else v.value, dim, value,
                     _count(v.numerator), _count(v.denominator), SYMBOLS[v.status]])
    return RawTable(HEADER, rows, list(range(1, len(rows) + 1)), fetched.name.split()[0], fetched.encoding,
                    header_row=0)


def _count(n: float | None) -> int | float | str:
    if n is None:
        return ""
    return int(n) if float(n).is_integer() else n


def values_text(fetched: Fetched, shown: int = SHOWN) -> str:
    """The first `shown` values as fetched, one a line, numbers unrounded (what a dry run lists)."""
    head = "Hämtade värden:" if len(fetched.values) <= shown else (
        f"Hämtade värden (de första {shown} av {exact(len(fetched.values))}):")
    lines = [f"  {v.area} {v.year} {'/'.join(v.group)}: {exact(v.value) if v.status == 'ok' else NO_VALUE[v.status]}"
             for v in fetched.values[:shown]]
    return "\n".join([head, *lines])


def exact(value: float) -> str:
    """A number as it was fetched, in Swedish: 17.012982 → '17,012982', 245284.0 → '245 284'."""
    text = f"{abs(value):,.15g}".replace(",", THIN).replace(".", ",")
    return MINUS + text if value < 0 else text


def fetch_indicator(source: str, indicator_id: str, years: list[int] | None, db: Path | None, *,
                    dry_run: bool, overwrite: bool, client: Client | None = None,
                    cell_limit: int | None = None, username: str | None = None) -> ImportResult:
    """Fetch one indicator from `source` and check it against, or (unless `dry_run`) load it into, the
    snapshot at `db`, exactly like an imported file (`overwrite` is --replace).

    Raises
    ------
    FetchFailed
        The source could not be reached, refused the request or answered something unreadable.
    ImportRejected
        The values do not pass the import's checks, or would change stored values without `overwrite`.
    """
    db, fetched = _fetch_for(source, indicator_id, years, db, client=client, cell_limit=cell_limit)
    return load_fetched(fetched, db, dry_run=dry_run, overwrite=overwrite, username=username)


def _fetch_for(source: str, indicator_id: str, years: list[int] | None, db: Path | None, *,
               client: Client | None = None, cell_limit: int | None = None) -> tuple[Path, Fetched]:
    """The database (checked before the network is asked, and again by the import) and what was fetched;
    FetchFailed when that is nothing."""
    from shb.sources import span
    from shb.store import db as dbmod

    db = dbmod.require(db)
    fetched = fetch_values(source, indicator_id, years, client=client, cell_limit=cell_limit)
    if not fetched.values:
        which = f"åren {span(years)}" if years else "några år"
        why = "".join(f" {note}" for note in fetched.notes)
        raise FetchFailed(f"{fetched.name} gav inga värden för {indicator_id} för {which}.{why} Inget har "
                          "skrivits till databasen.")
    return db, fetched


def load_fetched(fetched: Fetched, db: Path, *, dry_run: bool, overwrite: bool,
                 username: str | None = None) -> ImportResult:
    """Check, or load, values already fetched (the app loads exactly what its dry run showed)."""
    from shb.ingest import importer as ingest

    return ingest.import_table(to_table(fetched), fetched.name, fetched.sha256, db, dry_run=dry_run,
                               overwrite=overwrite, username=username, noun="Hämtningen från")


# --- Command line -----------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


def parse_years(text: str) -> list[int]:
    """'2019-2024' or '2021,2023' (or a mix, '2015,2019-2021') → sorted years; ArgumentTypeError if not."""
    years: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        match = _RANGE.match(part)
        if match:
            first, last = int(match[1]), int(match[2])
        elif part.isdigit() and len(part) == 4:
            first = last = int(part)
        else:
            raise argparse.ArgumentTypeError(f"{part!r} är inget år eller intervall; skriv t.ex. 2019-2024 eller "
                                             "2021,2023")
        if not FIRST_YEAR <= first <= last <= LAST_YEAR:
            raise argparse.ArgumentTypeError(f"{part!r}: åren ska ligga mellan {FIRST_YEAR} och {LAST_YEAR}, "
                                             "det första först")
        years.update(range(first, last + 1))
    return sorted(years)


def _cmd_fetch(args) -> int:
    warning = unconfirmed_warning(args.source, args.indicator)
    if warning:
        print(f"Obs: {warning} Använd gärna --dry-run först.", file=sys.stderr)
    db, fetched = _fetch_for(args.source, args.indicator, args.years, args.db)
    result = load_fetched(fetched, db, dry_run=args.dry_run, overwrite=args.replace)  # a rejection: exit 2
    print(result.report())
    if args.dry_run:
        print(values_text(fetched))
    for note in fetched.notes:
        print(f"Obs: {note}")
    return 0


def register(sub, with_db) -> None:
    """Add `fetch scb` and `fetch kolada` to the command line."""
    f = sub.add_parser("fetch", help="hämta en indikator från SCB eller Kolada och läs in den")
    fsub = f.add_subparsers(dest="source", required=True)
    for source, label in SOURCES.items():
        where = "SCB:s statistikdatabas (PxWeb API v2)" if source == "scb" else "Kolada (API v3)"
        s = with_db(fsub.add_parser(source, help=f"hämta från {where}"))
        s.add_argument("--indicator", required=True, help=f"indikatorns id (en med koppling till {label})")
        s.add_argument("--years", type=parse_years, default=None,
                       help="år att hämta, t.ex. 2019-2024 eller 2021,2023 (standard: alla som finns)")
        s.add_argument("--dry-run", action="store_true", help="hämta och kontrollera, visa vad som skulle ändras, "
                                                              "skriv inget")
        s.add_argument("--replace", action="store_true", help="ersätt värden som redan finns med andra uppgifter")
        s.set_defaults(func=_cmd_fetch)
