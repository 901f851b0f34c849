"""The Streamlit seam in one import for page scripts and the import page.

Where things live: `data` (the session's snapshot and cached reads), `state` (the view ⇄ URL and
session), `site` (the pages and links between them), `layout` (setup, navigation, charts, badges),
`controls` (widgets), `sections` (page bodies) and `notes_form` (analysts' notes).
"""

from __future__ import annotations

from shb.web.controls import indicator_label
from shb.web.data import PIN_KEY, database, facts, frame, indicators
from shb.web.layout import chart, footer, navigation, setup
from shb.web.notes_form import plain
from shb.web.sections import area_page, data_page, goal_area_page, groups_page, map_page, overview
from shb.web.site import APP_TITLE, PAGES, page_url_path, share_url
from shb.web.state import VIEW_KEY, current_view, update

__all__ = [
    "APP_TITLE", "PAGES", "PIN_KEY", "VIEW_KEY", "area_page", "chart", "current_view", "data_page", "database",
    "facts", "footer", "frame", "goal_area_page", "groups_page", "indicator_label", "indicators", "map_page",
    "navigation", "overview", "page_url_path", "plain", "setup", "share_url", "update",
]
