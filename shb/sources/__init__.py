"""Connectors to public statistics APIs (SCB's Statistikdatabasen, Kolada): HTTP, parsing, mapping to rows.

A connector answers with `Value`s, one per area × year × group, which `shb.fetch` turns into the import's
long format; validation and loading are the file import's (`shb.ingest.import_table`). What a connector
skipped on purpose or had to assume (years without values, withdrawn values, SCB's limits) it says in
Swedish notes, which the fetch summary shows.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def span(years: Iterable[int]) -> str:
    """'2020–2024' for three or more consecutive years; runs joined by commas: '2015–2017, 2019, 2021'."""
    years = sorted(set(years))
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def absent_note(name: str, asked: Iterable[int] | None, values: list[Value],
                skipped: Iterable[int] = ()) -> str | None:
    """A note naming the years asked for that gave no value at all (None when there are none); years in
    `skipped` were left out on purpose and are said elsewhere."""
    if not asked:
        return None
    absent = sorted(set(asked) - {v.year for v in values} - set(skipped))
    if not absent:
        return None
    if len(absent) == 1:
        return f"{name} har inga värden för året {absent[0]}; det hoppades över."
    return f"{name} har inga värden för åren {span(absent)}; de hoppades över."
