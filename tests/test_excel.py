"""Excel files read through python-calamine: every guard holds before calamine sees a sheet (a grid too
large would abort the process), formulas and error values are reported in their cells, and values,
dates and row numbers come through as the user sees them in Excel."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from shb.core.errors import ImportRejected
from shb.ingest import importer as ingest
from shb.ingest import read
from shb.store import writer as store
from tests.test_ingest import HEADER, SHARE, run, stored, write_xlsx

NS = "http://schemas.openxmlformats.org"


def sheet_xlsx(path: Path, rows: str, *, shared: list[str] | None = None, before: str = "") -> Path:
    """A workbook written by hand: one sheet 'Data' whose sheetData holds `rows` (XML)."""
    rels = (f'<Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>')
    if shared is not None:
        rels += (f'<Relationship Id="rId2" Type="{NS}/officeDocument/2006/relationships/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{NS}/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{NS}/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{NS}/package/2006/'
        f'relationships">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?>{before}<worksheet xmlns="{NS}/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>",
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0"?><sst xmlns="{NS}/spreadsheetml/2006/main">'
                                         + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row(n: int = 1, first: str = "A") -> str:
    cols = [chr(ord(first) + i) for i in range(4)]
    return f'<row r="{n}">' + "".join(text(f"{c}{n}", h) for c, h in zip(cols, HEADER, strict=True)) + "</row>"


def data_row(n: int, value: str, year: str = "2025") -> str:
    return (f'<row r="{n}">{text(f"A{n}", SHARE)}{text(f"B{n}", "1490")}<c r="C{n}"><v>{year}</v></c>'
            f"{value}</row>")


def rejected(db: Path, path: Path, capsys) -> str:
    before = store.file_sha256(db)
    code, out, err = run(db, path, capsys=capsys)
    assert code == 2 and out == "" and "Traceback" not in err, err
    assert store.file_sha256(db) == before
    return err


@pytest.fixture
def db(private_db) -> Path:
    return private_db


# --- Formulas and error values: calamine gives their last value (or nothing); they are reported ----------

def test_a_formula_with_a_computed_value_is_reported_in_its_row_and_column(db, tmp_path, capsys):
    """calamine alone reads 70 here, a valid value: the formula must still be found and reported."""
    path = sheet_xlsx(tmp_path / "formel.xlsx", header_row() + data_row(2, '<c r="D2"><v>70.5</v></c>')
                      + data_row(3, '<c r="D3"><f>40+30</f><v>70</v></c>', year="2024"))
    err = rejected(db, path, capsys)
    assert "rad 3, kolumn varde, värde '=40+30': cellen innehåller en formel" in err
    assert "rad 2" not in err


def test_a_shared_formula_is_shown_as_it_stands_in_each_cell(db, tmp_path, capsys):
    path = sheet_xlsx(tmp_path / "delad.xlsx", header_row()
                      + data_row(2, '<c r="D2"><f t="shared" ref="D2:D3" si="0">C2/40</f><v>50.6</v></c>')
                      + data_row(3, '<c r="D3"><f t="shared" si="0"/><v>50.6</v></c>', year="2024"))
    err = rejected(db, path, capsys)
    assert "rad 2, kolumn varde, värde '=C2/40'" in err
    assert "rad 3, kolumn varde, värde '=C3/40'" in err


def test_an_error_value_is_reported_not_read_as_an_empty_cell(db, tmp_path, capsys):
    """#N/A pasted as a value: calamine reads it as an empty cell, which in ki_lag would pass unnoticed."""
    rows = ('<row r="1">' + "".join(text(f"{c}1", h) for c, h in zip("ABCDE", [*HEADER, "ki_lag"], strict=True))
            + "</row>" + data_row(2, '<c r="D2"><v>70.5</v></c><c r="E2" t="e"><v>#N/A</v></c>'))
    err = rejected(db, sheet_xlsx(tmp_path / "fel.xlsx", rows), capsys)
    assert "rad 2, kolumn ki_lag, värde '#N/A': inte ett tal" in err


