"""One comparison as plain data: an area set against the rest of the city and the whole city."""

from __future__ import annotations

import math

import pandas as pd

from shb.analysis import measures
from shb.core.errors import ShbError, UnknownIndicator
from shb.present import text, views
from shb.store.db import Database


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def _significance(sig: measures.Significance) -> dict:
    """Focus set vs rest of the city: tested or not, the 95 % intervals (procentenheter) and how."""
    return {"significant": sig.significant, "interval_vs_rest": [_number(sig.low), _number(sig.high)],
            "interval_vs_city": [_number(sig.city_low), _number(sig.city_high)], "method": text.significance_method(sig)}


def compare(database: Database, indicator: str, year: int, set_id: str | None = None,
            group: str | None = None) -> dict:
    """The `compare --json` contract: values, difference, ratio, intervals, hidden flags and the gap trend."""
    inds = views.indicators(database)
    if indicator not in inds:
        raise UnknownIndicator(f"Okänd indikator: {indicator!r}.")
    ind = inds[indicator]
    f = views.facts(database)
    set_id = set_id or f.default_set
    if set_id not in f.set_ids:
        raise ShbError(f"Okänd områdesmängd: {set_id!r}. Finns: {', '.join(f.set_ids)}.")
    dim, value = ("total", "alla")
    if group:
        dim, _, value = group.partition(":")
        if value not in ind.groups.get(dim, []):
            options = ", ".join(f"{d}:{v}" for d, vs in ind.groups.items() for v in vs) or "inga"
            raise ShbError(f"Gruppen {group!r} finns inte för {indicator}. Finns: {options}.")
    if year not in f.indicators[indicator].years:
        raise ShbError(f"Året {year} finns inte för {indicator}.")
    title, members = views.set_members(database, set_id)
    city_rows = database.run("indicator_values", indicator=indicator, level="municipality", group_dim=dim)
    area_rows = (city_rows.iloc[0:0] if ind.lowest_level == "municipality"
                 else database.run("indicator_values", indicator=indicator, level="regso", group_dim=dim))
    frame = measures.comparison(ind, area_rows, city_rows, members, value)
    gaps = measures.gaps(frame)
    row = {s: frame[(frame.series == s) & (frame.year == year)] for s in ("focus", "rest", "city")}

    def pick(series: str, column: str):
        r = row[series]
        return _number(r[column].iloc[0]) if len(r) and column in r else None

    city = pick("city", "value")
    trend = measures.gap_trend(ind, gaps, year, city_value=city if city is not None else math.nan)
    gap_row = gaps[gaps.year == year]
    focus_complete = bool(row["focus"].complete.iloc[0]) if len(row["focus"]) else False
    return {
        "indicator": indicator, "title": ind.title, "unit": ind.unit, "direction": ind.direction,
        "year": year, "set": set_id, "set_title": title, "members": members, "group": f"{dim}:{value}",
        "set_value": pick("focus", "value"), "rest_value": pick("rest", "value"), "city_value": city,
        "difference": _number(gap_row.difference.iloc[0]) if len(gap_row) else None,
        "difference_unit": "procentenheter" if ind.unit == "procent" else ind.unit,
        "ratio": _number(gap_row.ratio.iloc[0]) if len(gap_row) else None,
        "ci": {s: [pick(s, "ci_low"), pick(s, "ci_high")] for s in ("focus", "rest", "city")
               if pick(s, "ci_low") is not None},
        "significance": _significance(measures.significance(ind, frame, year)),
        "suppressed": {
            "set": ind.lowest_level != "municipality" and not focus_complete,
            "set_members_hidden": int(row["focus"].members.iloc[0] - row["focus"].members_used.iloc[0])
            if len(row["focus"]) and pd.notna(row["focus"].members_used.iloc[0]) else None,
            "city": city is None,
        },
        "gap_trend": {"from": trend.start_year, "to": trend.end_year, "start": _number(trend.start),
                      "end": _number(trend.end), "change": _number(trend.change), "slope": _number(trend.slope),
                      "verdict": trend.verdict, "better": trend.better},
        "demo": bool(database.run("snapshot").iloc[0].is_demo),
        "version": database.version,
    }
