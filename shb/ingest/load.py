"""Loading checked values: compare with what is stored, report a dry run, write through the transaction.

New, changed and unchanged values are counted against what the snapshot holds; changes are refused
without --replace; the new snapshot is written through the one write transaction
(`shb.store.transaction`).

The demo flag of a mixed database: each observation keeps its own `is_demo`; the snapshot's
`is_demo` stays true as long as any observation or population figure in it is demo data, so the
app's demo banner stays up until no generated number can be shown. Imported rows are never demo.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from shb.core.areas import BREAK_YEAR
from shb.core.errors import ImportRejected
from shb.core.format import number
from shb.ingest.problems import Problem, counted, integer, report
from shb.ingest.read import Limits
from shb.ingest.validate import KEY, Checked, Context, release_accepted
from shb.store import transaction
from shb.store import writer as store
from shb.store.schema import OBS_COLUMNS

FIELDS = ["value", "numerator", "denominator", "ci_low", "ci_high", "status"]


def observations(checked: Checked, ctx: Context, source_version: str) -> None:
    """View `obs` in the work connection: the accepted rows as observation records (the table's columns),
    read once by `compare` (never copied whole).

    `population` is the file's befolkning column; without it, a register share or rate (not a survey)
    takes its denominator, as the demo data does, and everything else is left empty.
    """
    con = checked.con
    # Tables, not registered frames or bound parameters: a view reads them when it is read.
    con.register("break_frame", pd.DataFrame({"code": sorted(ctx.series_break_areas)}, dtype=object))
    con.execute("create or replace table break_areas as select code::varchar as code from break_frame")
    con.unregister("break_frame")
    con.execute("create or replace table obs_source as select $source::varchar as source_version",
                {"source": source_version})
    con.execute(f"""
        create view obs as
        select a.indicator_id, a.level, a.year::integer as year, a.area_code, a.group_dim, a.group_value,
               a.varde as value, round(a.taljare)::bigint as numerator, round(a.namnare)::bigint as denominator,
               round(coalesce(a.befolkning, case when k.kind in ('share', 'rate') and not k.survey
                                                  then a.namnare end))::bigint as population,
               a.ki_lag as ci_low, a.ki_hog as ci_high, a.status,
               (a.year = {int(BREAK_YEAR)} and a.area_code in (select code from break_areas)) as series_break,
               false as is_demo, s.source_version, a.row
        from accepted as a join l_info as k using (indicator_id) cross join obs_source as s""")


def _same(col: str) -> str:
    """SQL: the new and the stored field agree (numbers to 1e-9, relative; both missing agree)."""
    if col == "status":
        return "o.status = p.status"
    x, y = f"o.{col}::double", f"p.{col}::double"
    return (f"(({x} is null and {y} is null) or coalesce(abs({x} - {y}) <= 1e-9 * greatest(1.0, abs({x}), abs({y})),"
            " false))")


def compare(checked: Checked, db: Path, old_values: bool = True) -> None:
    """Table `compared`: `obs` with `change` (ny / ändrad / oförändrad); with `old_values`, table `before`:
    for the changed rows only, the stored fields and whether the stored value was demo data (read only to
    list them when an import without --replace is refused). The snapshot is attached read-only; only the
    touched indicators are read.

    The stored fields are kept for the changed rows alone, not carried on every row: for a file of new
    values they were seven columns of nulls, held in the work connection's memory through the write."""
    con = checked.con
    con.execute("attach $db as current_snapshot (read_only)", {"db": str(Path(db).resolve())})
    same = " and ".join(_same(c) for c in FIELDS)
    keys = ", ".join(KEY)
    stored = ", ".join(dict.fromkeys([*KEY, *FIELDS, "is_demo"]))
    # The stored rows of the checked rows' indicators (a superset of the accepted rows'), read from the one
    # column of `judged`, not by deriving `obs` a second time.
    con.execute(f"create view stored as select {stored} from current_snapshot.observation "
                "where indicator_id in (select distinct indicator_id from judged)")
    con.execute(f"""
        create table compared as
        select o.*,
               case when p.indicator_id is null then 'ny' when {same} then 'oförändrad' else 'ändrad' end as change
        from obs as o left join stored as p using ({keys})""")
    if old_values:
        old = ", ".join(f"p.{c} as old_{c}" for c in [*FIELDS, "is_demo"])
        con.execute(f"""
            create table before as
            select o.row, {old}
            from (select row, {keys} from compared where change = 'ändrad') as o join stored as p using ({keys})""")
    con.execute("drop view stored")
    con.execute("detach current_snapshot")
    con.execute("drop view obs")
    release_accepted(con)


def counts(checked: Checked) -> dict[str, int]:
    got = dict(checked.con.execute("select change, count(*) from compared group by change").fetchall())
    return {c: int(got.get(c, 0)) for c in ("ny", "ändrad", "oförändrad")}


@dataclass(frozen=True)
class ImportResult:
    """What an import (or a dry run) found and did."""

    file_name: str
    sha256: str
    rows: int
    new: int
    changed: int
    unchanged: int
    by_indicator_year: pd.DataFrame  # indicator_id, year, ny, ändrad, oförändrad
    dry_run: bool
    version: str | None = None  # the new snapshot's version; None when nothing was written
    based_on: str | None = None
    kept_previous: Path | None = None
    encoding: str = ""

    def summary(self) -> str:
        counts = (f"{counted(self.new, 'nytt värde', 'nya värden')}, {integer(self.changed)} ändrade, "
                  f"{integer(self.unchanged)} oförändrade")
        if self.dry_run:
            return f"Provkörning av {self.file_name} ({self.encoding}): {counts}. Inget har skrivits."
        if self.version is None:
            return f"{self.file_name}: {counts}. Inget nytt att läsa in; databasen är oförändrad."
        kept = f" Föregående version {self.based_on} sparad som {self.kept_previous}." if self.kept_previous else ""
        return f"Läste in {self.file_name}: {counts}. Ny version {self.version}.{kept}"

    def report(self) -> str:
        """The summary, and for a dry run the counts per indicator and year (what the command line prints)."""
        if self.dry_run and len(self.by_indicator_year):
            return f"{self.summary()}\n{table_text(self.by_indicator_year)}"
        return self.summary()


def by_indicator_year(checked: Checked) -> pd.DataFrame:
    return checked.con.execute("""
        select indicator_id, year,
               count(*) filter (where change = 'ny') as "ny",
               count(*) filter (where change = 'ändrad') as "ändrad",
               count(*) filter (where change = 'oförändrad') as "oförändrad"
        from compared group by indicator_id, year order by indicator_id, year""").df()


def table_text(counts: pd.DataFrame) -> str:
    lines = [f"  {'indikator':<42} {'år':>4} {'nya':>8} {'ändrade':>8} {'oförändrade':>12}"]
    lines += [f"  {r.indicator_id:<42} {r.year:>4} {integer(r.ny):>8} {integer(r.ändrad):>8} {integer(r.oförändrad):>12}"
              for r in counts.itertuples(index=False)]
    return "\n".join(lines)


def changes_preview(checked: Checked, shown: int = 50) -> str:
    n, demo = checked.con.execute("select count(*), count(*) filter (where old_is_demo) from before").fetchall()[0]
    changed = checked.con.execute("select * from compared join before using (row) order by row limit $n",
                                  {"n": shown}).df()
    of_demo = f" (varav {counted(demo, 'demovärde', 'demovärden')})" if demo else ""
    lines = [f"{counted(n, 'värde', 'värden')} finns redan med andra uppgifter{of_demo}. "
             "Kör igen med --replace för att ersätta dem:"]
    for r in changed.head(shown).itertuples(index=False):
        old = number(r.old_value, 2) if r.old_status == "ok" else r.old_status
        new = number(r.value, 2) if r.status == "ok" else r.status
        lines.append(f"  rad {r.row}: {r.indicator_id} {r.area_code} {r.year} {r.group_dim}/{r.group_value}: "
                     f"{old} → {new}")
    if n > shown:
        lines.append(f"  … visar {shown} av {integer(n)} ändrade värden.")
    return "\n".join(lines)


def refuse(checked: Checked, changed: int, name: str, overwrite: bool, limits: Limits,
           noun: str = "Filen") -> None:
    """ImportRejected listing the file's problems, and the stored values it would change without --replace."""
    problems, total = list(checked.problems), checked.total
    extra = ""
    if changed and not overwrite:
        total += 1
        why = (f"{counted(changed, 'värde', 'värden')} skulle ändra det som redan finns i databasen (se nedan); "
               "kör med --replace för att ersätta dem")
        problems = [*problems, Problem(None, None, None, why)][: limits.shown]
        extra = changes_preview(checked, limits.shown)
    if total:
        raise ImportRejected(report(problems, total, name, extra, noun), problems, total)


def write(db: Path, result: ImportResult, checked: Checked, overwrite: bool, username: str,
          held: transaction.WritersLock | None = None) -> ImportResult:
    """Load the new values (and, with `overwrite`, the changed ones) as a new snapshot of `db`, through the
    one write transaction (under the writers' lock `held` when the caller holds it); the current file is
    only ever replaced whole. The work connection writes the new file itself (`WorkRows`): the values are
    never copied through Python, and its one memory limit bounds the whole import, whatever the file's size."""
    # Code-made SQL over the work connection's own table, named with its catalog (`memory`, or the file's).
    (home,) = checked.con.execute("select current_database()").fetchone()
    changes = "'ny', 'ändrad'" if overwrite else "'ny'"
    # The stored rows replaced are those the comparison found changed: only their keys are looked for.
    added = store.WorkRows(checked.con, f"select {', '.join(OBS_COLUMNS)} from {home}.main.compared "
                                        f"where change in ({changes})", result.new + (result.changed if overwrite else 0),
                           replacing=f"select {', '.join(KEY)} from {home}.main.compared "
                                     "where change = 'ändrad'")
    built_from = {"kind": "import", "file": result.file_name, "sha256": result.sha256,
                  "based_on": result.based_on, "rows": result.rows, "new": result.new,
                  "changed": result.changed if overwrite else 0, "replace": overwrite}
    with transaction.new_version(db, held=held, based_on=result.based_on,
                                 failure="Importen kunde inte skrivas") as tx:
        source = f"import {tx.version}: {result.file_name}"
        log = {"logged_at": datetime.now(UTC), "username": username[:120], "file_name": result.file_name,
               "sha256": result.sha256, "rows": result.rows, "new_values": result.new,
               "changed_values": result.changed if overwrite else 0, "unchanged_values": result.unchanged,
               "result": "inläst med --replace" if overwrite else "inläst", "version": tx.version}
        store.write_derived_snapshot(db, tx.path, added, built_from, tx.version, log, on_stage=transaction.stage,
                                     source_version=source)
    return replace(result, version=tx.version, kept_previous=tx.kept_previous)
