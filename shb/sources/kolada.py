"""Kolada (API v3): a key figure (KPI) for Borås, page by page.

GET /data/kpi/{kpi}/municipality/1490[/year/y1,y2,…] answers `values` (one entry per KPI, municipality and
year, each with a value per gender) and a `next_url` while there are more pages. Years are asked for at
most 25 to a path segment (the API's limit), each batch followed page by page; a next page is only
followed on the configured base URL, never twice and never beyond a maximum number of pages.

What Kolada answers is checked before it is used: an entry for another KPI is skipped (and an answer
with nothing else is refused), a value marked `isdeleted` has been withdrawn and is not loaded, and the
per-value `status` keeps suppressed ("Privacy") and missing ("Missing") apart. Kolada repeats an
election's turnout every year until the next election, so election indicators keep election years only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from shb.core.catalog import Indicator
from shb.sources import Value, absent_note, span
from shb.sources.http import KOLADA_URL, KOLADA_URL_ENV, Client, base_url, fail, timeout
from shb.sources.jsonstat import ShapeError

MAX_PAGES = 100
# Kolada v3 accepts at most 25 ids or years in one path segment (rKolada 2.0, which batches by 25: "the
# API's 25-element-per-path-segment limit"); longer lists are asked for in batches.
MAX_YEARS = 25
GENDERS = {"T": ("total", "alla"), "K": ("kon", "kvinnor"), "M": ("kon", "man")}
# Kolada's per-value status, case-insensitively: "" a value, "Missing" none (even when a number is
# given), "Privacy" withheld to protect individuals (seen in Kolada's answers for Borås, e.g. N09890 2020).
STATUSES = {"": "ok", "missing": "missing", "privacy": "suppressed"}
# Turnout in the general elections (kommun, region, riksdag; lowest and highest valdistrikt). Kolada
# gives every year the value of the latest election; the catalog may mark others (fetch.kolada.elections).
ELECTION_KPIS = frozenset({"N05400", "N05401", "N05402", "N05403", "N05831", "N05833"})
_EARLY_ELECTIONS = frozenset(range(1970, 1992, 3))  # three-year terms 1970–1991; four-year from 1994


def client(sleep: Callable[[float], None] = time.sleep) -> Client:
    """A client for the configured Kolada base URL (SHB_KOLADA_URL)."""
    return Client("Kolada", base_url(KOLADA_URL_ENV, KOLADA_URL), timeout=timeout(), sleep=sleep)


def is_election_year(year: int) -> bool:
    """True for the years of Sweden's general elections: every third year 1970–1991, every fourth from 1994."""
    return year in _EARLY_ELECTIONS or (year >= 1994 and (year - 1994) % 4 == 0)


def elections_only(indicator: Indicator) -> bool:
    """True when the indicator is an election's turnout, which only election years should carry."""
    spec = indicator.fetch.kolada
    return bool(getattr(spec, "elections", False)) or spec.kpi in ELECTION_KPIS


def batches(years: list[int], size: int = MAX_YEARS) -> list[list[int]]:
    """`years` sorted and cut into lists of at most `size`."""
    years = sorted(set(years))
    return [years[i:i + size] for i in range(0, len(years), size)]


@dataclass
class _Skipped:
    """What was left out of an answer on purpose, for the notes."""

    other_kpis: set[str] = field(default_factory=set)
    deleted: int = 0
    between_elections: set[int] = field(default_factory=set)


def fetch(client: Client, indicator: Indicator, years: list[int] | None, max_pages: int = MAX_PAGES,
          notes: list[str] | None = None) -> tuple[list[Value], list[bytes]]:
    """Every value of `indicator`'s KPI for Borås in `years` (None: all years), and the raw pages; what the
    summary should say is added to `notes`."""
    from shb.core.areas import MUNICIPALITY

    kpi = indicator.fetch.kolada.kpi
    path = f"data/kpi/{kpi}/municipality/{MUNICIPALITY}"
    paths = [f"{path}/year/{','.join(map(str, batch))}" for batch in batches(years)] if years else [path]
    skipped = _Skipped()
    values: list[Value] = []
    bodies: list[bytes] = []
    for entries in _pages(client, [client.url(p) for p in paths], kpi, max_pages, bodies):
        try:
            values += _values(entries, indicator, set(years or []), MUNICIPALITY, skipped)
        except ShapeError as exc:
            raise fail(f"Svaret från Kolada ({kpi}) har oväntad form: {exc}.") from None
    if skipped.other_kpis and not values:
        raise fail(f"Kolada svarade med nyckeltalet {', '.join(sorted(skipped.other_kpis))}, inte {kpi}; svaret "
                   "lästes inte in.")
    if notes is not None:
        notes += _notes(f"Kolada {kpi}", kpi, years, values, skipped)
    return values, bodies


