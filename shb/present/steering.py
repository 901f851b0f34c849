"""Styrdokument och processer per effektmål as the pages and the report show them (empty for snapshot
files made before the steering tables)."""

from __future__ import annotations

import pandas as pd

from shb.store.db import Database

COLUMNS = ["document_id", "document_title", "kind", "basis", "target_id", "target_title", "goal_area_id"]


def links(database: Database) -> pd.DataFrame:
    """One row per document × effektmål (queries/steering_links.sql)."""
    if "steering_link" not in set(database.run("snapshot_tables").table_name):
        return pd.DataFrame(columns=COLUMNS)
    return database.run("steering_links")


def documents_of(frame: pd.DataFrame, target_id: str) -> list[str]:
    """The titles of the documents linked to `target_id`, in the file's order."""
    return frame.loc[frame.target_id == target_id, "document_title"].tolist()


def targets_of(frame: pd.DataFrame, document_id: str) -> list[str]:
    """The effektmål ids `document_id` is linked to."""
    return frame.loc[frame.document_id == document_id, "target_id"].tolist()


def choices(frame: pd.DataFrame) -> dict[str, str]:
    """document id → title, in the file's order."""
    return dict(zip(frame.document_id, frame.document_title, strict=True))
