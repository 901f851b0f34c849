"""Checking the cells of an offered file against the current snapshot: every row, every problem, in Swedish.

`load_context` reads what the snapshot knows (indicators, areas, groups) through named queries;
`validate` checks whole columns at a time and returns the normalised rows that passed and the first
problems (`shb.ingest.problems`). Nothing here writes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from shb.core.areas import AREA_SUFFIX
from shb.core.catalog import COUNT_RANGE, LEVEL_LABELS, LEVELS, UNIT_RANGES
from shb.ingest.problems import Problem, integer, reject
from shb.ingest.read import (
    ALIASES,
    COUNT_COLUMNS,
    NUMBER_COLUMNS,
    OPTIONAL,
    REQUIRED,
    Limits,
    RawTable,
    normal_name,
    resolve_columns,
)
from shb.store import db as dbmod

FIRST_YEAR = 1990


# --- What the current snapshot knows ----------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """The indicators, areas and groups of the snapshot an import is checked against."""

    version: str
    indicators: pd.DataFrame  # indexed by id: kind, unit, levels, survey
    area_level: dict[str, str]
    allowed_groups: dict[str, list[tuple[str, str]]]  # indicator → (dimension, value), total included
    dimension_names: dict[str, str]  # normal_name(code or label) → dimension
    value_names: dict[tuple[str, str], str]  # (dimension, normal value or label) → value
    series_break_areas: frozenset[str]


def _normal_value(text: object) -> str:
    """Group values keep their hyphens ('16-29'); en dashes become hyphens, å/ä/ö are folded."""
    text = str(text).replace("\u2013", "-").replace("\u2212", "-")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"\s+", "_", text)


def load_context(database: dbmod.Database) -> Context:
    """Read, through named queries, what an import has to agree with."""
    cat = database.run("indicator_catalog").set_index("id")
    groups = database.run("indicator_groups")
    areas = pd.concat([database.run("areas_at_level", level=lvl) for lvl in LEVELS], ignore_index=True)
    members = database.run("district_members")
    changed = set(areas.loc[areas.border_changed_2025.fillna(False).astype(bool) & (areas.level == "regso"), "code"])
    changed |= set(members.loc[members.regso_code.isin(changed), "district_code"])
    allowed: dict[str, list[tuple[str, str]]] = {}
    dims: dict[str, str] = {}
    values: dict[tuple[str, str], str] = {}
    for r in groups.itertuples(index=False):
        allowed.setdefault(r.indicator_id, []).append((r.dimension, r.value))
        for name in (r.dimension, r.dimension_label):
            dims[normal_name(name)] = r.dimension
        for name in (r.value, r.label):
            values[(r.dimension, _normal_value(name))] = r.value
    return Context(
        version=database.version, indicators=cat[["title", "kind", "unit", "levels", "survey"]],
        area_level=dict(zip(areas.code, areas.level)), allowed_groups=allowed,
        dimension_names=dims, value_names=values, series_break_areas=frozenset(changed))


# --- Validation ---------------------------------------------------------------------------------------

KEY = ["indicator_id", "area_code", "year", "group_dim", "group_value"]
STATUS_WORDS = {
    "": "", "ok": "ok",
    "..": "suppressed", "sekretess": "suppressed", "undertryckt": "suppressed", "suppressed": "suppressed",
    ".": "not_applicable", "ej_tillamplig": "not_applicable", "not_applicable": "not_applicable",
    "-": "missing", "\u2013": "missing", "saknas": "missing", "missing": "missing",
}
STATUS_LABELS = {"ok": "ok", "suppressed": "'..' (sekretess)", "not_applicable": "'.' (ej tillämplig)",
                 "missing": "'-' (saknas)"}
_SYMBOLS = {"..": "suppressed", ".": "not_applicable", "-": "missing", "\u2013": "missing"}
_COMMA = r"^[+-]?\d*,\d+$"
_POINT = r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d+([eE][+-]?\d+)?$"


@dataclass
class Checked:
    """A validated file: normalised rows (one per value), the problems found, and how many there were."""

    rows: pd.DataFrame
    problems: list[Problem]
    total: int
    labels: dict[str, str]


class _Problems:
    """Collects problems as frames (row, column, value, reason), so whole columns are checked at once."""

    def __init__(self, frame: pd.DataFrame, labels: dict[str, str]):
        self.frame, self.labels, self.parts = frame, labels, []

    def add(self, mask: pd.Series, column: str | None, reason, value: pd.Series | None = None) -> None:
        """Flag the rows in `mask`; `reason` is one text or a text per row, `value` defaults to the cell."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        if value is None:
            value = self.frame[column].map(_show) if column else pd.Series(None, index=mask.index)
        self.parts.append(pd.DataFrame({
            "row": self.frame["row"][mask], "column": self.labels.get(column) if column else None,
            "value": value[mask], "reason": reason[mask] if isinstance(reason, pd.Series) else reason,
            "order": list(self.labels).index(column) if column in self.labels else -1}))

    def add_file(self, reason: str) -> None:
        self.parts.append(pd.DataFrame({"row": [0], "column": [None], "value": [None], "reason": [reason],
                                        "order": [-2]}))

    def result(self, shown: int) -> tuple[list[Problem], int]:
        if not self.parts:
            return [], 0
        allp = pd.concat(self.parts, ignore_index=True).sort_values(["row", "order"], kind="stable")
        head = allp.head(shown)
        return [Problem(int(r.row) or None, r.column, None if _missing(r.value) else str(r.value), r.reason)
                for r in head.itertuples(index=False)], len(allp)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _show(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _per_unique(column: pd.Series, func) -> pd.Series:
    """`func` of each cell, computed once per distinct cell (files repeat the same codes on many rows)."""
    column = column.astype(object)
    distinct = pd.unique(column)
    return column.map(dict(zip(distinct, map(func, distinct))))


def _text(column: pd.Series) -> pd.Series:
    """Cells as stripped text; Excel numbers like 1490.0 become '1490'."""
    return _per_unique(column, lambda c: _show(c).strip())


def _key(*columns: pd.Series) -> pd.Series:
    """'a|b|c' per row, missing when any part is missing."""
    key = columns[0].astype("string")
    for column in columns[1:]:
        key = key + "|" + column.astype("string")
    return key


def _native_numbers(column: pd.Series) -> pd.Series:
    """True for cells that Excel stored as numbers (CSV cells are always text)."""
    flags = np.fromiter((type(c) in (int, float) for c in column), dtype=bool, count=len(column))
    return pd.Series(flags, index=column.index)


def _numbers(column: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(value, invalid, decimal comma used, decimal point used) for a column of cells."""
    native = _native_numbers(column)
    text = column.where(~native, "").astype(str)
    text = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace("\u2212", "-")
    is_comma = text.str.match(_COMMA)
    is_point = text.str.match(_POINT)
    is_int = text.str.match(_INTEGER)
    parsed = pd.to_numeric(text.where(~is_comma, text.str.replace(",", ".")).where(is_comma | is_point | is_int),
                           errors="coerce")
    value = column.where(native).astype(float).where(native, parsed)
    invalid = ~native & (text != "") & ~(is_comma | is_point | is_int)
    invalid |= ~np.isfinite(value.fillna(0))  # 1e400 or an Excel overflow: not a number we can store
    return value.where(~invalid), invalid, is_comma & ~native, is_point & ~native


def _frame(table: RawTable, columns: dict[str, int]) -> pd.DataFrame:
    width = len(table.header)
    data = {canon: [r[i] if i < len(r) else "" for r in table.rows] for canon, i in columns.items()}
    frame = pd.DataFrame(data, dtype=object)
    frame["row"] = table.row_numbers
    for canon in (*REQUIRED, *OPTIONAL):
        if canon not in frame:
            frame[canon] = ""
    frame["extra"] = [any(str(c).strip() for c in r[width:]) for r in table.rows]
    return frame


def validate(table: RawTable, ctx: Context, limits: Limits | None = None) -> Checked:
    """Check every row of `table` against `ctx`; return normalised rows and every problem found."""
    limits = limits or Limits()
    columns = resolve_columns(table.header, table.header_row)
    labels = {c: table.header[i].strip() for c, i in columns.items()}
    labels.update({c: ALIASES[c][0] for c in (*REQUIRED, *OPTIONAL) if c not in labels})
    if not table.rows:
        reject("Filen har rubrikrader men inga datarader.")
    raw = _frame(table, columns)
    found = _Problems(raw, labels)
    found.add(raw.extra, None, "raden har fler fält än rubrikraden; kontrollera avgränsare och citattecken "
                               "(decimalkomma i en kommaavgränsad fil måste stå inom citattecken)")
    for col in labels:
        is_formula = _per_unique(raw[col], lambda c: isinstance(c, str) and c.startswith("="))
        found.add(is_formula, col, "cellen innehåller en formel; formler räknas inte ut vid inläsning – "
                                   "klistra in värdena i stället")
    out = pd.DataFrame({"row": raw["row"]})
    ok = pd.Series(True, index=raw.index)
    ok &= _check_indicator(raw, out, ctx, found)
    ok &= _check_area(raw, out, ctx, found)
    ok &= _check_year(raw, out, found)
    ok &= _check_group(raw, out, ctx, found)
    ok &= _check_numbers(raw, out, ctx, found)
    ok &= _check_status(raw, out, found)
    ok &= _check_duplicates(out, ok, found)
    problems, total = found.result(limits.shown)
    return Checked(out[ok].reset_index(drop=True), problems, total, labels)


def _check_indicator(raw, out, ctx: Context, found: _Problems) -> pd.Series:
    ids = _text(raw.indikator).str.lower()
    known = ids.isin(ctx.indicators.index)
    empty = ids == ""
    found.add(empty, "indikator", "indikator saknas")
    unknown = ~known & ~empty
    suggestions = {v: _suggest(v, list(ctx.indicators.index)) for v in ids[unknown].unique()}
    found.add(unknown, "indikator", ids.map(suggestions))
    out["indicator_id"] = ids.where(known)
    return known


def _suggest(value: str, ids: list[str]) -> str:
    best = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
    hint = f" – menade du {best[0]!r}?" if best else "; se `python -m shb catalog` för giltiga id"
    return f"okänd indikator{hint}"


def _check_area(raw, out, ctx: Context, found: _Problems) -> pd.Series:
    codes = _text(raw.omrade).str.upper().str.replace(AREA_SUFFIX, "", regex=True)
    level = codes.map(ctx.area_level)
    empty = codes == ""
    found.add(empty, "omrade", "område saknas")
    found.add(level.isna() & ~empty, "omrade", "okänt område: ange en kommun-, stadsdels-, RegSO- eller "
                                               "DeSO-kod i Borås (t.ex. 1490, 1490D01, 1490R025, 1490C1010)")
    allowed_pairs = {f"{i}|{lv}" for i, ls in ctx.indicators.levels.items() for lv in ls}
    keys = _key(out.indicator_id, level)
    wrong = keys.notna() & ~keys.isin(allowed_pairs)
    allowed = ~wrong
    reasons = keys[wrong].map(lambda key: _level_reason(key, ctx))
    found.add(wrong, "omrade", reasons.reindex(raw.index))
    out["area_code"] = codes.where(level.notna())
    out["level"] = level
    return level.notna() & allowed


def _level_reason(key: str, ctx: Context) -> str:
    indicator, level = key.split("|")
    allowed = ", ".join(LEVEL_LABELS[x] for x in ctx.indicators.levels[indicator])
    return f"indikatorn {indicator} redovisas inte på nivån {LEVEL_LABELS[level]}; tillåtna nivåer: {allowed}"


def _check_year(raw, out, found: _Problems) -> pd.Series:
    value, invalid, _, _ = _numbers(raw.ar)
    last = date.today().year
    empty = value.isna() & ~invalid
    found.add(empty, "ar", "år saknas")
    found.add(invalid | (value.notna() & (value % 1 != 0)), "ar", "året ska vara ett heltal, t.ex. 2023")
    outside = value.notna() & (value % 1 == 0) & ~value.between(FIRST_YEAR, last)
    found.add(outside, "ar", f"året ligger utanför {FIRST_YEAR}–{last}")
    good = value.notna() & (value % 1 == 0) & value.between(FIRST_YEAR, last)
    out["year"] = value.where(good)
    return good


def _check_group(raw, out, ctx: Context, found: _Problems) -> pd.Series:
    dim_text, val_text = _text(raw.grupp_typ), _text(raw.grupp)
    total = (dim_text == "") & (val_text == "")
    found.add((dim_text == "") & ~total, "grupp_typ", "grupptyp saknas; ange både grupptyp och grupp, eller "
                                                     "lämna båda tomma för totalen (total/alla)")
    found.add((val_text == "") & ~total, "grupp", "grupp saknas; ange både grupptyp och grupp, eller lämna "
                                                 "båda tomma för totalen (total/alla)")
    both = (dim_text != "") & (val_text != "")
    dims = _per_unique(dim_text, lambda d: ctx.dimension_names.get(normal_name(d))).where(~total, "total")
    values = _per_unique(_key(dims.fillna(""), val_text),
                         lambda key: ctx.value_names.get(tuple(_split_value(key)))).where(~total, "alla")
    known_dims = ", ".join(sorted(set(ctx.dimension_names.values()) - {"total"}))
    found.add(both & dims.isna(), "grupp_typ", f"okänd grupptyp; kända grupptyper: {known_dims}")
    found.add(both & dims.notna() & values.isna(), "grupp", "okänd grupp för grupptypen " + dims.fillna(""))
    allowed = {f"{i}|{d}|{v}" for i, pairs in ctx.allowed_groups.items() for d, v in pairs}
    keys = _key(out.indicator_id, dims, values)
    not_allowed = keys.notna() & ~keys.isin(allowed)
    found.add(not_allowed, "grupp", keys[not_allowed].map(lambda key: _group_reason(key, ctx)).reindex(raw.index),
              value=dim_text.where(~total, "total") + "/" + val_text.where(~total, "alla"))
    out["group_dim"], out["group_value"] = dims, values
    return dims.notna() & values.notna() & ~not_allowed


def _split_value(key: str) -> tuple[str, str]:
    dim, value = key.split("|", 1)
    return dim, _normal_value(value)


def _group_reason(key: str, ctx: Context) -> str:
    indicator, dim, value = key.split("|")
    allowed = ", ".join(f"{d}/{v}" for d, v in ctx.allowed_groups.get(indicator, []))
    return f"indikatorn {indicator} har ingen grupp {dim}/{value}; tillåtna grupper: {allowed}"


def _check_numbers(raw, out, ctx: Context, found: _Problems) -> pd.Series:
    good = pd.Series(True, index=raw.index)
    commas, points = [], []
    for col in NUMBER_COLUMNS:
        symbol = _text(raw[col]).isin(_SYMBOLS) if col == "varde" else pd.Series(False, index=raw.index)
        value, invalid, comma, point = _numbers(raw[col].where(~symbol, ""))
        found.add(invalid, col, "inte ett tal (skriv t.ex. 12,5 eller 12.5, utan enhet eller procenttecken)")
        good &= ~invalid
        if col in COUNT_COLUMNS:  # counts: whole, not negative, and within the range of the unit antal
            fraction = value.notna() & (value % 1 != 0)
            found.add(fraction, col, "ska vara ett heltal (ett antal)")
            found.add(value < COUNT_RANGE.low, col, "ett antal kan inte vara negativt")
            found.add(value > COUNT_RANGE.high, col, f"orimligt stort antal (mer än {integer(COUNT_RANGE.high)})")
            good &= ~fraction & ~COUNT_RANGE.outside(value)
        out[col] = value
        commas.append(raw.row[comma])
        points.append(raw.row[point])
    comma_rows, point_rows = pd.concat(commas), pd.concat(points)
    if len(comma_rows) and len(point_rows):
        found.add_file(f"filen blandar decimalkomma (t.ex. rad {comma_rows.min()}) och decimalpunkt (t.ex. rad "
                       f"{point_rows.min()}); använd samma decimaltecken i hela filen")
        good &= False
    return good & _check_kinds(out, ctx, found)


def _check_kinds(out, ctx: Context, found: _Problems) -> pd.Series:
    kind = out.indicator_id.map(ctx.indicators.kind.to_dict())
    v = out.varde
    outside = _check_ranges(out, ctx, found)
    over = (kind == "share") & (out.taljare > out.namnare)
    found.add(over, "taljare", "täljaren är större än nämnaren")
    ci = (out.ki_lag > out.ki_hog) | (out.ki_lag > v) | (v > out.ki_hog)
    found.add(ci, "ki_lag", "konfidensintervallet ska omsluta värdet (ki_låg ≤ värde ≤ ki_hög)")
    return ~(outside | over | ci.fillna(False))


def _check_ranges(out, ctx: Context, found: _Problems) -> pd.Series:
    """Values and confidence bounds outside the plausible range of the indicator's unit
    (`shb.core.catalog.UNIT_RANGES`, declared beside the units); True on the rows refused."""
    unit = out.indicator_id.map(ctx.indicators.unit.to_dict())
    refused = pd.Series(False, index=out.index)
    for col in ("varde", "ki_lag", "ki_hog"):
        v = out[col]
        for name, allowed in UNIT_RANGES.items():
            outside = (unit == name) & allowed.outside(v)
            if outside.any():
                negative = (v < 0) & (allowed.low == 0)
                reason = np.where(negative, f"värdet kan inte vara negativt; {allowed.text()}", allowed.text())
                found.add(outside, col, pd.Series(reason, index=out.index))
                refused |= outside
    return refused


def _check_status(raw, out, found: _Problems) -> pd.Series:
    text = _text(raw.status)
    status = text.where(text.isin(_SYMBOLS), text.map(normal_name)).map(STATUS_WORDS)
    unknown = status.isna()
    found.add(unknown, "status", "okänd status; använd tomt eller ok, '..' (sekretess), '.' (ej tillämplig) "
                                 "eller '-' (saknas)")
    value_text = _text(raw.varde)
    symbol = value_text.map(_SYMBOLS)
    clash = symbol.notna() & status.notna() & (status != "") & (status != symbol)
    found.add(clash, "status", "statusen säger något annat än tecknet i värdekolumnen")
    given = (value_text != "") & symbol.isna()
    status = status.where(status != "", symbol).fillna("")
    status = status.where(status != "", pd.Series(np.where(given, "ok", ""), index=raw.index))
    no_value = status.isin(["", "ok"]) & ~given & ~unknown
    found.add(no_value, "varde", "värde saknas; ange ett värde eller en status ('..' sekretess, "
                                 "'.' ej tillämplig, '-' saknas)")
    hidden = status.isin(["suppressed", "not_applicable", "missing"]) & given
    found.add(hidden, "varde", "ett värde anges fast statusen är " + status.map(STATUS_LABELS).fillna("")
              + "; lämna värdet tomt eller ändra statusen")
    out["status"] = status
    return ~unknown & ~clash & ~no_value & ~hidden


def _check_duplicates(out, ok, found: _Problems) -> pd.Series:
    keyed = out[ok]
    dup = keyed.duplicated(KEY, keep="first")
    if not dup.any():
        return pd.Series(True, index=out.index)
    first = keyed.groupby(KEY, dropna=False)["row"].transform("first")
    mask = pd.Series(False, index=out.index)
    mask.loc[dup[dup].index] = True
    reasons = pd.Series("", index=out.index, dtype=object)
    reasons.loc[dup[dup].index] = "samma indikator, område, år och grupp som rad " + first[dup].astype(str)
    found.add(mask, "indikator", reasons, value=keyed.indicator_id.reindex(out.index))
    return ~mask


FILE_KINDS = ("CSV", "Excel")  # a table of another kind holds fetched values


def placed(problems: list[Problem], table: RawTable) -> list[Problem]:
    """Problems located by the value's area, year and group instead of a row of a table nobody can open."""
    at = {n: i for i, n in enumerate(table.row_numbers)}
    col = {normal_name(h): i for i, h in enumerate(table.header)}

    def cell(row: list, name: str) -> str:
        i = col.get(name)
        return "" if i is None or i >= len(row) else _show(row[i]).strip()

    out = []
    for p in problems:
        if p.row is None or p.row not in at:
            out.append(p)
            continue
        r = table.rows[at[p.row]]
        group = f"{cell(r, 'grupp_typ')}/{cell(r, 'grupp')}" if cell(r, "grupp_typ") else "totalt"
        out.append(replace(p, place=f"{cell(r, 'indikator')} {cell(r, 'omrade')} {cell(r, 'ar')} {group}"))
    return out
