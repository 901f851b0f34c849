"""Writing snapshots: the contents of a complete new DuckDB file, its check, and its swap.

Readers never see a half-written file: the new snapshot is written under a temporary name, checked,
and moved over the current file with `os.replace`. The file it replaces is kept (hard link, or copy)
under `snapshots/` so it can be listed and restored. The order of those steps, with the writers'
lock around them, is `shb.store.transaction`: writers go through it, not through `install`.

The fixed statements are named files in `shb/store/sql/` (`statement(name)`). SQL assembled here from
identifiers (table and column names that come from code, never from users) is the written-down
exception; each such place says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from shb.core import paths
from shb.core.areas import Geography
from shb.core.catalog import LEVELS, Catalog
from shb.core.malbild import load_periods
from shb.core.steering import load_steering
from shb.core.targets import load_aims
from shb.store.db import attach_read_only, schema_columns
from shb.store.publication import batches, publish
from shb.store.schema import OBSERVATION_KEY, OBSERVATION_ORDER, SCHEMA, TABLES, statement


def catalog_frames(cat: Catalog, geo: Geography, period_files: list[Path] | None = None) -> dict[str, pd.DataFrame]:
    """The catalog and geography as one frame per table; the målbild periods from `period_files`
    (default: every file in data/malbild/)."""
    prog = cat.programme
    programme = pd.DataFrame([{"title": prog["programme"], "period": prog["period"],
                               "goal_title": prog["goal"]["title"],
                               "goal_description": prog["goal"]["description"].strip()}])
    goal_areas = pd.DataFrame([
        {"id": ga.id, "title": ga.title, "slug": ga.slug, "description": ga.description,
         "responsible": ga.responsible} for ga in cat.all_goal_areas])  # the övergripande mål as 0, first
    targets = pd.DataFrame([
        {"id": t.id, "goal_area_id": t.goal_area, "title": t.title, "sort_key": i}
        for i, t in enumerate(t for ga in cat.all_goal_areas for t in ga.targets)])
    indicators = pd.DataFrame([
        {"id": i.id, "target_id": i.target, "title": i.title, "kind": i.kind, "unit": i.unit,
         "unit_label": i.unit_label, "direction": i.direction, "source": i.source,
         "source_ref": i.source_ref, "source_ref_confirmed": i.source_ref_confirmed,
         "licence": i.licence, "lowest_level": i.lowest_level, "levels": i.levels,
         "group_dimensions": i.group_dimensions, "population": i.population, "survey": i.survey,
         "frequency": i.frequency, "definition": i.definition.strip(), "caveats": list(i.caveats),
         "sort_key": n, "life_stages": list(i.life_stages)} for n, i in enumerate(cat.indicators)])
    groups = pd.DataFrame([
        {"dimension": dim, "value": value, "dimension_label": d["label"], "label": label,
         "sort_key": n}
        for dim, d in cat.groups.items() for n, (value, label) in enumerate(d["values"].items())])
    indicator_groups = pd.DataFrame(
        [{"indicator_id": i.id, "dimension": "total", "value": "alla", "sort_key": 0} for i in cat.indicators]
        # one running sort_key per indicator across its dimensions, so the declared order of dimensions is
        # kept (a key restarting per dimension tied kon/1 with alder/1, and the order came out at random)
        + [{"indicator_id": i.id, "dimension": dim, "value": v, "sort_key": n + 1}
           for i in cat.indicators
           for n, (dim, v) in enumerate((dim, v) for dim, values in i.groups.items() for v in values)])
    area_sets = pd.DataFrame([
        {"id": s.id, "title": s.title, "description": s.description, "is_default": s.id == geo.default_set}
        for s in geo.sets])
    members = pd.DataFrame([{"set_id": s.id, "area_code": c} for s in geo.sets for c in s.members])
    area_cols = ["code", "name", "level", "parent_code", "centroid_lat", "centroid_lon", "area_km2",
                 "tatort", "border_changed_2025", "police_2025"]
    areas = geo.areas.reindex(columns=area_cols)
    areas["level_order"] = areas.level.map(LEVELS.index)
    areas = areas.sort_values(["level_order", "code"]).drop(columns="level_order")
    aims = load_aims(cat, {s.id for s in geo.sets}, only_known=True)
    indicator_targets = pd.DataFrame(
        [{"indicator_id": a.indicator, "scope": a.scope, "value": a.value, "year": a.year, "origin": a.origin,
          "wording": a.wording} for a in aims],
        columns=["indicator_id", "scope", "value", "year", "origin", "wording"])
    periods = period_frames(load_periods(cat, period_files))
    documents = load_steering(cat)
    steering = pd.DataFrame([{"id": d.id, "title": d.title, "kind": d.kind, "basis": d.basis, "sort_key": n}
                             for n, d in enumerate(documents)], columns=["id", "title", "kind", "basis", "sort_key"])
    links = pd.DataFrame([{"document_id": d.id, "target_id": t} for d in documents for t in d.targets],
                         columns=["document_id", "target_id"])
    return {
        "programme": programme, "goal_area": goal_areas, "target": targets, "indicator": indicators, "area": areas,
        "district_member": geo.district_members, "area_set": area_sets, "area_set_member": members,
        "population_group": groups, "indicator_group": indicator_groups, "indicator_target": indicator_targets,
        "steering_document": steering, "steering_link": links, **periods,
    }


def period_frames(periods) -> dict[str, pd.DataFrame]:
    """The målbild periods (shb.core.malbild) as the tables period, period_target and period_indicator."""
    return {
        "period": pd.DataFrame([{"id": p.id, "title": p.title, "first_year": p.first_year, "last_year": p.last_year,
                                 "is_current": p.current} for p in periods]),
        "period_target": pd.DataFrame([
            {"period_id": p.id, "target_id": t.id, "goal_area_id": t.goal_area, "goal_area_title": t.goal_area_title,
             "goal_area_slug": t.goal_area_slug, "goal_area_description": t.goal_area_description,
             "responsible": t.responsible, "target_title": t.title, "sort_key": n}
            for p in periods for n, t in enumerate(p.targets)]),
        "period_indicator": pd.DataFrame(
            [{"period_id": p.id, "indicator_id": i, "target_id": t} for p in periods
             for i, t in p.indicator_targets.items()], columns=["period_id", "indicator_id", "target_id"]),
    }


MERGE_BATCH = 750_000  # observations sorted in one statement when a file is rewritten (whole indicators)


MEMORY_ENV = "SHB_WRITE_MEMORY"  # DuckDB's memory_limit for writing a snapshot, e.g. "500MB" (the default)


def writer_config() -> dict[str, object]:
    """Bounded memory for a writer: DuckDB spills what does not fit (sorting, joins) to a temporary folder
    beside the new file, whatever the size of the data."""
    limit = os.environ.get(MEMORY_ENV, "500MB")
    # Insertion order is not kept where no ORDER BY asks for it (what is stored sorted is inserted with one):
    # keeping it makes DuckDB buffer whole results, which does not fit in the limit for ten million rows.
    return {"memory_limit": limit if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE) else "500MB",
            "preserve_insertion_order": False}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inputs_fingerprint(files: list[Path]) -> dict[str, str]:
    """Short content hashes of the files a snapshot was built from."""
    return {p.relative_to(paths.ROOT).as_posix(): file_sha256(p)[:16] for p in files}


def new_version(now: datetime | None = None) -> str:
    """Version ids sort by time: 20261126T054700Z."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def write_snapshot(
    target: Path,
    tables: dict[str, pd.DataFrame],
    observations: pd.DataFrame,
    population: pd.DataFrame,
    built_from: dict,
    is_demo: bool,
    version: str | None = None,
) -> str:
    """Write a complete snapshot to `target` (which must not exist yet); return its version id."""
    version = version or new_version()
    con = duckdb.connect(str(target), config=writer_config())
    try:
        con.execute(SCHEMA)
        for name, frame in tables.items():
            con.register("frame", frame)
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            # Table and column names from code (catalog_frames), never from users: the written-down exception.
            con.execute(f"insert into {name} ({cols}) select {cols} from frame")
            con.unregister("frame")
        # Rows may say themselves whether they are demo (a real build mixes real and generated years).
        con.register("frame", population if "is_demo" in population else population.assign(is_demo=is_demo))
        con.execute(statement("insert_population"))
        con.unregister("frame")
        con.register("obs", observations)
        # The sort order is identifiers from code (OBSERVATION_ORDER): the written-down exception.
        con.execute(f"insert into observation select * from obs order by {OBSERVATION_ORDER}")
        publish(con)
        con.execute(statement("insert_snapshot_row"),
                    {"version": version, "demo": is_demo, "built": json.dumps(built_from, ensure_ascii=False)})
        con.execute("checkpoint")
    finally:
        con.close()
    return version