def _pages(client: Client, urls: list[str], kpi: str, max_pages: int, bodies: list[bytes]) -> Iterator[list]:
    """The entries of every page of every URL in turn, following each one's next_url (the raw pages go
    to `bodies`)."""
    seen: set[str] = set()
    for first in urls:
        url: str | None = first
        while url:
            if not client.within_base(url):
                raise fail(f"Kolada hänvisade till nästa sida på en annan adress ({url[:120]}) än den inställda "
                           f"({client.base}); den följs inte.")
            if url in seen:
                raise fail(f"Kolada hänvisade tillbaka till en sida som redan hämtats ({url[:120]}); hämtningen "
                           "avbröts.")
            if len(seen) == max_pages:
                raise fail(f"Kolada gav fler än {max_pages} sidor för {kpi}; hämtningen avbröts.")
            seen.add(url)
            answer = client.get(url)
            bodies.append(answer.body)
            try:
                entries, next_url = _page(answer.data)
            except ShapeError as exc:
                raise fail(f"Svaret från Kolada ({kpi}) har oväntad form: {exc}.") from None
            yield entries
            url = urljoin(url, next_url) if next_url else None


def _notes(name: str, kpi: str, years: list[int] | None, values: list[Value], skipped: _Skipped) -> list[str]:
    notes = []
    if skipped.other_kpis:
        notes.append(f"Kolada skickade också värden för {', '.join(sorted(skipped.other_kpis))}, som inte är "
                     f"{kpi}; de hoppades över.")
    if skipped.deleted:
        what = "värde som Kolada markerat som borttaget" if skipped.deleted == 1 else (
            "värden som Kolada markerat som borttagna")
        notes.append(f"{skipped.deleted} {what} (isdeleted) lästes inte in.")
    if skipped.between_elections:
        kept = sorted({v.year for v in values})
        notes.append(f"Kolada upprepar valdeltagandet från senaste valet varje år fram till nästa val; bara valåren "
                     f"sparades ({span(kept) or 'inga'}), åren {span(skipped.between_elections)} hoppades över.")
    absent = absent_note(name, years, values, skipped.between_elections)
    return notes + ([absent] if absent else [])


def _page(data: object) -> tuple[list, str | None]:
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise ShapeError("'values' saknas eller är ingen lista")
    next_url = data.get("next_url")
    if next_url in (None, ""):
        return data["values"], None
    if not isinstance(next_url, str):
        raise ShapeError("'next_url' är ingen adress")
    return data["values"], next_url


def _values(entries: list, indicator: Indicator, years: set[int], municipality: str,
            skipped: _Skipped) -> list[Value]:
    kpi, elections = indicator.fetch.kolada.kpi, elections_only(indicator)
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), list):
            raise ShapeError("en post saknar 'values'")
        if entry.get("kpi", kpi) != kpi:  # v3 names the KPI of every entry
            skipped.other_kpis.add(str(entry["kpi"])[:20])
            continue
        if str(entry.get("municipality", "")) != municipality:
            continue
        year = _period(entry.get("period"))
        if years and year not in years:
            continue
        if elections and not is_election_year(year):
            skipped.between_elections.add(year)
            continue
        for item in entry["values"]:
            value = _value(item, indicator, municipality, year, skipped)
            if value:
                out.append(value)
    return out


def _period(period: object) -> int:
    if isinstance(period, str) and period.isdigit():
        period = int(period)
    if not isinstance(period, int) or isinstance(period, bool) or not 1900 <= period <= 2100:
        raise ShapeError(f"'period' {str(period)[:20]!r} är inget år")
    return period


def _value(item: object, indicator: Indicator, municipality: str, year: int, skipped: _Skipped) -> Value | None:
    """One gender's value; None for K/M when the indicator has no breakdown by kön, and for a value Kolada
    has withdrawn."""
    if not isinstance(item, dict) or item.get("gender") not in GENDERS:
        gender = item.get("gender") if isinstance(item, dict) else item
        raise ShapeError(f"okänt kön {str(gender)[:10]!r} (väntade T, K eller M)")
    group = GENDERS[item["gender"]]
    if group != ("total", "alla") and group[1] not in indicator.groups.get(group[0], []):
        return None
    if item.get("isdeleted", False) not in (True, False):
        raise ShapeError(f"'isdeleted' är {str(item['isdeleted'])[:10]!r}, inte true eller false")
    if item.get("isdeleted"):
        skipped.deleted += 1
        return None
    status = _status(item.get("status"), year)
    value = item.get("value")
    if status != "ok" or value is None:
        return Value(municipality, year, group, None, "missing" if status == "ok" else status)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ShapeError(f"värdet {str(value)[:20]!r} är inget tal")
    return Value(municipality, year, group, float(value), "ok")


def _status(raw: object, year: int) -> str:
    status = STATUSES.get(raw.strip().lower()) if isinstance(raw, str) else ("ok" if raw is None else None)
    if status is None:
        raise ShapeError(f"okänd status {str(raw)[:20]!r} för {year} (väntade tom, Missing eller Privacy)")
    return status
