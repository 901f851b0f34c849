"""Grupper: the gap between two groups over time, citywide and in the focus set."""

import streamlit as st

from shb.web import ui

snap = ui.setup("Grupper", __file__)
if snap is not None:
    inds = ui.indicators()
    options = ui.page_indicators(ui.GROUPS_PAGE)
    view = ui.current_view(allowed=options)
    ui.navigation(view)
    st.title("Skillnader mellan grupper")
    with st.sidebar:
        st.divider()
        view = ui.choose_indicator(view, options)
        view = ui.choose_set(view)
    view = ui.choose_group_dimension(view)
    view, first, second = ui.choose_group_pair(view, inds[view.indikator])
    dim = view.grupp.split(":")[0]
    spec, sentence = ui.group_gap(view, dim, first, second, bool(snap["is_demo"]))
    st.markdown(f"### {sentence}")
    ui.chart(spec, key="gruppgap")
    ui.footer(snap)