def write_derived_snapshot(
    source: Path,
    target: Path,
    added: pd.DataFrame | WorkRows,
    built_from: dict,
    version: str,
    log_entry: dict | None,
    on_stage: Callable[[str], None] = lambda stage: None,
    new_notes: pd.DataFrame | None = None,
    removed_notes: tuple[str, ...] = (),
    new_analyses: pd.DataFrame | None = None,
    new_decks: pd.DataFrame | None = None,
    removed_decks: tuple[str, ...] = (),
    source_version: str | None = None,
    added_rows: int | None = None,
) -> bool:
    """Write to `target` (which must not exist yet) the snapshot `source` changed: the observations in
    `added` replace stored rows with the same key or are added, the notes in `new_notes` are added and
    those with ids in `removed_notes` left out, the samlade analyser in `new_analyses` replace those of the
    same effektmål and year (saved decks likewise: `new_decks` replace decks with the same id); then a new
    snapshot row and, given a `log_entry`, one more import_log row. Only the indicators with added rows
    are published anew. Returns the new `is_demo`: true while any observation or population row is demo data.

    `added` is a frame, a stream of Arrow record batches of observation rows (read once; `added_rows` says
    how many), or `WorkRows`: rows in an import's work connection, which then writes the new file itself;
    `source_version`, when given, is written into every added row.

    The work is in proportion to the change: the file is copied as it is and changed in place, unless the change is large or the file old or worn (`rewrite_reason`), when every table is
    written anew, sorted and compact. `source` is only ever read (copied, or attached read-only), so it
    stays byte-identical whatever happens here.
    """
    in_work = isinstance(added, WorkRows)
    n_hint = added.rows if in_work else len(added) if isinstance(added, pd.DataFrame) else added_rows
    rewrite = rewrite_reason(source, n_hint)
    if rewrite is None:
        shutil.copyfile(source, target)
    con, home = _open_target(target, added.con if in_work else None)
    try:
        present = set(TABLES)
        if rewrite is not None:
            con.execute(SCHEMA)
            # Kept in code: DuckDB's attach is not in the SQL linter's grammar (as the read side's, shb.store.db).
            con.execute("attach $source as previous (read_only)", {"source": str(Path(source).resolve())})
            present = {name for (name,) in con.execute(statement("previous_tables")).fetchall()}
            for name in TABLES:
                if name in present and name not in ("observation", "published_observation", "snapshot"):
                    # Table names from schema.sql (TABLES), never from users: the written-down exception.
                    con.execute(f"insert into main.{name} by name select * from previous.{name}")
        else:
            con.execute(statement("delete_snapshot_row"))
        _written_by_people(con, new_notes, removed_notes, new_analyses, new_decks, removed_decks)
        on_stage("copied")
        n_added, touched = _stage_added(con, added, source_version)
        _change_observations(con, rewrite is None, n_added, touched, "published_observation" in present)
        _drop_added(con, in_work)
        (is_demo,) = con.execute(statement("snapshot_is_demo")).fetchone()
        con.execute(statement("insert_snapshot_row"),
                    {"version": version, "demo": is_demo, "built": json.dumps(built_from, ensure_ascii=False)})
        if log_entry is not None:
            con.register("log_entry", pd.DataFrame([log_entry]))
            con.execute(statement("insert_import_log"))
            con.unregister("log_entry")
        if rewrite is not None:
            con.execute("detach previous")
        con.execute("checkpoint")
    finally:
        _close_target(con, home)
    return bool(is_demo)


