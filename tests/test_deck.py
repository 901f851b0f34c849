"""The bildspel as data and files: the default deck's slides, PowerPoint and PDF export from the command
line, saved named decks (checked, carried through imports), and the Bildspel page on a saved deck."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from pptx import Presentation

from shb.cli import main as cli
from shb.core.errors import ImportRejected
from shb.ingest import decks
from shb.present import deck, slides, text, views
from shb.present.lifecycle import life_course
from shb.store import db as dbmod
from shb.store.writer import file_sha256
from shb.web.site import DECK_PAGE, GOAL_AREA_PAGES, LIFE_CYCLE_PAGE, MAP_PAGE, page_url_path
from tests.pages import run_page

SET = "omradesutveckling"
PRIORITY_PAGE = "pages/10_prioritering.py"
MY_DECK = ["karta?indikator=sysselsattningsgrad_20_64&ar=2023",
           "arbete?indikator=sysselsattningsgrad_20_64&diagram=rangordning",
           "god_start?diagram=effektmal"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def require_pdf_tools() -> None:
    if shutil.which("pdftoppm") and shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("pdftoppm och chromium saknas men CI=true: .ci/run ska installera poppler-utils och chromium")
    pytest.skip("pdftoppm eller chromium saknas: PDF-kontrollen hoppas över")


def test_the_slide_paths_are_the_pages_paths():
    assert {g: page_url_path(p.path) for g, p in GOAL_AREA_PAGES.items()} == deck.GOAL_AREA_PATHS
    assert page_url_path(MAP_PAGE) == deck.MAP_PATH and page_url_path("app.py") == deck.OVERVIEW_PATH
    assert page_url_path(LIFE_CYCLE_PAGE) == deck.LIFE_CYCLE_PATH
    assert page_url_path(PRIORITY_PAGE) == deck.PRIORITY_PATH


def chart_rows(slide: deck.Slide) -> list[dict]:
    data = slide.spec["data"]
    return data["values"] if "values" in data else slide.spec["datasets"][data["name"]]


def test_the_life_course_slide_shows_each_stages_worst_gaps_and_names_the_page_views_worst(demo_db):
    """Per stage of life the three rows at the top of its Livscykeln table that are worse than the rest of the
    city; the title names the gap the Livscykeln presentation view opens on."""
    d = dbmod.connect(demo_db)
    slide = deck.build_slide(d, f"livscykeln?jamfor={SET}", views.facts(d))
    rows = life_course(d, SET)
    expected = []
    for stage in ("barn", "unga", "vuxna", "aldre"):
        r = rows[(rows.stage == stage) & rows.area_level.astype(bool)]
        worse = [t for t, cell in zip(r.title, r.severity_text) if cell.endswith("sämre")][: deck.TOP_GAPS]
        expected += [f"{text.life_stage_label(stage)}: {t}" for t in worse]
    assert [row["label"] for row in chart_rows(slide)] == expected
    assert all(row["percent"] > 0 for row in chart_rows(slide))
    page = run_page(LIFE_CYCLE_PAGE, {"visning": "presentation"}, timeout=180)
    stage_title = page.title[0].value  # "Unga 16–24 år: störst skillnad i X, N % sämre än övriga staden 2024"
    stage, rest = stage_title.split(": störst skillnad i ", 1)
    assert slide.title == f"Livscykeln: störst skillnad för {stage.lower()} i {rest}"
    assert slide.demo and text.DEMO_TEXT in slide.caption


def test_the_priority_slide_is_the_top_of_the_prioritering_ranking(demo_db):
    d = dbmod.connect(demo_db)
    slide = deck.build_slide(d, f"prioritering?jamfor={SET}", views.facts(d))
    table = run_page(PRIORITY_PAGE).dataframe[0].value.head(deck.PRIORITY_ROWS)
    presented = run_page(PRIORITY_PAGE, {"visning": "presentation"})
    assert slide.title == presented.title[0].value
    bars = {(row["label"], row["kind"]): row["count"] for row in chart_rows(slide)}
    for rank, target, cell in zip(table["Rang"], table["Effektmål"], table["Målvärden som inte nås i tid"]):
        off, aims = (0, 0) if cell == "inget målvärde" else map(int, cell.split(" av "))
        label = f"{rank}. {target}"
        assert (bars[(label, text.AIM_LEGEND["off"])], bars[(label, text.AIM_LEGEND["on"])]) == (off, aims - off)
    assert len(bars) == 2 * deck.PRIORITY_ROWS


def test_a_chart_slide_keeps_the_chart_and_says_its_subtitle_in_one_line():
    spec = {"title": {"text": "T", "subtitle": ["Högre värde är bättre", text.DEMO_TEXT]}, "mark": "bar"}
    slide = deck.chart_slide("Påstående", spec, "Meningen.", True)
    assert slide.spec == {"mark": "bar"} and slide.caption == f"Högre värde är bättre · {text.DEMO_TEXT}"
    assert spec["title"]["text"] == "T", "the cached spec is not changed"


def test_deck_command_writes_pptx_with_a_slide_per_view_and_a_pdf(demo_db, tmp_path, capsys):
    out, pdf = tmp_path / "deck.pptx", tmp_path / "deck.pdf"
    d = dbmod.connect(demo_db)
    expected = slides.build_slides(d, deck.default_deck(views.overview(d, SET), SET))
    have_pdf = bool(shutil.which("pdftoppm") and shutil.which("chromium"))
    args = ["deck", "--db", str(demo_db), "--out", str(out)] + (["--pdf", str(pdf)] if have_pdf else [])
    code, said, err = run_cli(capsys, *args)
    assert code == 0, err
    assert f"{len(expected)} bilder" in said
    prs = Presentation(str(out))
    assert len(prs.slides) == len(expected) >= 5
    for page, slide in zip(prs.slides, expected):
        assert page.shapes.title.text == slide.title
        assert sum(shape.shape_type == 13 for shape in page.shapes) == 1, "one picture (the chart)"
        words = [shape.text_frame.text for shape in page.shapes if shape.has_text_frame]
        assert text.DEMO_TEXT in words, "the demo flag"
        assert slide.caption in words
        notes = page.notes_slide.notes_text_frame.text
        assert slide.sentence.split(".")[0] in notes and f"Dataversion {d.version}." in notes
    require_pdf_tools()
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(expected)
    assert all(p.stat().st_size > 5_000 for p in pages), "every page has a drawn chart"


def test_a_saved_deck_is_checked_survives_an_import_and_exports(private_db, tmp_path, capsys):
    saved = decks.save(private_db, "Ledningsgruppen maj", MY_DECK, "Anna")
    assert saved.deck_id == "ledningsgruppen-maj"
    data = tmp_path / "fil.csv"
    data.write_text("indikator;omrade;ar;varde\nsysselsattningsgrad_20_64;1490;2025;80,1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", str(data), "--db", str(private_db))
    assert code == 0, err
    stored = dbmod.connect(private_db).run("decks")
    assert stored.id.tolist() == ["ledningsgruppen-maj"] and list(stored.slides.iloc[0]) == MY_DECK
    code, said, err = run_cli(capsys, "deck", "--db", str(private_db), "--out", str(tmp_path / "d.pptx"),
                              "--deck", "Ledningsgruppen maj")
    assert code == 0, err
    titles = [s.shapes.title.text for s in Presentation(str(tmp_path / "d.pptx")).slides]
    assert len(titles) == 3 and titles[0].startswith("Sysselsättningsgrad 20–64 år 2023")
    assert titles[2].startswith("Målområde 1")
    before = file_sha256(private_db)
    for title, urls, problem in [("", MY_DECK, "titel"), ("X", [], "inga bilder"),
                                 ("X", ["javascript:alert(1)"], "Raderna 1"), ("X", ["karta?x=<b>"], "Raderna 1")]:
        with pytest.raises(ImportRejected, match=problem):
            decks.save(private_db, title, urls, "Anna")
    code, _, err = run_cli(capsys, "deck", "--db", str(private_db), "--out", str(tmp_path / "e.pptx"), "--deck", "nej")
    assert code == 1 and "inget sparat bildspel" in err
    assert file_sha256(private_db) == before
    decks.remove(private_db, "ledningsgruppen-maj")
    assert dbmod.connect(private_db).run("decks").empty


def test_full_addresses_are_read_as_view_urls():
    assert decks.slide_lines("http://127.0.0.1:8501/karta?indikator=a\n\n  arbete  \n") == ["karta?indikator=a", "arbete"]


def test_the_page_shows_a_saved_deck_and_says_when_one_is_unknown(private_db, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(private_db))
    decks.save(private_db, "Ledningsgruppen maj", MY_DECK, "Anna")
    at = run_page(DECK_PAGE, {"bildspel": "ledningsgruppen-maj", "bild": "3"})
    assert not at.exception
    assert at.title[0].value.startswith("Målområde 1") and any("Bild 3 av 3" in m.value for m in at.markdown)
    at = run_page(DECK_PAGE, {"bildspel": "ledningsgruppen-maj"})
    assert at.title[0].value == "Bildspel: Ledningsgruppen maj"
    at = run_page(DECK_PAGE, {"bildspel": "okand", "bild": "1"})
    assert any("inget sparat bildspel" in w.value for w in at.warning)
    assert at.title[0].value.startswith("Skapa jämlika livsvillkor")


def test_a_slide_url_of_no_page_is_not_a_slide(demo_db):
    d = dbmod.connect(demo_db)
    assert deck.build_slide(d, "data_och_metod?x=1", views.facts(d)) is None


def test_a_view_page_offers_its_presentation_link_and_a_slide_of_its_own(demo_db):
    """Under the map and a målområde's charts: the view in presentation mode, and the view as one
    PowerPoint slide with the view's stating title."""
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64"})
    assert not at.exception
    links = [e for e in at.main.get("page_link") if e.proto.label == "Öppna i presentationsläge"]
    assert len(links) == 1 and "visning=presentation" in links[0].proto.query_string
    assert "indikator=sysselsattningsgrad_20_64" in links[0].proto.query_string
    d = dbmod.connect(demo_db)
    one = slides.build_slides(d, ["arbete?indikator=sysselsattningsgrad_20_64"])
    prs = Presentation(io.BytesIO(slides.to_pptx(one, d.version)))
    assert len(prs.slides) == 1 and prs.slides[0].shapes.title.text.startswith("Sysselsättningsgrad 20–64 år 2024:")


def test_the_goal_slide_counts_the_indicators_the_leadership_summary_counts(demo_db):
    """The övergripande mål slide has a bar for its own health indicators beside the målområden, and its
    title counts exactly the indicators followed per area that Översikt's summary counts."""
    d = dbmod.Database(demo_db)
    try:
        slide = deck.summary_slide(d, "omradesutveckling")
        area = views.overview(d, "omradesutveckling")
        area = area[area.area_level]
        goal_title = d.run("programme").iloc[0].goal_title
    finally:
        d.close()
    closing, widening = int((area.verdict == "minskar").sum()), int((area.verdict == "ökar").sum())
    assert slide.title == text.goal_summary_title(goal_title, closing, widening, len(area))
    assert (area.goal_area_id == 0).any()  # the demo data has health indicators followed per area
    labels = {row["label"] for row in slide.spec["data"]["values"]}
    assert text.GOAL_BAR_LABEL in labels and len(labels) == 4
