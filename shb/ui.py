"""The Streamlit seam: page setup, navigation, banners and cached access to the data.

Everything that touches `st.*` for more than one page lives here, so page scripts stay short.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from shb import db as dbmod
from shb.errors import ShbError

APP_TITLE = "Socialt hållbart Borås"
DEMO_BANNER = (
    "**Demodata.** Siffrorna är genererade för att visa verktyget – de är inte Borås siffror. "
    "Läs in riktiga data under *Data och metod*."
)


def database() -> dbmod.Database:
    """The current snapshot (reopened automatically after a swap)."""
    return dbmod.connect()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, version: str, params: tuple) -> pd.DataFrame:
    return database().run(name, **dict(params))


def frame(name: str, **params) -> pd.DataFrame:
    """A named query's result, cached per data version and parameters."""
    d = database()
    return _cached(name, d.version, tuple(sorted(params.items())))


def setup(title: str) -> dict | None:
    """Page config, navigation and the demo banner. Returns the snapshot row, or None (and a
    Swedish message on screen) when there is no database to show."""
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon=":material/query_stats:", layout="wide")
    try:
        snap = frame("snapshot").iloc[0].to_dict()
    except ShbError as exc:
        st.error(str(exc))
        return None
    navigation()
    if snap["is_demo"]:
        st.warning(DEMO_BANNER, icon=":material/science:")
    return snap


def navigation() -> None:
    """Our own navigation in the sidebar (the default one is hidden in .streamlit/config.toml)."""
    with st.sidebar:
        st.markdown(f"### {APP_TITLE}")
        st.page_link("app.py", label="Översikt", icon=":material/home:")


def footer(snap: dict) -> None:
    demo = " · demodata" if snap["is_demo"] else ""
    st.caption(f"Dataversion {snap['version']}{demo}")
