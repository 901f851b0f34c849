"""Where things live: every path the package uses comes from here."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
AREAS = DATA / "areas"
GEOMETRY = DATA / "geometry"

MALBILD_DIR = DATA / "malbild"  # one file per målbild period (shb.core.malbild)
MALBILD = MALBILD_DIR / "2021-2024.yaml"  # the current period: the effektmål data/indicators.yaml names
INDICATORS = DATA / "indicators.yaml"
GROUPS = DATA / "groups.yaml"
AREA_SETS = DATA / "area_sets.yaml"
DEMO_PROFILE = DATA / "demo_profile.yaml"
STEERING = DATA / "ansvar.yaml"  # styrdokument and processes per effektmål (shb.core.steering)
TARGETS = DATA / "targets.yaml"  # målvärden per indicator (shb.core.targets)


def default_db() -> Path:
    """The current snapshot file; `SHB_DB` overrides it (tests, other installations)."""
    return Path(os.environ.get("SHB_DB", DATA / "shb.duckdb"))


def snapshots_dir(db: Path) -> Path:
    """Earlier snapshots of `db` are kept beside it."""
    return db.parent / "snapshots"


def geometry_dir(db: Path) -> Path:
    """Generated geometry lives beside the database it belongs to."""
    return db.parent / "geometry"
