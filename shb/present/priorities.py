"""Prioritering: every effektmål ranked by how far its indicators are from their målvärden (at the recent
pace) and whether the gaps between the focus set and the city widen (shb.analysis.aims.rank_targets)."""

from __future__ import annotations

import pandas as pd

from shb.analysis import aims as measures
from shb.core.catalog import GOAL_TARGET
from shb.core.targets import CITY
from shb.present import aims, periods, text, views
from shb.store.db import Database


def indicator_progress(database: Database, period: str = "") -> pd.DataFrame:
    """One row per indicator with a målvärde for the whole city that the målbild period follows: where the
    city stands against it, under the period's effektmål."""
    found = aims.aims(database)
    inds = views.indicators(database)
    belongs = periods.indicator_targets(database, period)
    rows = database.run("city_values")
    city = rows[rows.status == "ok"]
    out = []
    for (ind_id, scope), aim in found.items():
        if scope != CITY or ind_id not in inds or ind_id not in belongs:
            continue
        s = city[city.indicator_id == ind_id]
        end = int(s.year.max()) if len(s) else 0
        p = measures.progress(s.year, s.value, end, aim.value, aim.year, inds[ind_id].direction)
        out.append({"indicator_id": ind_id, "target_id": belongs[ind_id], "title": inds[ind_id].title,
                    "on_time": p.on_time, "pace_share": measures.pace_share(p), "reach": text.aim_reach_text(p),
                    "distance": text.aim_distance_text(inds[ind_id], p)})
    return pd.DataFrame(out, columns=["indicator_id", "target_id", "title", "on_time", "pace_share", "reach",
                                      "distance"])


def priorities(database: Database, set_id: str, ov: pd.DataFrame, period: str = "") -> pd.DataFrame:
    """The ranked effektmål (measures.rank_targets) with their titles, statuses and the indicator a row
    opens (the one furthest behind its målvärde, else the first followed per area); `ov` is
    views.overview for the set; `period` the målbild period ("": the current one)."""
    per_indicator = indicator_progress(database, period)
    ov = periods.regroup(ov, database, period)
    structure = periods.structure(database, period)
    # Effektmål only: the övergripande mål is summed up on Översikt and Livscykeln, not ranked beside them.
    structure = structure[structure.target_id != GOAL_TARGET].reset_index(drop=True)
    statuses = views.target_statuses(ov)
    per_target = pd.DataFrame({
        "target_id": structure.target_id, "sort_key": range(len(structure)),
        "widening": [statuses[t].widening if t in statuses else 0 for t in structure.target_id],
        "judged": [statuses[t].assessed if t in statuses else 0 for t in structure.target_id]})
    ranked = measures.rank_targets(per_indicator, per_target)
    ranked = ranked.merge(structure[["target_id", "target_title", "goal_area_id"]], on="target_id")
    worst = per_indicator.sort_values("pace_share", na_position="last").drop_duplicates("target_id")
    opens = dict(zip(worst.target_id, worst.indicator_id, strict=True))
    first = ov[ov.area_level].drop_duplicates("target_id")
    opens = {**dict(zip(first.target_id, first.indicator_id, strict=True)), **opens}
    any_ind = ov.drop_duplicates("target_id")
    opens = {**dict(zip(any_ind.target_id, any_ind.indicator_id, strict=True)), **opens}
    ranked["indicator_id"] = ranked.target_id.map(opens)
    ranked["status"] = [statuses[t].status if t in statuses else "kan inte bedömas" for t in ranked.target_id]
    return ranked
