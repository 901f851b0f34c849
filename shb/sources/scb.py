"""SCB's Statistikdatabasen (PxWeb API v2): explicit selections, split under the cell limit, json-stat2 answers.

An indicator's `fetch.scb` block (data/indicators.yaml) says which table, content codes, fixed filters,
group variables and area code lists to ask for. Every selection is explicit: the Borås area codes come
from data/areas/, the years from the table's metadata: those asked for that the table has (SCB refuses
a year it does not have), or all of them. A code list is only asked for the years it is valid for, and
cells outside them are dropped (SCB can answer 0 for a region outside its division's years). SCB's own
limits (calls per time window, cells per request) are read from /config once per fetch; a request larger
than the cell limit is split in halves along its longest variable until every part fits.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from shb.core.catalog import CODELISTS, CONTENTS_VARIABLE, Indicator, ScbArea, ScbFetch
from shb.core.errors import FetchFailed
from shb.core.format import number
from shb.sources import Value, absent_note, span
from shb.sources.http import SCB_URL, SCB_URL_ENV, Client, RateLimiter, base_url, fail, failure_text, timeout
from shb.sources.jsonstat import Dataset, ShapeError, dimension_codes, parse

LOG = logging.getLogger(__name__)

# Used when /config cannot be read (its documented values): cells per request, calls per window seconds.
MAX_CELLS = 150_000
CALLS, WINDOW = 30, 10.0
# A cell without a number comes as null with the table's data symbol in `status` (PxWeb's json-stat2
# serializer writes DATASYMBOL1–6, DATASYMBOLSUM and DATASYMBOLNIL there). SCB: "." uppgift kan inte
# förekomma, ".." uppgift inte tillgänglig eller för osäker; SCB's tables show symbol 3 as ".." as well,
# so "..." is read the same way. Symbols 4–6 and the sum symbol (SCB "*", by default ".......") say no
# more than that the value is missing. Nil ("-") is a true zero.
SYMBOLS = {".": "not_applicable", "..": "suppressed", "...": "suppressed", "....": "missing",
           ".....": "missing", "......": "missing"}
NIL = "-"
PARAMS = {"lang": "sv", "outputFormat": "json-stat2"}
_YEAR = re.compile(r"^\d{4}$")


_LIMITER = RateLimiter(CALLS, WINDOW)  # shared by every SCB client of the process; set from /config


def client(sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None) -> Client:
    """A client for the configured SCB base URL (SHB_SCB_URL), rate limited (30 calls per 10 seconds until
    a fetch has read SCB's /config); with `sleep`/`clock` (tests) it gets a limiter of its own that waits
    through them."""
    limiter = _LIMITER if sleep is None and clock is None else RateLimiter(
        CALLS, WINDOW, clock or time.monotonic, sleep or time.sleep)
    return Client("SCB", base_url(SCB_URL_ENV, SCB_URL), timeout=timeout(), limiter=limiter,
                  sleep=sleep or time.sleep)


@dataclass(frozen=True)
class Limits:
    """SCB's limits as /config states them: `calls` per `window` seconds, `max_cells` per data request."""

    calls: int
    window: float
    max_cells: int


FALLBACK = Limits(CALLS, WINDOW, MAX_CELLS)
_LIMIT_KEYS = {"maxCallsPerTimeWindow": "calls", "timeWindow": "window", "maxDataCells": "max_cells"}


def read_limits(client: Client) -> tuple[Limits, str | None]:
    """SCB's limits from /config; when they cannot be read, FALLBACK and a Swedish note saying so (also
    logged), since a fetch can still keep to the documented limits."""
    try:
        return limits(client.get(client.url("config")).data), None
    except FetchFailed as exc:
        why = failure_text(exc).rstrip(".")
    except ShapeError as exc:
        why = f"svaret har oväntad form: {exc}"
    LOG.warning("SCB:s /config kunde inte läsas (%s); följer %s anrop per %g sekunder och %s celler per fråga.",
                why, CALLS, WINDOW, MAX_CELLS)
    return FALLBACK, (f"SCB:s gränser (/config) kunde inte läsas ({why}); hämtningen höll sig i stället till "
                      f"{CALLS} anrop per {WINDOW:g} sekunder och högst {number(MAX_CELLS, 0)} celler per fråga.")


def limits(data: object) -> Limits:
    """The limits in a /config answer; ShapeError unless all three are positive numbers (whole numbers
    but for the time window)."""
    if not isinstance(data, dict):
        raise ShapeError("svaret är inget JSON-objekt")
    found = {}
    for key, name in _LIMIT_KEYS.items():
        v = data.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0 or (
                name != "window" and v != int(v)):
            raise ShapeError(f"{key} är {str(v)[:20]!r}, inget positivt tal")
        found[name] = v if name == "window" else int(v)
    return Limits(found["calls"], float(found["window"]), found["max_cells"])


def reading(value: float | None, symbol: str | None) -> tuple[float | None, str]:
    """A json-stat2 cell as (value, status): nil is a true zero, a dot symbol says why there is no value,
    any other status on a number is a note (e.g. "*") that leaves it, and a null is missing."""
    if symbol == NIL:
        return 0.0, "ok"
    if symbol in SYMBOLS:
        return None, SYMBOLS[symbol]
    return (value, "ok") if value is not None else (None, "missing")


@dataclass(frozen=True)
class Request:
    """One POST to /tables/{table}/data: the areas it is for and the values selected per variable."""

    area: ScbArea
    selection: dict[str, list[str]]

    @property
    def cells(self) -> int:
        return math.prod(len(v) for v in self.selection.values())

    def body(self, region: str) -> dict:
        return {"selection": [
            {"variableCode": var, "valueCodes": list(values),
             **({"codelist": self.area.codelist} if var == region and self.area.codelist else {})}
            for var, values in self.selection.items()]}


def split(selection: dict[str, list[str]], limit: int) -> list[dict[str, list[str]]]:
    """Parts of `selection` whose cell counts are at most `limit` and which together select every cell:
    the variable with the most values is halved until each part fits."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if math.prod(len(v) for v in selection.values()) <= limit:
        return [selection]
    var = max(selection, key=lambda k: len(selection[k]))
    values = selection[var]
    half = len(values) // 2
    return [part for chunk in (values[:half], values[half:])
            for part in split({**selection, var: chunk}, limit)]


def area_codes(area: ScbArea) -> list[str]:
    """The Borås codes of `area`'s level as the code list spells them (with its suffix, if any)."""
    from shb.core.areas import MUNICIPALITY, geography

    if area.level == "municipality":
        return [MUNICIPALITY]
    suffix = CODELISTS[area.codelist].suffix if area.codelist else ""
    return [code + suffix for code in geography().codes(area.level)]


def plan(spec: ScbFetch, years: list[int], limit: int = MAX_CELLS) -> list[Request]:
    """The requests for `years`: one selection per area code list (only its valid years), split to fit."""
    requests = []
    for area in spec.areas:
        wanted = [y for y in years if area.covers(y)]
        if area.sum_of or not wanted:
            continue
        selection = {spec.region: area_codes(area), **{v: list(m) for v, m in spec.groups.items()},
                     **{v: [value] for v, value in spec.filters.items()}, CONTENTS_VARIABLE: spec.contents,
                     spec.time: [str(y) for y in wanted]}
        requests += [Request(area, part) for part in split(selection, limit)]
    return requests


def table_years(client: Client, spec: ScbFetch) -> list[int]:
    """The years the table has, from /tables/{id}/metadata."""
    answer = client.get(client.url(f"tables/{spec.table}/metadata"), params=PARAMS)
    try:
        codes = dimension_codes(answer.data, spec.time)
    except ShapeError as exc:
        raise fail(f"Metadata för SCB-tabellen {spec.table} har oväntad form: {exc}.") from None
    if not codes or not all(_YEAR.match(c) for c in codes):
        raise fail(f"SCB-tabellen {spec.table} har inte årsvärden i {spec.time} ({', '.join(codes[:3])} …); "
                   "kopplingen i data/indicators.yaml behöver ses över.")
    return sorted(int(c) for c in codes)


def fetch(client: Client, indicator: Indicator, years: list[int] | None, limit: int | None = None,
          notes: list[str] | None = None) -> tuple[list[Value], list[bytes]]:
    """Every value of `indicator` for `years` (None: all the table has), and the raw answers. SCB's
    /config sets the rate limit and the cells per request (`limit`, for tests, may only lower it); what
    the summary should say is added to `notes`."""
    spec = indicator.fetch.scb
    notes = [] if notes is None else notes
    asked = years
    available = table_years(client, spec)
    if years:  # SCB refuses a year the table does not have, so only those it has are asked for
        years = sorted(set(years) & set(available))
        if not years:
            raise fail(f"SCB-tabellen {spec.table} har åren {span(available)}; inget av de begärda åren "
                       f"({span(asked)}) finns där.")
    else:
        years = available
    scb_limits, note = read_limits(client)
    notes += [note] if note else []
    if client.limiter:
        client.limiter.configure(scb_limits.calls, scb_limits.window)
    requests = plan(spec, years, min(limit or scb_limits.max_cells, scb_limits.max_cells))
    if not requests:
        raise fail(f"SCB-kopplingen för {indicator.id} har inga områden för åren {_years(years)}.")
    cells: dict[tuple[str, int, tuple[str, str]], dict[str, tuple[float | None, str]]] = {}
    bodies = []
    for request in requests:
        answer = client.post(client.url(f"tables/{spec.table}/data"), request.body(spec.region), params=PARAMS)
        bodies.append(answer.body)
        try:
            _collect(parse(answer.data), request, spec, set(years), cells)
        except ShapeError as exc:
            raise fail(f"Svaret från SCB (tabell {spec.table}) har oväntad form: {exc}.") from None
    values = _derive(cells, spec, indicator)
    values += _sums(values, spec, indicator, years)
    absent = absent_note(f"SCB {spec.table}", asked, values)
    notes += [absent] if absent else []
    return values, bodies


def normal_area(code: str) -> str:
    """'1490R025_RegSO2025' → '1490R025', the way the file import reads area codes."""
    from shb.core.areas import normal_area_code

    return normal_area_code(code)


def _collect(data: Dataset, request: Request, spec: ScbFetch, years: set[int], cells: dict) -> None:
    """Add the answer's cells, keyed by area, year and group, to `cells` (role → (value, status))."""
    implied = {v: values[0] for v, values in request.selection.items() if v not in data.ids and len(values) == 1}
    missing = [v for v in request.selection if v not in data.ids and v not in implied]
    extra = [d for d in data.ids if d not in request.selection and len(data.categories[d]) > 1]
    if missing or extra:
        raise ShapeError(f"dimensionerna {list(data.ids)} passar inte frågan ({list(request.selection)})")
    roles = {spec.value: "value", spec.numerator: "numerator", spec.denominator: "denominator"}
    for cell in data.cells():
        codes = {**implied, **cell.codes}  # a variable with one value selected may be left out of the answer
        time_code = codes[spec.time]
        if not _YEAR.match(time_code):
            raise ShapeError(f"tiden {time_code!r} är inget år")
        year = int(time_code)
        group = _group(codes, spec)
        role = roles.get(codes[CONTENTS_VARIABLE])
        if year not in years or not request.area.covers(year) or group is None or role is None:
            continue  # outside the code list's years (SCB may answer 0 there), or not asked for
        key = (normal_area(codes[spec.region]), year, group)
        cells.setdefault(key, {})[role] = reading(cell.value, cell.status)


def _group(codes: dict[str, str], spec: ScbFetch) -> tuple[str, str] | None:
    """The group of a cell: the one group variable not at its total (None for a cross of two groups)."""
    groups = [spec.groups[var].get(codes[var]) for var in spec.groups]
    if any(g is None for g in groups):
        return None
    specific = [g for g in groups if g != ("total", "alla")]
    if len(specific) > 1:
        return None
    return specific[0] if specific else ("total", "alla")


def _derive(cells: dict, spec: ScbFetch, indicator: Indicator) -> list[Value]:
    out = []
    for (area, year, group), roles in sorted(cells.items()):
        if spec.value:
            value, status = roles.get("value", (None, "missing"))
            out.append(Value(area, year, group, value, status))
        else:
            num, den = roles.get("numerator", (None, "missing")), roles.get("denominator", (None, "missing"))
            out.append(ratio(area, year, group, num, den, indicator.scale))
    return out


def ratio(area: str, year: int, group: tuple[str, str], num: tuple[float | None, str],
          den: tuple[float | None, str], scale: float) -> Value:
    """scale × numerator / denominator; the worst status of the two when either has none; not applicable
    when the denominator is 0. Counts that are known are kept."""
    n, d = num[0], den[0]
    for status in ("suppressed", "not_applicable", "missing"):
        if status in (num[1], den[1]):
            return Value(area, year, group, None, status, n, d)
    if d == 0:
        return Value(area, year, group, None, "not_applicable", n, d)
    return Value(area, year, group, scale * n / d, "ok", n, d)


def _sums(values: list[Value], spec: ScbFetch, indicator: Indicator, years: list[int]) -> list[Value]:
    """Kommun values added up from the counts of every area at the `sum_of` level."""
    from shb.core.areas import CODE_PATTERNS, MUNICIPALITY, geography

    out = []
    for area in (a for a in spec.areas if a.sum_of):
        expected = len(geography().codes(area.sum_of))
        parts: dict[tuple[int, tuple[str, str]], list[Value]] = {}
        for v in values:
            if CODE_PATTERNS[area.sum_of].match(v.area) and area.covers(v.year):
                parts.setdefault((v.year, v.group), []).append(v)
        for (year, group), vs in sorted(parts.items()):
            if year not in years:
                continue
            known = all(v.numerator is not None and v.denominator is not None for v in vs)
            if len(vs) < expected or not known:
                status = "suppressed" if any(v.status == "suppressed" for v in vs) else "missing"
                out.append(Value(MUNICIPALITY, year, group, None, status))
                continue
            n, d = sum(v.numerator for v in vs), sum(v.denominator for v in vs)
            out.append(ratio(MUNICIPALITY, year, group, (n, "ok"), (d, "ok"), indicator.scale))
    return out


def _years(years: list[int]) -> str:
    return ", ".join(map(str, years)) if years else "(inga)"
