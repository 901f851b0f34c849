"""Kolada (API v3): a key figure (KPI) for Borås, page by page.

GET /data/kpi/{kpi}/municipality/1490[/year/y1,y2,…] answers `values` (one entry per year, each with a
value per gender) and a `next_url` while there are more pages. A next page is only followed on the
configured base URL, never twice and never beyond a maximum number of pages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from urllib.parse import urljoin

from shb.core.catalog import Indicator
from shb.sources import Value
from shb.sources.http import KOLADA_URL, KOLADA_URL_ENV, Client, base_url, fail, timeout
from shb.sources.jsonstat import ShapeError

MAX_PAGES = 100
GENDERS = {"T": ("total", "alla"), "K": ("kon", "kvinnor"), "M": ("kon", "man")}


def client(sleep: Callable[[float], None] = time.sleep) -> Client:
    """A client for the configured Kolada base URL (SHB_KOLADA_URL)."""
    return Client("Kolada", base_url(KOLADA_URL_ENV, KOLADA_URL), timeout=timeout(), sleep=sleep)


def fetch(client: Client, indicator: Indicator, years: list[int] | None,
          max_pages: int = MAX_PAGES) -> tuple[list[Value], list[bytes]]:
    """Every value of `indicator`'s KPI for Borås in `years` (None: all years), and the raw pages."""
    from shb.core.areas import MUNICIPALITY

    kpi = indicator.fetch.kolada.kpi
    path = f"data/kpi/{kpi}/municipality/{MUNICIPALITY}"
    if years:
        path += "/year/" + ",".join(str(y) for y in sorted(set(years)))
    url: str | None = client.url(path)
    seen: set[str] = set()
    values: list[Value] = []
    bodies: list[bytes] = []
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
            values += _values(entries, indicator, set(years or []), MUNICIPALITY)
        except ShapeError as exc:
            raise fail(f"Svaret från Kolada ({kpi}) har oväntad form: {exc}.") from None
        url = urljoin(url, next_url) if next_url else None
    return values, bodies


def _page(data: object) -> tuple[list, str | None]:
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise ShapeError("'values' saknas eller är ingen lista")
    next_url = data.get("next_url")
    if next_url in (None, ""):
        return data["values"], None
    if not isinstance(next_url, str):
        raise ShapeError("'next_url' är ingen adress")
    return data["values"], next_url


def _values(entries: list, indicator: Indicator, years: set[int], municipality: str) -> list[Value]:
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), list):
            raise ShapeError("en post saknar 'values'")
        if str(entry.get("municipality", "")) != municipality:
            continue
        year = _period(entry.get("period"))
        if years and year not in years:
            continue
        for item in entry["values"]:
            value = _value(item, indicator, municipality, year)
            if value:
                out.append(value)
    return out


def _period(period: object) -> int:
    if isinstance(period, str) and period.isdigit():
        period = int(period)
    if not isinstance(period, int) or isinstance(period, bool) or not 1900 <= period <= 2100:
        raise ShapeError(f"'period' {str(period)[:20]!r} är inget år")
    return period


def _value(item: object, indicator: Indicator, municipality: str, year: int) -> Value | None:
    """One gender's value; None for K/M when the indicator has no breakdown by kön."""
    if not isinstance(item, dict) or item.get("gender") not in GENDERS:
        gender = item.get("gender") if isinstance(item, dict) else item
        raise ShapeError(f"okänt kön {str(gender)[:10]!r} (väntade T, K eller M)")
    group = GENDERS[item["gender"]]
    if group != ("total", "alla") and group[1] not in indicator.groups.get(group[0], []):
        return None
    value = item.get("value")
    if value is None:
        return Value(municipality, year, group, None, "missing")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ShapeError(f"värdet {str(value)[:20]!r} är inget tal")
    return Value(municipality, year, group, float(value), "ok")
