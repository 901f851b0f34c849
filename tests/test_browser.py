"""The real app in a real browser: `streamlit run` on 127.0.0.1, Debian's chromium via Playwright."""

import pytest

from tests.browser import browser_page, require_chromium, screenshot, streamlit_server

pytestmark = pytest.mark.browser
TIMEOUT = 45_000


@pytest.fixture(scope="module")
def server(demo_db):
    require_chromium()
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    require_chromium()
    with browser_page(1600, 1200) as p:
        yield p


def wait_for_charts(page, count: int) -> None:
    """Wait until `count` Vega charts have drawn (a canvas or svg inside .vega-embed)."""
    page.wait_for_function(
        f"document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= {count}", timeout=TIMEOUT)


def test_start_page_shows_every_goal_area_with_tables(server, page):
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("Målområde 3: Boende och närmiljö").first.wait_for(timeout=TIMEOUT)
    assert page.get_by_text("Demodata").first.is_visible()
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 13", timeout=TIMEOUT)
    screenshot(page, "oversikt")


@pytest.mark.parametrize("path,charts", [("god_start", 4), ("arbete", 5), ("boende", 4), ("karta", 1), ("grupper", 1)])
def test_pages_draw_their_charts(server, page, path, charts):
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    wait_for_charts(page, charts)
    assert page.get_by_text("Demodata").first.is_visible()
    if path == "arbete":
        screenshot(page, "malomrade_arbete")


@pytest.mark.parametrize("path,text", [("omraden", "Folkmängd"), ("data_och_metod", "Indikatorkatalog")])
def test_table_pages_render(server, page, path, text):
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.get_by_text(text).first.wait_for(timeout=TIMEOUT)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=TIMEOUT)


def test_map_in_presentation_mode_has_no_sidebar_and_a_stating_title(server, page):
    page.goto(f"{server}/karta?indikator=sysselsattningsgrad_20_64&visning=presentation&utsnitt=tatort",
              wait_until="domcontentloaded")
    wait_for_charts(page, 1)
    title = page.locator("h1").first.inner_text()
    assert title.startswith("Sysselsättningsgrad 20–64 år") and "hela Borås" in title
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.get_by_text("Schematisk indelning").first.is_visible()
    screenshot(page, "karta_presentation")