@dataclass(frozen=True)
class WorkRows:
    """Observation rows in a DuckDB connection of their own (an import's work connection), to be added by
    `write_derived_snapshot`: the new file is attached to that connection and written through it, so the
    rows are read where they are (never copied through Python) and one memory limit bounds the whole
    import. `query` is SQL made in code over the connection's tables (catalog-qualified, as
    `memory.main.compared`), never from users; `rows` is how many rows it gives; `replacing`, when the
    caller knows them, the keys (OBSERVATION_KEY) of the rows that replace stored ones, so only those are
    looked for among the stored rows."""

    con: duckdb.DuckDBPyConnection
    query: str
    rows: int
    replacing: str | None = None  # the keys of the rows that replace stored ones (default: every row's)


TARGET = "new_snapshot"  # the new file's catalog name in a work connection


def _open_target(target: Path, work: duckdb.DuckDBPyConnection | None) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """A connection writing `target`: its own, bounded by `writer_config`, or the work connection `work`
    with `target` attached as its default catalog (its own memory limit and temporary folder stay); and the
    work connection's own catalog, to go back to (None for an own connection)."""
    if work is None:
        return duckdb.connect(str(target), config=writer_config()), None
    (home,) = work.execute("select current_database()").fetchone()
    # Kept in code: DuckDB's attach and use are not in the SQL linter's grammar; the path is bound.
    work.execute(f"attach $target as {TARGET}", {"target": str(Path(target).resolve())})
    work.execute(f"use {TARGET}")
    work.execute("set preserve_insertion_order = false")
    return work, home


