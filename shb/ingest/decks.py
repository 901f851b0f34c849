"""Analysts' saved decks (bildspel): a title and an ordered list of view URLs, written as a new snapshot.

A deck lives in the snapshot's `deck` table, so it is data like a note: saving or removing one writes a
new snapshot through the one write transaction (`shb.store.transaction`), and every later import copies
the table on (`shb.store.writer.write_derived_snapshot`). A deck with the id of a saved one replaces it.
Nothing typed here becomes SQL text: values are bound. What each URL shows is checked when it is shown,
as any link is (`shb.present.urlstate`); here only its form is checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from shb.core.errors import ImportRejected
from shb.core.text import clean_name
from shb.ingest.notes import write_change
from shb.store import db as dbmod
from shb.store import transaction

MAX_TITLE = 120
MAX_SLIDES = 40
MAX_URL = 400
MAX_AUTHOR = 120
# A view URL relative to the app (a full address is cut to its path and query first): a page path of
# lower-case letters and underscores (empty for the start page), then query parameters.
_URL = re.compile(r"^[a-z_]*(\?[A-Za-z0-9_\-.,:=&%]*)?$")
_ADDRESS = re.compile(r"^https?://[^/?#]+/?")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


@dataclass(frozen=True)
class DeckResult:
    deck_id: str
    version: str
    kept_previous: Path | None


def deck_id(title: str) -> str:
    """The deck's id from its title: 'Ledningsgruppen maj 2026' → 'ledningsgruppen-maj-2026'."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")


def slide_lines(typed: str) -> list[str]:
    """The URLs of a deck as typed, one a line; blank lines dropped, full addresses cut to path and query."""
    return [_ADDRESS.sub("", line.strip()) for line in str(typed or "").splitlines() if line.strip()]


def check(title: str, slides: list[str], author: str) -> dict:
    """The deck as a row, or ImportRejected listing every problem (in Swedish)."""
    problems = []
    title, author = clean_name(title or ""), clean_name(author or "")
    ident = deck_id(title)
    if not title or not ident:
        problems.append("Ge bildspelet en titel med minst en bokstav eller siffra.")
    elif len(title) > MAX_TITLE:
        problems.append(f"Titeln är {len(title)} tecken; högst {MAX_TITLE} får plats.")
    if not slides:
        problems.append("Bildspelet har inga bilder; ange en vy-länk per rad.")
    elif len(slides) > MAX_SLIDES:
        problems.append(f"Bildspelet har {len(slides)} bilder; högst {MAX_SLIDES} får plats.")
    bad = [n for n, url in enumerate(slides, start=1) if len(url) > MAX_URL or not _URL.match(url)]
    if bad:
        problems.append("Raderna " + ", ".join(map(str, bad[:10])) + " är inga vy-länkar från appen "
                        "(t.ex. karta?indikator=sysselsattningsgrad_20_64).")
    if not author:
        problems.append("Ange vem som sparar bildspelet.")
    if problems:
        raise ImportRejected("Bildspelet sparades inte: " + " ".join(problems), problems)
    return {"id": ident, "title": title, "slides": list(slides), "author": author[:MAX_AUTHOR],
            "created_at": datetime.now(UTC)}


def save(db: Path | None, title: str, slides: list[str], author: str) -> DeckResult:
    """Save a deck as a new snapshot (replacing a saved deck with the same id); ImportRejected when it
    is not valid (nothing written)."""
    db = dbmod.require(db)
    row = check(title, slides, author)
    with transaction.writers_lock(db) as held:
        based_on = _current_version(db)
        version, kept = _write(db, held, based_on, {"kind": "deck", "saved": row["id"], "based_on": based_on},
                               new_decks=pd.DataFrame([row]))
    return DeckResult(row["id"], version, kept)


def remove(db: Path | None, ident: str) -> DeckResult:
    """Remove the saved deck `ident` as a new snapshot (the kept previous snapshot still has it)."""
    db = dbmod.require(db)
    if not _ID.match(ident or ""):
        raise ImportRejected(f"{str(ident)[:40]!r} är inget bildspels-id.")
    with transaction.writers_lock(db) as held:
        database = dbmod.open_for_writer(db)
        try:
            found = set(database.run("decks").id)
            based_on = database.version
        finally:
            database.close()
        if ident not in found:
            raise ImportRejected(f"Det finns inget sparat bildspel med id {ident}.")
        version, kept = _write(db, held, based_on, {"kind": "deck", "removed": ident, "based_on": based_on},
                               removed_decks=(ident,))
    return DeckResult(ident, version, kept)


def _current_version(db: Path) -> str:
    database = dbmod.open_for_writer(db)
    try:
        return database.version
    finally:
        database.close()


def _write(db: Path, held: transaction.WritersLock, based_on: str, built_from: dict,
           **changes) -> tuple[str, Path | None]:
    return write_change(db, held, based_on, built_from, "Bildspelet kunde inte sparas", **changes)
