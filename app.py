"""Översikt: the målbild and its structure, from the current snapshot."""

import streamlit as st

from shb import ui

snap = ui.setup("Översikt")
if snap is not None:
    programme = ui.frame("programme").iloc[0]
    structure = ui.frame("goal_structure")
    st.title(f"{programme.title} {programme.period}")
    st.markdown(f"**Övergripande mål:** {programme.goal_title}")
    st.caption(programme.goal_description)
    columns = st.columns(3)
    for column, (goal_area_id, targets) in zip(columns, structure.groupby("goal_area_id", sort=True)):
        with column, st.container(border=True):
            st.subheader(f"Målområde {goal_area_id}: {targets.goal_area_title.iloc[0]}")
            st.caption(targets.goal_area_description.iloc[0])
            for t in targets.itertuples():
                st.markdown(f"**{t.target_id}** {t.target_title}  \n*{t.indicators} indikatorer*")
    ui.footer(snap)
