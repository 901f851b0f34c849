"""Analysts' file import: read a CSV or Excel file, check every row, load it as a new snapshot.

The flow is one way: `read_table` (bytes → cells, guarded against oversized, binary and zip-bomb
files; formulas are never evaluated) → `validate` (every problem at once, in Swedish, against the
catalog and areas of the current snapshot) → `compare` (new, changed and unchanged values) →
`store.write_derived_snapshot` into a temporary file beside the current one → `store.check_snapshot`
→ `store.install`. A rejected file writes nothing, and until `os.replace` the temporary file is the
only thing written, so a failed or killed import leaves the current file byte-identical.

The demo flag of a mixed database: each observation keeps its own `is_demo`; the snapshot's
`is_demo` stays true as long as any observation or population figure in it is demo data, so the
app's demo banner stays up until no generated number can be shown. Imported rows are never demo.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import getpass
import io
import os
import re
import sys
import time
import tomllib
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from shb.core import paths
from shb.core.areas import AREA_SUFFIX, BREAK_YEAR
from shb.core.catalog import LEVEL_LABELS, LEVELS
from shb.core.errors import ImportFailed, ImportRejected
from shb.core.format import number
from shb.store import db as dbmod
from shb.store import snapshots
from shb.store import writer as store
from shb.store.schema import OBS_COLUMNS

MB = 1024 * 1024
FIRST_YEAR = 1990
MAX_COUNT = 10**12  # counts above this are typing errors (and would overflow the table's bigint)
PAUSE_ENV = "SHB_IMPORT_PAUSE"


def upload_limit_bytes(config: Path = paths.ROOT / ".streamlit" / "config.toml") -> int:
    """The largest file accepted: server.maxUploadSize (MB) in .streamlit/config.toml, else 50 MB."""
    try:
        megabytes = tomllib.loads(config.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        megabytes = 50
    return int(megabytes) * MB


@dataclass(frozen=True)
class Limits:
    """Guards against files that would exhaust memory; tests lower them instead of writing huge files."""

    max_bytes: int = field(default_factory=upload_limit_bytes)
    max_unzipped: int = 200 * MB  # total uncompressed size of an xlsx's zip members
    max_ratio: float = 100.0  # uncompressed / compressed, checked once the content exceeds ratio_from
    ratio_from: int = 10 * MB
    max_members: int = 10_000
    max_rows: int = 1_000_000
    shown: int = 50  # problems listed in a report


def pause(stage: str) -> None:
    """Test hook, does nothing unless asked: when SHB_IMPORT_PAUSE names `stage` (a comma-separated list
    is allowed), write one line to stderr and sleep SHB_IMPORT_PAUSE_SECONDS (default 60) so a test can
    kill the import at that point. Stages: read, validated, copied, written, kept, installed."""
    if stage in os.environ.get(PAUSE_ENV, "").split(","):
        print(f"{PAUSE_ENV}: {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(f"{PAUSE_ENV}_SECONDS", "60")))


# --- Problems ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row, column, value) and why, in Swedish."""

    row: int | None
    column: str | None
    value: str | None
    reason: str
    place: str | None = None  # for values from a source, which have no rows: "1490R025 2023 kon/kvinnor"

    def text(self) -> str:
        where = []
        if self.place:
            where.append(self.place)
        elif self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn {self.column}")
        if self.value is not None:
            where.append(f"värde {_quote(self.value)}")
        return (", ".join(where) + ": " if where else "") + self.reason


