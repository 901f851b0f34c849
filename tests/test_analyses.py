"""The samlad analys per effektmål and year: written by an analyst in the app (localhost mode) as a new
version, refused to a viewer, carried through an import, shown escaped on the page and in the report."""

from __future__ import annotations

import pytest

from shb.cli import main as cli
from shb.core.errors import ImportRejected
from shb.core.text import markdown_literal
from shb.ingest import analyses
from shb.present import report
from shb.store import db as dbmod
from shb.store import writer as store
from shb.store.writer import file_sha256
from tests.pages import page_app, server_address

WORK = "pages/2_arbete.py"
SHARE = "sysselsattningsgrad_20_64"  # effektmål 2.2
TEXT = "Sysselsättningen *ökar* i Hulta <b>men</b> inte i Norrby; se [rapporten](http://x.se).\nAndra stycket."


def _stored(db) -> list[tuple]:
    d = dbmod.Database(db)
    try:
        rows = analyses.analyses(d)
    finally:
        d.close()
    return [(r.target_id, int(r.year), r.body, r.author, r.state) for r in rows.itertuples()]


def test_an_analysis_is_a_new_version_and_replaces_the_same_target_and_year(private_db):
    v0 = store.snapshot_version(private_db)
    first = analyses.save(private_db, "2.2", 2024, "Första utkastet.", "Anna")
    assert first.version > v0 and first.kept_previous is not None
    second = analyses.save(private_db, "2.2", 2024, TEXT, "Anna", "fastställd")
    analyses.save(private_db, "2.2", 2022, "Förra uppföljningen.", "Bo", "fastställd")
    assert sorted(_stored(private_db)) == [("2.2", 2022, "Förra uppföljningen.", "Bo", "fastställd"),
                                           ("2.2", 2024, TEXT, "Anna", "fastställd")]
    assert _stored(first.kept_previous) == []
    assert [r[2] for r in _stored(second.kept_previous)] == ["Första utkastet."]  # the earlier text is kept in its version


@pytest.mark.parametrize(("args", "words"), [
    (("9.9", 2024, "x", "Anna", "utkast"), "Okänt effektmål '9.9'"),
    (("2.2", 1800, "x", "Anna", "utkast"), "Året 1800 ligger utanför"),
    (("2.2", 2024, " \u202e ", "Anna", "utkast"), "Analysen är tom"),
    (("2.2", 2024, "x", "", "utkast"), "Ange vem som skriver"),
    (("2.2", 2024, "x", "Anna", "klar"), "Läget ska vara utkast eller fastställd"),
    (("2.2", 2024, "x" * (analyses.MAX_LENGTH + 1), "Anna", "utkast"), "högst 10000 får plats"),
])
def test_a_bad_analysis_is_refused_in_swedish_and_nothing_is_written(private_db, args, words):
    before = file_sha256(private_db)
    with pytest.raises(ImportRejected, match="Den samlade analysen sparades inte") as err:
        analyses.save(private_db, *args)
    assert words in str(err.value)
    assert file_sha256(private_db) == before


def test_an_analysis_survives_an_import_and_is_in_the_report_escaped(private_db, tmp_path, capsys):
    analyses.save(private_db, "2.2", 2024, TEXT, "Anna <i>Andersson</i>", "fastställd")
    data = tmp_path / "fil.csv"
    data.write_text(f"indikator;omrade;ar;varde\n{SHARE};1490;2024;80,1\n", encoding="utf-8")
    assert cli.main(["import", str(data), "--db", str(private_db), "--replace"]) == 0, capsys.readouterr().err
    assert [r[:3] for r in _stored(private_db)] == [("2.2", 2024, TEXT)]
    d = dbmod.Database(private_db)
    try:
        assert "import" in d.run("snapshot").built_from.iloc[0]  # the version now is the import's
        html = report.render_html(d, 2024)
    finally:
        d.close()
    assert '<div class="analysis" data-target="2.2"><h4>Samlad analys 2024 (fastställd)</h4>' in html
    assert "i Hulta &lt;b&gt;men&lt;/b&gt; inte i Norrby" in html and "<b>men</b>" not in html
    assert "Anna &lt;i&gt;Andersson&lt;/i&gt;" in html
    # ansvar och styrdokument are in the report too
    assert '<p class="steering">Styrdokument och processer: Program mot hemlöshet.</p>' in html
    assert "Ansvarig: Arbetslivsförvaltningen" in html
    assert report.analysis_of_year(dbmod.Database(private_db), 2026)["2.2"]["heading"] == (
        "Samlad analys 2024 (fastställd, den senaste före 2026)")


def _page(private_db, monkeypatch, params: dict | None = None):
    from shb.web import access

    monkeypatch.setenv("SHB_DB", str(private_db))
    monkeypatch.delenv(access.ENV_HASH, raising=False)
    at = page_app(WORK, {"indikator": SHARE, "ar": "2024", **(params or {})})
    at.secrets = {"shb": {}}
    at.context = {"url": "http://localhost:8501/arbete"}
    at.run()
    at.toggle(key="shb_analysis_toggle").set_value(True)
    return at.run()


def test_an_analyst_writes_the_analysis_in_the_app_and_it_is_shown_escaped(private_db, monkeypatch, tmp_path):
    v0 = store.snapshot_version(private_db)
    with server_address("127.0.0.1"):
        at = _page(private_db, monkeypatch)
        assert not at.exception, at.exception
        at.text_area(key="shb_analysis_body").set_value(TEXT)
        at.radio(key="shb_analysis_state").set_value("fastställd")
        next(b for b in at.button if b.label == "Spara analysen").click()
        at.run()
    assert not at.exception, at.exception
    v1 = store.snapshot_version(private_db)
    assert v1 > v0 and at.query_params["v"] in (v1, [v1])
    [(target, year, body, author, state)] = _stored(private_db)
    assert (target, year, body, state) == ("2.2", 2024, TEXT, "fastställd") and author  # the OS user
    shown = [m.value for m in at.markdown]
    assert markdown_literal(TEXT) in shown, "the text is shown escaped, not as Markdown"
    assert "**Samlad analys 2024 (fastställd)**" in shown
    assert "Samlad analys för effektmål 2.2" in [e.label for e in at.expander]
    # an import after it: a new version that still holds the analysis, shown the same way
    data = tmp_path / "fil.csv"
    data.write_text(f"indikator;omrade;ar;varde\n{SHARE};1490;2024;80,1\n", encoding="utf-8")
    assert cli.main(["import", str(data), "--db", str(private_db), "--replace"]) == 0
    assert store.snapshot_version(private_db) > v1
    with server_address("127.0.0.1"):
        after = page_app(WORK, {"indikator": SHARE, "ar": "2024"}).run()
    assert not after.exception, after.exception
    assert markdown_literal(TEXT) in [m.value for m in after.markdown]


def test_a_viewer_cannot_write_the_analysis(private_db, monkeypatch):
    before = file_sha256(private_db)
    with server_address("0.0.0.0"):
        at = _page(private_db, monkeypatch)
    assert not at.exception, at.exception
    assert not [t for t in at.text_area if t.label == "Samlad analys"]
    assert not [b for b in at.button if b.label == "Spara analysen"]
    assert file_sha256(private_db) == before
