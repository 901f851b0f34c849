"""Building a snapshot from the committed catalog and the demo generator, through the one write transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from shb.core import paths
from shb.core.areas import load_geography
from shb.core.catalog import load_catalog
from shb.geo import geometry
from shb.ingest import demo
from shb.store import transaction
from shb.store import writer as store


@dataclass(frozen=True)
class BuildResult:
    version: str
    db: Path
    observations: int
    seconds: float
    kept_previous: Path | None


def build_demo_snapshot(db: Path) -> BuildResult:
    """Generate demo data, write a new snapshot beside `db`, check it and swap it in (the one write
    transaction). ImportFailed at once, before anything is generated, while another writer holds the
    writers' lock: a demo build during an import is refused, never run beside it."""
    started = time.perf_counter()
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with transaction.writers_lock(db) as held:
        cat = load_catalog()
        geo = load_geography()
        data = demo.build_demo(cat, geo)
        inputs = [paths.MALBILD, paths.INDICATORS, paths.GROUPS, paths.AREA_SETS, paths.DEMO_PROFILE,
                  *sorted(paths.AREAS.glob("*.csv"))]
        built_from = {"kind": "demo", "generator": demo.GENERATOR_VERSION,
                      "inputs": store.inputs_fingerprint(inputs)}
        with transaction.new_version(db, held=held, failure="Demodatabasen kunde inte byggas") as tx:
            store.write_snapshot(tx.path, store.catalog_frames(cat, geo), data.observations,
                                 data.population, built_from, is_demo=True, version=tx.version)
            # schematic layers only where no real geometry was imported; imported layers are kept
            geometry.ensure_schematic(paths.geometry_dir(db), geo, held=held)
    return BuildResult(tx.version, db, len(data.observations), time.perf_counter() - started, tx.kept_previous)
