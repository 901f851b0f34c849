"""Översikt: how we are doing at a glance, then the målbild and per effektmål how the focus set
compares with the whole city (in presentation mode: the övergripande mål summary alone)."""

import streamlit as st

from shb.present import periods
from shb.web import controls, data, layout, overview, sections, state

snap = layout.setup("Översikt")
if snap is not None:
    view = state.current_view()
    if view.presentation:
        overview.summary_presentation(view)
    else:
        layout.navigation(view)
        programme = data.frame("programme").iloc[0]
        view = controls.choose_period(view, where=st.sidebar)
        view = controls.choose_set(view, where=st.sidebar)
        st.title(f"{programme.title} {periods.title(data.database(), view.period)}")
        overview.leadership_overview(view)
        st.markdown(f"**Övergripande mål:** {programme.goal_title}")
        st.caption(programme.goal_description)
        sections.goal_indicators(view)
        sections.overview(view)
        layout.footer(snap)
