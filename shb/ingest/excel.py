"""Reading an Excel workbook (.xlsx) into rows of cells, guarded, through python-calamine.

calamine reads a sheet into a dense grid in native code (with the guards below, a 200 000-row sheet
is read 8 times faster than by openpyxl: bench/excel_read.py), but it trusts the file: it spans the
grid from the first to the last cell the sheet's XML holds (a 4.9 KB file with one empty text in
XFD1048576 asks for 512 GB, and the process aborts, beyond any `except`), and it reports neither
formulas (a formula gives its last computed value, or nothing) nor error values (#N/A gives an empty
cell). So before calamine sees a sheet, the workbook's zip is scanned as it unpacks, in blocks, with
numpy over the bytes (memory stays small): the parts and their unpacked sizes, the rows, cells and
shared texts, the longest text, the cell references (the last row and column a sheet reaches) and any
formula or error value. A sheet that holds formulas or error values, or cells without a reference, is
read once more with expat for where they are; each such cell then holds its formula ('=…') or its
error ('#N/A'), so validation reports it as before, never evaluated. A sheet whose grid would be
larger than `max_excel_area` cells, or reaches beyond `max_columns`, is refused before it is read.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np

from shb.core.format import number
from shb.ingest.problems import integer, reject

if TYPE_CHECKING:
    from shb.ingest.read import Limits

MB = 1024 * 1024
BLOCK = MB  # bytes unpacked at a time
_OVERLAP = 64  # bytes carried from one block to the next, so an element cut in two is counted once
_PAD = 16  # zero bytes after a block, so a look a few bytes ahead never leaves the array


def _table(*chars: bytes) -> np.ndarray:
    t = np.zeros(256, dtype=bool)
    for c in b"".join(chars):
        t[c] = True
    return t


_ENDS_NAME = _table(b" \t\r\n/>")  # what may follow an element's name
_SPACE = _table(b" \t\r\n")
_LETTER = _table(bytes(range(65, 91)), bytes(range(97, 123)))
_DIGIT = _table(b"0123456789")
_QUOTE = _table(b"\"'")


@dataclass
class Part:
    """What the scan found in one worksheet part: its rows and cells, their references, and whether it holds
    formulas or error values."""

    cells: int = 0
    rows: int = 0
    cell_refs: int = 0
    row_refs: int = 0
    last_row: int = 0  # 1-based, from the references
    last_column: int = 0
    far_cell: str = ""  # the reference of a cell in the last column
    marked: bool = False  # an <f> element or t="e" somewhere: formulas or error values
    declared: bool = False  # <!DOCTYPE or <!ENTITY: a declaration no workbook has
    exact: bool = False  # set once expat has measured the part (`_exact`)
    overlay: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 1-based → text

    @property
    def needs_exact(self) -> bool:
        return not self.exact and (self.marked or self.cells != self.cell_refs or self.rows != self.row_refs)


def check_zip(path: Path, limits: Limits) -> None:
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
    other = [i for i in infos if not _is_table_part(i.filename) and i.file_size > limits.max_part]
    if other:
        reject(f"Excel-filens del {other[0].filename!r} packas upp till {number(other[0].file_size / MB, 0)} MB; "
               f"högst {number(limits.max_part / MB, 0)} MB tillåts. Filen läses inte.")


def _is_table_part(name: str) -> bool:
    """A part whose XML holds the cells: a worksheet or the shared texts the cells point to."""
    return name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"


def _broken(exc: BaseException):
    reject(f"Excel-filen är trasig eller ofullständig (kanske avkortad vid överföringen): {exc}.")


def scan(path: Path, limits: Limits) -> dict[str, Part]:
    """Count the rows, cells and shared texts in every part, measure its longest text, and note each XML
    part's cell references and formula or error marks, in blocks as it unpacks; refuse the file before
    any cell is read when there are more than `max_excel_cells` or a text is longer than `max_text_bytes`."""
    parts: dict[str, Part] = {}
    elements = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                part = Part()
                with zf.open(info) as stream:
                    elements = _scan_part(stream, part, elements, limits, xml=info.filename.endswith(".xml"))
                if part.declared and info.filename.endswith((".xml", ".rels")):
                    _doctype()
                if info.filename.endswith(".xml"):
                    parts[info.filename] = part
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        _broken(exc)  # also a compression method zipfile lacks, or a part with a password
    return parts


def _scan_part(stream, part: Part, elements: int, limits: Limits, xml: bool) -> int:
    """`elements` plus the rows, cells and shared texts of `stream`; `part` gets its references and marks. Its
    texts are measured when it is XML (an image may well hold a megabyte without a '<')."""
    tail, run = b"", 0
    while True:
        block = stream.read(BLOCK)
        last = not block
        data = tail + block
        cut = len(data) if last else max(0, len(data) - _OVERLAP)
        elements += _scan_block(data, cut, part)
        tail = data[cut:]
        if elements > limits.max_excel_cells:
            reject(f"Excel-filen har fler än {integer(limits.max_excel_cells)} celler (rader, celler och texter); "
                   "så många läses inte ur en Excel-fil. Spara den som CSV (UTF-8), eller dela upp den.")
        if last:
            return elements
        if xml:
            lt = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 60)  # '<'
            if len(lt):
                pieces = np.diff(lt, append=len(block)) - 1
                longest = max(run + int(lt[0]), int(pieces.max()))
                run = int(pieces[-1])
            else:
                longest = run = run + len(block)
            if longest > limits.max_text_bytes:
                reject(f"Excel-filen har en text på mer än {number(limits.max_text_bytes / MB, 0)} MB; en cell i Excel "
                       "rymmer högst 32 767 tecken. Filen läses inte.")


def _scan_block(data: bytes, cut: int, part: Part) -> int:
    """The rows, cells and shared texts that start before `cut` in `data` (with or without a namespace
    prefix); `part` gets the references, the last row and column they reach, and formula or error marks."""
    a = np.frombuffer(data + bytes(_PAD), dtype=np.uint8)
    head = a[:cut]
    starts = np.flatnonzero((head == 60) | (head == 58)) + 1  # after '<' or a prefix's ':'
    c = a[starts]
    is_c = (c == 99) & _ENDS_NAME[a[starts + 1]]
    is_row = (c == 114) & (a[starts + 1] == 111) & (a[starts + 2] == 119) & _ENDS_NAME[a[starts + 3]]
    is_si = (c == 115) & (a[starts + 1] == 105) & _ENDS_NAME[a[starts + 2]]
    is_f = (c == 102) & _ENDS_NAME[a[starts + 1]]
    part.declared = part.declared or bool(((c == 33) & ((a[starts + 1] == 68) | (a[starts + 1] == 69))).any())
    cells, rows = int(is_c.sum()), int(is_row.sum())
    part.cells += cells
    part.rows += rows
    # Attributes r="…" (a row's number or a cell's reference) and t="e" (an error value), after a space.
    # Found by their '=' and counted in the block that holds the space before them (as elements by their '<').
    q = np.flatnonzero(a[2:cut + 2] == 61) + 1
    q = q[((a[q] == 114) | (a[q] == 116)) & _SPACE[a[q - 1]] & _QUOTE[a[q + 2]]]
    t = q[a[q] == 116]
    errors = (a[t + 3] == 101) & (a[t + 4] == a[t + 2])
    part.marked = part.marked or bool(is_f.any()) or bool(errors.any())
    _references(a, q[a[q] == 114], part)
    return cells + rows + int(is_si.sum())


def _references(a: np.ndarray, q: np.ndarray, part: Part) -> None:
    """Read the references r="AB12" (a cell) and r="12" (a row) that start at the positions `q`."""
    if not len(q):
        return
    letters = np.zeros(len(q), dtype=np.int64)
    column = np.zeros(len(q), dtype=np.int64)
    going = np.ones(len(q), dtype=bool)
    for k in range(4):  # a fourth letter makes no reference
        ch = a[q + 3 + k]
        going &= _LETTER[ch]
        column = np.where(going, column * 26 + ((ch & 0xDF).astype(np.int64) - 64), column)
        letters += going
    digits = np.zeros(len(q), dtype=np.int64)
    row = np.zeros(len(q), dtype=np.int64)
    going = np.ones(len(q), dtype=bool)
    for k in range(8):
        ch = a[q + 3 + letters + k]
        going &= _DIGIT[ch]
        row = np.where(going, row * 10 + (ch.astype(np.int64) - 48), row)
        digits += going
    closed = a[q + 3 + letters + digits] == a[q + 2]
    good = closed & (letters < 4) & (digits > 0) & (digits < 8) & (row > 0)
    cell, row_ref = good & (letters > 0), good & (letters == 0)
    part.cell_refs += int(cell.sum())
    part.row_refs += int(row_ref.sum())
    if good.any():
        part.last_row = max(part.last_row, int(row[good].max()))
    if cell.any():
        i = int(np.argmax(np.where(cell, column, -1)))
        if column[i] > part.last_column:
            part.last_column = int(column[i])
            part.far_cell = column_letter(part.last_column) + str(int(row[i]))


def column_letter(n: int) -> str:
    """1 → 'A', 27 → 'AA', 16384 → 'XFD'."""
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


def _position(ref: str) -> tuple[int, int] | None:
    """'AB12' → (12, 28), 1-based; None when `ref` is no cell reference."""
    m = _REF.fullmatch(ref)
    return (int(m[2]), _column(m[1])) if m and int(m[2]) > 0 else None


class _Cells:
    """expat's handlers for one worksheet: where each cell is, and the formulas and error values in it."""

    def __init__(self, part: Part) -> None:
        self.part, self.row, self.col = part, 0, 0
        self.type: str | None = None
        self.formula: str | None = None
        self.value: str | None = None
        self.attrs: dict[str, str] = {}
        self.text: list[str] | None = None
        self.shared: dict[str, tuple[str, int, int]] = {}
        part.last_row = part.last_column = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() and int(r) > 0 else self.row + 1
            self.col = 0
        elif local == "c":
            at = _position(attrs.get("r", ""))
            self.row, self.col = at if at else (self.row, self.col + 1)
            self.type, self.formula, self.value = attrs.get("t"), None, None
            self.part.last_row = max(self.part.last_row, self.row)
            if self.col > self.part.last_column:
                self.part.last_column = self.col
                self.part.far_cell = column_letter(self.col) + str(self.row)
        elif local in ("f", "v"):
            self.text = []
            if local == "f":
                self.attrs = attrs

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local in ("f", "v"):
            text, self.text = "".join(self.text or ()), None
            if local == "f":
                self.formula = text
            else:
                self.value = text
        elif local == "c":
            where = (self.row, self.col)
            if self.formula is not None:
                self.part.overlay[where] = _formula(self.formula, self.attrs, where, self.shared)
            elif self.type == "e":
                self.part.overlay[where] = self.value or "#"

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def _doctype(*_) -> None:
    reject("Excel-filen innehåller en dokumenttypdeklaration (DOCTYPE eller ENTITY), som en vanlig .xlsx-arbetsbok "
           "aldrig har. "
           "Öppna och spara den i Excel igen, eller spara den som CSV.")


