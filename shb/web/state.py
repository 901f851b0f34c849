"""The view ⇄ URL and session: the view a run shows, what a link asked for that cannot be shown,
the pinned data version, and applying widget changes."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from shb.core.errors import ShbError
from shb.present import text, urlstate
from shb.present.urlstate import View
from shb.store import db as dbmod
from shb.web import data, site
from shb.web.data import PIN_KEY

VIEW_KEY = "shb_view"

__all__ = ["PIN_KEY", "VIEW_KEY", "commit", "current_view", "update"]


def _not_shown_here(path: str, indicator: str) -> str:
    """Why the page at `path` cannot show `indicator`, in words."""
    if path == site.MAP_PAGE:
        return text.NOT_ON_MAP
    if path == site.GROUPS_PAGE:
        return text.NO_GROUPS
    return text.other_goal_area(site.goal_area_of(indicator))


def current_view(default_indicator: str | None = None) -> View:
    """The view for this run: from the URL when it has parameters, else from the session.

    The indicator is one the page can show (`site.page_indicators`), `default_indicator` or the
    page's first otherwise. Notices about ignored parameters are shown once, and so is one saying
    what is shown instead of an indicator the page cannot show (with a link to the indicator's own
    page); the URL is rewritten to its canonical form.
    """
    f = data.facts()
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    if params:
        asked = urlstate.parse(params, f, default_indicator)
    else:
        asked = st.session_state.get(VIEW_KEY) or urlstate.defaults_for(f, default_indicator or f.default_indicator)
        asked = replace(asked, notices=())
    view = asked
    allowed = site.page_indicators(site.this_page(), asked.period)
    if allowed and view.indikator not in allowed:
        view = urlstate.defaults_for(f, default_indicator if default_indicator in allowed else allowed[0], base=view)
    for notice in asked.notices:
        st.warning(notice, icon=":material/link_off:")
    if view.indikator != asked.indikator:
        replaced_notice(asked, view, f)
    version_notice(view.v, f.version)
    view = replace(view, v=f.version, notices=())
    commit(view)
    return view


def replaced_notice(asked: View, shown: View, f: urlstate.Facts) -> None:
    """Say which indicator was asked for and what is shown instead; link to the indicator's own page."""
    here = site.this_page()
    st.info(text.replaced_view(asked, shown, f, _not_shown_here(here, asked.indikator)), icon=":material/swap_horiz:")
    own = site.own_page(asked.indikator)
    if own.path != here:
        st.page_link(own.path, label=f"Visa {f.name(asked.indikator)} under {own.label}",
                     icon=":material/arrow_forward:", query_params=urlstate.to_params(replace(asked, notices=())))


def version_notice(link_version: str, shown_version: str) -> None:
    """Say when a link was made on other data than what is shown, and offer the kept snapshot."""
    current = dbmod.connect().version
    if st.session_state.get(PIN_KEY):
        st.info(text.pinned_version_notice(shown_version, current), icon=":material/history:")
        if st.button("Visa aktuell version", icon=":material/update:"):
            st.session_state.pop(PIN_KEY, None)
            st.rerun()
        return
    if not link_version or link_version == current:
        return
    st.info(text.old_link_notice(link_version, current), icon=":material/history:")
    if not dbmod.snapshot_exists(link_version):
        return
    try:
        dbmod.snapshot(link_version)
    except ShbError:  # kept, but written in a format this program cannot read
        st.warning(text.old_format_notice(link_version), icon=":material/history_toggle_off:")
        return
    if st.button(f"Visa data från version {link_version}", icon=":material/history:"):
        st.session_state[PIN_KEY] = link_version
        st.rerun()


def commit(view: View) -> None:
    """Make `view` the session's view and the URL's query string."""
    st.session_state[VIEW_KEY] = view
    canonical = urlstate.to_params(view)
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != canonical:
        st.query_params.from_dict(canonical)


def update(view: View, **changes) -> View:
    """Apply widget changes; when the indicator changes, keep what still fits."""
    new = view
    if "indikator" in changes and changes["indikator"] != view.indikator:
        new = urlstate.defaults_for(data.facts(), changes.pop("indikator"), base=view)
    new = replace(new, **changes)
    if new != view:
        commit(new)
    return new
