"""The biennial report: every effektmål and indicator, the app's own sentences, demo flag, a PDF."""

import re
import shutil
import subprocess

import pytest

from shb.core.catalog import load_catalog
from shb.core.errors import ShbError
from shb.present import report, views
from shb.present.urlstate import parse
from tests.browser import browser_page, require_chromium

CAT = load_catalog()


@pytest.fixture(scope="module")
def built(database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    html, pdf = folder / "rapport.html", folder / "rapport.pdf"
    report.build(database, 2024, html, pdf if shutil.which("chromium") else None)
    return html, pdf


def test_report_holds_every_target_and_indicator(built):
    text = built[0].read_text(encoding="utf-8")
    for t in CAT.targets:
        assert f"Effektmål {t.id}: {t.title}" in text
    for ind in CAT.indicators:
        assert f"<h3>{ind.title} (" in text.replace("&amp;", "&"), ind.id
    assert text.count("<svg") >= len(CAT.indicators)
    assert "DEMODATA – genererade värden, inte Borås siffror" in text
    assert "<script" not in text, "no scripts"
    assert not re.search(r'(src|href)="https?://', text), "self-contained: nothing fetched from elsewhere"


def test_report_sentences_are_the_apps(built, database):
    f = views.facts(database)
    c = views.comparison(database, parse({"indikator": "sysselsattningsgrad_20_64", "ar": "2024"}, f), True)
    assert c.sentence in built[0].read_text(encoding="utf-8").replace("&#39;", "'")


def test_summary_counts_match_the_sections(built):
    text = built[0].read_text(encoding="utf-8")
    counts = re.findall(r"Skillnaden minskar för (\d+), ökar för (\d+) och är oförändrad för (\d+)", text)
    assert len(counts) == 4  # the övergripande mål's own indicators, then the three målområden
    badges = re.findall(r'<span class="badge[^"]*">([^<]+)</span>', text)
    closing = sum(b == "Skillnaden minskar" for b in badges)
    assert sum(int(m) for m, _, _ in counts) == closing


def test_pdf_renders_with_the_demo_flag(built):
    require_chromium()
    pdf = built[1]
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "3", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "DEMODATA" in text


def test_html_opens_in_chromium(built):
    require_chromium()
    with browser_page(1200, 900) as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(built[0].as_uri())
        assert page.locator("svg").count() >= len(CAT.indicators)
        assert not errors


def test_year_outside_the_data_is_refused(database, tmp_path):
    with pytest.raises(ShbError, match="utanför data"):
        report.build(database, 1999, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_report_cli_writes_html(demo_db, tmp_path):
    from tests.test_cli import shb

    out = shb("report", "--year", "2023", "--out", str(tmp_path / "r.html"), "--db", str(demo_db))
    assert out.returncode == 0, out.stderr
    assert "Uppföljning 2023" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_every_target_has_a_status_that_counts_its_indicators(built):
    text = built[0].read_text(encoding="utf-8")
    from shb.analysis.measures import TARGET_STATUSES

    for t in CAT.targets:
        area_level = [i for i in CAT.indicators if i.target == t.id and i.lowest_level != "municipality"]
        m = re.search(rf"Effektmål {re.escape(t.id)}: .*?</h3>\s*<p><span class=\"badge[^\"]*\">Effektmålet ([^<]+)</span> "
                      r"([^<]+)</p>", text, re.S)
        assert m and m.group(1) in TARGET_STATUSES, t.id
        if area_level:
            assert f"av {len(area_level)} indikator" in m.group(2), (t.id, m.group(2))
    assert "Spridning mellan områden" in text and "Newcombe" in text
    assert len(re.findall(r"Spridningen mellan RegSO 2024", text)) >= 10


def test_a_note_for_all_years_is_in_the_report(private_db):
    """A note without a year ("Alla år", the form's first choice) used to break the report."""
    from shb.ingest import notes
    from shb.store.db import Database

    notes.add(private_db, "sysselsattningsgrad_20_64", "1490R025", None, "Gäller alla år: ny mätmetod &amp; <b>x</b>.",
              "Test")
    html_text = report.render_html(Database(private_db), 2023)
    assert "Gäller alla år: ny mätmetod &amp;amp; &lt;b&gt;x&lt;/b&gt;." in html_text  # shown as typed
    assert re.search(r"Anteckning \(Norrby, Test\)", html_text)


def test_the_report_is_built_once_per_data_version(private_db, tmp_path, monkeypatch):
    """Writing the same report again for the same data version only copies the kept HTML and PDF; another
    year, a new version (a note) or another program builds it anew."""
    from shb.ingest import notes
    from shb.store.db import Database

    drawn, printed = [], []

    def render(database, year, set_id=None, period=""):
        drawn.append((database.version, year))
        return f"<p>{database.version} {year}</p>"

    def to_pdf(html_file, pdf_file, timeout=180):
        printed.append(html_file.read_text(encoding="utf-8"))
        pdf_file.write_bytes(b"%PDF " + html_file.read_bytes())

    monkeypatch.setattr(report, "render_html", render)
    monkeypatch.setattr(report, "html_to_pdf", to_pdf)
    first = Database(private_db)
    assert report.build(first, 2023, tmp_path / "a.html", tmp_path / "a.pdf") == {"html": False, "pdf": False}
    assert report.build(first, 2023, tmp_path / "b.html", tmp_path / "b.pdf") == {"html": True, "pdf": True}
    assert drawn == [(first.version, 2023)] and len(printed) == 1
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == f"<p>{first.version} 2023</p>"
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()
    assert report.build(first, 2022, tmp_path / "c.html") == {"html": False}
    notes.add(private_db, "sysselsattningsgrad_20_64", "1490R025", 2023, "Ny version.", "Test")
    second = Database(private_db)
    assert second.version != first.version
    assert report.build(second, 2023, tmp_path / "d.html") == {"html": False}
    assert (tmp_path / "d.html").read_text(encoding="utf-8") == f"<p>{second.version} 2023</p>"
    monkeypatch.setattr(report, "code_fingerprint", lambda: "ett annat program")
    assert report.build(second, 2023, tmp_path / "e.html") == {"html": False}
    assert drawn == [(first.version, 2023), (first.version, 2022), (second.version, 2023), (second.version, 2023)]
    assert report.report_cache(second).folder == private_db.parent / ".reports"
    # The app's download goes through the same kept file.
    assert report.report_html(second, 2023) == f"<p>{second.version} 2023</p>"
    assert len(drawn) == 4


def test_the_overarching_goal_comes_first_with_every_goal_indicator_and_the_life_course(built):
    text = built[0].read_text(encoding="utf-8")
    goal = text.index("<h2>Övergripande mål: Skapa jämlika livsvillkor och god hälsa</h2>")
    assert goal < text.index("<h2>Sammanfattning") < text.index("<h2>Målområde 1:")
    section = text[goal:text.index("<h2>Sammanfattning")]
    goal_ids = [i.id for i in CAT.indicators if i.goal_level]
    assert re.findall(r'data-indicator="([a-z0-9_]+)"', section) == goal_ids
    for stage in ("Barn 0–15 år: ", "Unga 16–24 år: ", "Vuxna 25–64 år: ", "Äldre 65+ år: ", "Alla åldrar: "):
        assert stage in section
    graded = [i.title for i in CAT.indicators if i.goal_level and "utbildning" in i.groups]
    assert re.findall(r"<h3>Social gradient: ([^<]+)</h3>", section) == graded
    assert "eftergymnasial minus förgymnasial utbildning" in section
    summary = text[text.index("<h2>Sammanfattning"):text.index("<h2>Målområde 1:")]
    assert summary.index("<h3>Övergripande mål:") < summary.index("<h3>Målområde 1:")


def test_every_id_in_the_report_is_its_own(built):
    """The charts are drawn by several processes, each numbering its gradients from 0: a legend filled
    by another chart's gradient would be wrong, silently."""
    html = built[0].read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert any(i.startswith("gradient_") for i in ids)  # the maps' legends, at least
    assert all(f'id="{ref}"' in html for ref in re.findall(r"url\(#([^)]+)\)", html))


def test_every_charts_title_and_subtitle_are_the_pages_own_text(built, database):
    """Each chart's title and subtitle lines stand in the page above its drawing (selectable, found in the
    PDF, read by a screen reader), not drawn inside the SVG; demo charts say so in their own caption."""
    import html

    text = built[0].read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', text, re.S)
    assert len(figures) == text.count("<svg") >= len(CAT.indicators)
    f = views.facts(database)
    c = views.comparison(database, parse({"indikator": "sysselsattningsgrad_20_64", "ar": "2024"}, f))
    spec = views.trend_chart(c).to_dict()
    title, subtitles = spec["title"]["text"], spec["title"]["subtitle"]
    caption = (f'<figcaption><span class="charttitle">{html.escape(title)}</span>'
               + "".join(f'<span class="chartsub">{html.escape(s)}</span>' for s in subtitles) + "</figcaption>")
    assert caption in text.replace("&#39;", "'")
    for figure in figures:
        head, svg = figure.split("<svg", 1)
        assert re.search(r'<span class="charttitle">[^<]+</span>', head), head[:200]
        assert "Demodata – inte Borås siffror" in head
        drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        assert "Demodata" not in drawn and html.unescape(head.split('"charttitle">')[1].split("<")[0]) not in drawn
