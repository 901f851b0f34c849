"""Real or demo, per indicator: the one place that says where a database's values come from.

`sources(database)` answers for every indicator whether its values are real or generated (demo), and
the line to show under them: the source record's citation for a real indicator ("Källa: Kolada (RKA),
nyckeltal N15428"), `text.DEMO_TEXT` for a demo one. Snapshot files made before the `source_record`
table existed (kept versions) are answered from the observations' `is_demo` and the catalog's source.
An indicator whose values are partly generated (an import into demo data) counts as demo and says so.
Every page, chart, table, export, comparison and the report take their word from here, never from
the snapshot-wide `is_demo` flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from shb.present import text
from shb.present.cache import SharedCache
from shb.store.db import Database

SOURCE_TABLE = "source_record"
POPULATION_SUBJECT = "befolkning"  # the source record of the population figures (queries/population_source.sql)


@dataclass(frozen=True)
class Origin:
    """Where one indicator's values come from, as the reader is told."""

    indicator_id: str
    demo: bool  # some value is generated, or there are no values at all
    mixed: bool  # both generated and real values (an import into demo data)
    citation: str  # the line shown with the values: the source, or the demo text
    licence: str
    origin: str
    retrieved: str
    transformation: str
    observations: int
    recorded: bool  # the real values' source is the snapshot's source record (False: the catalog's)
    area_observations: int = 0  # values below the kommun (a real source may give the kommun only)
    source: str = ""  # where real values come from ("Källa: …"): the record's citation, else the catalog's

    @property
    def label(self) -> str:
        """'Riktiga värden', 'Demodata' or 'Delvis demodata'."""
        return text.MIXED_LABEL if self.mixed else (text.DEMO_LABEL if self.demo else text.REAL_LABEL)

    @property
    def cell(self) -> str:
        """What a table row says about its values: the source without 'Källa: ', or the demo label."""
        return self.label if self.demo else self.citation.removeprefix(text.SOURCE_PREFIX)


@dataclass(frozen=True)
class Summary:
    """How many indicators of a database are real and how many demo."""

    real: int
    demo: int

    @property
    def total(self) -> int:
        return self.real + self.demo

    @property
    def kind(self) -> str:
        """'demo' (every indicator), 'real' (none) or 'mixed'."""
        return "demo" if not self.real else ("real" if not self.demo else "mixed")


_SOURCES: SharedCache[dict[str, Origin]] = SharedCache(8)


def sources(database: Database) -> dict[str, Origin]:
    """Every indicator's origin in catalog order (read once per snapshot file and version)."""
    return _SOURCES.get((str(database.path), database.version), lambda: _read(database))


def of(database: Database, indicator_id: str) -> Origin:
    """One indicator's origin."""
    return sources(database)[indicator_id]


def summary(database: Database) -> Summary:
    demo = sum(o.demo for o in sources(database).values())
    return Summary(real=len(sources(database)) - demo, demo=demo)


def has_source_records(database: Database) -> bool:
    """False for snapshot files made before the source_record table existed."""
    return SOURCE_TABLE in set(database.run("snapshot_tables").table_name)


def _read(database: Database) -> dict[str, Origin]:
    kinds = database.run("indicator_value_kinds")
    if has_source_records(database):
        records = database.run("indicator_sources").set_index("indicator_id")
    else:
        records = pd.DataFrame(columns=["citation", "licence", "origin", "retrieved", "transformation"])
    # The records lined up with the indicators once (not one lookup per indicator).
    lined = records.reindex(kinds.indicator_id.tolist())
    have = kinds.indicator_id.isin(records.index).tolist()
    return {r.indicator_id: _origin(r, record if known else None)
            for r, record, known in zip(kinds.itertuples(index=False), lined.itertuples(index=False), have)}


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _origin(kind, record) -> Origin:
    """One indicator from its value counts (`indicator_value_kinds`) and its source record, if any."""
    observations, generated, area = int(kind.observations), int(kind.demo_observations), int(kind.area_observations)
    demo = generated > 0 or observations == 0
    mixed = 0 < generated < observations
    cited = _text(record.citation) if record is not None else ""
    source = cited or f"{text.SOURCE_PREFIX}{kind.source}, {kind.source_ref}"
    counts = {"observations": observations, "area_observations": area, "source": source}
    if demo and not mixed:
        return Origin(kind.indicator_id, True, False, text.DEMO_TEXT, "", text.DEMO_ORIGIN, "", "", recorded=False,
                      **counts)
    described = (_text(record.licence), _text(record.origin), _text(record.retrieved),
                 _text(record.transformation)) if cited else (_text(kind.licence), text.CATALOG_ORIGIN, "", "")
    if mixed:
        return Origin(kind.indicator_id, True, True, text.mixed_text(generated, observations, source), described[0],
                      text.MIXED_ORIGIN, *described[2:], recorded=bool(cited), **counts)
    return Origin(kind.indicator_id, False, False, source, *described, recorded=bool(cited), **counts)


def population(database: Database) -> Origin | None:
    """The population figures' source record (subject 'befolkning'), or None when the file has none."""
    if not has_source_records(database):
        return None
    r = database.run("population_source").iloc[0]
    if not _text(r.citation):
        return None
    return Origin(POPULATION_SUBJECT, False, False, _text(r.citation), _text(r.licence), _text(r.origin),
                  _text(r.retrieved), _text(r.transformation), observations=0, recorded=True,
                  source=_text(r.citation))


def listing(database: Database, titles: dict[str, str]) -> list[tuple[str, Origin]]:
    """(title, origin) per indicator in catalog order (`titles`: id → title), and the population figures
    last when the file records their source: what Data och metod lists."""
    rows = [(titles.get(i, i), o) for i, o in sources(database).items()]
    pop = population(database)
    return [*rows, (text.POPULATION_TITLE, pop)] if pop is not None else rows
