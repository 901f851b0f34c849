"""Reading an offered file into cells, guarded, and finding the columns it names.

CSV or Excel are told apart by content; oversized, binary and zip-bomb files are refused and formulas
are never evaluated. Memory and time are bounded by what the file holds, before any work per cell: the
columns and cells a file has are counted first (`Limits`), a sheet is measured by the cells its XML
holds (never the size it declares) before python-calamine reads it (`shb.ingest.excel`), and a CSV line
is measured before it is split. `read_table` gives a
`RawTable` of text and numbers as the file holds them; nothing is checked against the catalog here
(that is `shb.ingest.validate`).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import operator
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from shb.core import paths
from shb.core.errors import ImportFailed, ImportRejected
from shb.core.format import number
from shb.ingest.problems import Problem, integer, reject, report
from shb.ingest.staging import Staged, scan_csv

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
    max_part: int = 20 * MB  # unpacked size of a workbook part other than the sheets and their shared texts
    max_rows: int = 1_000_000
    max_columns: int = 1_000  # a file in long format has about a dozen
    max_cells: int = 10_000_000  # a CSV file: max_rows of ten columns
    # An Excel file: rows, cells and shared texts in the workbook's XML are counted. python-calamine reads
    # some 1.3 million a second (bench/excel_read.py); larger tables are read as CSV, streamed by DuckDB.
    max_excel_cells: int = 2_000_000
    # calamine holds a sheet as a dense grid (32 bytes a cell) from A1 to the last row and column it reaches.
    max_excel_area: int = 4_000_000
    max_text_bytes: int = 1 * MB  # one text in the XML (a cell in Excel holds at most 32 767 characters)
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
    # A CSV file read by DuckDB: its data rows are in the `raw` table of `staged.con`, not in `rows`.
    staged: Staged | None = None

    @property
    def size(self) -> int:
        """How many data rows the table has."""
        return self.staged.rows if self.staged is not None else len(self.rows)

    def columns(self, positions: dict[str, int], names) -> pa.Table:
        """The data rows as Arrow columns to stage: `row` (its number in the file), `extra` (a cell beyond
        the header holds something), and for each of `names` t_<name> (the cell as text, '' when empty or
        absent; a whole number without its '.0') and n_<name> (true where Excel stored a number). Built a
        column at a time (taken from the rows in native code); a column is looked at cell by cell only
        when it holds numbers."""
        rows, n, width = self.rows, len(self.rows), len(self.header)
        widest, shortest = max(map(len, rows), default=0), min(map(len, rows), default=0)
        extra = np.zeros(n, dtype=bool)
        for j in range(width, widest):
            extra |= np.fromiter((x.__class__ is not str or bool(x.strip()) for x in _column(rows, j, shortest)), bool, n)
        data: dict[str, pa.Array] = {"row": pa.array(self.row_numbers, pa.int64()), "extra": pa.array(extra)}
        for name in names:
            i = positions.get(name)
            col = _column(rows, i, shortest) if i is not None and i < widest else [""] * n
            if set(map(type, col)) <= {str}:
                data[f"t_{name}"] = pa.array(col, pa.string())
                data[f"n_{name}"] = pa.array(np.zeros(n, dtype=bool))
                continue
            data[f"t_{name}"] = pa.array([x if x.__class__ is str else _shown(x) for x in col], pa.string())
            data[f"n_{name}"] = pa.array([x.__class__ is float or x.__class__ is int for x in col], pa.bool_())
        return pa.table(data)


def _column(rows: list[list], i: int, shortest: int) -> list:
    """The cells at position `i` of every row ('' where a row is shorter)."""
    if i < shortest:
        return list(map(operator.itemgetter(i), rows))
    return [r[i] if len(r) > i else "" for r in rows]


def _shown(cell: object) -> str:
    """A number as text: 2025.0 → '2025' (as `validate` shows a cell)."""
    return str(int(cell)) if cell.__class__ is float and cell.is_integer() else str(cell)


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
    return _scan_csv(path, limits) or _read_csv(path.read_bytes(), limits)


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


def _delimiter(lines: list[str], limits: Limits) -> str:
    """';', tab or ',': the one that splits a header line into the required columns, else the commonest.

    A line that would split into more than `max_columns` fields, or has a field over the csv module's
    limit, is no header: it is not split here (the width check and the reader report it)."""
    for line in lines[:HEADER_SEARCH]:
        for d in (";", "\t", ","):
            if line.count(d) >= limits.max_columns:
                continue
            try:
                fields = next(csv.reader([line], delimiter=d))
            except csv.Error:
                continue
            if not _missing_columns(fields):
                return d
    counts = {d: lines[0].count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_BREAK = re.compile(r"\r\n|\r|\n")


def _check_width(text: str, delimiter: str, limits: Limits) -> None:
    """Refuse a line with more than `max_columns` fields before any line is split into fields.

    Counted as delimiters + 1 on each line (a delimiter inside quotes counts too: a line that long is
    no table of this kind either), in place: no line is copied. Lines shorter than the limit cannot
    have that many fields and are not counted."""
    if text.count(delimiter) < limits.max_columns:
        return
    start = 0
    for number_, brk in enumerate((*_BREAK.finditer(text), None), start=1):
        end = brk.start() if brk else len(text)
        if end - start > limits.max_columns and text.count(delimiter, start, end) >= limits.max_columns:
            reject(f"rad {number_} har {integer(text.count(delimiter, start, end) + 1)} fält; högst "
                   f"{integer(limits.max_columns)} kolumner kan läsas in. Kontrollera avgränsaren, eller ta bort "
                   "de tomma kolumnerna.")
        start = brk.end() if brk else end


def _csv_records(reader, limits: Limits):
    """(line number, cells) of the non-empty rows; the cells of the file are counted before they are read."""
    cells = 0
    for row in reader:
        if len(row) > limits.max_columns:  # a quoted field spanning lines can make a row that wide
            reject(f"rad {reader.line_num} har {integer(len(row))} fält; högst {integer(limits.max_columns)} "
                   "kolumner kan läsas in.")
        cells += len(row)
        if cells > limits.max_cells:
            reject(f"Filen har fler än {integer(limits.max_cells)} celler; så många kan inte läsas in. Dela upp "
                   "den i flera filer.")
        if any(cell.strip() for cell in row):
            # Interned: files repeat the same ids, codes and years on most rows, so each distinct text is held once.
            yield reader.line_num, [sys.intern(cell) for cell in row]


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


def _scan_csv(path: Path, limits: Limits) -> RawTable | None:
    """A plain UTF-8 CSV file read by DuckDB, in bounded memory; None when the file is anything else (another
    encoding, a quoted line break, a line too wide, too many cells or rows), which `_read_csv` then reads
    and reports exactly as before."""
    with path.open("rb") as f:
        start = f.read(1_000_000)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in start[:65536]:
        return None
    sample = start[:65536].decode("utf-8", errors="ignore")
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        return None
    lines = [line for line in start.decode("utf-8", errors="ignore").splitlines() if line.strip()]
    if not lines:
        return None
    delimiter = _delimiter(lines, limits)
    # As wide as the widest of the first lines (a wider line later sends the file to the Python reader).
    width = max(line.count(delimiter) + 1 for line in lines[:1000])
    if width > limits.max_columns:
        return None
    staged = scan_csv(path, delimiter, width, limits.max_cells, limits.max_rows + HEADER_SEARCH)
    if staged is None:
        return None
    heads = staged.first_rows(HEADER_SEARCH)
    at = next((i for i, (_, cells) in enumerate(heads) if not _missing_columns(cells)), 0)
    header_line = heads[at][0] if heads else 0
    text = start.decode("utf-8-sig", errors="ignore").split("\n")
    if not heads or header_line >= len(text):
        staged.close()
        return None
    staged.start_after(header_line)
    if staged.rows > limits.max_rows or staged.rows == 0:
        staged.close()
        return None
    try:  # the header as the csv module splits its line (a trailing empty field counts)
        header = next(csv.reader([text[header_line - 1].rstrip("\r")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        staged.close()
        return None
    staged.header_width = len(header)
    encoding = "UTF-8 med BOM" if start.startswith(codecs.BOM_UTF8) else "UTF-8"
    return RawTable(header, [], [], "CSV", encoding, header_line, staged)


def _read_csv(data: bytes, limits: Limits) -> RawTable:
    text, encoding = _decode(data)
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        reject("Filen innehåller binära data och är varken en CSV-fil eller en Excel-fil (.xlsx).")
    lines = [line for line in text[:1_000_000].splitlines() if line.strip()]
    if not lines:
        reject("Filen innehåller inga rader.")
    delimiter = _delimiter(lines, limits)
    _check_width(text, delimiter, limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(_csv_records(reader, limits), "CSV", encoding, limits)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reject(f"rad {reader.line_num} har ett fält som är längre än {integer(csv.field_size_limit())} tecken "
                   "(kanske ett citattecken som aldrig avslutas). Kontrollera citattecken och avgränsare.")
        reject(f"CSV-filen kunde inte tolkas nära rad {reader.line_num}. Kontrollera citattecken och avgränsare.")


def _read_xlsx(path: Path, limits: Limits) -> RawTable:
    """The first sheet with a header row naming the required columns (else the first sheet), read through
    python-calamine behind the guards of `shb.ingest.excel`."""
    from shb.ingest import excel

    first = None
    # calamine can fail in many ways on a damaged or hostile file (zip, XML, missing parts; a panic in its
    # native code arrives as a BaseException); all of them mean the same thing to the user, so they are
    # caught here, at the boundary, and reported.
    try:
        for title, records in excel.read_sheets(path, limits):
            table = _table(records, "Excel", f"blad {title!r}", limits)
            while table.header and table.header[-1] == "":  # as far as its last value: a value to the
                table.header.pop()  # right of it is reported on its row
            first = first or table
            if table.header and not _missing_columns(table.header):
                return table
    except (ImportRejected, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - see above
        reject(f"Excel-filen kunde inte läsas ({type(exc).__name__}); den är trasig eller inte en vanlig "
               ".xlsx-arbetsbok. Öppna och spara den i Excel igen, eller spara den som CSV.")
    if first is None or not first.header:
        reject("Excel-filen innehåller inga ifyllda rader.")
    return first


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
