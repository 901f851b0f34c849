"""Analysts' file import: read a CSV or Excel file, check every row, load it as a new snapshot.

The flow is one way, one module a step:

- `shb.ingest.read`: bytes → cells (`read_table`), guarded against oversized, binary and zip-bomb
  files; formulas are never evaluated;
- `shb.ingest.validate`: every problem at once, in Swedish (`shb.ingest.problems`), against the
  catalog and areas of the current snapshot;
- `shb.ingest.load`: new, changed and unchanged values, the dry run, and the new snapshot written
  through the one write transaction (`shb.store.transaction`).

A rejected file writes nothing, and until `os.replace` the temporary file is the only thing written,
so a failed or killed import leaves the current file byte-identical. This module holds the two entry
points (`import_file`, `import_table`, which fetched values go through too) and names what callers use.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from pathlib import Path

from shb.core.text import clean_name
from shb.ingest.load import ImportResult, by_indicator_year, compare, counts, observations, refuse, write
from shb.ingest.read import MB, Limits, RawTable, read_table, upload_limit_bytes
from shb.ingest.validate import FILE_KINDS, FIRST_YEAR, close, load_context, placed, validate
from shb.store import db as dbmod
from shb.store import transaction
from shb.store import writer as store
from shb.store.transaction import PAUSE_ENV

__all__ = ["FIRST_YEAR", "MB", "PAUSE_ENV", "ImportResult", "Limits", "RawTable", "import_file", "import_table",
           "read_table", "upload_limit_bytes"]


def _who() -> str:
    try:
        return clean_name(os.environ.get("USER") or getpass.getuser()) or "okänd"
    except (OSError, KeyError):
        return "okänd"


def import_file(path: Path, db: Path | None = None, *, dry_run: bool = False, overwrite: bool = False,
                limits: Limits | None = None, username: str | None = None) -> ImportResult:
    """Check `path` against the snapshot at `db` and, unless `dry_run`, load it as a new snapshot.

    Raises ImportRejected (with the whole report) when the file has problems, or when it would change
    stored values and `overwrite` (--replace) is false; ImportFailed or DatabaseMissing for anything else.
    Nothing is written unless the whole file is accepted.
    """
    path, limits = Path(path), limits or Limits()
    table = read_table(path, limits)
    try:
        transaction.stage("read")
        return import_table(table, clean_name(path.name), store.file_sha256(path), db, dry_run=dry_run,
                            overwrite=overwrite, limits=limits, username=username)
    finally:
        if table.staged is not None:  # closed by validation already, unless something failed before it
            table.staged.close()


def import_table(table: RawTable, name: str, sha: str, db: Path | None = None, *, dry_run: bool = False,
                 overwrite: bool = False, limits: Limits | None = None, username: str | None = None,
                 noun: str = "Filen") -> ImportResult:
    """Check the cells of `table` (from a file or a connector, named `name` in messages and the import log)
    against the snapshot at `db` and, unless `dry_run`, load them as a new snapshot (see `import_file`).

    `username` is who loads the data (the signed-in analyst; the OS user when not given); `noun` names
    the source in a rejection ("Filen x.csv avvisades", "Hämtningen SCB TAB6680 avvisades"). The writers'
    lock is held from reading the snapshot to installing the new one (a dry run takes none). Both names
    are stored and printed without control or direction characters (`shb.core.text.clean_name`)."""
    db, limits = dbmod.require(db), limits or Limits()
    name, username = clean_name(name), None if username is None else clean_name(username)
    with contextlib.nullcontext() if dry_run else transaction.writers_lock(db) as held:
        database = dbmod.open_for_writer(db)
        try:
            ctx = load_context(database)
        finally:
            database.close()
        checked = validate(table, ctx, limits)
        try:
            if table.kind not in FILE_KINDS:  # fetched values: say where by area, year and group
                checked.problems = placed(checked.problems, table)
            observations(checked, ctx, f"import:{name}")
            compare(checked, db, old_values=not overwrite)  # listed only when refused for want of --replace
            n = counts(checked)
            refuse(checked, n["ändrad"], name, overwrite, limits, noun)
            transaction.stage("validated")
            result = ImportResult(name, sha, sum(n.values()), n["ny"], n["ändrad"], n["oförändrad"],
                                  by_indicator_year(checked), dry_run, based_on=ctx.version, encoding=table.encoding)
            if dry_run or n["ny"] + (n["ändrad"] if overwrite else 0) == 0:
                return result
            return write(db, result, checked, overwrite, username or _who(), held)
        finally:
            close(checked)
