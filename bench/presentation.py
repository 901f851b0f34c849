"""First chart of a deep-linked presentation view after a fresh server start, beside the same view's
ordinary page as the baseline (each on a server of its own, in chromium at 1280×720)."""

from __future__ import annotations

import time
from pathlib import Path

VIEW = "karta?indikator=sysselsattningsgrad_20_64&utsnitt=tatort"
CHART = "document.querySelector('[data-testid=\"stVegaLiteChart\"] svg, [data-testid=\"stVegaLiteChart\"] canvas')"


def _first_chart(db: Path, path: str) -> float:
    from tests.browser import browser_page, streamlit_server

    with streamlit_server(db) as url, browser_page(1280, 720) as page:
        t = time.perf_counter()
        page.goto(f"{url}/{path}", wait_until="domcontentloaded")
        page.wait_for_function(CHART, timeout=120_000)
        return round(time.perf_counter() - t, 2)


def time_first_presentation_chart(db: Path) -> dict[str, float] | None:
    """Seconds from the request to the first drawn chart: the presentation view and the ordinary page."""
    from tests.browser import CHROMIUM

    if not Path(CHROMIUM).exists():
        return None
    return {"presentation_s": _first_chart(db, f"{VIEW}&visning=presentation"), "ordinary_s": _first_chart(db, VIEW)}


def lines(result: dict[str, float] | None) -> list[str]:
    if result is None:
        return ["", "First chart of a deep-linked presentation view: not measured (chromium missing)"]
    return ["", f"First chart of a deep-linked presentation view (`{VIEW}&visning=presentation`, fresh server, "
                f"1280×720): {result['presentation_s']} s; the ordinary page, same link without presentation "
                f"(baseline, fresh server): {result['ordinary_s']} s"]