def _exact(zf: zipfile.ZipFile, name: str, part: Part) -> None:
    """Read the part with expat: where every cell is (counted as calamine counts them, a cell or row without a
    reference following the one before), the last row and column, and the text of each formula ('=…')
    and error value ('#N/A') to show in its cell. A document type declaration is refused."""
    cells = _Cells(part)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = cells.start, cells.end
    parser.CharacterDataHandler, parser.StartDoctypeDeclHandler = cells.characters, _doctype
    try:
        with zf.open(name) as stream:
            parser.ParseFile(stream)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        _broken(exc)
    part.exact = True


def _formula(text: str, attrs: dict[str, str], where: tuple[int, int], shared: dict) -> str:
    """A formula as Excel's formula bar shows it in its cell: a shared formula is moved from its first cell."""
    if attrs.get("t") == "shared":
        si = attrs.get("si", "")
        if text:
            shared[si] = (text, *where)
        elif si in shared:
            first, row, col = shared[si]
            try:
                from openpyxl.formula.translate import Translator

                return Translator("=" + first, column_letter(col) + str(row)).translate_formula(
                    column_letter(where[1]) + str(where[0]))
            except Exception:  # noqa: BLE001 - any failure to move it: the first cell's formula is shown
                return "=" + first
    return "=" + text


