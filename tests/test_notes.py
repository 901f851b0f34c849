"""Analysts' notes: written as a new version, checked, carried through imports, shown beside the
charts and in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shb.cli import main as cli
from shb.ingest import notes
from shb.present import report, urlstate, views
from shb.store import db as dbmod
from shb.store import writer as store
from shb.store.writer import file_sha256
from tests.pages import run_page

SHARE = "sysselsattningsgrad_20_64"
TEXT = "Arbetsmarknadsprojektet i Norrby startade hösten 2023."


def shb_main(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def listed(capsys, db: Path) -> list[dict]:
    code, out, err = shb_main(capsys, "note", "list", "--db", str(db), "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_note_is_a_new_version_and_the_previous_is_kept(private_db, capsys):
    v0 = store.snapshot_version(private_db)
    code, out, err = shb_main(capsys, "note", "add", "--db", str(private_db), "--indicator", SHARE,
                              "--area", "1490R025", "--year", "2023", "--text", TEXT, "--author", "Anna Analytiker")
    assert code == 0, err
    v1 = store.snapshot_version(private_db)
    assert v1 > v0 and v1 in out
    assert (private_db.parent / "snapshots" / f"{v0}.duckdb").is_file()
    [note] = listed(capsys, private_db)
    assert (note["indicator"], note["area"], note["year"], note["text"], note["author"]) == (
        SHARE, "1490R025", 2023, TEXT, "Anna Analytiker")
    d = dbmod.Database(private_db)
    try:
        shown = d.run("notes_for_year", indicator=SHARE, year=2024)
        earlier = d.run("notes_for_year", indicator=SHARE, year=2022)
        assert shown.body.tolist() == [TEXT] and shown.area_name.tolist() == ["Norrby"]
        assert earlier.empty  # a note on 2023 does not belong to a view of 2022
        assert d.run("observation_summary").observations.iloc[0] > 0
    finally:
        d.close()


@pytest.mark.parametrize(("args", "words"), [
    (["--indicator", "finns_inte", "--area", "1490", "--text", TEXT], "Okänd indikator"),
    (["--indicator", SHARE, "--area", "1490R999", "--text", TEXT], "Okänt område"),
    (["--indicator", SHARE, "--area", "1490", "--year", "1850", "--text", TEXT], "utanför"),
    (["--indicator", SHARE, "--area", "1490", "--text", " \x00 "], "tom"),
    (["--indicator", SHARE, "--area", "1490", "--text", "x" * 2001], "högst 2000"),
    (["--indicator", SHARE, "--area", "1490'); drop table note; --", "--text", TEXT], "Okänt område"),
])
def test_a_bad_note_is_refused_in_swedish_and_nothing_is_written(private_db, capsys, args, words):
    before = file_sha256(private_db)
    code, _, err = shb_main(capsys, "note", "add", "--db", str(private_db), *args)
    assert code == 2 and words in err and "Traceback" not in err
    assert file_sha256(private_db) == before
    assert not (private_db.parent / "snapshots").exists() or not any((private_db.parent / "snapshots").glob("*.duckdb"))


def test_notes_survive_an_import_and_can_be_removed(private_db, tmp_path, capsys):
    added = notes.add(private_db, SHARE, "1490", None, TEXT, "Anna")
    data = tmp_path / "fil.csv"
    data.write_text(f"indikator;omrade;ar;varde\n{SHARE};1490;2025;80,1\n", encoding="utf-8")
    code, _, err = shb_main(capsys, "import", str(data), "--db", str(private_db))
    assert code == 0, err
    assert [n["id"] for n in listed(capsys, private_db)] == [added.note_id]
    code, out, err = shb_main(capsys, "note", "remove", "--db", str(private_db), added.note_id)
    assert code == 0, err
    assert listed(capsys, private_db) == []
    before = file_sha256(private_db)
    code, _, err = shb_main(capsys, "note", "remove", "--db", str(private_db), added.note_id)
    assert code == 2 and "ingen anteckning" in err and file_sha256(private_db) == before


def test_the_report_section_carries_the_note(private_db):
    notes.add(private_db, SHARE, "1490R019", 2022, TEXT, "Anna")
    d = dbmod.Database(private_db)
    try:
        section = report.indicator_section(d, views.facts(d), SHARE, 2024, "omradesutveckling", True, True)
    finally:
        d.close()
    assert [(n["area"], n["year"], n["author"], n["body"]) for n in section["notes"]] == [
        ("Hässleholmen väst", 2022, "Anna", TEXT)]


def test_the_goal_area_page_shows_notes_beside_the_charts(private_db, monkeypatch):
    notes.add(private_db, SHARE, "1490R025", 2023, TEXT, "Anna")
    monkeypatch.setenv("SHB_DB", str(private_db))
    d = dbmod.Database(private_db)
    try:
        params = urlstate.to_params(urlstate.defaults_for(views.facts(d), SHARE))
    finally:
        d.close()
    at = run_page("pages/2_arbete.py", params)
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert "Anteckningar (1)" in labels
    from shb.web.ui import plain

    assert any(plain(TEXT) in m.value and "Norrby, 2023" in m.value for m in at.markdown)
    at2 = run_page("pages/2_arbete.py", {**params, "ar": "2022"})
    assert "Anteckningar (0)" in [e.label for e in at2.expander]


def _note_page(private_db, monkeypatch):
    from shb.web import access
    from tests.pages import page_app

    monkeypatch.setenv("SHB_DB", str(private_db))
    monkeypatch.delenv(access.ENV_HASH, raising=False)
    at = page_app("pages/2_arbete.py", {"indikator": SHARE, "ar": "2024"})
    at.secrets = {"shb": {}}
    at.context = {"url": "http://localhost:8501/arbete"}
    at.run()
    at.toggle(key="shb_note_toggle").set_value(True)
    return at.run()


def test_an_analyst_writes_a_note_on_the_page_and_it_becomes_a_new_version(private_db, monkeypatch):
    from tests.pages import server_address

    v0 = store.snapshot_version(private_db)
    with server_address("127.0.0.1"):
        at = _note_page(private_db, monkeypatch)
        assert not at.exception
        [area] = [s for s in at.selectbox if s.label == "Område"]
        [year] = [s for s in at.selectbox if s.label == "År" and s.value is None]
        area.set_value("1490R025")
        year.set_value(2023)
        [body] = [t for t in at.text_area if t.label == "Anteckning"]
        body.set_value(TEXT)
        next(b for b in at.button if b.label == "Spara anteckningen").click()
        at.run()
    assert not at.exception
    v1 = store.snapshot_version(private_db)
    assert v1 > v0 and at.query_params["v"] in (v1, [v1])
    d = dbmod.Database(private_db)
    try:
        saved = d.run("notes")
    finally:
        d.close()
    assert (saved.area_code.tolist(), saved.year.tolist(), saved.body.tolist()) == (["1490R025"], [2023], [TEXT])
    assert saved.author.iloc[0]  # the OS user in localhost mode


def test_on_a_shared_server_without_login_the_note_form_is_refused(private_db, monkeypatch):
    from tests.pages import server_address

    before = file_sha256(private_db)
    with server_address("0.0.0.0"):
        at = _note_page(private_db, monkeypatch)
    assert not at.exception
    assert not [t for t in at.text_area if t.label == "Anteckning"]
    assert file_sha256(private_db) == before


def test_a_note_is_shown_as_typed_not_as_markdown():
    from shb.web.ui import plain

    assert plain("kostar 5 $ och *10 $* :red[x] [länk](http://x)") == (
        r"kostar 5 \$ och \*10 \$\* \:red\[x\] \[länk\]\(http\:\/\/x\)")
    # no autolink, heading, entity, code block or reversed text either
    assert plain("www.boras.se a@b.se\n===\n    kod &amp; \u202eabc") == (
        r"www\.boras\.se a\@b\.se  " + "\n" + r"\=\=\=  " + "\n" + r"kod \&amp\; abc")
    assert plain("rad 1\nrad 2") == "rad 1  \nrad 2"
