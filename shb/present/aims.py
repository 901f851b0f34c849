"""Målvärden as the pages, the report and `compare --json` show them: the aims of a snapshot and where a
comparison's series stand against them (shb.analysis.aims). No Streamlit here."""

from __future__ import annotations

import math

import pandas as pd

from shb.analysis import aims as measures
from shb.core.targets import CITY, Aim
from shb.present import text
from shb.present.cache import SharedCache
from shb.store.db import Database

TABLE = "indicator_target"
SERIES = {CITY: "city"}  # the comparison series a scope is measured on; an area set: "focus"

_AIMS: SharedCache[dict[tuple[str, str], Aim]] = SharedCache(8)


def aims(database: Database) -> dict[tuple[str, str], Aim]:
    """(indicator id, scope) → målvärde, for this snapshot (empty for files made before målvärden)."""
    return _AIMS.get((str(database.path), database.version), lambda: _read(database))


def _read(database: Database) -> dict[tuple[str, str], Aim]:
    if TABLE not in set(database.run("snapshot_tables").table_name):
        return {}
    rows = database.run("indicator_targets")
    return {(r.indicator_id, r.scope): Aim(r.indicator_id, r.scope, float(r.value), int(r.year), r.origin, r.wording)
            for r in rows.itertuples(index=False)}


def aim_for(database: Database, indicator_id: str, scope: str = CITY) -> Aim | None:
    return aims(database).get((indicator_id, scope))


def progress(aim: Aim, frame: pd.DataFrame, year: int, direction: str, series: str) -> measures.AimProgress:
    """Where `series` of a comparison frame (measures.comparison) stands against `aim` at `year`."""
    s = frame[frame.series == series]
    return measures.progress(s.year, s.value, year, aim.value, aim.year, direction)


def _num(x, digits: int = 4):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), digits)


def as_json(aim: Aim, p: measures.AimProgress) -> dict:
    """The `target` block of `compare --json`."""
    return {
        "value": aim.value, "year": aim.year, "scope": aim.scope, "origin": aim.origin,
        "origin_label": aim.origin_label, "wording": aim.wording,
        "current_year": p.current_year, "current": _num(p.current),
        "distance": _num(p.distance), "pace_needed": _num(p.pace_needed), "pace_recent": _num(p.pace_recent),
        "reached": p.reached, "reached_year": p.reached_year, "on_time": p.on_time,
        "method": {"window": list(p.window) if p.window else None, "window_years": measures.PACE_WINDOW,
                   "points": p.points, "fit": text.AIM_METHOD_FIT, "distance": "värde − målvärde, i indikatorns enhet",
                   "pace_needed": "(målvärde − värde) / (målår − år)",
                   "text": text.aim_pace_method(p.window, p.points)},
    }
