"""Presentation views fit the screen, and the bildspel steps through its slides: in a real browser
(`streamlit run` on 127.0.0.1, Debian's chromium) at 1280×720 and 1920×1080, and through AppTest."""

from __future__ import annotations

import pytest

from shb.present import deck, text, views
from shb.store import db as dbmod
from shb.web.deckpage import NEXT_KEY, PREV_KEY
from shb.web.site import DECK_PAGE
from tests.browser import ARTIFACTS, browser_page, chromium, require_chromium, screenshot, streamlit_server
from tests.pages import run_page

TIMEOUT = 45_000
SIZES = [(1280, 720), (1920, 1080)]
IND = "sysselsattningsgrad_20_64"
VIEWS = {
    "karta": f"karta?indikator={IND}&visning=presentation&utsnitt=tatort",
    "trend": f"arbete?indikator={IND}&visning=presentation",
    "skillnad": f"arbete?indikator={IND}&visning=presentation&diagram=skillnad",
    "rangordning": f"arbete?indikator={IND}&visning=presentation&diagram=rangordning&niva=regso",
    "effektmal": "boende?visning=presentation&diagram=effektmal",
    "oversikt": "?visning=presentation",
    "bildspel": "bildspel?bild=5",
    "bildspel_livscykeln": "bildspel?bild=2",
    "bildspel_prioritering": "bildspel?bild=6",
}
# Table views (no chart): the top rows that fit, in columns that fit the screen
TABLE_VIEWS = {
    "livscykeln": "livscykeln?visning=presentation",
    "livscykeln_barn": "livscykeln?visning=presentation&livsfas=barn",
    "prioritering": "prioritering?visning=presentation",
}
# What is measured: the main container must not scroll, and the chart must be wholly on screen
# (Streamlit's document never scrolls itself: its scrollingElement is always as tall as the window).
MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const chart = document.querySelector('[data-testid="stVegaLiteChart"]').getBoundingClientRect();
  const h1 = document.querySelector('h1');
  const label = document.querySelector('[data-testid="stVegaLiteChart"] svg text');
  const marks = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg .role-mark')]
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 0);
  const drawn = Math.max(0, ...marks.map(r => Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)));
  return {scroll: main.scrollHeight, client: main.clientHeight, width: innerWidth, height: innerHeight,
          chart: [chart.left, chart.top, chart.right, chart.bottom],
          drawn: drawn, title_lines: h1.getBoundingClientRect().height / parseFloat(getComputedStyle(h1).lineHeight),
          page_font: getComputedStyle(document.body).fontFamily,
          chart_font: label ? getComputedStyle(label).fontFamily : '',
          // the title's box and the caption line under it (the caption must not run into the title)
          title_bottom: h1.getBoundingClientRect().bottom,
          caption_top: [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
                        .map(e => e.getBoundingClientRect().top).filter(t => t >= h1.getBoundingClientRect().top)[0]
                        ?? null};
}"""


# A table view: the main container does not scroll, the table neither scrolls sideways nor within itself,
# everything in the main block lies inside the viewport, and the title's full text takes ≤ 2.2 lines (its
# scrollHeight: the clamp would hide a third line from the box's own height).
MEASURE_TABLE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const frame = document.querySelector('[data-testid="stDataFrame"]');
  const scroller = frame.querySelector('.dvn-scroller');
  const box = frame.getBoundingClientRect();
  const parts = [...document.querySelectorAll(
    '[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > *')]
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 0);
  const h1 = document.querySelector('h1');
  return {scroll: main.scrollHeight, client: main.clientHeight, width: innerWidth, height: innerHeight,
          table: [box.left, box.top, box.right, box.bottom],
          table_scroll: scroller ? [scroller.scrollWidth, scroller.clientWidth, scroller.scrollHeight,
                                    scroller.clientHeight] : null,
          content_bottom: Math.max(...parts.map(r => r.bottom)), content_right: Math.max(...parts.map(r => r.right)),
          title_lines: h1.scrollHeight / parseFloat(getComputedStyle(h1).lineHeight)};
}"""


