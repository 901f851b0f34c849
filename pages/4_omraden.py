"""Områden: an area's or an area set's profile, every indicator in its latest year against the city."""

import streamlit as st

from shb.present import views
from shb.web import ui

snap = ui.setup("Områden", __file__)
if snap is not None:
    view = ui.current_view()
    ui.navigation(view)
    d = ui.database()
    choices = views.area_choices(d)
    view, code = ui.choose_area(view, choices)
    if code is None:
        title, members = views.set_members(d, view.jamfor)
        st.title(f"{title} (områdesmängd)")
        st.markdown("Består av: " + ", ".join(choices.set_index("code").loc[members, "name"]))
        ui.profile_tables(ui.set_profile(view.jamfor))
    else:
        st.title(choices.set_index("code").loc[code, "label"])
        for line in views.area_memberships(d, code):
            st.markdown(f"- {line}")
        ui.population_metrics(code)
        ui.profile_tables(ui.area_profile(code))
    ui.footer(snap)
