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

import numpy as np
import pandas as pd

from shb.core.areas import BREAK_YEAR
from shb.core.errors import ImportRejected
from shb.core.format import number
from shb.ingest.problems import Problem, counted, integer, report
from shb.ingest.read import Limits
from shb.ingest.validate import KEY, Checked, Context
from shb.store import db as dbmod
from shb.store import transaction
from shb.store import writer as store
from shb.store.schema import OBS_COLUMNS

FIELDS = ["value", "numerator", "denominator", "ci_low", "ci_high", "status"]


def observations(rows: pd.DataFrame, ctx: Context, source_version: str) -> pd.DataFrame:
    """Validated rows as observation records (the table's columns and types).

    `population` is the file's befolkning column; without it, a register share or rate (not a survey)
    takes its denominator, as the demo data does, and everything else is left empty.
    """
    survey = rows.indicator_id.map(ctx.indicators.survey.to_dict()).astype(bool)
    registered = rows.indicator_id.map(ctx.indicators.kind.to_dict()).isin(["share", "rate"]) & ~survey
    population = rows.befolkning.where(rows.befolkning.notna(), rows.namnare.where(registered))
    return pd.DataFrame({
        "indicator_id": rows.indicator_id.astype(str), "level": rows.level.astype(str),
        "year": rows.year.astype("int32"), "area_code": rows.area_code.astype(str),
        "group_dim": rows.group_dim.astype(str), "group_value": rows.group_value.astype(str),
        "value": rows.varde.astype(float), "numerator": rows.taljare.round().astype("Int64"),
        "denominator": rows.namnare.round().astype("Int64"), "population": population.round().astype("Int64"),
        "ci_low": rows.ki_lag.astype(float), "ci_high": rows.ki_hog.astype(float),
        "status": rows.status.astype(str),
        "series_break": (rows.year == BREAK_YEAR) & rows.area_code.isin(ctx.series_break_areas),
        "is_demo": False, "source_version": source_version, "row": rows.row.astype(int),
    })


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    if not (pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)):
        return a.astype(str) == b.astype(str)
    x, y = a.astype(float), b.astype(float)
    close = (x - y).abs() <= 1e-9 * np.maximum(1.0, np.maximum(x.abs(), y.abs()))
    return (x.isna() & y.isna()) | close.fillna(False)


def compare(new: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """`new` with `change` (ny / ändrad / oförändrad), the stored value and whether it was demo data."""
    old = existing[KEY + FIELDS + ["is_demo"]].rename(columns={c: f"old_{c}" for c in FIELDS + ["is_demo"]})
    m = new.merge(old, on=KEY, how="left", indicator=True)
    present = m.pop("_merge") == "both"
    same = pd.Series(True, index=m.index)
    for col in FIELDS:
        same &= _same(m[col], m[f"old_{col}"])
    m["change"] = np.where(~present, "ny", np.where(same, "oförändrad", "ändrad"))
    return m


def existing_observations(database: dbmod.Database, indicators: list[str]) -> pd.DataFrame:
    frames = [database.run("indicator_observations", indicator=i) for i in indicators]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEY + FIELDS + ["is_demo"])


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


def by_indicator_year(compared: pd.DataFrame) -> pd.DataFrame:
    counts = compared.groupby(["indicator_id", "year", "change"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["ny", "ändrad", "oförändrad"], fill_value=0)
    return counts.reset_index().rename_axis(columns=None)


def table_text(counts: pd.DataFrame) -> str:
    lines = [f"  {'indikator':<42} {'år':>4} {'nya':>8} {'ändrade':>8} {'oförändrade':>12}"]
    lines += [f"  {r.indicator_id:<42} {r.year:>4} {integer(r.ny):>8} {integer(r.ändrad):>8} {integer(r.oförändrad):>12}"
              for r in counts.itertuples(index=False)]
    return "\n".join(lines)


def changes_preview(compared: pd.DataFrame, labels: dict[str, str], shown: int = 50) -> str:
    changed = compared[compared.change == "ändrad"].sort_values("row")
    demo = int(changed.old_is_demo.fillna(False).astype(bool).sum())
    of_demo = f" (varav {counted(demo, 'demovärde', 'demovärden')})" if demo else ""
    lines = [f"{counted(len(changed), 'värde', 'värden')} finns redan med andra uppgifter{of_demo}. "
             "Kör igen med --replace för att ersätta dem:"]
    for r in changed.head(shown).itertuples(index=False):
        old = number(r.old_value, 2) if r.old_status == "ok" else r.old_status
        new = number(r.value, 2) if r.status == "ok" else r.status
        lines.append(f"  rad {r.row}: {r.indicator_id} {r.area_code} {r.year} {r.group_dim}/{r.group_value}: "
                     f"{old} → {new}")
    if len(changed) > shown:
        lines.append(f"  … visar {shown} av {integer(len(changed))} ändrade värden.")
    return "\n".join(lines)


def refuse(checked: Checked, compared: pd.DataFrame, name: str, overwrite: bool, limits: Limits,
            noun: str = "Filen") -> None:
    """ImportRejected listing the file's problems, and the stored values it would change without --replace."""
    problems, total = list(checked.problems), checked.total
    changed = int((compared.change == "ändrad").sum())
    extra = ""
    if changed and not overwrite:
        total += 1
        why = (f"{counted(changed, 'värde', 'värden')} skulle ändra det som redan finns i databasen (se nedan); "
               "kör med --replace för att ersätta dem")
        problems = [*problems, Problem(None, None, None, why)][: limits.shown]
        extra = changes_preview(compared, checked.labels, limits.shown)
    if total:
        raise ImportRejected(report(problems, total, name, extra, noun), problems, total)


def write(db: Path, result: ImportResult, compared: pd.DataFrame, overwrite: bool, username: str,
          held: transaction.WritersLock | None = None) -> ImportResult:
    """Load the new values (and, with `overwrite`, the changed ones) as a new snapshot of `db`, through the
    one write transaction (under the writers' lock `held` when the caller holds it); the current file is
    only ever replaced whole."""
    take = compared.change.eq("ny") | (compared.change.eq("ändrad") & overwrite)
    added = compared.loc[take, OBS_COLUMNS].copy()
    built_from = {"kind": "import", "file": result.file_name, "sha256": result.sha256,
                  "based_on": result.based_on, "rows": result.rows, "new": result.new,
                  "changed": result.changed if overwrite else 0, "replace": overwrite}
    with transaction.new_version(db, held=held, based_on=result.based_on,
                                 failure="Importen kunde inte skrivas") as tx:
        added["source_version"] = f"import {tx.version}: {result.file_name}"
        log = {"logged_at": datetime.now(UTC), "username": username[:120], "file_name": result.file_name,
               "sha256": result.sha256, "rows": result.rows, "new_values": result.new,
               "changed_values": result.changed if overwrite else 0, "unchanged_values": result.unchanged,
               "result": "inläst med --replace" if overwrite else "inläst", "version": tx.version}
        store.write_derived_snapshot(db, tx.path, added, built_from, tx.version, log, on_stage=transaction.stage)
    return replace(result, version=tx.version, kept_previous=tx.kept_previous)
