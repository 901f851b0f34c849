"""The samlad analys per effektmål and follow-up year, written by an analyst as a new snapshot.

The programme asks for a collected analysis in which the numbers are complemented by qualitative
knowledge. One text per effektmål and year, with its author, time and state (*utkast* or *fastställd*);
saving again replaces the text of that effektmål and year (the kept previous snapshot still has the
earlier one). It lives in the snapshot's `analysis` table, written through the one write transaction
like notes (`shb.ingest.notes`), and every later import copies the table on. Values are bound, never
SQL text; the text is shown escaped (shb.core.text.markdown_literal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from shb.core.errors import ImportRejected
from shb.ingest.notes import FIRST_YEAR, checked_text, write_change
from shb.store import db as dbmod
from shb.store import transaction

MAX_LENGTH = 10_000
STATES = ("utkast", "fastställd")


@dataclass(frozen=True)
class AnalysisResult:
    target_id: str
    year: int
    version: str
    kept_previous: Path | None


def check(database: dbmod.Database, target_id: str, year: int, body: str, author: str, state: str) -> dict:
    """The samlad analys as a row, or ImportRejected listing every problem (in Swedish)."""
    problems = []
    if target_id not in set(database.run("goal_structure").target_id):
        problems.append(f"Okänt effektmål {str(target_id)[:20]!r}.")
    try:
        year = int(year)
    except (TypeError, ValueError):
        problems.append(f"Året {str(year)[:20]!r} är inget årtal.")
        year = 0
    if year and not FIRST_YEAR <= year <= date.today().year:
        problems.append(f"Året {year} ligger utanför {FIRST_YEAR}–{date.today().year}.")
    if state not in STATES:
        problems.append(f"Läget ska vara {' eller '.join(STATES)}, inte {str(state)[:20]!r}.")
    body, author, wrong = checked_text(body, author, "Analysen", MAX_LENGTH)
    problems += wrong
    if problems:
        raise ImportRejected("Den samlade analysen sparades inte: " + " ".join(problems), problems)
    return {"target_id": target_id, "year": year, "body": body, "author": author,
            "created_at": datetime.now(UTC), "state": state}


def save(db: Path | None, target_id: str, year: int, body: str, author: str, state: str = "utkast") -> AnalysisResult:
    """Save the samlad analys of `target_id` for `year` as a new snapshot (replacing one for the same
    effektmål and year); ImportRejected when it is not valid (nothing written)."""
    db = dbmod.require(db)
    with transaction.writers_lock(db) as held:
        database = dbmod.open_for_writer(db)
        try:
            row = check(database, target_id, year, body, author, state)
            based_on = database.version
        finally:
            database.close()
        frame = pd.DataFrame([row]).astype({"year": "int32"})
        built_from = {"kind": "analysis", "target": target_id, "year": row["year"], "state": state,
                      "based_on": based_on}
        version, kept = write_change(db, held, based_on, built_from, "Den samlade analysen kunde inte sparas",
                                     new_analyses=frame)
    return AnalysisResult(target_id, row["year"], version, kept)


def analyses(database: dbmod.Database) -> pd.DataFrame:
    """Every samlad analys of the snapshot (none in files made before the analysis table)."""
    if "analysis" not in set(database.run("snapshot_tables").table_name):
        return pd.DataFrame(columns=["target_id", "target_title", "goal_area_id", "year", "body", "author",
                                     "created_at", "state"])
    return database.run("analyses")
