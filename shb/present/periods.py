"""Målbild periods as the pages and the report use them: which periods there are, a period's målområden
and effektmål (the columns of queries/goal_structure.sql), and which effektmål each indicator belongs to
in it. The current period reads the catalog tables as before; another period its own tables. Files made
before periods were stored hold the current period only."""

from __future__ import annotations

import pandas as pd

from shb.store.db import Database

TABLE = "period"


def _has_periods(database: Database) -> bool:
    return TABLE in set(database.run("snapshot_tables").table_name)


def periods(database: Database) -> pd.DataFrame:
    """id, title, first_year, last_year, is_current per period, oldest first."""
    if _has_periods(database):
        return database.run("periods")
    title = str(database.run("programme").period.iloc[0])
    return pd.DataFrame([{"id": title.replace("–", "-"), "title": title, "first_year": None, "last_year": None,
                          "is_current": True}])


def current(database: Database) -> str:
    p = periods(database)
    return str(p.loc[p.is_current.astype(bool), "id"].iloc[0])


def is_current(database: Database, period: str) -> bool:
    return not period or period == current(database)


def title(database: Database, period: str) -> str:
    """'2021–2024' for the period id (the current one for "")."""
    p = periods(database)
    pid = period or current(database)
    return str(p.loc[p.id == pid, "title"].iloc[0])


def structure(database: Database, period: str = "") -> pd.DataFrame:
    """The period's målområden and effektmål (the columns of goal_structure)."""
    if is_current(database, period):
        return database.run("goal_structure")
    return database.run("period_structure", period_id=period)


def indicator_targets(database: Database, period: str = "") -> dict[str, str]:
    """indicator id → effektmål id in the period, in catalog order."""
    if is_current(database, period):
        cat = database.run("indicator_catalog")
        return dict(zip(cat.id, cat.target_id, strict=True))
    rows = database.run("period_indicators", period_id=period)
    return dict(zip(rows.indicator_id, rows.target_id, strict=True))


def regroup(ov: pd.DataFrame, database: Database, period: str = "") -> pd.DataFrame:
    """views.overview rows placed under the period's effektmål (target_id, target_title, goal_area_id),
    only the indicators the period follows, in its order."""
    if is_current(database, period):
        return ov
    mapping = indicator_targets(database, period)
    s = structure(database, period).reset_index(drop=True)
    order = {t: n for n, t in enumerate(s.target_id)}
    titles = dict(zip(s.target_id, s.target_title, strict=True))
    areas = dict(zip(s.target_id, s.goal_area_id, strict=True))
    out = ov[ov.indicator_id.isin(mapping)].copy()
    out["target_id"] = out.indicator_id.map(mapping)
    out["target_title"] = out.target_id.map(titles)
    out["goal_area_id"] = out.target_id.map(areas).astype(int)
    return out.sort_values("target_id", key=lambda c: c.map(order), kind="mergesort").reset_index(drop=True)