_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the zip, as the workbook and its relationships name them."""
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, OSError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_RELS)}
    out = {}
    for el in book.iter():
        if el.tag.rpartition("}")[2] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), None)
        target = targets.get(rid, "")
        if target:
            out[el.get("name", "")] = (target.lstrip("/") if target.startswith("/")
                                       else posixpath.normpath(posixpath.join("xl", target)))
    return out


def _guard(part: Part, title: str, limits: Limits) -> None:
    """Refuse a sheet that reaches beyond `max_columns` or whose grid would exceed `max_excel_area` cells."""
    if part.last_column > limits.max_columns:
        letters = column_letter(part.last_column)
        reject(f"Excel-filen har en cell i kolumn {letters} (cellen {part.far_cell} på blad {title!r}); högst "
               f"{integer(limits.max_columns)} kolumner kan läsas in. Ta bort värdet eller flytta tabellen och försök igen.")
    area = part.last_row * part.last_column
    if area > limits.max_excel_area:
        reject(f"Bladet {title!r} i Excel-filen sträcker sig till rad {integer(part.last_row)} och kolumn "
               f"{column_letter(part.last_column)}: ett rutnät på {integer(area)} celler, fler än de "
               f"{integer(limits.max_excel_area)} som läses. Ta bort celler långt utanför tabellen, eller spara "
               "bladet som CSV (UTF-8).")


def _excel_cell(value: object) -> object:
    """Plain Python values as the user sees them: text, numbers, SANT/FALSKT, dates as 2025-01-31."""
    if value.__class__ is str or value.__class__ is float or value.__class__ is int:
        return value
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, timedelta):  # a duration in Excel's [t]:mm:ss
        seconds = round(value.total_seconds())
        return f"{'-' if seconds < 0 else ''}{abs(seconds) // 3600}:{abs(seconds) // 60 % 60:02}:{abs(seconds) % 60:02}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_PLAIN = frozenset((str, float, int))


def records(sheet, part: Part) -> Iterator[tuple[int, list]]:
    """(row number as in Excel, values from column A) of each non-empty row of a calamine sheet, with the
    formulas and error values of `part.overlay` in their cells. The sheet comes as lists from A1
    (`to_python`, in native code); a row is looked at cell by cell only when it holds something other
    than text and numbers (converted) or nothing but text (blank unless some text is)."""
    convert = _excel_cell
    overlay: dict[int, dict[int, str]] = {}
    for (r, c), text in part.overlay.items():
        overlay.setdefault(r, {})[c] = text
    rows = sheet.to_python(skip_empty_area=False) if sheet.start is not None else []
    if rows and len(rows) != sheet.end[0] + 1:  # numbers must be Excel's: the lists start at row 1
        raise RuntimeError(f"calamine gav {len(rows)} rader till rad {sheet.end[0] + 1}")
    for number_, row in enumerate(rows, start=1):
        if number_ in overlay:
            _place(row, overlay.pop(number_))
        elif row.count("") == len(row):
            continue
        types = set(map(type, row))
        if not types <= _PLAIN:
            row = [convert(x) for x in row]
            types = set(map(type, row))
        if types == {str} and not any(x.strip() for x in row):
            continue
        yield number_, row
    for r in sorted(overlay):  # formulas or errors beyond the last value calamine read
        values: list = []
        _place(values, overlay[r])
        yield r, values


def _place(values: list, cells: dict[int, str]) -> None:
    for c, text in cells.items():
        if c > len(values):
            values.extend([""] * (c - len(values)))
        values[c - 1] = text


def read_sheets(path: Path, limits: Limits) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    """(sheet name, its records) for each worksheet, in the workbook's order, each guarded before calamine
    reads it; the caller stops when it has found its table (later sheets are neither guarded nor read).
    ImportRejected when the file is broken or a sheet too large. calamine's own errors (and a panic in its
    native code, a BaseException) reach the caller, which reports them."""
    check_zip(path, limits)
    parts = scan(path, limits)
    import python_calamine  # only when an Excel file is read

    with zipfile.ZipFile(path) as zf, python_calamine.CalamineWorkbook.from_path(str(path)) as wb:
        names = sheet_parts(zf)
        for index, meta in enumerate(wb.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            part = parts.get(names.get(meta.name, ""))
            if part is None:  # calamine found a sheet the workbook's relationships do not place
                part = _unplaced(parts, meta.name)
            elif part.needs_exact:
                _exact(zf, names[meta.name], part)
            _guard(part, meta.name, limits)
            yield meta.name, records(wb.get_sheet_by_index(index), part)


def _unplaced(parts: dict[str, Part], title: str) -> Part:
    """A sheet the scan cannot tie to its part: judged as the largest worksheet part, and refused when any
    part holds formulas, error values or cells without a reference (they could not be placed)."""
    sheets = [p for name, p in parts.items() if name.startswith("xl/worksheets/")] or list(parts.values())
    if any(p.needs_exact for p in sheets):
        reject(f"Bladet {title!r} i Excel-filen kan inte läsas: arbetsboken säger inte var det ligger, och det "
               "kan innehålla formler eller felvärden. Öppna och spara filen i Excel igen, eller spara den som CSV.")
    out = Part()
    for p in sheets:
        if p.last_row * p.last_column >= out.last_row * out.last_column:
            out.last_row, out.last_column, out.far_cell = p.last_row, p.last_column, p.far_cell
    return out
