"""Områden: one area's profile, every indicator in its latest year against the whole city."""

import streamlit as st

from shb import ui, views

snap = ui.setup("Områden", __file__)
if snap is not None:
    view = ui.current_view()
    ui.navigation(view)
    d = ui.database()
    choices = views.area_choices(d)
    code = ui.choose_area(view, choices)
    area = choices.set_index("code").loc[code]
    st.title(area.label)
    for line in views.area_memberships(d, code):
        st.markdown(f"- {line}")
    ui.population_metrics(code)
    profile = ui.area_profile(code)
    ui.profile_tables(profile)
    ui.footer(snap)
