"""Connectors to public statistics APIs (SCB's Statistikdatabasen, Kolada): HTTP, parsing, mapping to rows.

A connector answers with `Value`s, one per area × year × group, which `shb.fetch` turns into the import's
long format; validation and loading are the file import's (`shb.ingest.import_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("ok", "suppressed", "not_applicable", "missing")


@dataclass(frozen=True)
class Value:
    """One fetched value: `value` is None unless `status` is ok; numerator/denominator kept when known."""

    area: str
    year: int
    group: tuple[str, str]  # (dimension, value); ("total", "alla") for the whole population
    value: float | None
    status: str = "ok"
    numerator: float | None = None
    denominator: float | None = None
