"""Building a snapshot from the committed catalog and the demo generator."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from shb.core import paths
from shb.core.areas import load_geography
from shb.core.catalog import load_catalog
from shb.geo import geometry
from shb.ingest import demo
from shb.store import writer as store


@dataclass(frozen=True)
class BuildResult:
    version: str
    db: Path
    observations: int
    seconds: float
    kept_previous: Path | None


def build_demo_snapshot(db: Path) -> BuildResult:
    """Generate demo data, write a new snapshot beside `db`, check it and swap it in."""
    started = time.perf_counter()
    cat = load_catalog()
    geo = load_geography()
    data = demo.build_demo(cat, geo)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.temp_path(db)
    tmp.unlink(missing_ok=True)
    inputs = [paths.MALBILD, paths.INDICATORS, paths.GROUPS, paths.AREA_SETS, paths.DEMO_PROFILE,
              *sorted(paths.AREAS.glob("*.csv"))]
    built_from = {"kind": "demo", "generator": demo.GENERATOR_VERSION,
                  "inputs": store.inputs_fingerprint(inputs)}
    try:
        version = store.write_snapshot(tmp, store.catalog_frames(cat, geo), data.observations,
                                       data.population, built_from, is_demo=True)
        store.check_snapshot(tmp)
        # schematic layers only where no real geometry was imported; imported layers are kept
        geometry.ensure_schematic(paths.geometry_dir(db), geo)
        kept = store.install(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildResult(version, db, len(data.observations), time.perf_counter() - started, kept)
