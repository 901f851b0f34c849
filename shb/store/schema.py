"""The snapshot's tables: the one schema every writer creates, and the facts derived from it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SCHEMA = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")
SQL = Path(__file__).parent / "sql"


@cache
def statement(name: str) -> str:
    """The fixed statement in `shb/store/sql/<name>.sql` (its $parameters are bound by the caller)."""
    return (SQL / f"{name}.sql").read_text(encoding="utf-8")


# Every table of a snapshot, in the order SCHEMA creates them (names from code, never from users).
TABLES = tuple(re.findall(r"create table (\w+)", SCHEMA))
# Tables a reader does without: files written before them are read with a fallback (source_record:
# shb.present.provenance falls back to the values' flags and the catalog).
OPTIONAL_TABLES = ("source_record",)
# What identifies one observation; an imported row replaces the stored row with the same key.
OBSERVATION_KEY = ("indicator_id", "area_code", "year", "group_dim", "group_value")

# The order observations are stored in: the columns queries filter on first.
OBSERVATION_ORDER = "indicator_id, level, group_dim, year, area_code, group_value"
# The columns of one observation row, in table order (what writers hand to the store).
OBS_COLUMNS = [
    "indicator_id", "level", "year", "area_code", "group_dim", "group_value", "value", "numerator",
    "denominator", "population", "ci_low", "ci_high", "status", "series_break", "is_demo",
    "source_version",
]
