"""The real app in a real browser: `streamlit run` on 127.0.0.1, Debian's chromium via Playwright."""

import pytest

from tests.browser import browser_page, require_chromium, screenshot, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_db):
    require_chromium()
    with streamlit_server(demo_db) as url:
        yield url


def test_start_page_renders_the_malbild_with_demo_banner(server):
    with browser_page() as page:
        page.goto(server, wait_until="networkidle")
        page.get_by_text("Förutsättningar för arbete").first.wait_for(timeout=30_000)
        assert page.get_by_text("Demodata").first.is_visible()
        assert page.get_by_text("I Borås ska ingen vara hemlös").first.is_visible()
        screenshot(page, "oversikt")
