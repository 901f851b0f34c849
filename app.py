"""Översikt: the målbild, and per effektmål how the focus set compares with the whole city."""

import streamlit as st

from shb.web import ui

snap = ui.setup("Översikt")
if snap is not None:
    view = ui.current_view()
    ui.navigation(view)
    programme = ui.frame("programme").iloc[0]
    st.title(f"{programme.title} {programme.period}")
    st.markdown(f"**Övergripande mål:** {programme.goal_title}")
    st.caption(programme.goal_description)
    view = ui.choose_set(view, where=st.sidebar)
    ui.overview(view)
    ui.footer(snap)
