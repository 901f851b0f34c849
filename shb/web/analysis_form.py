"""The samlad analys under an effektmål on its målområde page: shown escaped, written by analysts only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from shb.core.errors import ShbError
from shb.core.text import markdown_literal
from shb.ingest import analyses
from shb.present import periods, text
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import data
from shb.web.data import PIN_KEY

STATE_LABELS = {"utkast": "Utkast", "fastställd": "Fastställd"}


def _validity(period: str) -> tuple[int, int]:
    """The years of the målbild period (all years for a snapshot made before periods were stored)."""
    p = periods.periods(data.database())
    row = p[p.id == (period or data.facts().current_period)]
    if row.empty or pd.isna(row.first_year.iloc[0]):
        return 0, 9999
    return int(row.first_year.iloc[0]), int(row.last_year.iloc[0])


def analysis_section(target_id: str, view: View) -> None:
    """The effektmål's samlad analys for the view's year (or the latest before it), and for analysts a
    form to write or replace it."""
    rows = analyses.analyses(data.database())
    first, last = _validity(view.period)
    rows = rows[(rows.target_id == target_id) & (rows.year <= view.ar) & rows.year.between(first, last)]
    rows = rows.sort_values("year", ascending=False)  # this period's analyses only (effektmål ids recur)
    with st.expander(f"Samlad analys för effektmål {target_id}", expanded=not rows.empty, icon=":material/article:"):
        if rows.empty:
            st.caption(f"Ingen samlad analys för effektmålet till och med {view.ar}.")
        else:
            r = rows.iloc[0]
            st.markdown(f"**{text.analysis_heading(int(r.year), r.state, view.ar)}**")
            st.markdown(markdown_literal(r.body))
            st.caption(text.analysis_byline(markdown_literal(r.author), f"{r.created_at:%Y-%m-%d}"))
        if st.toggle("Skriv den samlade analysen", key="shb_analysis_toggle"):
            analysis_form(target_id, view, rows)


def analysis_form(target_id: str, view: View, rows) -> None:
    """Write (or replace) the samlad analys of `target_id` for a year (analysts only), as a new version."""
    from shb.web import access

    author = access.require_analyst()
    if author is None:
        return
    same = rows[rows.year == view.ar]
    with st.form("shb_analysis_form"):  # kept on a refusal, so nothing typed is lost
        year = st.selectbox("Uppföljningsår", list(range(view.ar, view.fran - 1, -1)), key="shb_analysis_year")
        state = st.radio("Läge", list(STATE_LABELS), format_func=STATE_LABELS.get, horizontal=True,
                         key="shb_analysis_state")
        body = st.text_area("Samlad analys", value=same.body.iloc[0] if len(same) else "",
                            max_chars=analyses.MAX_LENGTH, height=220, key="shb_analysis_body",
                            placeholder="Vad siffrorna och den kvalitativa kunskapen tillsammans säger om effektmålet.")
        if not st.form_submit_button("Spara analysen", icon=":material/save:"):
            return
    try:
        result = analyses.save(dbmod.connect().path, target_id, year, body, author, state)
    except ShbError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(PIN_KEY, None)
    st.session_state.pop("shb_analysis_body", None)
    st.query_params["v"] = result.version
    st.toast(f"Den samlade analysen sparades (version {result.version}).", icon=":material/check:")
    st.rerun()
