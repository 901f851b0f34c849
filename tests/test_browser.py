"""The real app in a real browser: `streamlit run` on 127.0.0.1, Debian's chromium via Playwright."""

import pytest

from shb.web.ui import PAGES
from tests.browser import browser_page, chromium, require_chromium, screenshot, streamlit_server

pytestmark = pytest.mark.browser
TIMEOUT = 45_000


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


@pytest.fixture(scope="module")
def page(browser):
    with browser_page(1600, 1200, browser) as p:
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


@pytest.mark.parametrize("path,text", [("omraden", "(områdesmängd)"), ("omraden?omrade=1490R025", "Folkmängd"),
                                       ("data_och_metod", "Indikatorkatalog")])
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


DEEP = ("/boende?indikator=otrygghet_utomhus_kvallstid&ar=2022&fran=2014&till=2024&niva=regso"
        "&jamfor=polisen_2025&grupp=alder&utsnitt=kommun")


def test_deep_link_as_first_request_to_a_fresh_server(demo_db, browser):
    """The first request a new server sees is a deep link: the right page, controls, navigation and chart."""
    with streamlit_server(demo_db) as url, browser_page(1600, 1400, browser) as page:
        page.goto(url + DEEP, wait_until="domcontentloaded")
        page.get_by_text("Målområde 3: Boende och närmiljö").first.wait_for(timeout=TIMEOUT)
        wait_for_charts(page, 4)
        sidebar = page.locator('[data-testid="stSidebar"]')
        values = [i.input_value() for i in sidebar.locator('[data-testid="stSelectbox"] input').all()]
        values += [t.inner_text() for t in sidebar.locator('[data-testid="stSelectbox"]').all()]
        controls = " | ".join(values)
        assert "3.4 · Invånare som känner sig otrygga" in controls and "Polisens lista 2025" in controls and "2022" in controls, controls
        links = [a.inner_text() for a in sidebar.locator('[data-testid="stPageLink"] a').all()]
        assert len(links) == len(PAGES) and any(link.endswith("Karta") for link in links)
        assert "ar=2022" in page.url and "jamfor=polisen_2025" in page.url and "v=" in page.url
        screenshot(page, "djuplank_boende")

        sidebar.get_by_text("Karta", exact=True).click()
        page.wait_for_url("**/karta?**", timeout=TIMEOUT)
        wait_for_charts(page, 1)
        assert "indikator=otrygghet_utomhus_kvallstid" in page.url and "jamfor=polisen_2025" in page.url
        assert "utsnitt=kommun" in page.url

        page.go_back()
        page.wait_for_url("**/boende?**", timeout=TIMEOUT)
        page.get_by_text("Målområde 3: Boende och närmiljö").first.wait_for(timeout=TIMEOUT)
        wait_for_charts(page, 4)
        assert "ar=2022" in page.url and "jamfor=polisen_2025" in page.url


def test_the_share_popover_holds_the_views_link_and_costs_nothing_until_opened(server, page):
    """The link is drawn only when "Dela vy" is opened (a code block in a closed expander loaded the
    syntax highlighter on every page); opened, it shows the view's absolute link with a copy button."""
    page.goto(f"{server}/arbete?indikator=sysselsattningsgrad_20_64&ar=2020", wait_until="domcontentloaded")
    wait_for_charts(page, 4)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert page.locator('[data-testid="stCode"]').count() == 0
    sidebar.get_by_text("Dela vy").click()
    code = page.locator('[data-testid="stCode"]').first
    code.wait_for(timeout=TIMEOUT)
    link = code.inner_text()
    assert link.startswith(server.rstrip("/") + "/arbete?indikator=sysselsattningsgrad_20_64&ar=2020&"), link
    assert "v=" in link and "jamfor=" in link
    assert page.get_by_text("Länken bär hela vyn").first.is_visible()


def test_changing_a_control_is_a_step_in_history(server, page):
    page.goto(f"{server}/arbete?indikator=sysselsattningsgrad_20_64&ar=2024", wait_until="domcontentloaded")
    wait_for_charts(page, 4)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="År").click()
    page.get_by_role("option", name="2019").click()
    page.wait_for_url("**ar=2019**", timeout=TIMEOUT)
    page.go_back()
    page.wait_for_url("**ar=2024**", timeout=TIMEOUT)
    page.wait_for_function("document.body.innerText.includes('2024')", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def life_server(demo_db):
    """A server of its own for Livscykeln (SHB_TEST_PORT picks the port when a fixed one is wanted)."""
    import os

    require_chromium()
    with streamlit_server(demo_db, port=int(os.environ.get("SHB_TEST_PORT", "0")) or None) as url:
        yield url


def test_livscykeln_in_presentation_mode_at_1280x720(life_server, browser):
    from tests.browser import ARTIFACTS

    with browser_page(1280, 720, browser) as p:
        p.goto(f"{life_server}/livscykeln?livsfas=aldre&visning=presentation", wait_until="domcontentloaded")
        p.get_by_text("Äldre 65+ år:").first.wait_for(timeout=TIMEOUT)
        p.wait_for_function("document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 1", timeout=TIMEOUT)
        assert not p.locator('[data-testid="stSidebar"]').is_visible(), "presentation mode hides the sidebar"
        assert p.get_by_text("Demodata").first.is_visible()
        assert "livsfas=aldre" in p.url and "visning=presentation" in p.url
        ARTIFACTS.mkdir(exist_ok=True)
        p.screenshot(path=str(ARTIFACTS / "livscykeln_presentation_1280x720.png"))
        screenshot(p, "livscykeln_presentation_full")
