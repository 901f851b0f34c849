"""File import: a corpus of bad files is rejected with a Swedish message and writes nothing; good files
(every encoding, separator and format we promise) load with the right values."""

from __future__ import annotations

import codecs
import io
import os
import random
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from shb.cli import main as cli
from shb.core import paths
from shb.core.errors import ImportRejected
from shb.ingest import importer as ingest
from shb.store import schema
from shb.store import writer as store
from tests.conftest import observation_count

HEADER = ["indikator", "omrade", "ar", "varde"]
THIS_YEAR = date.today().year
SHARE = "sysselsattningsgrad_20_64"  # share, lowest level DeSO, groups kon and alder
CITY_ONLY = "oppet_arbetslosa_18_64"  # share, kommun only
COUNT = "polisen_utsatta_omraden"  # count, kommun only
RATE = "idrott_deltagartillfallen_7_20"  # participations per inhabitant: numerator may exceed denominator


@pytest.fixture
def db(private_db) -> Path:
    return private_db


def write_csv(folder: Path, rows, header=HEADER, sep=";", encoding="utf-8", name="fil.csv") -> Path:
    text = "\n".join(sep.join(str(c) for c in r) for r in [header, *rows]) + "\n"
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in [header, *rows]:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(folder: Path, rows, header=HEADER, name="fil.xlsx") -> Path:
    path = folder / name
    path.write_bytes(xlsx_bytes(rows, header))
    return path


def run(db: Path, file: Path, *flags: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["import", str(file), "--db", str(db), *flags])
    out = capsys.readouterr()
    return code, out.out.replace("\xa0", " "), out.err.replace("\xa0", " ")


def stored(db: Path, indicator: str, area: str, year: int, dim: str = "total", value: str = "alla") -> dict | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute(
            "select * from observation where indicator_id = $i and area_code = $a and year = $y "
            "and group_dim = $d and group_value = $v", {"i": indicator, "a": area, "y": year, "d": dim, "v": value}).df()
    finally:
        con.close()
    assert len(frame) <= 1
    return frame.iloc[0].to_dict() if len(frame) else None


# --- The bad-input corpus: each file is rejected with a useful Swedish message, nothing is written ----

def empty(d):
    return _bytes(d, b"", "tom.csv")


def blank_lines(d):
    return _bytes(d, b"\n \n\r\n", "blank.csv")


def garbage(d):
    return _bytes(d, random.Random(7).randbytes(20_000), "skrap.csv")


def garbage_without_nul(d):
    rnd = random.Random(8)
    return _bytes(d, bytes(rnd.choice(range(1, 256)) for _ in range(20_000)), "skrap2.csv")


def truncated_xlsx(d):
    data = xlsx_bytes([[SHARE, "1490", 2025, 70.5]] * 200)
    return _bytes(d, data[: len(data) // 2], "avkortad.xlsx")


def zip_bomb_xlsx(d):
    path = d / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (40 * 1024 * 1024))
    return path


def zip_not_excel(d):
    path = d / "arkiv.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hej")
    return path


def old_xls(d):
    return _bytes(d, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "gammal.xls")


def over_size_limit(d):
    path = d / "stor.csv"
    with path.open("wb") as f:  # sparse: 51 MB on paper, nothing on disk
        f.truncate(51 * 1024 * 1024)
    return path


def formulas(d):
    return write_xlsx(d, [[SHARE, "1490", 2025, "=40+30"], [SHARE, "1490", 2026, 71.0]])


def mixed_decimals(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5"], [SHARE, "1490R025", 2025, "55.5"]])


def duplicate_headers(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "71"]], header=[*HEADER, "Värde"])


def missing_column(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5"]], header=["indikator", "omrade", "ar", "vrde"])


def unknown_indicator(d):
    return write_csv(d, [["sysselsatningsgrad_20_64", "1490", 2025, "70,5"]])


def unknown_area(d):
    return write_csv(d, [[SHARE, "1490R999", 2025, "70,5"]])


def level_not_allowed(d):
    return write_csv(d, [[CITY_ONLY, "1490R025", 2025, "7,5"]])


def unknown_group(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "bakgrund", "utrikes_fodda"]],
                     header=[*HEADER, "grupp_typ", "grupp"])


