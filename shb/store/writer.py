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

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
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
from shb.store.db import attach_read_only
from shb.store.schema import OBSERVATION_KEY, OBSERVATION_ORDER, SCHEMA, TABLES, statement

PUBLISH_BATCH = 500_000  # observations published in one pass (whole indicators; one larger goes alone)


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


def publish(con: duckdb.DuckDBPyConnection, indicators: list[str] | None = None) -> None:
    """Fill `published_observation`: every observation after the suppression rule and secondary
    suppression (shb.suppression). Pages, exports and reports read only this table.

    With `indicators`, only those are published anew and the others are copied from the attached
    `previous` snapshot (an import touches few indicators).
    """
    from shb.store import suppression

    rule = suppression.load_rule()
    areas = con.execute(statement("deso_parents")).df()
    members = con.execute(statement("district_regso")).df()
    regso_of_deso = dict(zip(areas.code, areas.parent_code))
    districts = {d: g.regso_code.tolist() for d, g in members.groupby("district_code")}
    con.execute(statement("clear_publication"))
    todo = [i for (i,) in con.execute(statement("observed_indicators")).fetchall()]
    if indicators is not None and not indicators:  # nothing renewed: the publication is copied whole
        con.execute(statement("copy_publication"))
        return
    con.execute(statement("publication_parts"))
    if indicators is not None:
        con.register("renewed", pd.DataFrame({"indicator_id": list(indicators)}))
        con.execute(statement("copy_unrenewed_publication"))
        con.unregister("renewed")
        todo = [i for i in todo if i in set(indicators)]
    # Indicators without counts, or exempt from the rule, need no secondary suppression: one statement.
    con.register("batch", pd.DataFrame({"indicator_id": todo}, dtype=object))
    con.register("exempt", pd.DataFrame({"indicator_id": sorted(rule.exempt)}, dtype=object))
    counted = {i for (i,) in con.execute(statement("indicators_with_counts")).fetchall()} - rule.exempt
    con.unregister("batch")
    con.register("batch", pd.DataFrame({"indicator_id": [i for i in todo if i not in counted]}, dtype=object))
    con.execute(statement("publish_by_rule"), {"min_count": rule.min_count, "min_denominator": rule.min_denominator})
    con.unregister("batch")
    con.unregister("exempt")
    todo = [i for i in todo if i in counted]
    # The others in batches of whole indicators (sums never cross indicators), so memory stays bounded.
    sizes = dict(con.execute(statement("observations_per_indicator")).fetchall())
    batch: list[str] = []
    filled = 0
    for indicator in [*todo, None]:
        if indicator is not None and (not batch or filled + sizes.get(indicator, 0) <= PUBLISH_BATCH):
            batch.append(indicator)
            filled += sizes.get(indicator, 0)
            continue
        if batch:
            con.register("batch", pd.DataFrame({"indicator_id": batch}, dtype=object))
            rows = con.execute(statement("observations_of_indicators")).df()
            con.unregister("batch")
            con.register("published", suppression.apply(rows, rule, regso_of_deso, districts))
            con.execute(statement("insert_published"))
            con.unregister("published")
        batch, filled = ([indicator], sizes.get(indicator, 0)) if indicator is not None else ([], 0)
    # Stored sorted by what queries filter on, like observation. Built from identifiers in code
    # (OBSERVATION_ORDER): the written-down exception to SQL in named files.
    con.execute(f"insert into published_observation select * from publication_parts order by {OBSERVATION_ORDER}")
    con.execute("drop table publication_parts")


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
    added: pd.DataFrame,
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
) -> bool:
    """Write to `target` (which must not exist yet) a copy of every table of the snapshot `source`, in
    which the observations in `added` replace stored rows with the same key or are added, the notes in
    `new_notes` are added and those with ids in `removed_notes` left out, the samlade analyser in
    `new_analyses` replace those of the same effektmål and year (saved decks likewise: `new_decks`
    replace decks with the same id); then a new snapshot row and,
    given a `log_entry`, one more import_log row. Observations stay sorted. Returns the new `is_demo`:
    true while any observation or population row is demo data.

    `added` is a frame, or a stream of Arrow record batches of observation rows (an import's, from its
    work connection, read once in bounded batches); `source_version`, when given, is written into every
    added row.

    `source` is only ever attached read-only, so it stays byte-identical whatever happens here.
    """
    con = duckdb.connect(str(target), config=writer_config())
    try:
        con.execute(SCHEMA)
        # Kept in code: DuckDB's attach is not in the SQL linter's grammar (as the read side's, shb.store.db).
        con.execute("attach $source as previous (read_only)", {"source": str(Path(source).resolve())})
        present = {name for (name,) in con.execute(statement("previous_tables")).fetchall()}
        for name in TABLES:
            if name in present and name not in ("observation", "published_observation", "snapshot"):
                # Table names from schema.sql (TABLES), never from users: the written-down exception.
                con.execute(f"insert into main.{name} by name select * from previous.{name}")
        _written_by_people(con, new_notes, removed_notes, new_analyses, new_decks, removed_decks)
        on_stage("copied")
        keys = ", ".join(OBSERVATION_KEY)
        if not isinstance(added, pd.DataFrame):  # a stream of record batches from an import's work connection
            con.register("added_stream", added)
            # A table of the new file, not a temporary one: DuckDB can move it out of memory (a temporary
            # table of ten million rows does not fit in the writer's memory limit). Dropped before the end.
            con.execute("create table added_file as select * replace (coalesce($s, source_version) as source_version) "
                        "from added_stream", {"s": source_version})
            con.unregister("added_stream")
            n_added, touched = con.execute("select count(*), list(distinct indicator_id) from added_file").fetchall()[0]
        else:
            if source_version is not None:
                added = added.assign(source_version=source_version)
            n_added, touched = len(added), sorted(set(added.indicator_id))
        if n_added:
            if isinstance(added, pd.DataFrame):
                con.register("added_file", added)
            # Key and sort columns from code (OBSERVATION_KEY, OBSERVATION_ORDER): the written-down exception.
            # The stored rows an added row replaces are found with a left join (DuckDB builds its hash table on
            # the smaller side; an anti join always builds on the added rows, which may be ten million).
            con.execute(
                "insert into observation by name select * from ("
                f"  select p.* exclude (replaced) from (select o.*, a.replaced from previous.observation as o"
                f"    left join (select {keys}, true as replaced from added_file) as a using ({keys})) as p"
                "  where p.replaced is null"
                "  union all by name select * from added_file"
                f") order by {OBSERVATION_ORDER}")
        else:  # already sorted
            con.execute(statement("copy_observations"))
        has_published = "published_observation" in present
        publish(con, sorted(touched or []) if has_published else None)
        (is_demo,) = con.execute(statement("snapshot_is_demo")).fetchone()
        con.execute(statement("insert_snapshot_row"),
                    {"version": version, "demo": is_demo, "built": json.dumps(built_from, ensure_ascii=False)})
        if log_entry is not None:
            con.register("log_entry", pd.DataFrame([log_entry]))
            con.execute(statement("insert_import_log"))
        if not isinstance(added, pd.DataFrame):
            con.execute("drop table added_file")
        con.execute("detach previous")
        con.execute("checkpoint")
    finally:
        con.close()
    return bool(is_demo)


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
