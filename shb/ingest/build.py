"""Building a snapshot from the committed catalog: real open statistics where they exist, demo elsewhere.

`build_snapshot(db)` is what `make run` does on a fresh machine: every indicator that data/real/ can
give honestly (shb.ingest.real) gets only its real values, every other indicator only generated demo
values, so no indicator mixes the two; population is real for the years and levels SCB's file covers
and generated elsewhere, each row saying which. `build_snapshot(db, demo_only=True)` (`build --demo`)
stays all demo for tests and benchmarks. Both write through the one write transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shb.core import paths
from shb.core.areas import load_geography
from shb.core.catalog import load_catalog
from shb.core.targets import load_aims
from shb.geo import geometry
from shb.ingest import demo, real
from shb.store import transaction
from shb.store import writer as store

POPULATION_SUBJECT = "befolkning"  # the source record of the population figures


@dataclass(frozen=True)
class BuildResult:
    version: str
    db: Path
    observations: int
    seconds: float
    kept_previous: Path | None
    real_indicators: tuple[str, ...] = field(default=())
    # where the time went: reading the catalog and generating (generate_s), the real data where asked and the
    # catalog tables (tables_s), writing the snapshot
    # (write_snapshot: tables, publication, check), and the rest (lock, install, geometry)
    split: dict[str, float] = field(default_factory=dict)


def build_demo_snapshot(db: Path, period_files: list[Path] | None = None) -> BuildResult:
    """An all-demo snapshot (`build --demo`): tests and benchmarks."""
    return build_snapshot(db, demo_only=True, period_files=period_files)


def build_snapshot(db: Path, demo_only: bool = False, period_files: list[Path] | None = None) -> BuildResult:
    """Build a snapshot beside `db`, check it and swap it in (the one write transaction). The målbild
    periods are the files in data/malbild/, or `period_files` (a test's second period).

    ImportFailed at once, before anything is generated, while another writer holds the writers' lock:
    a build during an import is refused, never run beside it.
    """
    started = time.perf_counter()
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with transaction.writers_lock(db) as held:
        cat = load_catalog()
        geo = load_geography()
        load_aims(cat, {s.id for s in geo.sets})  # målvärden checked strictly before anything is built
        data = demo.build_demo(cat, geo)
        generated = time.perf_counter()
        observations, population = data.observations, data.population.assign(is_demo=True)
        records = pd.DataFrame(columns=["subject", "citation", "licence", "files", "source_ids", "origin",
                                        "retrieved", "transformation"])
        period_files = sorted(period_files if period_files is not None else paths.MALBILD_DIR.glob("*.yaml"))
        inputs = [*period_files, paths.INDICATORS, paths.GROUPS, paths.AREA_SETS, paths.DEMO_PROFILE,
                  paths.TARGETS, paths.STEERING, *sorted(paths.AREAS.glob("*.csv"))]
        built_from = {"kind": "demo", "generator": demo.GENERATOR_VERSION}
        real_ids: list[str] = []
        if not demo_only:
            found = real.real_data(cat, geo)
            real_ids = sorted(set(real.real_indicator_ids()) | set(found.observations.indicator_id))
            observations = combine_observations(observations, found.observations, real_ids)
            population = combine_population(population, found.population,
                                            geo.areas.set_index("code").parent_code)
            records = source_records(found)
            inputs += sorted(p for p in real.REAL_DIR.iterdir() if p.is_file())
            built_from = {"kind": "real", "generator": demo.GENERATOR_VERSION, "real_indicators": len(real_ids)}
        built_from["inputs"] = store.inputs_fingerprint(inputs)
        tables = store.catalog_frames(cat, geo, period_files) | {"source_record": records}
        is_demo = bool(observations.is_demo.any() or population.is_demo.any())
        prepared = time.perf_counter()
        with transaction.new_version(db, held=held, failure="Databasen kunde inte byggas") as tx:
            write_started = time.perf_counter()
            store.write_snapshot(tx.path, tables, observations, population, built_from, is_demo=is_demo,
                                 version=tx.version)
            written = time.perf_counter() - write_started
            # schematic layers only where no real geometry was imported; imported layers are kept
            geometry.ensure_schematic(paths.geometry_dir(db), geo, held=held)
    seconds = time.perf_counter() - started
    split = {"generate_s": generated - started, "tables_s": prepared - generated, "write_s": written}
    split["other_s"] = seconds - sum(split.values())
    return BuildResult(tx.version, db, len(observations), seconds, tx.kept_previous, tuple(real_ids),
                       {k: round(v, 3) for k, v in split.items()})


def combine_observations(generated: pd.DataFrame, found: pd.DataFrame, real_ids: list[str]) -> pd.DataFrame:
    """Generated rows for every indicator not in `real_ids`, and for those only the real rows: an indicator
    is real or demo, never a mix (what a real source lacks stays absent, shown as missing)."""
    kept = generated[~generated.indicator_id.isin(real_ids)]
    return pd.concat([kept, found[found.indicator_id.isin(real_ids)][kept.columns]], ignore_index=True)


def combine_population(generated: pd.DataFrame, found: pd.DataFrame, parent: pd.Series) -> pd.DataFrame:
    """Real population where SCB's file has the area and year; generated (and marked demo) elsewhere, scaled
    per area by real ÷ generated over the years both have (DeSO by their RegSO's factor), so a series does
    not jump where the real years end."""
    key = ["area_code", "year"]
    real_rows = found.assign(is_demo=False)[[*key, "population", "foreign_born", "is_demo"]]
    both = generated.merge(real_rows, on=key, suffixes=("", "_real"))
    factor = both.groupby("area_code").population_real.sum() / both.groupby("area_code").population.sum()
    scale = generated.area_code.map(factor).fillna(generated.area_code.map(parent).map(factor)).fillna(1.0)
    scaled = generated.assign(population=(generated.population * scale).round().astype("int64"),
                              foreign_born=(generated.foreign_born * scale).round().astype("int64"))
    merged = scaled.merge(real_rows[key], on=key, how="left", indicator=True)
    kept = scaled[(merged["_merge"] == "left_only").to_numpy()]
    return pd.concat([kept, real_rows], ignore_index=True).sort_values(key, ignore_index=True)


def source_records(found: real.RealData) -> pd.DataFrame:
    """One row per real indicator and one for the population: the citation to show and where it came from."""
    subjects = [*found.provenance.items(), (POPULATION_SUBJECT, found.population_provenance)]
    return pd.DataFrame([
        {"subject": subject, "citation": p.citation, "licence": p.licence, "files": list(p.files),
         "source_ids": list(p.source_ids), "origin": p.origin, "retrieved": p.retrieved,
         "transformation": p.transformation}
        for subject, p in subjects])
