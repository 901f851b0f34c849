"""`python -m shb deck`: the bildspel (the default deck, or a saved one) as PowerPoint and PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from shb.core.errors import ShbError
from shb.store import db as dbmod


def deck_urls(database: dbmod.Database, name: str | None, set_id: str) -> tuple[str, list[str]]:
    """The title and slide URLs of the saved deck `name` (its id or title), or of the default deck."""
    from shb.present import deck, text, views

    if not name:
        return text.DEFAULT_DECK_TITLE, deck.default_deck(views.overview(database, set_id), set_id)
    if "deck" not in set(database.run("snapshot_tables").table_name):
        raise ShbError(f"Det finns inget sparat bildspel {name!r}: databasen har inga sparade bildspel.")
    saved = database.run("decks")
    found = saved[(saved.id == name) | (saved.title == name)]
    if found.empty:
        known = ", ".join(saved.id) or "inga"
        raise ShbError(f"Det finns inget sparat bildspel {name!r} (sparade: {known}).")
    return found.title.iloc[0], list(found.slides.iloc[0])


def _cmd_deck(args) -> int:
    from shb.present import slides

    database = dbmod.connect(args.db)
    sets = set(database.run("area_sets").set_id)
    if args.set not in sets:
        raise ShbError(f"Okänd områdesmängd {args.set!r}; välj bland {', '.join(sorted(sets))}.")
    title, urls = deck_urls(database, args.deck, args.set)
    shown = slides.build_slides(database, urls)
    if not shown:
        raise ShbError(f"Bildspelet {title!r} har inga bilder som kan visas.")
    Path(args.out).write_bytes(slides.to_pptx(shown, database.version))
    if args.pdf:
        slides.to_pdf(shown, args.pdf)
    print(f"Bildspelet {title!r} ({len(shown)} bilder, dataversion {database.version}) skrevs till {args.out}"
          + (f" och {args.pdf}" if args.pdf else "") + ".")
    return 0


def register(sub: argparse._SubParsersAction, with_db) -> None:
    d = with_db(sub.add_parser("deck", help="bildspelet som PowerPoint (och PDF)"))
    d.add_argument("--out", type=Path, required=True, help="PowerPoint-fil som skrivs (.pptx)")
    d.add_argument("--pdf", type=Path, default=None, help="PDF-fil som skrivs (kräver chromium)")
    d.add_argument("--deck", default=None, help="ett sparat bildspel (id eller titel); standard: standardbildspelet")
    d.add_argument("--set", default="omradesutveckling", help="områdesmängd (standard: omradesutveckling)")
    d.set_defaults(func=_cmd_deck)