def _close_target(con: duckdb.DuckDBPyConnection, home: str | None) -> None:
    """Close the writing connection, or give the work connection back its own catalog `home` (the new file
    detached, so it is closed whatever happened)."""
    if home is None:
        con.close()
        return
    # The catalog name is the work connection's own (`memory`, or a file stem made in code), never from users.
    con.execute(f"use {home}")
    for name in (TARGET, "previous"):
        with contextlib.suppress(duckdb.Error):
            con.execute(f"detach {name}")


def _stage_added(con: duckdb.DuckDBPyConnection, added, source_version: str | None) -> tuple[int, list[str]]:
    """`added_file`: the rows to add, each with `source_version` when given (a view over a work connection's
    rows, or a table of the new file filled from a frame or Arrow stream); how many, and the indicators."""
    keys = ", ".join(OBSERVATION_KEY)
    if isinstance(added, WorkRows):  # read where they are (the queries are code-made, see WorkRows)
        con.execute("create or replace temp table added_version as select $s::varchar as v", {"s": source_version})
        con.execute("create or replace temp view added_file as select a.* replace (coalesce(v.v, a.source_version) "
                    f"as source_version) from ({added.query}) as a cross join added_version as v")
        con.execute(f"create or replace temp view added_keys as {added.replacing or f'select {keys} from added_file'}")
    elif added is not None and (not isinstance(added, pd.DataFrame) or len(added)):
        con.register("added_stream", added)
        con.execute(statement("stage_added"), {"source_version": source_version})
        con.unregister("added_stream")
        # Key columns from code (OBSERVATION_KEY): the written-down exception.
        con.execute(f"create or replace temp view added_keys as select {keys} from added_file")
    else:
        return 0, []
    n, touched = con.execute(statement("added_summary")).fetchall()[0]
    return int(n), list(touched or [])


def _drop_added(con: duckdb.DuckDBPyConnection, in_work: bool) -> None:
    con.execute("drop view if exists added_keys")
    if in_work:
        con.execute("drop view if exists added_file")
        con.execute("drop table if exists added_version")
    else:
        con.execute(statement("drop_added"))


def _change_observations(con: duckdb.DuckDBPyConnection, in_place: bool, n_added: int, touched: list[str],
                         had_publication: bool) -> None:
    """The observations and their publication with the added rows: changed in place in a copied file (only
    the touched indicators' publication renewed), or written anew from the attached previous snapshot."""
    if in_place:
        if n_added:
            con.execute(statement("delete_replaced_observations"))
            con.execute(statement("insert_added_observations"))
            con.register("renewed", pd.DataFrame({"indicator_id": touched}, dtype=object))
            con.execute(statement("delete_renewed_publication"))
            con.unregister("renewed")
            publish(con, touched)
        return
    if n_added:
        # In batches of whole indicators, in id order: each sorted alone, so the table is sorted as a whole
        # while a sort never holds more than MERGE_BATCH rows (ten million do not fit the memory limit).
        sizes = dict(con.execute(statement("merged_sizes")).fetchall())
        parts = batches(sorted(sizes), sizes, MERGE_BATCH)
        for batch in parts:
            con.register("batch", pd.DataFrame({"indicator_id": batch}, dtype=object))
            con.execute(statement("merge_observations"))
            con.unregister("batch")
            if len(parts) > 1:  # written to the file, so the rows leave memory before the next batch
                con.execute("checkpoint")
    else:
        con.execute(statement("copy_observations"))
    if had_publication:  # what is not renewed is copied, already published
        con.register("renewed", pd.DataFrame({"indicator_id": touched}, dtype=object))
        con.execute(statement("copy_unrenewed_publication"))
        con.unregister("renewed")
        publish(con, touched)
    else:
        publish(con)


REWRITE_SHARE = 0.25  # a change adding more than this share of the stored observations rewrites the file
WORN_SHARE = 0.25  # a file with more than this share of its blocks free (left by changes) is rewritten


