"""The app's pages: their table, which indicators each can show, and links between them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from shb.present import urlstate
from shb.present.urlstate import View
from shb.web import data

APP_TITLE = "Socialt hållbart Borås"


@dataclass(frozen=True)
class PageInfo:
    path: str
    label: str
    icon: str
    section: str


PAGES = (
    PageInfo("app.py", "Översikt", ":material/home:", ""),
    PageInfo("pages/1_god_start.py", "God start i livet och goda uppväxtvillkor", ":material/child_care:", "Målområden"),
    PageInfo("pages/2_arbete.py", "Förutsättningar för arbete", ":material/work:", "Målområden"),
    PageInfo("pages/3_boende.py", "Boende och närmiljö", ":material/home_work:", "Målområden"),
    PageInfo("pages/4_omraden.py", "Områden", ":material/location_city:", "Utforska"),
    PageInfo("pages/5_karta.py", "Karta", ":material/map:", "Utforska"),
    PageInfo("pages/6_grupper.py", "Grupper", ":material/groups:", "Utforska"),
    PageInfo("pages/7_data_och_metod.py", "Data och metod", ":material/dataset:", "Om data"),
    PageInfo("pages/8_importera.py", "Läs in data", ":material/upload_file:", "Om data"),
    PageInfo("pages/9_livscykeln.py", "Livscykeln", ":material/timeline:", "Uppföljning"),
    PageInfo("pages/10_prioritering.py", "Prioritering", ":material/low_priority:", "Uppföljning"),
    PageInfo("pages/11_bildspel.py", "Bildspel", ":material/slideshow:", "Uppföljning"),
)
GOAL_AREA_PAGES = {1: PAGES[1], 2: PAGES[2], 3: PAGES[3]}
AREA_PAGE, MAP_PAGE, GROUPS_PAGE = PAGES[4].path, PAGES[5].path, PAGES[6].path
LIFE_CYCLE_PAGE = PAGES[9].path  # the övergripande mål's indicators live here
DECK_PAGE = PAGES[11].path
PAGE_KEY = "shb_page"  # the page this run shows (for links and the share link)


def goal_area_of(indicator: str, period: str = "") -> int | None:
    """The målområde an indicator belongs to (through its effektmål) in the målbild period (""; the
    current one); None when the period does not follow the indicator."""
    if period and period != data.facts().current_period:
        mapping = data.frame("period_indicators", period_id=period).set_index("indicator_id").target_id
        structure = data.frame("period_structure", period_id=period).set_index("target_id")
        return int(structure.loc[mapping[indicator], "goal_area_id"]) if indicator in mapping else None
    structure = data.frame("goal_structure").set_index("target_id")
    return int(structure.loc[data.indicators()[indicator].target, "goal_area_id"])


def goal_areas(period: str = "") -> dict[str, int | None]:
    """`goal_area_of` for every indicator at once (one lookup per table, not one per indicator)."""
    inds = data.indicators()
    if period and period != data.facts().current_period:
        mapping = data.frame("period_indicators", period_id=period).set_index("indicator_id").target_id
        structure = data.frame("period_structure", period_id=period).set_index("target_id").goal_area_id
        found = mapping.map(structure).dropna().astype(int)
        return {i: (int(found[i]) if i in found.index else None) for i in inds}
    structure = data.frame("goal_structure").drop_duplicates("target_id").set_index("target_id").goal_area_id.to_dict()
    return {i: int(structure[ind.target]) for i, ind in inds.items()}


def own_page(indicator: str) -> PageInfo:
    """The page an indicator belongs to: its målområde's, or Livscykeln for the övergripande mål's."""
    return GOAL_AREA_PAGES.get(goal_area_of(indicator), PAGES[9])


def own_pages(indicators: list[str]) -> list[PageInfo]:
    """`own_page` of each indicator, the catalog's målområden looked up once for all of them."""
    areas = goal_areas()
    return [GOAL_AREA_PAGES.get(areas[i], PAGES[9]) for i in indicators]


def page_indicators(path: str, period: str = "") -> list[str] | None:
    """The indicators the page at `path` can show (in the målbild period), in catalog order; None when it
    shows any."""
    inds = data.indicators()
    goal_area = next((n for n, p in GOAL_AREA_PAGES.items() if p.path == path), None)
    if goal_area is not None:
        areas = goal_areas(period)
        return [i for i in inds if areas[i] == goal_area]
    if path == LIFE_CYCLE_PAGE:
        return [i for i, ind in inds.items() if ind.goal_level]
    if path == MAP_PAGE:
        return [i.id for i in inds.values() if i.lowest_level != "municipality"]
    if path == GROUPS_PAGE:
        return [i.id for i in inds.values() if i.groups]
    return None


def page_params(view: View, path: str) -> dict[str, str]:
    """The view's parameters for a link to `path`. An indicator the page cannot show is left out,
    with what belongs to it, so our own links open the page on its own indicator without a notice."""
    params = urlstate.to_params(view)
    allowed = page_indicators(path, view.period)
    if allowed is None or view.indikator in allowed:
        return params
    return {k: v for k, v in params.items() if k in urlstate.INDICATOR_FREE}


def this_page() -> str:
    """The script of the page this run shows ("app.py", "pages/5_karta.py")."""
    return st.session_state.get(PAGE_KEY, "app.py")


def relative_script(script: str) -> str:
    path = Path(script)
    return f"pages/{path.name}" if path.parent.name == "pages" else "app.py"


def page_url_path(script: str) -> str:
    """The URL path Streamlit gives a page script: app.py → "", pages/1_god_start.py → "god_start"."""
    if script == "app.py":
        return ""
    name = Path(script).stem
    return name.split("_", 1)[1] if name.split("_", 1)[0].isdigit() else name


def share_url(view: View, script: str, base: str) -> str:
    """The full, over-specified link to this view: every parameter, so later default changes keep it."""
    params = {**urlstate.to_params(view), "v": view.v}
    return f"{base.rstrip('/')}/{page_url_path(script)}?{urlencode(params, safe=',:')}"


def public_base() -> str:
    """Where links point: SHB_PUBLIC_URL if set, else the address the browser used."""
    configured = os.environ.get("SHB_PUBLIC_URL")
    if configured:
        return configured
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        parts = None
    return f"{parts.scheme}://{parts.netloc}" if parts and parts.netloc else "http://127.0.0.1:8501"