def unknown_group_value(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "kon", "okänt"]], header=[*HEADER, "grupp_typ", "grupp"])


def half_group(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "kon", ""]], header=[*HEADER, "grupp_typ", "grupp"])


def share_over_100(d):
    return write_csv(d, [[SHARE, "1490", 2025, "100,5"]])


def negative_count(d):
    return write_csv(d, [[COUNT, "1490", 2025, "-1"]])


def negative_numerator(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "-5", "100"]], header=[*HEADER, "taljare", "namnare"])


def numerator_over_denominator(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "120", "100"]], header=[*HEADER, "täljare", "nämnare"])


def duplicate_rows(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5"], [SHARE, "1490", 2026, "70,1"], [SHARE, "1490", 2025, "71"]])


def huge_count(d):
    return write_xlsx(d, [[SHARE, "1490", 2025, 70.5, 10**20, 10**21]], header=[*HEADER, "taljare", "namnare"])


def year_1850(d):
    return write_csv(d, [[SHARE, "1490", 1850, "70,5"]])


def next_year(d):
    return write_csv(d, [[SHARE, "1490", THIS_YEAR + 1, "70,5"]])


def non_numeric(d):
    return write_csv(d, [[SHARE, "1490", 2025, "sjuttio"]])


def percent_sign(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5 %"]])


def ok_without_value(d):
    return write_csv(d, [[SHARE, "1490", 2025, "", "ok"]], header=[*HEADER, "status"])


def value_with_suppression(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", ".."]], header=[*HEADER, "status"])


def unknown_status(d):
    return write_csv(d, [[SHARE, "1490", 2025, "", "hemlig"]], header=[*HEADER, "status"])


def ragged_row(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70", "5"]], sep=",")


def header_only(d):
    return write_csv(d, [])


def group_columns_apart(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "kvinnor"]], header=[*HEADER, "grupp"])


def confidence_outside(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "71", "75"]], header=[*HEADER, "ki_lag", "ki_hog"])


