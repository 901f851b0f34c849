"""Analysts' notes on an indicator for an area (and optionally a year), written as a new snapshot.

A note is what an analyst knows that the numbers do not say ("ny mätmetod 2021", "projektet i Norrby
startade hösten 2023"). Notes live in the snapshot's `note` table, so a link pinned to a version shows
the notes of that version; adding or removing one writes a new snapshot through the one write
transaction, as an import does (`shb.store.transaction`: temporary file beside the current one,
checked, swapped with os.replace, the previous one kept), and every later import copies the table on.
Nothing typed here becomes SQL text: values are bound.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from shb.core.errors import ImportRejected
from shb.core.text import clean_name
from shb.store import db as dbmod
from shb.store import transaction
from shb.store import writer as store

MAX_LENGTH = 2000
MAX_AUTHOR = 120
FIRST_YEAR = 1990
# Control and direction characters (see shb.core.text); a note keeps its tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class NoteResult:
    note_id: str
    version: str
    kept_previous: Path | None


def _clean(text: str) -> str:
    return _CONTROL.sub("", str(text or "")).strip()


def checked_text(body: str, author: str, what: str, longest: int) -> tuple[str, str, list[str]]:
    """The text analysts write and its author, cleaned (control characters out, author ≤ MAX_AUTHOR), and
    what is wrong with them in Swedish; `what` names the text ("Anteckningen", "Analysen")."""
    body, author = _clean(body), clean_name(author or "")
    problems = []
    if not body:
        problems.append(f"{what} är tom.")
    elif len(body) > longest:
        problems.append(f"{what} är {len(body)} tecken; högst {longest} får plats.")
    if not author:
        problems.append(f"Ange vem som skriver {what.lower()}.")
    return body, author[:MAX_AUTHOR], problems


def check(database: dbmod.Database, indicator_id: str, area_code: str, year: int | None, body: str,
          author: str) -> dict:
    """The note as a row, or ImportRejected listing every problem (in Swedish)."""
    problems = []
    indicators = set(database.run("indicator_catalog").id)
    areas = set(pd.concat([database.run("areas_at_level", level=lvl)
                           for lvl in ("municipality", "district", "regso", "deso")]).code)
    if indicator_id not in indicators:
        problems.append(f"Okänd indikator {str(indicator_id)[:40]!r}.")
    if area_code not in areas:
        problems.append(f"Okänt område {str(area_code)[:40]!r}; ange en områdeskod som 1490 eller 1490R025.")
    if year is not None and not (FIRST_YEAR <= int(year) <= date.today().year):
        problems.append(f"Året {year} ligger utanför {FIRST_YEAR}–{date.today().year}.")
    body, author, wrong = checked_text(body, author, "Anteckningen", MAX_LENGTH)
    problems += wrong
    if problems:
        raise ImportRejected("Anteckningen sparades inte: " + " ".join(problems), problems)
    return {"id": uuid.uuid4().hex, "indicator_id": indicator_id, "area_code": area_code,
            "year": None if year is None else int(year), "body": body, "author": author,
            "created_at": datetime.now(UTC)}


def add(db: Path | None, indicator_id: str, area_code: str, year: int | None, body: str,
        author: str) -> NoteResult:
    """Add a note as a new snapshot; ImportRejected when the note is not valid (nothing written)."""
    db = dbmod.require(db)
    with transaction.writers_lock(db) as held:
        database = dbmod.open_for_writer(db)
        try:
            row = check(database, indicator_id, area_code, year, body, author)
            based_on = database.version
        finally:
            database.close()
        notes = pd.DataFrame([row]).astype({"year": "Int32"})
        version, kept = _write(db, held, based_on, {"kind": "note", "added": row["id"], "based_on": based_on},
                               new_notes=notes)
    return NoteResult(row["id"], version, kept)


def remove(db: Path | None, note_id: str) -> NoteResult:
    """Remove the note `note_id` as a new snapshot (the kept previous snapshot still has it)."""
    db = dbmod.require(db)
    if not _ID.match(note_id or ""):
        raise ImportRejected(f"{str(note_id)[:40]!r} är inget antecknings-id.")
    with transaction.writers_lock(db) as held:
        database = dbmod.open_for_writer(db)
        try:
            found = database.run("notes")
            based_on = database.version
        finally:
            database.close()
        if note_id not in set(found.id):
            raise ImportRejected(f"Det finns ingen anteckning med id {note_id}.")
        version, kept = _write(db, held, based_on, {"kind": "note", "removed": note_id, "based_on": based_on},
                               removed_notes=(note_id,))
    return NoteResult(note_id, version, kept)


def _write(db: Path, held: transaction.WritersLock, based_on: str, built_from: dict,
           **changes) -> tuple[str, Path | None]:
    return write_change(db, held, based_on, built_from, "Anteckningen kunde inte sparas", **changes)


def write_change(db: Path, held: transaction.WritersLock, based_on: str, built_from: dict, failure: str,
                 **changes) -> tuple[str, Path | None]:
    """The snapshot `based_on` with what analysts wrote (`changes`: new_notes, removed_notes, new_analyses,
    new_decks, removed_decks; no observations), as a new version: its id and the kept previous file."""
    empty = pd.DataFrame(columns=["indicator_id"])
    with transaction.new_version(db, held=held, based_on=based_on, failure=failure) as tx:
        store.write_derived_snapshot(db, tx.path, empty, built_from, tx.version, None, on_stage=transaction.stage,
                                     **changes)
    return tx.version, tx.kept_previous