def _quote(value: object, limit: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def reject(reason: str, row: int | None = None, column: str | None = None, value: str | None = None):
    """Raise ImportRejected for one problem that makes the rest of the file unreadable."""
    problem = Problem(row, column, value, reason)
    raise ImportRejected(_report([problem], 1), (problem,), 1)


def _report(problems: list[Problem], total: int, file_name: str = "", extra: str = "", noun: str = "Filen") -> str:
    name = f"{noun} {file_name}" if file_name else noun
    head = f"{name} avvisades: {_count(total, 'problem', 'problem')}. Inget har skrivits till databasen."
    lines = [head, *(f"  {p.text()}" for p in problems)]
    if total > len(problems):
        lines.append(f"  … visar {len(problems)} av {_int(total)} problem.")
    if extra:
        lines.append(extra)
    return "\n".join(lines)


def _int(n: int) -> str:
    return number(n, 0)


def _count(n: int, one: str, many: str) -> str:
    return f"{_int(n)} {one if n == 1 else many}"


# --- Reading a file into cells --------------------------------------------------------------------

@dataclass
class RawTable:
    """The cells of a file: a header row and data rows (str for text, int/float for Excel numbers)."""

    header: list[str]
    rows: list[list]
    row_numbers: list[int]
    kind: str  # "CSV" or "Excel"
    encoding: str = ""
    header_row: int = 1


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_table(path: Path, limits: Limits = Limits()) -> RawTable:
    """Read a CSV or .xlsx file (told apart by content, not name) into cells; ImportRejected if unreadable."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportFailed(f"{path} är ingen fil.")
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ImportFailed(f"Kunde inte läsa {path}: {exc.strerror or exc}.") from exc
    if size == 0:
        reject("Filen är tom.")
    if size > limits.max_bytes:
        reject(f"Filen är {number(size / MB, 1)} MB; den största fil som kan läsas in är "
               f"{number(limits.max_bytes / MB, 0)} MB. Dela upp den i flera filer.")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _read_xlsx(path, limits)
    if head.startswith(_OLE2):
        reject("Filen är i det gamla Excel-formatet (.xls). Spara den som .xlsx eller CSV och försök igen.")
    return _read_csv(path.read_bytes(), limits)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the name of its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            reject("Filen börjar som UTF-16 men går inte att avkoda. Spara den som CSV (UTF-8).")
    if b"\x00" in data[:65536]:
        reject("Filen innehåller binära data och är varken en CSV-fil eller en Excel-fil (.xlsx).")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "UTF-8 med BOM"
        except UnicodeDecodeError:
            reject("Filen börjar som UTF-8 men innehåller ogiltiga tecken. Spara den som CSV (UTF-8) igen.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


HEADER_SEARCH = 20  # the header may sit below a title: it is the first of this many rows naming the columns


def _delimiter(lines: list[str]) -> str:
    """';', tab or ',': the one that splits a header line into the required columns, else the commonest."""
    for line in lines[:HEADER_SEARCH]:
        for d in (";", "\t", ","):
            if not _missing_columns(next(csv.reader([line], delimiter=d))):
                return d
    counts = {d: lines[0].count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _table(records, kind: str, where: str, limits: Limits) -> RawTable:
    """Non-empty (row number, cells) records → header and data rows."""
    head: list[tuple[int, list]] = []
    rows, numbers = [], []
    for number_, cells in records:
        if len(head) < HEADER_SEARCH and not rows:
            head.append((number_, cells))
            continue
        rows.append(cells)
        numbers.append(number_)
        if len(rows) > limits.max_rows:
            reject(f"Filen har fler än {_int(limits.max_rows)} datarader. Dela upp den i flera filer.")
    if not head:
        return RawTable([], [], [], kind, where)
    at = next((i for i, (_, cells) in enumerate(head) if not _missing_columns([str(c) for c in cells])), 0)
    rest = head[at + 1:]
    return RawTable([str(c) for c in head[at][1]], [c for _, c in rest] + rows,
                    [n for n, _ in rest] + numbers, kind, where, head[at][0])


def _read_csv(data: bytes, limits: Limits) -> RawTable:
    text, encoding = _decode(data)
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        reject("Filen innehåller binära data och är varken en CSV-fil eller en Excel-fil (.xlsx).")
    lines = [line for line in text[:1_000_000].splitlines() if line.strip()]
    if not lines:
        reject("Filen innehåller inga rader.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines))
    # Interned: files repeat the same ids, codes and years on most rows, so each distinct text is held once.
    records = ((reader.line_num, [sys.intern(cell) for cell in r]) for r in reader if any(cell.strip() for cell in r))
    try:
        return _table(records, "CSV", encoding, limits)
    except csv.Error as exc:
        reject(f"CSV-filen kunde inte tolkas nära rad {reader.line_num}: {exc}. "
               "Kontrollera citattecken och avgränsare.")


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip archives that are broken, not Excel workbooks, or would unpack to far too much."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        reject(f"Excel-filen är trasig eller ofullständig (kanske avkortad vid överföringen): {exc}.")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        reject("Filen är en zip-fil men ingen Excel-arbetsbok (.xlsx). Spara den som .xlsx eller CSV.")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    too_big = unpacked > limits.max_unzipped
    too_dense = unpacked > limits.ratio_from and unpacked / packed > limits.max_ratio
    if len(infos) > limits.max_members or too_big or too_dense:
        reject(f"Excel-filen packas upp till {number(unpacked / MB, 0)} MB från {number(packed / MB, 1)} MB "
               f"({len(infos)} delar), mer än vad som tillåts ({number(limits.max_unzipped / MB, 0)} MB, "
               f"kvot {number(limits.max_ratio, 0)}). Filen läses inte.")


def _excel_cell(value: object) -> object:
    """Plain Python values; a formula comes through as its text ('=…'), to be reported, never evaluated."""
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "text", None) or "=")  # ArrayFormula, DataTableFormula: reported as formulas


def _read_xlsx(path: Path, limits: Limits) -> RawTable:
    _check_zip(path, limits)
    import openpyxl  # only when an Excel file is read

    # openpyxl can fail in many ways on a damaged or hostile file (zip, XML, type and key errors); all of
    # them mean the same thing to the user, so they are caught here, at the boundary, and reported.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
            try:
                return _sheet_table(wb, limits)
            finally:
                wb.close()
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        reject(f"Excel-filen kunde inte läsas ({type(exc).__name__}); den är trasig eller inte en vanlig "
               ".xlsx-arbetsbok. Öppna och spara den i Excel igen, eller spara den som CSV.")


def _sheet_table(wb, limits: Limits) -> RawTable:
    """The first sheet with a header row naming the required columns (else the first sheet)."""
    first = None
    for ws in wb.worksheets:
        table = _sheet_rows(ws, limits)
        first = first or table
        if table.header and not _missing_columns(table.header):
            return table
    if first is None or not first.header:
        reject("Excel-filen innehåller inga ifyllda rader.")
    return first


def _sheet_rows(ws, limits: Limits) -> RawTable:
    cells = ((n, [_excel_cell(v) for v in values])
             for n, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1))
    records = ((n, c) for n, c in cells if any(str(x).strip() for x in c))
    return _table(records, "Excel", f"blad {ws.title!r}", limits)


# --- Columns ----------------------------------------------------------------------------------------

REQUIRED = ("indikator", "omrade", "ar", "varde")
OPTIONAL = ("grupp_typ", "grupp", "taljare", "namnare", "ki_lag", "ki_hog", "status", "befolkning")
ALIASES = {
    "indikator": ("indikator", "indicator", "indikator_id", "indicator_id"),
    "omrade": ("område", "områdeskod", "omrades_kod", "area", "area_code", "region", "regionkod"),
    "ar": ("år", "year", "tid", "period"),
    "varde": ("värde", "value"),
    "grupp_typ": ("grupp_typ", "grupptyp", "gruppdimension", "dimension", "group_dim"),
    "grupp": ("grupp", "gruppvärde", "group", "group_value"),
    "taljare": ("täljare", "numerator"),
    "namnare": ("nämnare", "denominator"),
    "ki_lag": ("ki_låg", "ci_low", "konfidensintervall_låg"),
    "ki_hog": ("ki_hög", "ci_high", "konfidensintervall_hög"),
    "status": ("status", "statuskod"),
    "befolkning": ("befolkning", "population", "folkmängd"),
}
NUMBER_COLUMNS = ("varde", "taljare", "namnare", "ki_lag", "ki_hog", "befolkning")
COUNT_COLUMNS = ("taljare", "namnare", "befolkning")


def normal_name(text: object) -> str:
    """'Område ' → 'omrade', 'KI låg' → 'ki_lag': lower case, å/ä/ö folded, other marks to '_'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


_ALIAS = {normal_name(a): canon for canon, names in ALIASES.items() for a in (canon, *names)}


def _missing_columns(header: list[str]) -> list[str]:
    found = {_ALIAS.get(normal_name(h)) for h in header}
    return [c for c in REQUIRED if c not in found]


def resolve_columns(header: list[str], row: int = 1) -> dict[str, int]:
    """Canonical column → position in the file; ImportRejected naming missing or repeated columns."""
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        canon = _ALIAS.get(normal_name(h))
        if canon:
            positions.setdefault(canon, []).append(i)
    problems = []
    for canon, where in positions.items():
        if len(where) > 1:
            cols = " och ".join(f"{_column_letter(i)} ({header[i].strip()!r})" for i in where)
            problems.append(Problem(row, None, None, f"kolumnen {ALIASES[canon][0]!r} finns flera gånger: "
                                                   f"{cols}. Behåll en av dem."))
    unknown = {normal_name(h): h.strip() for h in header if h.strip() and normal_name(h) not in _ALIAS}
    for canon in _missing_columns(header):
        problems.append(Problem(row, None, None, f"kolumnen {ALIASES[canon][0]!r} saknas{_hint(canon, unknown)}. "
                                               f"Filen behöver kolumnerna {', '.join(_labels(REQUIRED))}."))
    if ("grupp_typ" in positions) != ("grupp" in positions):
        problems.append(Problem(row, None, None, "kolumnerna 'grupp_typ' och 'grupp' hör ihop: ta med båda "
                                               "eller ingen av dem."))
    if problems:
        raise ImportRejected(_report(problems, len(problems)), problems, len(problems))
    return {canon: where[0] for canon, where in positions.items()}


def _hint(canon: str, unknown: dict[str, str]) -> str:
    """' (menade du 'Vrde'?)' when a header in the file is close to a name of the missing column."""
    for alias in (canon, *ALIASES[canon]):
        best = difflib.get_close_matches(normal_name(alias), list(unknown), 1, 0.75)
        if best:
            return f" (menade du {unknown[best[0]]!r}?)"
    return ""


def _labels(columns) -> list[str]:
    return [repr(ALIASES[c][0]) for c in columns]


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


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


def validate(table: RawTable, ctx: Context, limits: Limits = Limits()) -> Checked:
    """Check every row of `table` against `ctx`; return normalised rows and every problem found."""
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
        if col in COUNT_COLUMNS:
            fraction = value.notna() & (value % 1 != 0)
            found.add(fraction, col, "ska vara ett heltal (ett antal)")
            found.add(value < 0, col, "ett antal kan inte vara negativt")
            found.add(value > MAX_COUNT, col, f"orimligt stort antal (mer än {_int(MAX_COUNT)})")
            good &= ~fraction & ~(value < 0) & ~(value > MAX_COUNT)
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
    share_out = (kind == "share") & ~v.between(0, 100) & v.notna()
    found.add(share_out, "varde", "en andel i procent ska ligga mellan 0 och 100")
    negative = kind.isin(["count", "rate"]) & (v < 0)
    found.add(negative, "varde", "värdet kan inte vara negativt för ett antal eller en kvot")
    over = (kind == "share") & (out.taljare > out.namnare)
    found.add(over, "taljare", "täljaren är större än nämnaren")
    ci = (out.ki_lag > out.ki_hog) | (out.ki_lag > v) | (v > out.ki_hog)
    found.add(ci, "ki_lag", "konfidensintervallet ska omsluta värdet (ki_låg ≤ värde ≤ ki_hög)")
    return ~(share_out | negative | over | ci.fillna(False))


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


# --- Comparing with what is stored -------------------------------------------------------------------

FIELDS = ["value", "numerator", "denominator", "ci_low", "ci_high", "status"]


def observations(rows: pd.DataFrame, ctx: Context, source_version: str) -> pd.DataFrame:
    """Validated rows as observation records (the table's columns and types).

    `population` is the file's befolkning column; without it, a register share or rate (not a survey)
    takes its denominator, as the demo data does, and everything else is left empty.
    """
    survey = rows.indicator_id.map(ctx.indicators.survey.to_dict()).astype(bool)
    counted = rows.indicator_id.map(ctx.indicators.kind.to_dict()).isin(["share", "rate"]) & ~survey
    population = rows.befolkning.where(rows.befolkning.notna(), rows.namnare.where(counted))
    return pd.DataFrame({
        "indicator_id": rows.indicator_id.astype(str), "level": rows.level.astype(str),
        "year": rows.year.astype("int32"), "area_code": rows.area_code.astype(str),
        "group_dim": rows.group_dim.astype(str), "group_value": rows.group_value.astype(str),
        "value": rows.varde.astype(float), "numerator": rows.taljare.round().astype("Int64"),
        "denominator": rows.namnare.round().astype("Int64"), "population": population.round().astype("Int64"),
        "ci_low": rows.ki_lag.astype(float), "ci_high": rows.ki_hog.astype(float),
        "status": rows.status.astype(str),
        "series_break": (rows.year == BREAK_YEAR) & rows.area_code.isin(ctx.series_break_areas),
        "is_demo": False, "source_version": source_version, "row": rows.row.astype(int),
    })


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    if not (pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)):
        return a.astype(str) == b.astype(str)
    x, y = a.astype(float), b.astype(float)
    close = (x - y).abs() <= 1e-9 * np.maximum(1.0, np.maximum(x.abs(), y.abs()))
    return (x.isna() & y.isna()) | close.fillna(False)


