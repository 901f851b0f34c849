"""Analysts' notes on a målområde page: the notes up to the view's year and the form to add one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from shb.core.errors import ShbError
from shb.core.text import markdown_literal
from shb.present import text, views
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import data
from shb.web.data import PIN_KEY


def plain(typed: str) -> str:
    """Text typed by a user, shown by st.markdown as written: no emphasis, links, autolinks, headings,
    entities, LaTeX or colours, and no direction characters (shb.core.text.markdown_literal)."""
    return markdown_literal(typed)


def notes_section(view: View) -> None:
    """Analysts' notes on the indicator up to the view's year, and (for analysts) a form to add one."""
    notes = data.frame("notes_for_year", indicator=view.indikator, year=view.ar)
    with st.expander(f"Anteckningar ({len(notes)})", expanded=not notes.empty, icon=":material/sticky_note_2:"):
        if notes.empty:
            st.caption("Inga anteckningar till indikatorn ännu.")
        for n in notes.itertuples():
            year = "" if pd.isna(n.year) else f", {int(n.year)}"
            st.markdown(f"**{n.area_name or n.area_code}{year}:** {plain(n.body)}  \n"
                        f":gray[{plain(n.author)}, {n.created_at:%Y-%m-%d}]")
        if st.toggle("Skriv en anteckning", key="shb_note_toggle"):
            note_form(view)


def _area_choices(view: View) -> dict[str, str]:
    """Hela Borås, the set's areas, then every other RegSO by name."""
    choices = {"1490": text.CITY_LABEL}
    members = views.set_members(data.database(), view.jamfor)[1]
    names = data.frame("areas_at_level", level="regso").set_index("code").name.to_dict()
    choices |= {code: names.get(code, code) for code in members}
    choices |= {code: name for code, name in sorted(names.items(), key=lambda kv: kv[1]) if code not in choices}
    return choices


def note_form(view: View) -> None:
    """Add a note to the view's indicator (analysts only); written as a new data version."""
    from shb.ingest import notes
    from shb.web import access

    author = access.require_analyst()
    if author is None:
        return
    choices = _area_choices(view)
    with st.form("shb_note_form"):  # kept on a refusal, so nothing typed is lost
        area = st.selectbox("Område", list(choices), format_func=lambda c: f"{choices[c]} ({c})")
        year = st.selectbox("År", [None, *range(view.ar, view.fran - 1, -1)],
                            format_func=lambda y: "Alla år" if y is None else str(y))
        body = st.text_area("Anteckning", max_chars=notes.MAX_LENGTH, key="shb_note_body",
                            placeholder="Det som siffrorna inte säger, t.ex. ändrad mätmetod eller en insats.")
        if not st.form_submit_button("Spara anteckningen", icon=":material/save:"):
            return
    try:
        result = notes.add(dbmod.connect().path, view.indikator, area, year, body, author)
    except ShbError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(PIN_KEY, None)
    st.session_state.pop("shb_note_body", None)  # saved: the next note starts empty
    st.query_params["v"] = result.version
    st.toast(f"Anteckningen sparades (version {result.version}).", icon=":material/check:")
    st.rerun()
