"""Writing snapshots: build a complete new DuckDB file beside the current one, check it, swap it in.

Readers never see a half-written file: the new snapshot is written under a temporary name, checked,
and moved over the current file with `os.replace`. The file it replaces is kept (hard link, or copy)
under `snapshots/` so it can be listed and restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from shb import paths
from shb.areas import Geography
from shb.catalog import LEVELS, Catalog

SCHEMA = """
create table programme (
    title varchar not null, period varchar not null, goal_title varchar not null,
    goal_description varchar not null);
create table goal_area (
    id integer primary key, title varchar not null, slug varchar not null,
    description varchar, responsible varchar);
create table target (
    id varchar primary key, goal_area_id integer not null references goal_area (id),
    title varchar not null, sort_key integer not null);
create table indicator (
    id varchar primary key, target_id varchar not null references target (id), title varchar not null,
    kind varchar not null, unit varchar not null, unit_label varchar not null,
    direction varchar not null, source varchar not null, source_ref varchar not null,
    source_ref_confirmed boolean not null, licence varchar not null, lowest_level varchar not null,
    levels varchar[] not null, group_dimensions varchar[] not null, population varchar,
    survey boolean not null, frequency varchar not null, definition varchar not null,
    caveats varchar[] not null, sort_key integer not null);
create table area (
    code varchar primary key, name varchar not null, level varchar not null, parent_code varchar,
    centroid_lat double, centroid_lon double, area_km2 double, tatort boolean not null,
    border_changed_2025 boolean not null, police_2025 varchar);
create table district_member (district_code varchar not null, regso_code varchar not null);
create table area_set (id varchar primary key, title varchar not null, description varchar,
    is_default boolean not null);
create table area_set_member (set_id varchar not null, area_code varchar not null);
create table population_group (
    dimension varchar not null, value varchar not null, dimension_label varchar not null,
    label varchar not null, sort_key integer not null, primary key (dimension, value));
create table indicator_group (
    indicator_id varchar not null, dimension varchar not null, value varchar not null,
    sort_key integer not null);
create table area_population (
    area_code varchar not null, year integer not null, population bigint, foreign_born bigint,
    is_demo boolean not null);
create table observation (
    indicator_id varchar not null, level varchar not null, year integer not null,
    area_code varchar not null, group_dim varchar not null, group_value varchar not null,
    value double, numerator bigint, denominator bigint, population bigint, ci_low double,
    ci_high double, status varchar not null check (status in ('ok', 'suppressed', 'missing', 'not_applicable')),
    series_break boolean not null, is_demo boolean not null, source_version varchar not null);
create table snapshot (
    version varchar not null, created_at timestamptz not null, is_demo boolean not null,
    built_from json not null);
create table note (
    id varchar primary key, indicator_id varchar not null, area_code varchar not null,
    year integer, body varchar not null, author varchar not null, created_at timestamptz not null);