@pytest.fixture(scope="module")
def server(demo_db):
    require_chromium()
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with chromium() as b:
        yield b


def wait_for_chart(page) -> None:
    page.wait_for_selector('[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas',
                           timeout=TIMEOUT)
    page.wait_for_timeout(600)  # the stretch height settles after the first draw


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES)
def test_every_presentation_view_fits_the_screen(server, browser, width, height):
    (ARTIFACTS / "presentation").mkdir(parents=True, exist_ok=True)
    problems = []
    with browser_page(width, height, browser) as page:
        for name, path in VIEWS.items():
            page.goto(f"{server}/{path}", wait_until="domcontentloaded")
            wait_for_chart(page)
            m = page.evaluate(MEASURE)
            left, top, right, bottom = m["chart"]
            if m["scroll"] > m["client"]:
                problems.append(f"{name}: main scrolls ({m['scroll']} > {m['client']})")
            if not (left >= 0 and top >= 0 and right <= m["width"] and bottom <= m["height"]):
                problems.append(f"{name}: chart {m['chart']} outside {m['width']}×{m['height']}")
            if bottom - top < 0.45 * height:
                problems.append(f"{name}: chart only {bottom - top:.0f} px high")
            if m["drawn"] < 0.35 * height:  # the tallest group of marks on screen: the plot takes the height
                problems.append(f"{name}: marks drawn over only {m['drawn']:.0f} px")
            if m["title_lines"] > 2.2:
                problems.append(f"{name}: title of {m['title_lines']:.1f} lines")
            if m["caption_top"] is not None and m["caption_top"] < m["title_bottom"] - 0.5:
                problems.append(f"{name}: caption at {m['caption_top']:.0f} px runs into the title ending at "
                                f"{m['title_bottom']:.0f} px")
            if "Source Sans" not in m["chart_font"] or "Source Sans" not in m["page_font"]:
                problems.append(f"{name}: chart font {m['chart_font']!r}, page font {m['page_font']!r}")
            screenshot(page, f"presentation/{name}_{width}x{height}")
    assert problems == []