def compare(new: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """`new` with `change` (ny / ändrad / oförändrad), the stored value and whether it was demo data."""
    old = existing[KEY + FIELDS + ["is_demo"]].rename(columns={c: f"old_{c}" for c in FIELDS + ["is_demo"]})
    m = new.merge(old, on=KEY, how="left", indicator=True)
    present = m.pop("_merge") == "both"
    same = pd.Series(True, index=m.index)
    for col in FIELDS:
        same &= _same(m[col], m[f"old_{col}"])
    m["change"] = np.where(~present, "ny", np.where(same, "oförändrad", "ändrad"))
    return m


def existing_observations(database: dbmod.Database, indicators: list[str]) -> pd.DataFrame:
    frames = [database.run("indicator_observations", indicator=i) for i in indicators]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEY + FIELDS + ["is_demo"])


@dataclass(frozen=True)
class ImportResult:
    """What an import (or a dry run) found and did."""

    file_name: str
    sha256: str
    rows: int
    new: int
    changed: int
    unchanged: int
    by_indicator_year: pd.DataFrame  # indicator_id, year, ny, ändrad, oförändrad
    dry_run: bool
    version: str | None = None  # the new snapshot's version; None when nothing was written
    based_on: str | None = None
    kept_previous: Path | None = None
    encoding: str = ""

    def summary(self) -> str:
        counts = (f"{_count(self.new, 'nytt värde', 'nya värden')}, {_int(self.changed)} ändrade, "
                  f"{_int(self.unchanged)} oförändrade")
        if self.dry_run:
            return f"Provkörning av {self.file_name} ({self.encoding}): {counts}. Inget har skrivits."
        if self.version is None:
            return f"{self.file_name}: {counts}. Inget nytt att läsa in; databasen är oförändrad."
        kept = f" Föregående version {self.based_on} sparad som {self.kept_previous}." if self.kept_previous else ""
        return f"Läste in {self.file_name}: {counts}. Ny version {self.version}.{kept}"


    def report(self) -> str:
        """The summary, and for a dry run the counts per indicator and year (what the command line prints)."""
        if self.dry_run and len(self.by_indicator_year):
            return f"{self.summary()}\n{table_text(self.by_indicator_year)}"
        return self.summary()


