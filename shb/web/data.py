"""The session's data: which snapshot it reads (the current one or a pinned earlier version), and
every read, view and chart spec through Streamlit's caches, keyed by snapshot file and version.

The cached functions take the session's `Database` as an unhashed argument (`_d`): the key says
which file and version, so a swap between computing the key and reading cannot mix versions.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from shb.core.catalog import Indicator
from shb.core.errors import ShbError
from shb.present import provenance, text, urlstate, views
from shb.present.urlstate import View
from shb.store import db as dbmod

PIN_KEY = "shb_pinned_version"


def database() -> dbmod.Database:
    """The snapshot this session shows: the current one (reopened automatically after a swap), or a
    kept earlier version the user chose to see from a versioned link."""
    pinned = st.session_state.get(PIN_KEY)
    if pinned:
        try:
            return dbmod.snapshot(pinned)
        except ShbError:
            st.session_state.pop(PIN_KEY, None)
    return dbmod.connect()


def data_key(d: dbmod.Database) -> str:
    """What a cached result depends on: the snapshot file and its version (two files may share a version)."""
    return f"{d.path}@{d.version}"


@st.cache_data(show_spinner=False, max_entries=512)
def _frame(_d: dbmod.Database, key: str, name: str, params: tuple) -> pd.DataFrame:
    return _d.run(name, **dict(params))


def frame(name: str, **params) -> pd.DataFrame:
    """A named query's result, cached per data version and parameters."""
    d = database()
    return _frame(d, data_key(d), name, tuple(sorted(params.items())))


def facts() -> urlstate.Facts:
    """What a URL may refer to in the session's snapshot (an immutable value from the views' shared cache,
    per file and version: no copy per call, and warmed when the server starts)."""
    return views.facts(database())


def indicators() -> dict[str, Indicator]:
    return views.indicators(database())


def origins() -> dict[str, provenance.Origin]:
    """Real or demo, and the citation to show, per indicator of the session's snapshot."""
    return provenance.sources(database())


def origin(indicator_id: str) -> provenance.Origin:
    return origins()[indicator_id]


def summary() -> provenance.Summary:
    """How many indicators of the session's snapshot are real and how many demo."""
    return provenance.summary(database())


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(_d: dbmod.Database, key: str, view: View, with_areas: bool) -> views.Comparison:
    return views.comparison(_d, view, with_areas=with_areas)


def comparison(view: View, with_areas: bool = False) -> views.Comparison:
    """The view's comparison, computed once per data version and view; real or demo is the indicator's."""
    d = database()
    return _comparison(d, data_key(d), replace(view, notices=()), with_areas)


def _map_height(view: View, option: str) -> int:
    return 720 if view.presentation else (620 if option == "year" else 420)


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(_d: dbmod.Database, key: str, geometry_version: str | None, kind: str, view: View,
          with_areas: bool, option: str) -> dict | None:
    c = _comparison(_d, key, view, with_areas)
    build = {
        "trend": lambda: views.trend_chart(c),
        "gap": lambda: views.gap_chart(c),
        "ranking": lambda: views.ranking_chart(_d, view, c),
        "map": lambda: views.map_chart(_d, view, view.ar if option == "year" else c.year, title=None,
                                       height=_map_height(view, option)),
        "groups": lambda: views.group_chart(_d, view, c, option),
    }[kind]
    built = build()
    return None if built is None else built.to_dict()


def spec_of(kind: str, view: View, with_areas: bool = False, option: str = "") -> dict | None:
    """A chart of the view as a Vega-Lite dict, built (and validated) once per data version, geometry
    version (maps) and view; None when there is nothing to draw (a group chart without values). Its
    subtitle names the indicator's source, or says demodata."""
    d = database()
    geometry_version = views.geometry_manifest(d).get("version") if kind == "map" else None
    return _spec(d, data_key(d), geometry_version, kind, replace(view, notices=()), with_areas, option)


# The overview and the profiles are one row per indicator: with thousands of indicators a pickled copy
# per call (what st.cache_data hands out) costs more than the frame copy the views' shared caches give.

def overview(set_id: str) -> pd.DataFrame:
    """One row per indicator for the set against the city (views.overview), once per data version
    (warmed for the default set when the server starts and for each new version)."""
    return views.overview(database(), set_id)


def set_profile(set_id: str) -> pd.DataFrame:
    return views.set_profile(database(), set_id)


def area_profile(area_code: str) -> pd.DataFrame:
    """Every indicator for one area against the city, once per data version and area."""
    return views.area_profile(database(), area_code)


@st.cache_data(show_spinner=False, max_entries=64)
def _group_gap(_d: dbmod.Database, key: str, view: View, first: str, second: str) -> tuple[dict | None, str]:
    chart, gap, labels = views.group_gap_chart(_d, view, first, second)
    ind = views.indicators(_d)[view.indikator]
    return (None if chart is None else chart.to_dict()), text.group_gap_sentence(ind, gap, *labels)


def group_gap(view: View, first: str, second: str) -> tuple[dict | None, str]:
    """The chart (None when no year has a gap) and sentence for the gap between two groups, once per
    data version and view."""
    d = database()
    return _group_gap(d, data_key(d), replace(view, notices=()), first, second)