def table_problems(name: str, m: dict) -> list[str]:
    """What keeps a table view (measured with MEASURE_TABLE) from fitting the screen."""
    problems = []
    if m["scroll"] > m["client"]:
        problems.append(f"{name}: main scrolls ({m['scroll']} > {m['client']})")
    if m["table_scroll"] is None:
        return [*problems, f"{name}: no table drawn"]
    scroll_w, client_w, scroll_h, client_h = m["table_scroll"]
    if scroll_w > client_w + 1:
        problems.append(f"{name}: table scrolls sideways ({scroll_w} > {client_w})")
    if scroll_h > client_h + 1:
        problems.append(f"{name}: table scrolls within itself ({scroll_h} > {client_h})")
    left, top, right, bottom = m["table"]
    if not (left >= 0 and top >= 0 and right <= m["width"] and bottom <= m["height"]):
        problems.append(f"{name}: table {m['table']} outside {m['width']}×{m['height']}")
    if m["content_bottom"] > m["height"] or m["content_right"] > m["width"]:
        problems.append(f"{name}: content reaches {m['content_right']:.0f}×{m['content_bottom']:.0f}")
    if m["title_lines"] > 2.2:
        problems.append(f"{name}: title of {m['title_lines']:.1f} lines")
    return problems


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES)
def test_every_table_view_fits_the_screen(server, browser, width, height):
    (ARTIFACTS / "presentation").mkdir(parents=True, exist_ok=True)
    problems = []
    with browser_page(width, height, browser) as page:
        for name, path in TABLE_VIEWS.items():
            page.goto(f"{server}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller', timeout=TIMEOUT)
            page.wait_for_timeout(600)  # the columns settle after the first draw
            problems += table_problems(name, page.evaluate(MEASURE_TABLE))
            screenshot(page, f"presentation/{name}_{width}x{height}")
    assert problems == []


def test_a_table_view_that_does_not_fit_is_reported():
    """The measure's verdicts can fail: a table wider than its box, a third title line, content below."""
    fits = {"scroll": 720, "client": 720, "width": 1280, "height": 720, "table": [40, 190, 1240, 500],
            "table_scroll": [1198, 1198, 316, 316], "content_bottom": 530, "content_right": 1240, "title_lines": 2.0}
    assert table_problems("v", fits) == []
    assert table_problems("v", {**fits, "table_scroll": [1402, 1198, 316, 316]}) == [
        "v: table scrolls sideways (1402 > 1198)"]
    assert table_problems("v", {**fits, "title_lines": 3.0}) == ["v: title of 3.0 lines"]
    assert table_problems("v", {**fits, "content_bottom": 760}) == ["v: content reaches 1240×760"]
    assert table_problems("v", {**fits, "table_scroll": None}) == ["v: no table drawn"]


def wait_for_slide(page, n: int) -> None:
    """Until the address says slide `n` (Streamlit changes it without a page load)."""
    page.wait_for_function(f"new URLSearchParams(location.search).get('bild') === '{n}'", timeout=TIMEOUT)


@pytest.mark.browser
def test_the_default_deck_steps_with_links_and_arrow_keys(server, browser, demo_db):
    total = len(deck.default_deck(views.overview(dbmod.connect(demo_db), "omradesutveckling"), "omradesutveckling"))
    with browser_page(1280, 720, browser) as page:
        page.goto(f"{server}/bildspel?bild=1", wait_until="domcontentloaded")
        wait_for_chart(page)
        titles = [page.locator("h1").first.inner_text()]
        for n in range(2, total + 1):  # forward with the links
            page.get_by_role("button", name="Nästa").click()
            wait_for_slide(page, n)
            page.get_by_text(text.slide_position(n, total)).wait_for(timeout=TIMEOUT)
            wait_for_chart(page)
            titles.append(page.locator("h1").first.inner_text())
        assert len(set(titles)) == total, titles
        for n in range(total - 1, 0, -1):  # back with ←
            page.keyboard.press("ArrowLeft")
            page.get_by_text(text.slide_position(n, total)).wait_for(timeout=TIMEOUT)
            page.wait_for_function(f"document.querySelector('h1').innerText === {titles[n - 1]!r}", timeout=TIMEOUT)
        wait_for_slide(page, 1)
        page.keyboard.press("ArrowRight")
        page.get_by_text(text.slide_position(2, total)).wait_for(timeout=TIMEOUT)
        wait_for_slide(page, 2)
        assert page.locator("h1").first.inner_text() == titles[1]


# --- AppTest --------------------------------------------------------------------------------------

def default_deck(demo_db) -> list[str]:
    return deck.default_deck(views.overview(dbmod.connect(demo_db), "omradesutveckling"), "omradesutveckling")


def test_the_default_deck_is_summary_goal_areas_then_widening_gaps(demo_db):
    slides = default_deck(demo_db)
    assert slides[:6] == ["?jamfor=omradesutveckling", "livscykeln?jamfor=omradesutveckling",
                          "god_start?diagram=effektmal&jamfor=omradesutveckling",
                          "arbete?diagram=effektmal&jamfor=omradesutveckling",
                          "boende?diagram=effektmal&jamfor=omradesutveckling", "prioritering?jamfor=omradesutveckling"]
    ov = views.overview(dbmod.connect(demo_db), "omradesutveckling")
    widening = ov[ov.area_level & (ov.verdict == "ökar")]
    assert 1 <= len(slides[6:]) <= deck.WIDENING_SLIDES
    for url in slides[6:]:
        path, params = deck.split_url(url)
        assert params["diagram"] == ["skillnad"] and params["indikator"][0] in set(widening.indicator_id)


def test_apptest_steps_through_every_slide_of_the_default_deck(demo_db):
    """Each slide by its link (bild=N), then the whole deck forward and back with the buttons (which
    carry the arrow keys); the URL follows."""
    slides = default_deck(demo_db)
    titles = []
    for n in range(1, len(slides) + 1):
        at = run_page(DECK_PAGE, {"bild": str(n)})
        assert not at.exception
        assert at.query_params["bild"] in (str(n), [str(n)])
        assert len(at.get("vega_lite_chart")) == 1
        titles.append(at.title[0].value)
        assert any(text.slide_position(n, len(slides)) in m.value for m in at.markdown)
        assert at.button(key=PREV_KEY).disabled == (n == 1) and at.button(key=NEXT_KEY).disabled == (n == len(slides))
    assert len(set(titles)) == len(slides)
    assert titles[0].startswith("Skapa jämlika livsvillkor") and titles[1].startswith("Livscykeln: störst skillnad")
    assert titles[2].startswith("Målområde 1") and titles[5].startswith("Prioritera först")
    at = run_page(DECK_PAGE, {"bild": "1"})
    for n in range(2, len(slides) + 1):
        at.button(key=NEXT_KEY).click().run()
        assert at.query_params["bild"] in (str(n), [str(n)]) and at.title[0].value == titles[n - 1]
    for n in range(len(slides) - 1, 0, -1):
        at.button(key=PREV_KEY).click().run()
        assert at.query_params["bild"] in (str(n), [str(n)]) and at.title[0].value == titles[n - 1]


def test_the_step_buttons_carry_the_arrow_keys(demo_db):
    at = run_page(DECK_PAGE, {"bild": "2"})
    assert at.button(key=PREV_KEY).proto.shortcut.lower() == "left" and at.button(key=NEXT_KEY).proto.shortcut.lower() == "right"


@pytest.mark.parametrize("bild,notice", [("0", "Ogiltigt bildnummer"), ("x", "Ogiltigt bildnummer"),
                                         ("99", "Bild 99 finns inte")])
def test_a_bad_slide_number_says_so_and_shows_a_slide(demo_db, bild, notice):
    at = run_page(DECK_PAGE, {"bild": bild})
    assert not at.exception
    assert any(notice in w.value for w in at.warning)
    assert len(at.get("vega_lite_chart")) == 1


def test_overview_opens_with_how_we_are_doing(demo_db):
    """The leadership block comes first: the övergripande mål with the counts of gaps closing and widening,
    a link to the bildspel, and per målområde its link, counts and the status of each effektmål."""
    ov = views.overview(dbmod.connect(demo_db), "omradesutveckling")
    area = ov[ov.area_level]
    at = run_page("app.py")
    assert not at.exception
    assert at.subheader[0].value == text.LEADERSHIP_HEADING
    closing, widening = int((area.verdict == "minskar").sum()), int((area.verdict == "ökar").sum())
    assert f"minskar för {closing} och ökar för {widening} av {len(area)} indikatorer" in at.markdown[0].value
    links = [(e.proto.page, e.proto.label) for e in at.main.get("page_link")]
    assert links[0][1] == "Visa som bildspel" and links[0][0].endswith("bildspel")
    for n in (1, 2, 3):
        assert any(label.startswith(f"Målområde {n}:") for _, label in links[:5])
        rows = area[area.goal_area_id == n]
        counts = text.gap_counts(int((rows.verdict == "minskar").sum()), int((rows.verdict == "ökar").sum()))
        assert counts.capitalize() in [c.value for c in at.caption]
    status_lines = [m.value for m in at.markdown if "-badge[Effektmålet" in m.value and "skillnaden minskar" in m.value]
    assert len(status_lines) == 13