def fractional_denominator(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70,5", "70", "99,5"]], header=[*HEADER, "taljare", "namnare"])


def excel_without_rows(d):
    wb = openpyxl.Workbook()
    path = d / "tom.xlsx"
    wb.save(path)
    return path


INDEX = "nojd_inflytande_index"  # unit index, 0–100
PER_100000 = "anmalda_brott_per_100000"


def index_beyond_its_range(d):
    """1.7e308 is a finite float: charts then failed with "Infinity is not valid JSON"."""
    return write_csv(d, [[INDEX, "1490", 2025, "1.7e308"]])


def rate_beyond_its_range(d):
    return write_csv(d, [[PER_100000, "1490", 2025, "250000"]])


def confidence_bound_beyond_its_range(d):
    return write_csv(d, [[SHARE, "1490", 2025, "70", "-5", "1e300"]], header=[*HEADER, "ki_lag", "ki_hog"])


def not_finite(d):
    return write_csv(d, [[SHARE, "1490", 2025, "1e999"]])


def excel_number_beyond_its_range(d):
    return write_xlsx(d, [[INDEX, "1490", 2025, 1.7e308]])


FIELD_LIMIT = 131_072  # the csv module's default field_size_limit


def header_line_over_the_field_limit(d):
    return _bytes(d, b"x" * (FIELD_LIMIT + 10) + b"\nindikator;omrade;ar;varde\n", "langrad.csv")


def field_over_the_field_limit(d):
    return write_csv(d, [[SHARE, "1490", 2025, "1" * (FIELD_LIMIT + 10)]], name="langtfalt.csv")


def a_million_columns(d):
    """8.9 MB: one line of 10^6 fields kept the import busy for 28 s and 461 MB."""
    return _bytes(d, ";".join(f"k{i}" for i in range(10**6)).encode() + b"\n", "bred.csv")


def twenty_million_empty_columns(d):
    return _bytes(d, ("indikator;omrade;ar;varde\n" + ";" * 2 * 10**7 + "\n").encode(), "tomma_kolumner.csv")


def far_cell_xlsx(d):
    """4.9 KB: one value in XFD1048576 made the reader pad every row to 16 384 cells (hours of work)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [HEADER, [SHARE, "1490", 2025, 70.5]]:
        ws.append(r)
    ws["XFD1048576"] = 1
    path = d / "gles.xlsx"
    wb.save(path)
    return path


def too_many_cells_xlsx(d):
    """2,6 million cells in plain sheet XML (the shape of a 5 MB file that unpacks to 40 MB)."""
    return raw_xlsx(d / "manga_celler.xlsx", 520_000)


def huge_text_xlsx(d):
    """One cell of 2 MB (Excel's own limit is 32 767 characters): refused before the XML is parsed."""
    return raw_xlsx(d / "lang_text.xlsx", 1, text="x" * 2_000_000)


def raw_xlsx(path: Path, rows: int, dimension: str | None = None, text: str | None = None) -> Path:
    """A workbook written as XML by hand: a header and `rows` rows of four cells (varied, as real data);
    `text`, when given, is the value of every row (as an inline string)."""
    def row(n: int) -> str:
        value = f'<c r="D{n}" t="inlineStr"><is><t>{text}</t></is></c>' if text else f'<c r="D{n}"><v>{n % 997 / 10}</v></c>'
        return (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{SHARE}</t></is></c><c r="B{n}"><v>1490</v></c>'
                f'<c r="C{n}"><v>{1990 + n % 30}</v></c>{value}</row>')

    head = ('<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                    for c, h in zip("ABCD", HEADER)) + "</row>")
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main">' + (f'<dimension ref="{dimension}"/>' if dimension else "")
             + "<sheetData>" + head + "".join(row(n) for n in range(2, rows + 2)) + "</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        f'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
        f'</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def _bytes(d: Path, data: bytes, name: str) -> Path:
    path = d / name
    path.write_bytes(data)
    return path


REJECTED = [
    (empty, ["Filen är tom"]),
    (blank_lines, ["inga rader"]),
    (garbage, ["binära data"]),
    (garbage_without_nul, ["binära data"]),
    (truncated_xlsx, ["trasig eller ofullständig"]),
    (zip_bomb_xlsx, ["packas upp till 40 MB", "läses inte"]),
    (zip_not_excel, ["ingen Excel-arbetsbok"]),
    (old_xls, [".xls", "Spara den som .xlsx eller CSV"]),
    (over_size_limit, ["51,0 MB", "50 MB"]),
    (formulas, ["rad 2, kolumn varde, värde '=40+30'", "formel"]),
    (mixed_decimals, ["blandar decimalkomma (t.ex. rad 2) och decimalpunkt (t.ex. rad 3)"]),
    (duplicate_headers, ["kolumnen 'värde' finns flera gånger: D ('varde') och E ('Värde')"]),
    (missing_column, ["kolumnen 'värde' saknas (menade du 'vrde'?)"]),
    (unknown_indicator, ["okänd indikator – menade du 'sysselsattningsgrad_20_64'?"]),
    (unknown_area, ["rad 2, kolumn omrade, värde '1490R999': okänt område"]),
    (level_not_allowed, [f"indikatorn {CITY_ONLY} redovisas inte på nivån RegSO; tillåtna nivåer: Kommun"]),
    (unknown_group, [f"indikatorn {SHARE} har ingen grupp bakgrund/utrikes_fodda; tillåtna grupper: total/alla, "
                     "kon/kvinnor"]),
    (unknown_group_value, ["okänd grupp för grupptypen kon"]),
    (half_group, ["grupp saknas; ange både grupptyp och grupp"]),
    (share_over_100, ["värde '100,5': en andel i procent ska ligga mellan 0 och 100"]),
    (negative_count, ["värdet kan inte vara negativt"]),
    (negative_numerator, ["kolumn taljare, värde '-5': ett antal kan inte vara negativt"]),
    (numerator_over_denominator, ["kolumn täljare, värde '120': täljaren är större än nämnaren"]),
    (duplicate_rows, ["rad 4", "samma indikator, område, år och grupp som rad 2"]),
    (huge_count, ["kolumn taljare, värde '100000000000000000000': orimligt stort antal"]),
    (year_1850, ["värde '1850': året ligger utanför 1990–"]),
    (next_year, [f"värde '{THIS_YEAR + 1}': året ligger utanför 1990–{THIS_YEAR}"]),
    (non_numeric, ["värde 'sjuttio': inte ett tal"]),
    (percent_sign, ["inte ett tal", "utan enhet eller procenttecken"]),
    (ok_without_value, ["kolumn varde", "värde saknas"]),
    (value_with_suppression, ["ett värde anges fast statusen är '..' (sekretess)"]),
    (unknown_status, ["värde 'hemlig': okänd status"]),
    (ragged_row, ["raden har fler fält än rubrikraden"]),
    (header_only, ["rubrikrader men inga datarader"]),
    (group_columns_apart, ["'grupp_typ' och 'grupp' hör ihop"]),
    (confidence_outside, ["konfidensintervallet ska omsluta värdet"]),
    (fractional_denominator, ["kolumn namnare, värde '99,5': ska vara ett heltal"]),
    (excel_without_rows, ["inga ifyllda rader"]),
    (index_beyond_its_range, ["rad 2, kolumn varde, värde '1.7e308': ett index ska ligga mellan 0 och 100"]),
    (rate_beyond_its_range, ["värde '250000': en kvot per 100 000 invånare ska ligga mellan 0 och 100 000"]),
    (confidence_bound_beyond_its_range, ["kolumn ki_hog, värde '1e300': en andel i procent ska ligga mellan 0 "
                                         "och 100", "kolumn ki_lag, värde '-5': värdet kan inte vara negativt"]),
    (not_finite, ["värde '1e999': inte ett tal"]),
    (excel_number_beyond_its_range, ["kolumn varde", "ett index ska ligga mellan 0 och 100"]),
    (header_line_over_the_field_limit, ["rad 1 har ett fält som är längre än 131 072 tecken"]),
    (field_over_the_field_limit, ["rad 2 har ett fält som är längre än 131 072 tecken"]),
    (a_million_columns, ["rad 1 har 1 000 000 fält", "högst 1 000 kolumner"]),
    (twenty_million_empty_columns, ["rad 2 har 20 000 001 fält", "högst 1 000 kolumner"]),
    (far_cell_xlsx, ["cellen XFD1048576", "högst 1 000 kolumner"]),
    (too_many_cells_xlsx, ["fler än 2 000 000 celler", "Spara den som CSV"]),
    (huge_text_xlsx, ["en text på mer än 1 MB", "32 767 tecken"]),
]


@pytest.mark.parametrize(("make", "expected"), REJECTED, ids=[m.__name__ for m, _ in REJECTED])
def test_bad_file_is_rejected_with_a_swedish_message_and_nothing_is_written(make, expected, db, tmp_path, capsys):
    before = store.file_sha256(db)
    code, out, err = run(db, make(tmp_path), capsys=capsys)
    assert code == 2, err
    assert "avvisades" in err and "Inget har skrivits till databasen" in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err and out == ""
    assert store.file_sha256(db) == before
    assert not list(paths.snapshots_dir(db).glob("*.duckdb"))


def test_every_problem_is_reported_at_once_capped_with_a_total(db, tmp_path, capsys):
    rows = [[SHARE, "1490", 2025, "sjuttio"]] * 120 + [["okand", "1490X", 1850, "1"]]
    code, _, err = run(db, write_csv(tmp_path, rows), capsys=capsys)
    assert code == 2
    assert "avvisades: 123 problem" in err  # 121 rows; the last has three problems (duplicates are not)
    assert "visar 50 av 123 problem" in err
    assert sum(line.startswith("  rad ") for line in err.splitlines()) == 50


def test_zip_bomb_limits_apply_to_the_unpacked_size_before_opening(db, tmp_path):
    path = write_xlsx(tmp_path, [[SHARE, "1490", 2025, 70.5]])
    with pytest.raises(ImportRejected, match="packas upp till"):
        ingest.import_file(path, db, limits=ingest.Limits(max_unzipped=1000))
    ingest.import_file(path, db, dry_run=True)  # the same file is fine within the real limits


def test_a_sheet_is_read_through_the_cells_it_has_not_the_size_it_declares(db, tmp_path):
    """A declared dimension of A1:XFD1048576 around a small table: read as the small table it is."""
    path = raw_xlsx(tmp_path / "stor_dimension.xlsx", 3, dimension="A1:XFD1048576")
    table = ingest.read_table(path)
    assert len(table.rows) == 3 and max(len(r) for r in table.rows) == 4
    result = ingest.import_file(path, db)
    assert result.new == 3 and stored(db, SHARE, "1490", 1992)["value"] == 0.2


def test_cells_and_columns_are_counted_before_any_cell_is_read(db, tmp_path, monkeypatch):
    """The caps are checked on what the file holds before per-cell work: no cell value is converted."""
    import python_calamine

    class NoReading:
        @staticmethod
        def from_path(path):
            raise AssertionError("the workbook was opened before the file's size was checked")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", NoReading)
    path = raw_xlsx(tmp_path / "tio_rader.xlsx", 10)
    with pytest.raises(ImportRejected, match=r"fler än 40 celler"):
        ingest.import_file(path, db, limits=ingest.Limits(max_excel_cells=40))
    with pytest.raises(ImportRejected, match=r"rad 1 har 4 fält.*högst 3 kolumner"):
        ingest.import_file(write_csv(tmp_path, [[SHARE, "1490", 2025, "70"]]), db, limits=ingest.Limits(max_columns=3))
    with pytest.raises(ImportRejected, match=r"fler än 10 celler"):
        ingest.import_file(write_csv(tmp_path, [[SHARE, "1490", 2025, "70"]] * 3), db,
                           limits=ingest.Limits(max_cells=10))


def test_size_limit_follows_the_streamlit_upload_limit(db, tmp_path):
    assert ingest.Limits().max_bytes == 50 * 1024 * 1024
    path = write_csv(tmp_path, [[SHARE, "1490", 2025, "70,5"]] * 100)
    with pytest.raises(ImportRejected, match="största fil som kan läsas in är 0 MB"):
        ingest.import_file(path, db, limits=ingest.Limits(max_bytes=1000))


def test_values_are_bound_never_sql(db, tmp_path, capsys):
    hostile = "x'); drop table observation; --"
    code, _, err = run(db, write_csv(tmp_path, [[hostile, hostile, 2025, "1"]]), capsys=capsys)
    assert code == 2 and "okänd indikator" in err and "okänt område" in err
    assert stored(db, SHARE, "1490", 2023) is not None


def test_a_hostile_file_name_reaches_the_database_only_as_a_bound_value(db, tmp_path, capsys):
    """Values in a file are checked before any SQL; its name is not, and it is written to the import log and
    to every loaded row's source_version. It passes through the writer's SQL as a value, never as SQL text."""
    name = "x'); drop table observation; select ('.csv"
    before = len(_all(db))
    code, out, err = run(db, write_csv(tmp_path, [[SHARE, "1490", 2025, "55,5"]], name=name), capsys=capsys)
    assert code == 0, err
    row = stored(db, SHARE, "1490", 2025)
    assert row["value"] == 55.5 and row["source_version"].endswith(name)
    assert len(_all(db)) == before + 1 and stored(db, SHARE, "1490", 2023) is not None  # nothing dropped
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select file_name from import_log order by logged_at desc limit 1").fetchone()[0] == name
    finally:
        con.close()


def _all(db: Path):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select indicator_id from observation").fetchall()
    finally:
        con.close()


# --- Files that load: every encoding, separator and shape we promise ----------------------------------

def test_cp1252_semicolon_decimal_comma_with_swedish_headers_and_labels(db, tmp_path, capsys):
    header = ["Indikator", "Område", "År", "Värde", "Grupptyp", "Grupp", "Täljare", "Nämnare"]
    rows = [[SHARE, "1490", 2025, "71,3", "Kön", "Män", "713", "1000"],
            [SHARE, "1490", 2025, "68,1", "kön", "Kvinnor", "", ""],
            [SHARE, "1490", 2025, "69,9", "Ålder", "25–54 år", "", ""]]
    path = write_csv(tmp_path, rows, header=header, encoding="cp1252")
    assert "Män".encode("cp1252") in path.read_bytes()
    code, out, err = run(db, path, capsys=capsys)
    assert code == 0, err
    assert "3 nya värden" in out
    man = stored(db, SHARE, "1490", 2025, "kon", "man")
    assert man["value"] == 71.3 and man["numerator"] == 713 and man["denominator"] == 1000
    assert man["population"] == 1000 and man["status"] == "ok" and not man["is_demo"]
    assert man["level"] == "municipality" and man["source_version"].endswith("fil.csv")
    assert stored(db, SHARE, "1490", 2025, "kon", "kvinnor")["value"] == 68.1
    assert stored(db, SHARE, "1490", 2025, "alder", "25-54")["value"] == 69.9


def test_utf8_bom_comma_separated_decimal_point(db, tmp_path, capsys):
    path = write_csv(tmp_path, [[SHARE, "1490R025", 2025, "55.25"], [SHARE, "1490D01", 2025, "60.5"]],
                     header=["\ufeffIndikator", "Omrade", "Year", "Value"], sep=",")
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    code, out, err = run(db, path, capsys=capsys)
    assert code == 0, err
    assert stored(db, SHARE, "1490R025", 2025)["value"] == 55.25
    assert stored(db, SHARE, "1490D01", 2025)["level"] == "district"  # district allowed because RegSO is


def test_utf16_tab_separated_as_excel_saves_unicode_text(db, tmp_path, capsys):
    text = "\t".join(HEADER) + "\r\n" + "\t".join([SHARE, "1490", "2025", "70,25"]) + "\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    code, _, err = run(db, path, capsys=capsys)
    assert code == 0, err
    assert stored(db, SHARE, "1490", 2025)["value"] == 70.25


def test_scb_style_codes_statuses_and_thousands_spaces(db, tmp_path, capsys):
    rows = [[SHARE, "1490R025_RegSO2025", 2025, "..", "", "", ""],
            [SHARE, "1490C1010_DeSO2025", 2025, "", ".", "", ""],
            [SHARE, "1490", 2025, "", "-", "", ""],
            [COUNT, "1490", 2025, "2", "", "", ""],
            [RATE, "1490", 2025, "2,5", "", "25\u00a0000", "10 000"],
            [SHARE, "1490R019", 2025, "-", "saknas", "", ""]]
    path = write_csv(tmp_path, rows, header=[*HEADER, "Status", "Numerator", "Denominator"])
    code, _, err = run(db, path, capsys=capsys)
    assert code == 0, err
    suppressed = stored(db, SHARE, "1490R025", 2025)
    assert suppressed["status"] == "suppressed" and suppressed["value"] != suppressed["value"]  # NaN
    assert stored(db, SHARE, "1490C1010", 2025)["status"] == "not_applicable"
    assert stored(db, SHARE, "1490", 2025)["status"] == "missing"
    assert stored(db, SHARE, "1490R019", 2025)["status"] == "missing"
    assert stored(db, COUNT, "1490", 2025)["value"] == 2
    rate = stored(db, RATE, "1490", 2025)  # numerator above denominator is fine for a rate
    assert (rate["value"], rate["numerator"], rate["denominator"]) == (2.5, 25_000, 10_000)


def test_xlsx_with_native_numbers_text_numbers_and_an_instructions_sheet(db, tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Instruktioner"
    wb.active.append(["Fyll i bladet Data."])
    ws = wb.create_sheet("Data")
    ws.append(["Titel på tabellen"])
    ws.append([])
    ws.append(["Indikator", "Område", "År", "Värde", "KI låg", "KI hög"])
    ws.append([SHARE, 1490, 2025, 70.4, 69, 71.5])
    ws.append([SHARE, "1490R025", "2025", "55,5", None, None])
    path = tmp_path / "mall.xlsx"
    wb.save(path)
    code, out, err = run(db, path, "--dry-run", capsys=capsys)
    assert code == 0 and "Provkörning" in out and "blad 'Data'" in out, err
    with pytest.raises(ImportRejected, match="rad 3, kolumn Indikator, värde 'Indikator'"):
        ingest.import_file(_with_extra_header_row(tmp_path), db)
    code, _, err = run(db, path, capsys=capsys)
    assert code == 0, err
    city = stored(db, SHARE, "1490", 2025)
    assert (city["value"], city["ci_low"], city["ci_high"]) == (70.4, 69.0, 71.5)
    assert stored(db, SHARE, "1490R025", 2025)["value"] == 55.5


def _with_extra_header_row(folder: Path) -> Path:
    """The header repeated on a data row (row 3): reported on that row, not a crash."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Indikator", "Område", "År", "Värde"])
    ws.append([SHARE, "1490", 2025, 70.4])
    ws.append(["Indikator", "Område", "År", "Värde"])
    path = folder / "dubbelrubrik.xlsx"
    wb.save(path)
    return path


def test_array_formulas_are_reported_not_evaluated(db, tmp_path):
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([SHARE, "1490", 2025, None])
    ws["D2"] = ArrayFormula("D2", "=SUM(1,2)")
    path = tmp_path / "array.xlsx"
    wb.save(path)
    with pytest.raises(ImportRejected, match="formel"):
        ingest.import_file(path, db)


def test_changed_values_need_replace_and_the_preview_shows_them(db, tmp_path, capsys):
    old = stored(db, SHARE, "1490R025", 2023)
    path = write_csv(tmp_path, [[SHARE, "1490R025", 2023, "12,5"], [SHARE, "1490", 2025, "70"]])
    before = store.file_sha256(db)
    code, _, err = run(db, path, capsys=capsys)
    assert code == 2
    assert "1 värde skulle ändra det som redan finns" in err and "--replace" in err
    expected_old = f"{old['value']:.2f}".replace(".", ",")
    assert f"rad 2: {SHARE} 1490R025 2023 total/alla: {expected_old} → 12,50" in err
    assert "(varav 1 demovärde)" in err
    assert run(db, path, "--dry-run", capsys=capsys)[0] == 2
    assert store.file_sha256(db) == before
    code, out, err = run(db, path, "--replace", capsys=capsys)
    assert code == 0, err
    assert "1 nytt värde, 1 ändrade" in out
    new = stored(db, SHARE, "1490R025", 2023)
    assert new["value"] == 12.5 and not new["is_demo"] and new["numerator"] is None


def test_unchanged_values_write_nothing(db, tmp_path, capsys):
    path = write_csv(tmp_path, [[SHARE, "1490", 2025, "70"]])
    assert run(db, path, capsys=capsys)[0] == 0
    after_first = store.file_sha256(db)
    code, out, _ = run(db, path, capsys=capsys)
    assert code == 0 and "Inget nytt att läsa in" in out and "1 oförändrade" in out
    assert store.file_sha256(db) == after_first


def test_dry_run_prints_counts_per_indicator_and_year_and_writes_nothing(db, tmp_path, capsys):
    rows = [[SHARE, "1490", 2025, "70"], [SHARE, "1490R025", 2025, "50"], [SHARE, "1490R025", 2023, "1"],
            [COUNT, "1490", 2025, "3"]]
    before = store.file_sha256(db)
    code, out, err = run(db, write_csv(tmp_path, rows), "--dry-run", "--replace", capsys=capsys)
    assert code == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert [COUNT, "2025", "1", "0", "0"] in lines
    assert [SHARE, "2023", "0", "1", "0"] in lines
    assert [SHARE, "2025", "2", "0", "0"] in lines
    assert "Inget har skrivits" in out
    assert store.file_sha256(db) == before and not paths.snapshots_dir(db).exists()


def test_a_valid_100_000_row_file_loads_sorted(db, tmp_path, capsys):
    path, expected = _big_file(tmp_path, 100_000)
    count_before = observation_count(db)
    started = time.perf_counter()
    code, out, err = run(db, path, capsys=capsys)
    seconds = time.perf_counter() - started
    assert code == 0, err
    assert "100 000 nya värden" in out
    print(f"100 000 rader ({path.stat().st_size / 1e6:.1f} MB) inlästa på {seconds:.1f} s")
    assert observation_count(db) == count_before + 100_000
    for (ind, area, year, dim, value), v in expected:
        assert stored(db, ind, area, year, dim, value)["value"] == v
    con = duckdb.connect(str(db), read_only=True)
    try:
        order = con.execute("select indicator_id, level, group_dim, year, area_code, group_value "
                            "from observation").fetchall()
    finally:
        con.close()
    assert schema.OBSERVATION_ORDER == "indicator_id, level, group_dim, year, area_code, group_value"
    assert order == sorted(order)


def _big_file(folder: Path, n: int):
    """n new rows (years the demo lacks) over every share indicator, area and group allowed."""
    from shb.core.areas import geography
    from shb.core.catalog import catalog

    geo, cat = geography(), catalog()
    years = [*range(1990, 2012), *range(2025, THIS_YEAR + 1)]
    lines, samples = ["indikator;omrade;ar;varde;grupp_typ;grupp"], []
    for ind in (i for i in cat.indicators if i.kind == "share"):
        groups = [("", ""), *((d, v) for d, vs in ind.groups.items() for v in vs)]
        for level in ind.levels:
            for area in geo.codes(level) if level != "municipality" else ["1490"]:
                for year in years:
                    for dim, value in groups:
                        k = len(lines)
                        v = round((k * 7919 % 1000) / 10, 1)
                        lines.append(f"{ind.id};{area};{year};{str(v).replace('.', ',')};{dim};{value}")
                        if k % 9973 == 0:
                            samples.append(((ind.id, area, year, dim or "total", value or "alla"), v))
                        if len(lines) > n:
                            path = folder / "stor.csv"
                            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
                            return path, samples
    raise AssertionError("the catalog has too few combinations for the big file")




def test_import_log_records_who_what_and_the_result(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("USER", "analytiker1")
    path = write_csv(tmp_path, [[SHARE, "1490", 2025, "70"], [SHARE, "1490", 2026, "71"]])
    assert run(db, path, capsys=capsys)[0] == 0
    ingest.import_file(write_csv(tmp_path, [[COUNT, "1490", 2025, "4"]], name="andra.csv"), db,
                       username="anna@boras.se")  # the analyst signed in to the app
    con = duckdb.connect(str(db), read_only=True)
    try:
        log = con.execute("select * from import_log order by logged_at").df()
        snap = con.execute("select * from snapshot").df().iloc[0]
    finally:
        con.close()
    assert log.file_name.tolist() == ["fil.csv", "andra.csv"]  # carried from snapshot to snapshot
    first = log.iloc[0]
    assert (first.username, first.rows, first.new_values, first.result) == ("analytiker1", 2, 2, "inläst")
    assert first.sha256 == store.file_sha256(path) and log.username.iloc[1] == "anna@boras.se"
    assert snap.is_demo  # demo rows remain, so the snapshot is still demo data
    assert '"kind": "import"' in snap.built_from and '"based_on": "' + log.iloc[0].version in snap.built_from


def test_missing_database_and_missing_file_exit_1(tmp_path, db, capsys):
    path = write_csv(tmp_path, [[SHARE, "1490", 2025, "70"]])
    code, _, err = run(tmp_path / "saknas.duckdb", path, capsys=capsys)
    assert code == 1 and "finns inte" in err and "build --demo" in err
    assert not (tmp_path / "snapshots").exists()
    code, _, err = run(db, tmp_path / "saknas.csv", capsys=capsys)
    assert code == 1 and "Kunde inte läsa" in err


def test_cli_exit_codes_in_a_real_process(db, tmp_path):
    good = write_csv(tmp_path, [[SHARE, "1490", 2025, "70"]], name="bra.csv")
    bad = write_csv(tmp_path, [[SHARE, "1490", 2025, "700"]], name="dalig.csv")
    env = {**os.environ, "SHB_DB": str(db)}

    def shb(*args):
        return subprocess.run([sys.executable, "-m", "shb", *args], capture_output=True, text=True,
                              cwd=paths.ROOT, env=env, timeout=120)

    rejected = shb("import", str(bad))
    assert rejected.returncode == 2 and "mellan 0 och 100" in rejected.stderr and rejected.stdout == ""
    loaded = shb("import", str(good))
    assert loaded.returncode == 0 and "Läste in bra.csv" in loaded.stdout, loaded.stderr


def test_the_command_line_size_limit_can_be_raised_for_one_run(db, tmp_path, capsys):
    areas = [f"1490R{n:03d}" for n in range(1, 48)]
    rows = [[SHARE, a, y, "70,5"] for y in range(1990, 2012) for a in areas]  # before the demo years
    path = write_csv(tmp_path, rows)
    pad = "\n" * (1_100_000 - path.stat().st_size)  # blank lines are skipped, so only the size grows
    path.write_text(path.read_text(encoding="utf-8") + pad, encoding="utf-8")
    before = store.file_sha256(db)
    code, _, err = run(db, path, "--max-mb", "1", "--dry-run", capsys=capsys)
    assert code == 2 and "1 MB" in err and store.file_sha256(db) == before
    code, out, err = run(db, path, "--max-mb", "2", "--dry-run", capsys=capsys)
    assert code == 0 and "Provkörning" in out, err
