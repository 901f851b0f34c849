"""Data och metod: the catalog, sources and licences, statuses, method, and downloads."""

import streamlit as st

from shb.present import export, views
from shb.web import ui

snap = ui.setup("Data och metod", __file__)
if snap is not None:
    view = ui.current_view()
    ui.navigation(view)
    st.title("Data och metod")
    ui.data_version(snap)
    st.header("Indikatorkatalog")
    search = st.text_input("Sök indikator", placeholder="t.ex. sysselsättning, SCB, 2.2")
    st.dataframe(ui.catalog_table(search), hide_index=True, width="stretch")
    st.header("Status för värden")
    for status, text in export.STATUS_LEGEND.items():
        st.markdown(f"- **{status}**: {text}")
    ui.method_notes()
    st.header("Ladda ner urvalet")
    view = ui.choose_indicator(view, list(ui.indicators()))
    view = ui.choose_level(view)
    d = ui.database()
    ind = ui.indicators()[view.indikator]
    selection = views.selection_export(d, view)
    set_title = views.set_members(d, view.jamfor)[0]
    demo = bool(snap["is_demo"])
    st.caption(export.citation(ind, snap["version"], demo))
    left, right = st.columns(2)
    left.download_button("Ladda ner CSV", data=export.to_csv(selection), mime="text/csv",
                         file_name=export.file_name(ind, snap["version"], demo, "csv"), on_click="ignore")
    right.download_button("Ladda ner Excel", data=lambda: export.to_excel(selection, ind, snap["version"], demo, set_title),
                          file_name=export.file_name(ind, snap["version"], demo, "xlsx"), on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.header("Uppföljningsrapport")
    ui.report_download(snap)
    ui.footer(snap)