def rewrite_reason(source: Path, added_rows: int | None) -> str | None:
    """Why a change of the snapshot `source` writes every table anew (sorted and compact) rather than
    copying the file and changing it in place; None when the copy is the way.

    Copying costs a file copy and the change, whatever the size of the rest; a rewrite costs every row, but
    leaves the observations sorted in one run and no free blocks. So a rewrite when: the change is large
    (`REWRITE_SHARE`, or its size is not known), the file lacks any part of today's schema (an older
    format: a rewrite brings it up to date), it has a write-ahead log beside it, or many of its blocks are
    free (`WORN_SHARE`, after many changes).
    """
    if added_rows is None:
        return "okänd storlek"
    if Path(f"{source}.wal").exists():
        return "loggfil"
    con = duckdb.connect()
    try:
        # Kept in code: DuckDB's attach is not in the SQL linter's grammar (as the read side's, shb.store.db).
        con.execute("attach $source as previous (read_only)", {"source": str(Path(source).resolve())})
        found = set(con.execute(statement("schema_columns"), {"database": "previous"}).fetchall())
        if found != schema_columns():
            return "äldre format"
        (stored,) = con.execute(statement("observation_count")).fetchone()
        total, free = con.execute(statement("free_blocks")).fetchone()
    finally:
        con.close()
    if added_rows > REWRITE_SHARE * stored:
        return "stor ändring"
    if total and free > WORN_SHARE * total:
        return "många fria block"
    return None


def _written_by_people(con: duckdb.DuckDBPyConnection, new_notes: pd.DataFrame | None, removed_notes: tuple[str, ...],
                       new_analyses: pd.DataFrame | None, new_decks: pd.DataFrame | None,
                       removed_decks: tuple[str, ...]) -> None:
    """Apply to the copied tables what analysts wrote: notes added or removed, samlade analyser (one
    replaces its effektmål × year), saved decks (one replaces the deck with its id) added or removed."""
    if removed_notes:
        con.execute(statement("delete_notes"), {"ids": list(removed_notes)})
    if new_notes is not None and len(new_notes):
        con.register("new_notes", new_notes)
        con.execute(statement("insert_notes"))
    if new_analyses is not None and len(new_analyses):
        con.register("new_analyses", new_analyses)
        con.execute(statement("replace_analyses"))
        con.execute(statement("insert_analyses"))
        con.unregister("new_analyses")
    if new_decks is not None and len(new_decks):
        removed_decks = (*removed_decks, *new_decks.id)
    if removed_decks:
        con.execute(statement("delete_decks"), {"ids": list(removed_decks)})
    if new_decks is not None and len(new_decks):
        con.register("new_decks", new_decks)
        con.execute(statement("insert_decks"))


def check_snapshot(path: Path) -> None:
    """Open a freshly written snapshot read-only and check it is whole; raise ValueError if not."""
    con = attach_read_only(path)
    try:
        n_snap, n_obs, orphans, bad_areas = con.execute(statement("check_snapshot")).fetchone()
    finally:
        con.close()
    if n_snap != 1 or n_obs == 0 or orphans or bad_areas:
        raise ValueError(
            f"Ögonblicksbilden är ofullständig: {n_snap} versionsrader, {n_obs} observationer, "
            f"{orphans} utan indikator, {bad_areas} utan område.")


def snapshot_version(path: Path) -> str | None:
    try:
        con = attach_read_only(path)
    except duckdb.Error:
        return None
    try:
        row = con.execute(statement("snapshot_version")).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return row[0] if row else None


def snapshot_versions(path: Path) -> list[str] | None:
    """Every version row of the snapshot file at `path` (a whole one has exactly one), or None when it
    cannot be read as a snapshot."""
    try:
        con = attach_read_only(path)
    except duckdb.Error:
        return None
    try:
        rows = con.execute(statement("snapshot_version")).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def install(new_file: Path, current: Path, before_replace: Callable[[], None] = lambda: None) -> Path | None:
    """Keep the current snapshot under snapshots/, then atomically move `new_file` over it.

    Returns the path the previous snapshot was kept at, or None when there was none. `before_replace`
    runs between the two steps (the transaction's stage hook, for killing a writer there). Called by
    `shb.store.transaction.new_version` only, with the writers' lock held.
    """
    kept = None
    if current.exists():
        folder = paths.snapshots_dir(current)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"{snapshot_version(current) or new_version()}.duckdb"
        if not kept.exists():
            try:
                os.link(current, kept)
            except OSError:  # no hard links here: copy under a temporary name, so a kept file is whole
                partial = kept.with_name(f".{kept.name}.{os.getpid()}.partial")
                shutil.copy2(current, partial)
                os.replace(partial, kept)
    before_replace()
    os.replace(new_file, current)
    return kept


def temp_path(current: Path) -> Path:
    """A new, unused file name beside `current` for building a snapshot."""
    return current.with_name(f".{current.name}.{os.getpid()}.building")