"""

# The order observations are stored in: the columns queries filter on first.
OBSERVATION_ORDER = "indicator_id, level, group_dim, year, area_code, group_value"


def catalog_frames(cat: Catalog, geo: Geography) -> dict[str, pd.DataFrame]:
    """The catalog and geography as one frame per table."""
    prog = cat.programme
    programme = pd.DataFrame([{"title": prog["programme"], "period": prog["period"],
                               "goal_title": prog["goal"]["title"],
                               "goal_description": prog["goal"]["description"].strip()}])
    goal_areas = pd.DataFrame([
        {"id": ga.id, "title": ga.title, "slug": ga.slug, "description": ga.description,
         "responsible": ga.responsible} for ga in cat.goal_areas])
    targets = pd.DataFrame([
        {"id": t.id, "goal_area_id": t.goal_area, "title": t.title, "sort_key": i}
        for i, t in enumerate(cat.targets)])
    indicators = pd.DataFrame([
        {"id": i.id, "target_id": i.target, "title": i.title, "kind": i.kind, "unit": i.unit,
         "unit_label": i.unit_label, "direction": i.direction, "source": i.source,
         "source_ref": i.source_ref, "source_ref_confirmed": i.source_ref_confirmed,
         "licence": i.licence, "lowest_level": i.lowest_level, "levels": i.levels,
         "group_dimensions": i.group_dimensions, "population": i.population, "survey": i.survey,
         "frequency": i.frequency, "definition": i.definition.strip(), "caveats": list(i.caveats),
         "sort_key": n} for n, i in enumerate(cat.indicators)])
    groups = pd.DataFrame([
        {"dimension": dim, "value": value, "dimension_label": d["label"], "label": label,
         "sort_key": n}
        for dim, d in cat.groups.items() for n, (value, label) in enumerate(d["values"].items())])
    indicator_groups = pd.DataFrame(
        [{"indicator_id": i.id, "dimension": "total", "value": "alla", "sort_key": 0} for i in cat.indicators]
        + [{"indicator_id": i.id, "dimension": dim, "value": v, "sort_key": n + 1}
           for i in cat.indicators for dim, values in i.groups.items() for n, v in enumerate(values)])
    area_sets = pd.DataFrame([
        {"id": s.id, "title": s.title, "description": s.description, "is_default": s.id == geo.default_set}
        for s in geo.sets])
    members = pd.DataFrame([{"set_id": s.id, "area_code": c} for s in geo.sets for c in s.members])
    area_cols = ["code", "name", "level", "parent_code", "centroid_lat", "centroid_lon", "area_km2",
                 "tatort", "border_changed_2025", "police_2025"]
    areas = geo.areas.reindex(columns=area_cols)
    areas["level_order"] = areas.level.map(LEVELS.index)
    areas = areas.sort_values(["level_order", "code"]).drop(columns="level_order")
    return {
        "programme": programme, "goal_area": goal_areas, "target": targets, "indicator": indicators, "area": areas,
        "district_member": geo.district_members, "area_set": area_sets, "area_set_member": members,
        "population_group": groups, "indicator_group": indicator_groups,
    }


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
    con = duckdb.connect(str(target))
    try:
        con.execute(SCHEMA)
        for name, frame in tables.items():
            con.register("frame", frame)
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            con.execute(f"insert into {name} ({cols}) select {cols} from frame")  # names from code, not users
            con.unregister("frame")
        con.register("frame", population.assign(is_demo=is_demo))
        con.execute("insert into area_population select area_code, year, population, foreign_born, is_demo from frame")
        con.register("obs", observations)
        con.execute(f"insert into observation select * from obs order by {OBSERVATION_ORDER}")
        con.execute("insert into snapshot values ($version, now(), $demo, $built)",
                    {"version": version, "demo": is_demo, "built": json.dumps(built_from, ensure_ascii=False)})
        con.execute("checkpoint")
    finally:
        con.close()
    return version


def check_snapshot(path: Path) -> None:
    """Open a freshly written snapshot read-only and check it is whole; raise ValueError if not."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        (n_snap,) = con.execute("select count(*) from snapshot").fetchone()
        (n_obs,) = con.execute("select count(*) from observation").fetchone()
        (orphans,) = con.execute(
            "select count(*) from observation o anti join indicator i on o.indicator_id = i.id").fetchone()
        (bad_areas,) = con.execute(
            "select count(*) from observation o anti join area a on o.area_code = a.code").fetchone()
    finally:
        con.close()
    if n_snap != 1 or n_obs == 0 or orphans or bad_areas:
        raise ValueError(
            f"Ögonblicksbilden är ofullständig: {n_snap} versionsrader, {n_obs} observationer, "
            f"{orphans} utan indikator, {bad_areas} utan område.")


def snapshot_version(path: Path) -> str | None:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select version from snapshot").fetchone()
    finally:
        con.close()
    return row[0] if row else None


def install(new_file: Path, current: Path) -> Path | None:
    """Keep the current snapshot under snapshots/, then atomically move `new_file` over it.

    Returns the path the previous snapshot was kept at, or None when there was none.
    """
    kept = None
    if current.exists():
        folder = paths.snapshots_dir(current)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"{snapshot_version(current) or new_version()}.duckdb"
        if not kept.exists():
            try:
                os.link(current, kept)
            except OSError:
                shutil.copy2(current, kept)
    os.replace(new_file, current)
    return kept


def temp_path(current: Path) -> Path:
    """A new, unused file name beside `current` for building a snapshot."""
    return current.with_name(f".{current.name}.{os.getpid()}.building")
