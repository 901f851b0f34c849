"""One comparison as plain data: an area set against the rest of the city and the whole city.

Every value in the result is a plain Python type (str, int, float, bool, None, list, dict), so it is
JSON as it stands; `demo` and `source` say whether this indicator's values are real and where they
come from (shb.present.provenance), never the database as a whole.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shb.analysis import measures
from shb.core import format as fmt
from shb.core.errors import ShbError, UnknownIndicator
from shb.core.targets import CITY
from shb.present import aims, provenance, text, views
from shb.store.db import Database


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def plain(value):
    """`value` with every numpy scalar, tuple and NaN made a plain JSON type (recursively)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def source(origin: provenance.Origin) -> dict:
    """Where the indicator's values come from: the citation shown with them and the provenance."""
    return {"kind": "demo" if origin.demo else "real", "label": origin.label, "citation": origin.citation,
            "licence": origin.licence or None, "origin": origin.origin or None,
            "retrieved": origin.retrieved or None, "transformation": origin.transformation or None,
            "recorded": origin.recorded}


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
    origin = provenance.of(database, indicator)
    targets = {}
    for key, scope, series in (("target", CITY, "city"), ("set_target", set_id, "focus")):
        aim = aims.aim_for(database, indicator, scope)
        if aim is not None and dim == "total":  # a målvärde is set for the whole population
            targets[key] = aims.as_json(aim, aims.progress(aim, frame, year, ind.direction, series))
    return plain({
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
        "target": targets.get("target"),
        "set_target": targets.get("set_target"),
        "demo": origin.demo,
        "source": source(origin),
        "version": database.version,
    })


def summary(out: dict) -> str:
    """The comparison (`compare`'s result) in one line of Swedish: "(DEMODATA)" for a demo indicator,
    the source for a real one."""
    said = " (DEMODATA)" if out["demo"] else ""
    trend = out["gap_trend"]
    line = (f"{out['title']} {out['year']}{said}: {out['set_title']} {fmt.number(out['set_value'])}, övriga staden "
            f"{fmt.number(out['rest_value'])}, hela Borås {fmt.number(out['city_value'])}; skillnad "
            f"{fmt.number(out['difference'], sign=True)} {out['difference_unit']}; "
            + (f"skillnaden {trend['verdict']} ({trend['from']}–{trend['to']})." if trend["from"] is not None
               else f"{text.UNJUDGED.lower()}."))
    return line if out["demo"] else f"{line} {out['source']['citation']}."
