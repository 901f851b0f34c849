"""The leadership overview at the top of Översikt: one screen that answers "how are we doing" – the
övergripande mål and the three målområden with their effektmål statuses and how many gaps close and
widen, each a link."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from shb.analysis import measures
from shb.present import text, urlstate, views
from shb.present.urlstate import View
from shb.web import data, presentation, site


def leadership_overview(view: View) -> None:
    """The övergripande mål (summary and a link to the bildspel) and a column per målområde."""
    ov = data.overview(view.jamfor)
    structure = data.frame("goal_structure")
    programme = data.frame("programme").iloc[0]
    area = ov[ov.area_level]
    closing, widening = int((area.verdict == "minskar").sum()), int((area.verdict == "ökar").sum())
    with st.container(border=True):
        st.subheader(text.LEADERSHIP_HEADING, anchor=False)
        st.markdown(f"**{text.goal_summary_title(programme.goal_title, closing, widening, len(area))}.**")
        links = st.columns(2)
        links[0].page_link(site.DECK_PAGE, label="Visa som bildspel", icon=":material/slideshow:",
                           query_params={"bild": "1", "jamfor": view.jamfor})
        links[1].page_link("app.py", label="Sammanfattningen i presentationsläge", icon=":material/fit_screen:",
                           query_params={"jamfor": view.jamfor, "visning": "presentation"})
        statuses = views.target_statuses(ov)
        goal_areas = [g for g in sorted(structure.goal_area_id.unique()) if int(g) in site.GOAL_AREA_PAGES]
        for column, goal_area_id in zip(st.columns(len(goal_areas)), goal_areas):
            with column:
                _goal_area_card(view, ov, structure[structure.goal_area_id == goal_area_id], int(goal_area_id),
                                statuses)


def _goal_area_card(view: View, ov, targets, goal_area_id: int, statuses: dict) -> None:
    page = site.GOAL_AREA_PAGES[goal_area_id]
    rows = ov[ov.goal_area_id == goal_area_id]
    area = rows[rows.area_level]
    st.page_link(page.path, label=f"Målområde {goal_area_id}: {page.label}", icon=page.icon,
                 query_params=site.page_params(view, page.path))
    st.caption(text.gap_counts(int((area.verdict == "minskar").sum()), int((area.verdict == "ökar").sum())).capitalize())
    for t in targets.itertuples():
        status = statuses.get(t.target_id) or measures.target_status([])
        ids = rows.loc[rows.target_id == t.target_id, "indicator_id"].tolist()
        judged = area[area.target_id == t.target_id]
        counts = text.gap_counts(int((judged.verdict == "minskar").sum()), int((judged.verdict == "ökar").sum()))
        link = (f"{site.page_url_path(page.path)}?{urlencode({**urlstate.to_params(view), 'indikator': ids[0]})}"
                if ids else site.page_url_path(page.path))
        colour, words, _ = text.target_status_badge(status)
        st.markdown(f"[**{t.target_id}**]({link}) :{colour}-badge[{words}] :gray[{counts}]")


def summary_presentation(view: View) -> None:
    """Översikt in presentation mode: the övergripande mål summary slide."""
    presentation.show(presentation.summary_slide(view.jamfor))