def test_a_formula_outside_the_table_does_not_stop_the_import(db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Instruktioner"
    wb.active["B7"] = "=1+1"
    ws = wb.create_sheet("Data")
    for r in [HEADER, [SHARE, "1490", 2025, 70.5]]:
        ws.append(r)
    path = tmp_path / "instruktioner.xlsx"
    wb.save(path)
    assert ingest.import_file(path, db, dry_run=True).new == 1


# --- A grid calamine would have to allocate: refused before it is read -----------------------------------

def test_an_empty_text_far_away_is_refused_before_calamine_reads_the_sheet(db, tmp_path, capsys):
    """calamine asks for 16 384 × 1 048 576 cells (512 GB) here and the process aborts: the guard must hold."""
    path = sheet_xlsx(tmp_path / "langt_bort.xlsx", header_row() + data_row(2, '<c r="D2"><v>70.5</v></c>')
                      + '<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>', shared=[""])
    err = rejected(db, path, capsys)
    assert "cellen XFD1048576 på blad 'Data'" in err and "högst 1 000 kolumner" in err


def test_a_value_far_down_is_refused_by_the_size_of_the_grid(db, tmp_path, capsys):
    path = sheet_xlsx(tmp_path / "langt_ner.xlsx", header_row() + data_row(2, '<c r="D2"><v>70.5</v></c>')
                      + '<row r="1048576"><c r="D1048576"><v>1</v></c></row>')
    err = rejected(db, path, capsys)
    assert "sträcker sig till rad 1 048 576 och kolumn D" in err and "4 194 304 celler" in err
    table = read.read_table(path, read.Limits(max_excel_area=5_000_000))  # within a larger limit it is read
    assert table.row_numbers == [2, 1048576]


def test_rows_and_cells_without_references_are_placed_as_calamine_places_them(db, tmp_path, capsys):
    """No r="…" at all (allowed by the format): measured exactly before reading, and numbered as in Excel."""
    head = "<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER) + "</row>"
    rows = head + f'<row r="4"><c t="inlineStr"><is><t>{SHARE}</t></is></c><c t="inlineStr"><is><t>1490R999</t>' \
                  '</is></c><c><v>2025</v></c><c><v>70.5</v></c></row>'
    err = rejected(db, sheet_xlsx(tmp_path / "utan_ref.xlsx", rows), capsys)
    assert "rad 4, kolumn omrade, värde '1490R999': okänt område" in err


def test_a_document_type_declaration_is_refused(db, tmp_path, capsys):
    path = sheet_xlsx(tmp_path / "dtd.xlsx", header_row() + data_row(2, '<c r="D2"><f>1</f><v>70.5</v></c>'),
                      before='<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>')
    assert "dokumenttypdeklaration" in rejected(db, path, capsys)
    path = sheet_xlsx(tmp_path / "dtd_texter.xlsx", header_row() + data_row(2, '<c r="D2" t="s"><v>0</v></c>'),
                      shared=['70</t></si><!ENTITY b "bbbb"><si><t>1'])  # in the shared texts, no formula
    assert "dokumenttypdeklaration" in rejected(db, path, capsys)


# --- Broken, bombed and too large files ------------------------------------------------------------------

def test_a_damaged_sheet_inside_a_whole_zip_is_refused(db, tmp_path, capsys):
    good = write_xlsx(tmp_path, [[SHARE, "1490", 2025, 70.5]] * 50)
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        offset = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(good.read_bytes())
    data[offset + 10: offset + 40] = bytes(30)  # the compressed sheet is damaged, the directory intact
    bad = tmp_path / "skadad.xlsx"
    bad.write_bytes(bytes(data))
    assert "trasig eller ofullständig" in rejected(db, bad, capsys)


def test_a_zip_bomb_and_a_too_large_file_are_refused_before_any_sheet_is_opened(db, tmp_path, monkeypatch):
    import python_calamine

    class NoReading:
        @staticmethod
        def from_path(path):
            raise AssertionError("the workbook was opened")

    path = write_xlsx(tmp_path, [[SHARE, "1490", 1990 + i, 70.5] for i in range(20)])
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", NoReading)
    with pytest.raises(ImportRejected, match="packas upp till"):
        ingest.import_file(path, db, limits=ingest.Limits(max_unzipped=2000))
    with pytest.raises(ImportRejected, match="den största fil som kan läsas in är 0 MB"):
        ingest.import_file(path, db, limits=ingest.Limits(max_bytes=path.stat().st_size - 1))
    monkeypatch.undo()
    with pytest.raises(ImportRejected, match="cellen ALM2 på blad .Data.*högst 1.000 kolumner"):
        ingest.import_file(sheet_xlsx(tmp_path / "bred.xlsx", header_row() + data_row(2, '<c r="ALM2"><v>1</v></c>')),
                           db)
    assert ingest.import_file(path, db, dry_run=True).new == 20


# --- Values as the user sees them ------------------------------------------------------------------------

def test_numbers_dates_and_text_come_through_as_excel_shows_them(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Titel"
    for i, h in enumerate(HEADER):
        ws.cell(4, 3 + i, h)  # the table starts at C4, below a title
    ws.append([None, None, SHARE, 1490, 2025, 70.4])
    ws.append([None, None, SHARE, "1490R025", "2025", "55,5"])
    ws.append([None, None, SHARE, "1490", datetime(2025, 1, 31), date(2024, 3, 1)])
    ws.append([None, None, SHARE, True, 2025.0, 10**20])
    path = tmp_path / "varden.xlsx"
    wb.save(path)
    table = read.read_table(path)
    assert table.header_row == 4 and table.row_numbers == [5, 6, 7, 8]
    assert table.header == ["", "", *HEADER]
    rows = [r[2:] for r in table.rows]
    assert rows[0] == [SHARE, 1490, 2025, 70.4]
    assert rows[1] == [SHARE, "1490R025", "2025", "55,5"]  # text stays text: decimal comma and all
    assert rows[2][2:] == ["2025-01-31", "2024-03-01"]
    assert rows[3][1] == "SANT" and rows[3][3] == 1e20


def test_native_and_text_numbers_load_with_their_values(db, tmp_path, capsys):
    path = write_xlsx(tmp_path, [[SHARE, 1490, 2025, 70.4], [SHARE, "1490R025", "2025", "55,5"]])
    code, _, err = run(db, path, capsys=capsys)
    assert code == 0, err
    assert stored(db, SHARE, "1490", 2025)["value"] == 70.4
    assert stored(db, SHARE, "1490R025", 2025)["value"] == 55.5


@pytest.mark.parametrize("block", [1, 5, 13, 64, 200])
def test_the_scan_counts_the_same_whatever_the_blocks_it_unpacks(block, tmp_path, monkeypatch):
    """Elements and references cut between two blocks are counted once: the counts do not depend on where
    the blocks end (a reference missed there sends a sheet to the slow exact reading, one counted twice
    would refuse a file)."""
    from shb.ingest import excel

    path = sheet_xlsx(tmp_path / "block.xlsx", header_row() + "".join(
        data_row(n, f'<c r="D{n}"><v>{n}.5</v></c>') for n in range(2, 40))
        + '<row r="41"><c r="AB41" t="e"><v>#N/A</v></c></row>')
    whole = excel.scan(path, read.Limits())["xl/worksheets/sheet1.xml"]
    monkeypatch.setattr(excel, "BLOCK", block)
    cut = excel.scan(path, read.Limits())["xl/worksheets/sheet1.xml"]
    assert (whole.cells, whole.cell_refs, whole.rows, whole.row_refs) == (4 * 39 + 1, 4 * 39 + 1, 40, 40)
    assert (cut.cells, cut.cell_refs, cut.rows, cut.row_refs, cut.marked) == (
        whole.cells, whole.cell_refs, whole.rows, whole.row_refs, True)
    assert (cut.last_row, cut.last_column, cut.far_cell) == (41, 28, "AB41")


def test_the_arrow_columns_hold_the_cells_as_staged(tmp_path):
    """`RawTable.columns` (Arrow, a column at a time), which `validate.stage` stages: text as Excel shows it,
    whether Excel stored a number, and whether a row holds something beyond the header."""
    from shb.ingest import validate
    from shb.ingest.staging import close_connection

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*HEADER, "KI låg", "Status", None])
    ws.append([SHARE, 1490, 2025, 70.4, 69, "..", None])
    ws.append([SHARE, "1490R025", "2025", "55,5", None, " ", "utanför"])
    ws.append([SHARE, "1490", datetime(2025, 1, 31), 10**20, True, None, None])
    ws.append([" ", "  ", None, 1.5, "=1+1", None, 3])
    path = tmp_path / "kolumner.xlsx"
    wb.save(path)
    table = read.read_table(path)
    positions = read.resolve_columns(table.header, table.header_row)
    got = table.columns(positions, validate.COLUMNS).to_pandas()
    assert got.extra.tolist() == [False, True, False, True]
    assert got.t_varde.tolist() == ["70.4", "55,5", "100000000000000000000", "1.5"]
    assert got.n_varde.tolist() == [True, False, True, True]
    assert got.t_omrade.tolist() == ["1490", "1490R025", "1490", "  "]
    assert got.n_omrade.tolist() == [True, False, False, False]
    con = validate.stage(table, positions)
    try:
        staged = con.execute("select * from cells order by row").df()
    finally:
        close_connection(con)
    assert staged.t_varde.tolist() == got.t_varde.tolist()


def test_a_merged_title_and_a_second_sheet_are_read_as_excel_shows_them(db, tmp_path):
    """A merged cell holds its value in its first cell only (as openpyxl read it); the table is found on the
    second sheet, below the title, and numbered as in Excel."""
    wb = openpyxl.Workbook()
    wb.active.title = "Om filen"
    wb.active["A1"] = "Inga data här"
    ws = wb.create_sheet("Data")
    ws["A1"] = "Sysselsättning i Borås"
    ws.merge_cells("A1:D1")
    ws.append(HEADER)
    ws.append([SHARE, "1490R999", 2025, 70.5])
    path = tmp_path / "sammanfogad.xlsx"
    wb.save(path)
    table = read.read_table(path)
    assert (table.encoding, table.header_row, table.row_numbers) == ("blad 'Data'", 2, [3])
    with pytest.raises(ImportRejected, match="rad 3, kolumn omrade, värde '1490R999'"):
        ingest.import_file(path, db)
