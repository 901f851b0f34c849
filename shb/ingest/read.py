"""Reading an offered file into cells, guarded, and finding the columns it names.

CSV or Excel are told apart by content; oversized, binary and zip-bomb files are refused and formulas
are never evaluated. `read_table` gives a `RawTable` of text and numbers as the file holds them; nothing is checked against
the catalog here (that is `shb.ingest.validate`).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import sys
import tomllib
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from shb.core import paths
from shb.core.errors import ImportFailed, ImportRejected
from shb.core.format import number
from shb.ingest.problems import Problem, integer, reject, report

MB = 1024 * 1024


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
            reject(f"Filen har fler än {integer(limits.max_rows)} datarader. Dela upp den i flera filer.")
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
        raise ImportRejected(report(problems, len(problems)), problems, len(problems))
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
