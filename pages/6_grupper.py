"""Grupper: the gap between two groups over time, citywide and in the focus set."""

import streamlit as st

from shb import charts, ui, views

snap = ui.setup("Grupper")
if snap is not None:
    inds = ui.indicators()
    options = [i.id for i in inds.values() if i.groups]
    view = ui.current_view(allowed=options)
    ui.navigation(view)
    st.title("Skillnader mellan grupper")
    with st.sidebar:
        st.divider()
        view = ui.choose_indicator(view, options)
        view = ui.choose_set(view)
    view = ui.choose_group_dimension(view)
    ind = inds[view.indikator]
    dim = view.grupp.split(":")[0]
    first, second = ui.choose_group_pair(ind, dim)
    gap = views.group_gap_frame(ui.database(), view, dim, first, second)
    labels = views.group_labels(ui.database())
    title = f"{ind.title}: {labels[(dim, first)].lower()} minus {labels[(dim, second)].lower()}"
    st.markdown(ui.group_gap_sentence(ind, gap, labels[(dim, first)], labels[(dim, second)]))
    ui.chart(charts.trend_chart(gap, title=title, unit_label=ind.unit_label, direction_label=views.subtitle(ind),
                                decimals=1, demo=bool(snap["is_demo"])), key="gruppgap")
    ui.footer(snap)
