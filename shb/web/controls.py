"""The widgets: each shows the view's current choice and writes a change back through `state.update`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from shb.core.catalog import LEVEL_LABELS, Indicator
from shb.present import maps, text, urlstate, views
from shb.present.urlstate import View
from shb.web import data
from shb.web.state import update

EXTENT_NAMES = {"tatort": "Tätorten", "kommun": "Hela kommunen"}


def indicator_label(ind: Indicator) -> str:
    return f"{ind.target} · {ind.title}"


def indicator_choice_label(ind: Indicator, demo: bool) -> str:
    """An indicator in a picker, marked when its values are demo: '3.2 · Andel hyresrätter · demodata'."""
    return f"{indicator_label(ind)} · {text.DEMO_LABEL.lower()}" if demo else indicator_label(ind)


def choose_indicator(view: View, options: list[str], label: str = "Indikator", where=st) -> View:
    inds, origins = data.indicators(), data.origins()
    chosen = where.selectbox(label, options, index=options.index(view.indikator) if view.indikator in options else 0,
                             format_func=lambda i: indicator_choice_label(inds[i], origins[i].demo))
    return update(view, indikator=chosen)


def choose_set(view: View, where=st) -> View:
    sets = data.frame("area_sets").drop_duplicates("set_id")
    ids = sets.set_id.tolist()
    titles = dict(zip(sets.set_id, sets.title))
    chosen = where.selectbox("Jämför", ids, index=ids.index(view.jamfor) if view.jamfor in ids else 0,
                             format_func=lambda s: f"{titles[s]} mot hela Borås")
    return update(view, jamfor=chosen)


def choose_period(view: View, where=st) -> View:
    """The målbild period (only when the snapshot holds more than one)."""
    f = data.facts()
    if len(f.periods) < 2:
        return view
    titles = dict(zip(data.frame("periods").id, data.frame("periods").title, strict=True))
    shown = view.period or f.current_period
    chosen = where.selectbox("Målbild", list(f.periods), index=list(f.periods).index(shown),
                             format_func=lambda p: f"Målbild {titles[p]}", key="shb_period")
    return update(view, period="" if chosen == f.current_period else chosen)


def choose_year(view: View, label: str = "År", where=st, slider: bool = False) -> View:
    years = list(data.facts().indicators[view.indikator].years)
    if not years:
        return view
    if slider and len(years) > 1:
        chosen = where.select_slider(label, options=years, value=view.ar if view.ar in years else years[-1])
    else:
        chosen = where.selectbox(label, years[::-1], index=years[::-1].index(view.ar) if view.ar in years else 0)
    return update(view, ar=int(chosen))


def choose_level(view: View, where=st) -> View:
    levels = [lvl for lvl in urlstate.MAP_LEVELS if lvl in data.facts().indicators[view.indikator].levels]
    if not levels:
        return view
    chosen = where.radio("Nivå", levels, index=levels.index(view.niva) if view.niva in levels else 0,
                         format_func=lambda lvl: LEVEL_LABELS[lvl], horizontal=True)
    return update(view, niva=chosen)


def choose_group_dimension(view: View, where=st) -> View:
    dims = list(data.facts().indicators[view.indikator].group_dimensions)
    if not dims:
        return view
    labels = views.group_labels(data.database())
    current = view.group_dimension
    chosen = where.radio("Grupp", dims, index=dims.index(current) if current in dims else 0,
                         format_func=lambda d: labels[(d, "*")], horizontal=True)
    return view if chosen == current else update(view, grupp=chosen)


def choose_group_value(view: View, where=st) -> View:
    """Total or one group value (e.g. kvinnor), for the map."""
    f = data.facts().indicators[view.indikator]
    options = ["total", *f.group_values]
    labels = views.group_labels(data.database())

    def label(o: str) -> str:
        return "Alla" if o == "total" else labels[tuple(o.split(":", 1))]

    current = view.grupp if view.grupp in options else "total"
    chosen = where.selectbox("Grupp", options, index=options.index(current), format_func=label)
    if chosen == current:  # a bare dimension (e.g. "kon" from a målområde page) means all on the map
        return view
    return update(view, grupp=chosen)


def choose_group_pair(view: View, ind: Indicator) -> tuple[View, str, str]:
    """Which two groups to compare. The first is in the URL as `grupp=dimension:value` (by default
    the last group, e.g. utrikes födda); the second is the first of the others unless chosen."""
    dim = view.group_dimension
    values = ind.groups[dim]
    labels = views.group_labels(data.database())
    current = view.group_value or values[-1]
    left, right = st.columns(2)
    first = left.selectbox("Grupp", values, index=values.index(current) if current in values else len(values) - 1,
                           format_func=lambda v: labels[(dim, v)])
    if first != current:  # a bare dimension stands for its default first group; keep the URL as it is
        view = update(view, grupp=f"{dim}:{first}")
    rest = [v for v in values if v != first]
    second = right.selectbox("jämfört med", rest, index=0, format_func=lambda v: labels[(dim, v)])
    return view, first, second


def choose_extent(view: View, where=st) -> View:
    options = list(urlstate.EXTENTS)
    chosen = where.radio("Utsnitt", options, index=options.index(view.utsnitt), format_func=EXTENT_NAMES.get,
                         horizontal=True)
    return update(view, utsnitt=chosen)


def choose_individual_areas(view: View) -> View:
    """Draw the set's areas one by one beside the sets; the choice is the URL's `omrade`."""
    members = views.set_members(data.database(), view.jamfor)[1]
    on = st.toggle("Visa enskilda områden", value=bool(view.omrade))
    if on and not view.omrade:
        return update(view, omrade=tuple(members))
    if not on and view.omrade:
        return update(view, omrade=())
    return view


def choose_area(view: View, choices: pd.DataFrame) -> tuple[View, str | None]:
    """An area (the URL's first `omrade`) or, when none is chosen, an area set (`jamfor`).

    Returns the view and the chosen area code, or None when a set is shown. Areas of the link
    that cannot be shown (more than one, or one that has no profile) are named in a notice.
    """
    sets = data.frame("area_sets").drop_duplicates("set_id")
    options = [f"set:{s}" for s in sets.set_id] + choices.code.tolist()
    labels = {**{f"set:{s}": f"{t} (områdesmängd)" for s, t in zip(sets.set_id, sets.title)},
              **dict(zip(choices.code, choices.label))}
    current = next((c for c in view.omrade if c in labels), f"set:{view.jamfor}")
    left_out = [c for c in view.omrade if c != current]
    if left_out:
        names = dict(zip(choices.code, choices.name))
        st.info(text.areas_not_shown([names.get(c, text.CITY_LABEL if c == "1490" else c) for c in left_out],
                                     labels[current]), icon=":material/swap_horiz:")
    chosen = st.selectbox("Område eller områdesmängd", options, index=options.index(current), format_func=labels.get)
    if chosen == current:
        return view, (None if chosen.startswith("set:") else chosen)
    if chosen.startswith("set:"):
        return update(view, jamfor=chosen[4:], omrade=()), None
    return update(view, omrade=(chosen,)), chosen


def selected_area(event) -> str | None:
    """The area code a map click selected, if it is a known area."""
    try:
        codes = maps.selected_codes(event)
    except ValueError:
        return None
    return next((c for c in codes if c in data.facts().area_codes), None)