def by_indicator_year(compared: pd.DataFrame) -> pd.DataFrame:
    counts = compared.groupby(["indicator_id", "year", "change"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["ny", "ändrad", "oförändrad"], fill_value=0)
    return counts.reset_index().rename_axis(columns=None)


def table_text(counts: pd.DataFrame) -> str:
    lines = [f"  {'indikator':<42} {'år':>4} {'nya':>8} {'ändrade':>8} {'oförändrade':>12}"]
    lines += [f"  {r.indicator_id:<42} {r.year:>4} {_int(r.ny):>8} {_int(r.ändrad):>8} {_int(r.oförändrad):>12}"
              for r in counts.itertuples(index=False)]
    return "\n".join(lines)


def changes_preview(compared: pd.DataFrame, labels: dict[str, str], shown: int = 50) -> str:
    changed = compared[compared.change == "ändrad"].sort_values("row")
    demo = int(changed.old_is_demo.fillna(False).astype(bool).sum())
    of_demo = f" (varav {_count(demo, 'demovärde', 'demovärden')})" if demo else ""
    lines = [f"{_count(len(changed), 'värde', 'värden')} finns redan med andra uppgifter{of_demo}. "
             "Kör igen med --replace för att ersätta dem:"]
    for r in changed.head(shown).itertuples(index=False):
        old = number(r.old_value, 2) if r.old_status == "ok" else r.old_status
        new = number(r.value, 2) if r.status == "ok" else r.status
        lines.append(f"  rad {r.row}: {r.indicator_id} {r.area_code} {r.year} {r.group_dim}/{r.group_value}: "
                     f"{old} → {new}")
    if len(changed) > shown:
        lines.append(f"  … visar {shown} av {_int(len(changed))} ändrade värden.")
    return "\n".join(lines)


# --- The import -----------------------------------------------------------------------------------------

def _who() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (OSError, KeyError):
        return "okänd"


def import_file(path: Path, db: Path | None = None, *, dry_run: bool = False, overwrite: bool = False,
                limits: Limits = Limits(), username: str | None = None) -> ImportResult:
    """Check `path` against the snapshot at `db` and, unless `dry_run`, load it as a new snapshot.

    Raises ImportRejected (with the whole report) when the file has problems, or when it would change
    stored values and `overwrite` (--replace) is false; ImportFailed or DatabaseMissing for anything else.
    Nothing is
    written unless the whole file is accepted.
    """
    path = Path(path)
    table = read_table(path, limits)
    pause("read")
    return import_table(table, path.name, store.file_sha256(path), db, dry_run=dry_run, overwrite=overwrite,
                        limits=limits, username=username)


def import_table(table: RawTable, name: str, sha: str, db: Path | None = None, *, dry_run: bool = False,
                 overwrite: bool = False, limits: Limits = Limits(), username: str | None = None,
                 noun: str = "Filen") -> ImportResult:
    """Check the cells of `table` (from a file or a connector, named `name` in messages and the import log)
    against the snapshot at `db` and, unless `dry_run`, load them as a new snapshot (see `import_file`).

    `username` is who loads the data (the signed-in analyst; the OS user when not given); `noun` names
    the source in a rejection ("Filen x.csv avvisades", "Hämtningen SCB TAB6680 avvisades")."""
    db = dbmod.require(db)
    with contextlib.nullcontext() if dry_run else snapshots.lock(db):
        database = dbmod.open_for_writer(db)
        try:
            ctx = load_context(database)
            checked = validate(table, ctx, limits)
            if table.kind not in FILE_KINDS:  # fetched values: say where by area, year and group
                checked.problems = _placed(checked.problems, table)
            obs = observations(checked.rows, ctx, f"import:{name}")
            compared = compare(obs, existing_observations(database, sorted(obs.indicator_id.unique())))
        finally:
            database.close()
        _refuse(checked, compared, name, overwrite, limits, noun)
        pause("validated")
        counts = by_indicator_year(compared)
        n = {c: int((compared.change == c).sum()) for c in ("ny", "ändrad", "oförändrad")}
        result = ImportResult(name, sha, len(compared), n["ny"], n["ändrad"], n["oförändrad"], counts,
                              dry_run, based_on=ctx.version, encoding=table.encoding)
        if dry_run or n["ny"] + (n["ändrad"] if overwrite else 0) == 0:
            return result
        return _write(db, result, compared, overwrite, username or _who())


FILE_KINDS = ("CSV", "Excel")


def _placed(problems: list[Problem], table: RawTable) -> list[Problem]:
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


def _refuse(checked: Checked, compared: pd.DataFrame, name: str, overwrite: bool, limits: Limits,
            noun: str = "Filen") -> None:
    problems, total = list(checked.problems), checked.total
    changed = int((compared.change == "ändrad").sum())
    extra = ""
    if changed and not overwrite:
        total += 1
        problems = [*problems, Problem(None, None, None, f"{_count(changed, 'värde', 'värden')} skulle ändra det som "
                                                         "redan finns i databasen (se nedan); kör med --replace "
                                                         "för att ersätta dem")][: limits.shown]
        extra = changes_preview(compared, checked.labels, limits.shown)
    if total:
        raise ImportRejected(_report(problems, total, name, extra, noun), problems, total)


def _write(db: Path, result: ImportResult, compared: pd.DataFrame, overwrite: bool, username: str) -> ImportResult:
    """Build the new snapshot beside `db`, check it and swap it in; the current file is only replaced."""
    version = snapshots.next_version(db)
    take = compared.change.eq("ny") | (compared.change.eq("ändrad") & overwrite)
    added = compared.loc[take, OBS_COLUMNS].copy()
    added["source_version"] = f"import {version}: {result.file_name}"
    built_from = {"kind": "import", "file": result.file_name, "sha256": result.sha256,
                  "based_on": result.based_on, "rows": result.rows, "new": result.new,
                  "changed": result.changed if overwrite else 0, "replace": overwrite}
    log = {"logged_at": datetime.now(UTC), "username": username[:120], "file_name": result.file_name,
           "sha256": result.sha256, "rows": result.rows, "new_values": result.new,
           "changed_values": result.changed if overwrite else 0, "unchanged_values": result.unchanged,
           "result": "inläst med --replace" if overwrite else "inläst", "version": version}
    if store.snapshot_version(db) != result.based_on:  # a writer that does not take the lock got in between
        raise ImportFailed("Databasen byttes ut medan filen kontrollerades. Kör importen igen.")
    tmp = store.temp_path(db)
    try:
        store.write_derived_snapshot(db, tmp, added, built_from, version, log, on_stage=pause)
        store.check_snapshot(tmp)
        pause("written")
        kept = store.install(tmp, db, before_replace=lambda: pause("kept"))
        pause("installed")
    except (OSError, duckdb.Error, ValueError) as exc:
        raise ImportFailed(f"Importen kunde inte skrivas ({exc}). Databasen är oförändrad.") from exc
    finally:
        snapshots.remove_temp(tmp)
    return replace(result, version=version, kept_previous=kept)
