"""What each page shows, as data: frames, sentences and charts for a view. No Streamlit here.

Functions take the database and a checked `View`, run named queries, compute with `shb.measures`
and build charts with `shb.charts` / `shb.maps`. Pages lay the results out.

Why one module of a little under 600 lines: it is the table of contents of what every page shows, with
the shared caches of the views every session reads; the sentences live in shb.present.text and the
tables in shb.present.tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shb.analysis import catalog_wide, measures
from shb.core import format as fmt
from shb.core import paths
from shb.core.catalog import DIRECTION_LABELS, LEVEL_LABELS, Indicator
from shb.core.targets import CITY
from shb.geo import geometry
from shb.present import aims as present_aims
from shb.present import charts, maps, periods, provenance, text
from shb.present.cache import SharedCache, shared
from shb.present.urlstate import Facts, IndicatorFacts, View
from shb.store.db import Database

DEFAULT_INDICATOR = "sysselsattningsgrad_20_64"


_INDICATORS: SharedCache[dict[str, Indicator]] = SharedCache(8)  # shared by every session's thread


def indicators(database: Database) -> dict[str, Indicator]:
    """The snapshot's indicators as catalog objects, in catalog order (read once per file and version)."""
    return _INDICATORS.get((str(database.path), database.version), lambda: _read_indicators(database))


def _read_indicators(database: Database) -> dict[str, Indicator]:
    cat = database.run("indicator_catalog")
    groups = database.run("indicator_groups")
    groups = groups[groups.dimension != "total"]
    # One grouping of the groups (not one per indicator): dimension → values, in stored order.
    by_indicator: dict[str, dict[str, list[str]]] = {}
    values = groups.value.to_numpy(dtype=object)
    for (i, d), at in groups.groupby(["indicator_id", "dimension"], sort=False).indices.items():
        by_indicator.setdefault(i, {})[d] = values[at].tolist()
    out = {}
    for r in cat.itertuples(index=False):
        out[r.id] = Indicator(
            id=r.id, title=r.title, target=r.target_id, kind=r.kind, unit=r.unit, direction=r.direction,
            source=r.source, source_ref=r.source_ref, source_ref_confirmed=bool(r.source_ref_confirmed),
            licence=r.licence, lowest_level=r.lowest_level, groups=by_indicator.get(r.id, {}),
            population=r.population, survey=bool(r.survey), frequency=r.frequency, definition=r.definition,
            caveats=list(r.caveats), life_stages=tuple(r.life_stages if r.life_stages is not None else ()))
    return out


_GROUP_LABELS: SharedCache[dict[tuple[str, str], str]] = SharedCache(8)


def group_labels(database: Database) -> dict[tuple[str, str], str]:
    """Swedish labels: (dimension, value) → label and (dimension, "*") → the dimension's label
    (read once per snapshot file and version)."""
    return _GROUP_LABELS.get((str(database.path), database.version), lambda: _read_group_labels(database))


def _read_group_labels(database: Database) -> dict[tuple[str, str], str]:
    g = database.run("indicator_groups")
    g = g.drop_duplicates(["dimension", "value"], keep="last")  # the same labels for every indicator
    labels = {(r.dimension, r.value): r.label for r in g.itertuples(index=False)}
    labels.update({(r.dimension, "*"): r.dimension_label for r in g.itertuples(index=False)})
    return labels


_FACTS: SharedCache[Facts] = SharedCache(8)


def facts(database: Database) -> Facts:
    """What a URL may refer to in this snapshot (read once per file and version)."""
    return _FACTS.get((str(database.path), database.version), lambda: _read_facts(database))


def _read_facts(database: Database) -> Facts:
    inds = indicators(database)
    years = database.run("indicator_years").sort_values(["indicator_id", "year"], kind="stable")
    ids = years.indicator_id.to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype=int)
    chunks = np.split(years.year.to_numpy(), starts[1:]) if len(ids) else []
    by_ind = {i: tuple(c.tolist()) for i, c in zip(ids[starts].tolist(), chunks)}
    areas = pd.concat([database.run("areas_at_level", level=lvl) for lvl in ("municipality", "district", "regso", "deso")])
    sets = database.run("area_sets")
    groups = group_labels(database)
    labels = {"total": "alla", **{d if v == "*" else f"{d}:{v}": label.lower() for (d, v), label in groups.items()},
              **{i.id: i.title for i in inds.values()}}
    return Facts(
        indicators={i.id: IndicatorFacts(tuple(i.levels), tuple(i.groups), by_ind.get(i.id, ()),
                                         tuple(f"{d}:{v}" for d, vs in i.groups.items() for v in vs))
                    for i in inds.values()},
        default_indicator=default_indicator(database),
        area_codes=frozenset(areas.code),
        set_ids=tuple(dict.fromkeys(sets.set_id)),
        default_set=sets.loc[sets.is_default, "set_id"].iloc[0],
        version=database.version,
        labels=labels,
        periods=tuple(periods.periods(database).id),
        current_period=periods.current(database),
    )


def _real_per_area(origin: provenance.Origin) -> bool:
    return not origin.demo and origin.area_observations > 0


def prefer_real(database: Database, ids: list[str]) -> list[str]:
    """`ids` (indicators followed per area) with those that have real values per area first, each part
    in its own order: a page opens on real values where it can."""
    origins = provenance.sources(database)
    return [i for i in ids if _real_per_area(origins[i])] + [i for i in ids if not _real_per_area(origins[i])]


def default_indicator(database: Database) -> str:
    """What a link without `indikator` shows: DEFAULT_INDICATOR, unless its values are demo and some
    indicator has real values per area (then the first of those in catalog order)."""
    inds = indicators(database)
    fallback = DEFAULT_INDICATOR if DEFAULT_INDICATOR in inds else next(iter(inds))
    real = [i for i, ind in inds.items()
            if ind.lowest_level != "municipality" and _real_per_area(provenance.of(database, i))]
    return fallback if not provenance.of(database, fallback).demo or not real else real[0]


def set_members(database: Database, set_id: str) -> tuple[str, list[str]]:
    """The set's title and its RegSO codes."""
    sets = database.run("area_sets")
    s = sets[sets.set_id == set_id]
    return s.title.iloc[0], s.area_code.tolist()


@dataclass(frozen=True)
class Comparison:
    """Everything a målområde page shows for one indicator."""

    indicator: Indicator
    set_title: str
    members: list[str]
    frame: pd.DataFrame  # measures.comparison (+ individual areas)
    gaps: pd.DataFrame
    trend: measures.GapTrend
    year: int | None
    sentence: str
    demo: bool  # the indicator's values are (partly) generated: `origin.demo`
    significance: measures.Significance | None = None  # focus set vs rest of the city in `year` (shares)
    dispersion: pd.DataFrame | None = None  # measures.dispersion between RegSO, per year
    dispersion_trend: measures.DispersionTrend | None = None
    origin: provenance.Origin | None = None  # real or demo, and the line to show under the values
    aims: tuple = ()  # (scope title, Aim, AimProgress) per målvärde of the indicator: city, then the set

    @property
    def citation(self) -> str | None:
        """The line under every chart of the comparison: the source, or the demo text."""
        return self.origin.citation if self.origin else None

    def value(self, series: str) -> float:
        return measures.value_at(self.frame, series, self.year) if self.year else np.nan

    @property
    def dispersion_text(self) -> str:
        """'Spridningen mellan RegSO 2024: …' with what it rests on and its trend, or '' without one."""
        return text.dispersion_sentence(self.indicator, self.dispersion, self.dispersion_trend, self.year)


def origin_of(database: Database, indicator_id: str, demo: bool | None = None,
              who: str = "views") -> provenance.Origin:
    """The indicator's origin (`provenance.of`). A caller that passes `demo` states what it expects; a
    statement the database contradicts raises ValueError, so no caller can label real values demo or
    demo values real (the app passes none)."""
    origin = provenance.of(database, indicator_id)
    if demo is not None and bool(demo) != origin.demo:
        said = "demodata" if origin.demo else "riktiga värden"
        raise ValueError(f"{who}: demo={demo!r}, but the database says {indicator_id!r} has {said}; "
                         "leave demo out and the database decides per indicator")
    return origin


def comparison(database: Database, view: View, demo: bool | None = None, with_areas: bool = False) -> Comparison:
    """The set against the rest of the city and the city for the view's indicator; real or demo is the
    indicator's own (`origin_of`)."""
    ind = indicators(database)[view.indikator]
    origin = origin_of(database, ind.id, demo, "comparison")
    set_title, members = set_members(database, view.jamfor)
    city_rows = database.run("indicator_values", indicator=ind.id, level="municipality", group_dim="total")
    if ind.lowest_level == "municipality":
        area_rows = city_rows.iloc[0:0]
    else:
        area_rows = database.run("indicator_values", indicator=ind.id, level="regso", group_dim="total")
    frame = text.with_series_labels(measures.comparison(ind, area_rows, city_rows, members), set_title)
    frame = frame[(frame.year >= view.fran) & (frame.year <= view.till)]
    gaps = measures.gaps(frame)
    year = view.ar if view.ar in set(frame.year) else measures.latest_year(frame)
    city_value = measures.value_at(frame, "city", year) if year else np.nan
    trend = measures.gap_trend(ind, gaps, year or view.till, city_value=city_value)
    sig = measures.significance(ind, frame, year) if year else None
    # Worded in the sentence for surveys only: a register counts everyone, so there is no sample to
    # be uncertain about (the test result is still in the comparison JSON and the report's method).
    said = sig if ind.survey else None
    sentence = (text.comparison_sentence(ind, frame, trend, year, set_title, significance=said) if year
                else f"{ind.title}: inga värden.")
    disp, disp_trend = None, None
    if not area_rows.empty:
        disp = measures.dispersion(ind, area_rows, city_rows)
        disp = disp[(disp.year >= view.fran) & (disp.year <= view.till)].reset_index(drop=True)
        disp_trend = measures.dispersion_trend(ind, disp, year or view.till)
    if with_areas and not area_rows.empty:
        extra = measures.area_series(area_rows, [c for c in view.omrade if c in set(area_rows.area_code)] or members)
        frame = pd.concat([frame, extra[(extra.year >= view.fran) & (extra.year <= view.till)]], ignore_index=True)
    return Comparison(ind, set_title, members, frame, gaps, trend, year, sentence, origin.demo, sig, disp, disp_trend,
                      origin, aim_rows(database, ind, frame, year or view.till, view.jamfor, set_title))


def aim_rows(database: Database, ind: Indicator, frame: pd.DataFrame, year: int, set_id: str,
             set_title: str) -> tuple:
    """(scope title, Aim, AimProgress) for the indicator's målvärden: the whole city's, then the set's."""
    out = []
    for scope, series, title in ((CITY, "city", text.CITY_LABEL), (set_id, "focus", set_title)):
        aim = present_aims.aim_for(database, ind.id, scope)
        if aim is not None:
            out.append((title, aim, present_aims.progress(aim, frame, year, ind.direction, series)))
    return tuple(out)


def subtitle(ind: Indicator) -> str:
    return DIRECTION_LABELS[ind.direction]


def trend_chart(c: Comparison):
    ind = c.indicator
    return charts.trend_chart(c.frame, title=f"{ind.title} ({ind.unit_label})", unit_label=ind.unit_label,
                              direction_label=subtitle(ind), decimals=fmt.decimals_for(ind.unit), demo=c.demo,
                              citation=c.citation, aims=text.aim_lines(ind, c.aims))


def gap_chart(c: Comparison):
    ind = c.indicator
    diff_label = f"Skillnad, {fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)}"
    return charts.gap_chart(c.gaps, title=f"Skillnad mot hela Borås: {text.verdict_text(c.trend).lower()}", unit_label=ind.unit_label,
                            diff_label=diff_label, direction_label=subtitle(ind),
                            decimals=fmt.decimals_for(ind.unit), demo=c.demo, focus_label=c.set_title,
                            citation=c.citation)


def ranking_frame(database: Database, view: View, members: list[str], year: int) -> pd.DataFrame:
    ind = indicators(database)[view.indikator]
    rows = database.run("indicator_year_values", indicator=ind.id, level=view.niva, year=year)
    return measures.ranking(rows, _focus_codes(database, view.niva, members), ind.direction)


def _focus_codes(database: Database, level: str, members: list[str]) -> list[str]:
    """The focus set expressed at `level`: its RegSO, their DeSO, or districts made only of them."""
    if level == "regso":
        return list(members)
    if level == "deso":
        deso = database.run("areas_at_level", level="deso")
        return deso.loc[deso.parent_code.isin(members), "code"].tolist()
    if level == "district":
        dm = database.run("district_members")
        inside = dm.groupby("district_code").regso_code.apply(lambda r: set(r) <= set(members))
        return inside[inside].index.tolist()
    return []


def ranking_chart(database: Database, view: View, c: Comparison):
    ind = c.indicator
    frame = ranking_frame(database, view, c.members, c.year)
    return charts.ranking_chart(
        frame, city_value=c.value("city"), title=f"{ind.title}, {c.year}, per {LEVEL_LABELS[view.niva]}",
        unit_label=ind.unit_label, direction_label=subtitle(ind), direction=ind.direction,
        decimals=fmt.decimals_for(ind.unit), demo=c.demo, focus_label=c.set_title, citation=c.citation)


@shared(16)
def _layer(folder: str, version: str | None, level: str):
    """One level's polygons of one geometry version (a new import has a new version, so a new key)."""
    return geometry.read_layer(paths.Path(folder), level, version)


def geometry_folder(database: Database) -> paths.Path:
    """Where the geometry for `database` is: beside the current database, also for a kept earlier
    snapshot (kept snapshots have no geometry of their own)."""
    current = paths.default_db()
    if database.path.parent == paths.snapshots_dir(current):
        return paths.geometry_dir(current)
    return paths.geometry_dir(database.path)


def geometry_manifest(database: Database) -> dict:
    return geometry.read_manifest(geometry_folder(database))


def map_values(database: Database, view: View, year: int) -> pd.DataFrame:
    """Values per area for the map: totals, or one group value when `grupp` is `dim:value`."""
    ind = indicators(database)[view.indikator]
    if view.group_value is not None:
        dim, value = view.group_dimension, view.group_value
        rows = database.run("indicator_values", indicator=ind.id, level=view.niva, group_dim=dim)
        rows = rows[(rows.year == year) & (rows.group_value == value)]
        city = database.run("indicator_values", indicator=ind.id, level="municipality", group_dim=dim)
        city = city[(city.year == year) & (city.group_value == value)]
    else:
        rows = database.run("indicator_year_values", indicator=ind.id, level=view.niva, year=year)
        city = database.run("indicator_year_values", indicator=ind.id, level="municipality", year=year)
    city_value = city.value.iloc[0] if len(city) and city.status.iloc[0] == "ok" else np.nan
    return rows[["area_code", "area_name", "value", "status"]].assign(city_value=city_value)


def map_chart(database: Database, view: View, year: int, demo: bool | None = None, title: str | None = None,
              height: int = 560):
    """The choropleth of the view's indicator in `year`; real or demo is the indicator's own (`origin_of`)."""
    ind = indicators(database)[view.indikator]
    origin = origin_of(database, ind.id, demo, "map_chart")
    set_title, members = set_members(database, view.jamfor)
    values = map_values(database, view, year)
    manifest = geometry_manifest(database)
    folder = str(geometry_folder(database))
    layer = _layer(folder, manifest.get("version"), view.niva)
    regso = database.run("areas_at_level", level="regso")
    tatort = regso.loc[regso.tatort, "code"].tolist()
    extent_codes = {"regso": tatort,
                    "deso": database.run("areas_at_level", level="deso").query("parent_code in @tatort").code.tolist(),
                    "district": _focus_codes(database, "district", tatort)}[view.niva]
    focus = _focus_codes(database, view.niva, members)
    return maps.choropleth(
        layer, values, city_value=values.city_value.iloc[0] if len(values) else np.nan, focus_codes=focus,
        title=title or f"{ind.title}, {year} ({ind.unit_label})", unit_label=ind.unit_label,
        direction=ind.direction, direction_label=subtitle(ind), decimals=fmt.decimals_for(ind.unit),
        extent=view.utsnitt, extent_codes=extent_codes, schematic=geometry.is_schematic(manifest, view.niva),
        source=geometry.source_text(manifest, view.niva), demo=origin.demo, height=height, focus_label=set_title,
        citation=origin.citation)


def group_frame(database: Database, view: View, c: Comparison, dimension: str) -> pd.DataFrame:
    ind = c.indicator
    labels = group_labels(database)
    values = {v: labels[(dimension, v)] for v in ind.groups.get(dimension, [])}
    city = database.run("indicator_values", indicator=ind.id, level="municipality", group_dim=dimension)
    area = (city.iloc[0:0] if ind.lowest_level == "municipality"
            else database.run("indicator_values", indicator=ind.id, level="regso", group_dim=dimension))
    frame = measures.group_comparison(ind, area, city, c.members, c.year, values)
    return text.with_series_labels(frame, c.set_title)


def group_chart(database: Database, view: View, c: Comparison, dimension: str):
    """Groups side by side in the comparison's year, or None when no group has a value then."""
    ind = c.indicator
    frame = group_frame(database, view, c, dimension)
    if frame.value.dropna().empty:
        return None  # no group has a value that year (e.g. only the total is published)
    label = group_labels(database)[(dimension, "*")]
    return charts.group_chart(frame.dropna(subset=["value"]), title=f"{ind.title} per {label.lower()}, {c.year}",
                              unit_label=ind.unit_label, direction_label=subtitle(ind),
                              decimals=fmt.decimals_for(ind.unit), demo=c.demo, citation=c.citation)


_OVERVIEWS: SharedCache[pd.DataFrame] = SharedCache(16)  # shared by every session's thread; warmed at start


def overview(database: Database, set_id: str, till: int | None = None) -> pd.DataFrame:
    """One row per indicator: latest focus and city values, the difference, the gap's trend, the
    difference per year (for a sparkline) and whether the values are real or demo (`demo`, `source_text`).
    Computed once per file, version, set and `till`; each caller gets its own copy of the frame."""
    key = (str(database.path), database.version, set_id, till)
    return _OVERVIEWS.get(key, lambda: _overview(database, set_id, till)).copy()


def _overview(database: Database, set_id: str, till: int | None) -> pd.DataFrame:
    inds = indicators(database)
    origins = provenance.sources(database)
    _, members = set_members(database, set_id)
    city_rows = database.run("city_values")
    sums = database.run("set_member_sums", set_id=set_id)
    structure = database.run("goal_structure").set_index("target_id")
    # Every indicator's numbers in one vectorised pass; only the words are made row by row.
    nums = catalog_wide.set_overview(inds, city_rows, sums, members, till)
    goal_areas, target_titles = structure.goal_area_id.to_dict(), structure.target_title.to_dict()
    out = []
    for ind_id, year, focus, city, trend, series in zip(nums.indicator_id.tolist(), nums.year.tolist(),
                                                         nums.focus.tolist(), nums.city.tolist(),
                                                         nums.trend.tolist(), nums.gap_series.tolist()):
        ind = inds[ind_id]
        d = fmt.decimals_for(ind.unit)
        out.append({
            "goal_area_id": int(goal_areas[ind.target]), "target_id": ind.target,
            "target_title": target_titles[ind.target], "indicator_id": ind_id,
            "title": ind.title, "year": year, "focus": focus, "city": city,
            "focus_text": fmt.value_with_unit(focus, ind.unit, ind.unit_label, d),
            "city_text": fmt.value_with_unit(city, ind.unit, ind.unit_label, d),
            "difference_text": fmt.difference(focus - city, ind.unit, ind.unit_label, d),
            "verdict": trend.verdict, "trend_text": text.verdict_cell(trend),
            "better": trend.better, "direction": ind.direction,
            "gap_series": series,
            "trend": trend, "area_level": ind.lowest_level != "municipality",
            "demo": origins[ind_id].demo, "source_text": origins[ind_id].cell,
        })
    order = {i: n for n, i in enumerate(inds)}
    return pd.DataFrame(out).sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


def target_statuses(ov: pd.DataFrame) -> dict[str, measures.TargetStatus]:
    """Each effektmål's status from the gap trends of its indicators followed per area (`overview` rows)."""
    area = ov[ov.area_level]
    return {t: measures.target_status(area.loc[area.target_id == t, "trend"]) for t in dict.fromkeys(ov.target_id)}


def area_choices(database: Database) -> pd.DataFrame:
    """Every area that can be profiled, districts first, with a label saying its level."""
    parts = []
    for level in ("district", "regso", "deso"):
        a = database.run("areas_at_level", level=level)
        parts.append(a.assign(label=a.name + " (" + LEVEL_LABELS[level] + ")"))
    return pd.concat(parts, ignore_index=True)[["code", "name", "level", "parent_code", "label"]]


_AREA_PROFILES: SharedCache[pd.DataFrame] = SharedCache(32)


def area_profile(database: Database, area_code: str) -> pd.DataFrame:
    """Every indicator for one area in its latest year against the city, by målområde and effektmål,
    and whether its values are real or demo (`demo`, `source_text`). Computed once per file, version
    and area; each caller gets its own copy."""
    key = (str(database.path), database.version, area_code)
    return _AREA_PROFILES.get(key, lambda: _area_profile(database, area_code)).copy()


def clear_caches() -> None:
    """Forget the facts, overviews and area profiles computed in this process (tests that count reads)."""
    for cache in (_FACTS, _OVERVIEWS, _AREA_PROFILES):
        cache.clear()


def _area_profile(database: Database, area_code: str) -> pd.DataFrame:
    inds = indicators(database)
    origins = provenance.sources(database)
    rows = database.run("area_profile", area_code=area_code)
    structure = database.run("goal_structure").set_index("target_id")
    # One row per indicator from the query: the area's last published year and value, its last status
    # otherwise, and the city's value in that year.
    notes = {"suppressed": "undertryckt", "missing": "saknas", "not_applicable": "ej tillämplig"}
    ids = rows.indicator_id.tolist()
    years = rows.last_year
    values = rows.last_value.where(years.notna()).astype(float)
    note = rows.last_status.fillna("missing").map(notes).fillna("saknas")
    city_values = rows.city_value.where(years.notna()).astype(float)
    goal_areas = structure.goal_area_id.to_dict()
    out = []
    for ind_id, year, value, city_value, said in zip(ids, years.tolist(), values.tolist(), city_values.tolist(),
                                                     note.tolist()):
        ind = inds[ind_id]
        year = None if pd.isna(year) else int(year)
        diff = value - city_value
        d = fmt.decimals_for(ind.unit)
        out.append({
            "goal_area": int(goal_areas[ind.target]), "target": ind.target,
            "indicator_id": ind_id, "title": ind.title, "year": year, "value": float(value), "city": float(city_value),
            "value_text": fmt.value_with_unit(value, ind.unit, ind.unit_label, d) if year else said,
            "city_text": fmt.value_with_unit(city_value, ind.unit, ind.unit_label, d),
            "difference": diff, "difference_text": fmt.difference(diff, ind.unit, ind.unit_label, d),
            "assessment": assessment(diff, ind.direction),
            "demo": origins[ind_id].demo, "source_text": origins[ind_id].cell,
        })
    return pd.DataFrame(out)


def area_memberships(database: Database, area_code: str) -> list[str]:
    """The district, RegSO and named sets an area belongs to, as Swedish phrases."""
    areas = area_choices(database).set_index("code")
    sets = database.run("area_sets")
    dm = database.run("district_members")
    if area_code not in areas.index:
        return []
    level = areas.loc[area_code, "level"]
    regso = {"regso": [area_code], "deso": [areas.loc[area_code, "parent_code"]],
             "district": dm.loc[dm.district_code == area_code, "regso_code"].tolist()}[level]
    out = []
    if level == "deso":
        out.append(f"RegSO: {areas.loc[regso[0], 'name']}")
    if level in ("regso", "deso"):
        out += [f"Stadsdel: {n}" for n in dm.loc[dm.regso_code.isin(regso), "district_name"].unique()]
    if level == "district":
        out.append("Består av: " + ", ".join(areas.loc[c, "name"] for c in regso))
    for _, g in sets.groupby("set_id", sort=False):
        if set(regso) <= set(g.area_code):
            out.append(f"Ingår i: {g.title.iloc[0]}")
    return out


def group_gap_frame(database: Database, view: View, dimension: str, first: str, second: str) -> pd.DataFrame:
    """The gap between two groups (first − second) per year, citywide and in the focus set."""
    ind = indicators(database)[view.indikator]
    set_title, members = set_members(database, view.jamfor)
    city = database.run("indicator_values", indicator=ind.id, level="municipality", group_dim=dimension)
    area = (city.iloc[0:0] if ind.lowest_level == "municipality"
            else database.run("indicator_values", indicator=ind.id, level="regso", group_dim=dimension))
    a = measures.comparison(ind, area, city, members, first)
    b = measures.comparison(ind, area, city, members, second)
    merged = a.merge(b, on=["year", "series"], suffixes=("_a", "_b"))
    merged = merged[merged.series.isin(["focus", "city"])]
    out = pd.DataFrame({"year": merged.year, "series": merged.series,
                        "label": merged.series.map(text.series_labels(set_title)),
                        "value": merged.value_a - merged.value_b, "ci_low": np.nan, "ci_high": np.nan})
    return out[(out.year >= view.fran) & (out.year <= view.till)].reset_index(drop=True)


def group_gap_chart(database: Database, view: View, first: str, second: str, demo: bool | None = None):
    """The gap between two values of the view's group dimension over time, as a trend chart; real or
    demo is the indicator's own (`origin_of`).

    Returns (chart, the gap frame, the two groups' labels); the chart is None when no year has a gap
    (a real source may publish the total only).
    """
    ind = indicators(database)[view.indikator]
    origin = origin_of(database, ind.id, demo, "group_gap_chart")
    dim = view.group_dimension
    gap = group_gap_frame(database, view, dim, first, second)
    labels = group_labels(database)
    names = (labels[(dim, first)], labels[(dim, second)])
    unit = fmt.DIFF_UNITS.get(ind.unit, ind.unit_label)
    if gap.value.dropna().empty:
        return None, gap, names
    chart = charts.trend_chart(gap, title=text.group_gap_title(ind, *names), unit_label=unit,
                               direction_label=subtitle(ind), decimals=1, demo=origin.demo,
                               citation=origin.citation)
    return chart, gap, names


def selection_export(database: Database, view: View) -> pd.DataFrame:
    """The current selection for download: the indicator at the view's level and the kommun,
    every year and group, with Swedish column names and statuses kept apart; `jämförelsemängd`
    names the chosen set on the rows of its areas; `demodata` and `källa` say per row whether the value
    is generated and where a real one comes from."""
    ind = indicators(database)[view.indikator]
    origin = provenance.of(database, ind.id)
    labels = group_labels(database)
    set_title, members = set_members(database, view.jamfor)
    parts = []
    for level in dict.fromkeys(["municipality", view.niva if view.niva in ind.levels else "municipality"]):
        focus = _focus_codes(database, level, members)
        for dim in ("total", *ind.groups):
            part = database.run("indicator_values", indicator=ind.id, level=level, group_dim=dim)
            parts.append(part.assign(level=level, group_dim=dim,
                                     in_set=np.where(part.area_code.isin(focus), set_title, "")))
    rows = pd.concat(parts, ignore_index=True)
    status = {"ok": "värde", "suppressed": "undertryckt (..)", "missing": "saknas (-)", "not_applicable": "ej tillämplig (.)"}
    return pd.DataFrame({
        "indikator": ind.id, "indikatornamn": ind.title, "enhet": ind.unit_label,
        "nivå": rows.level.map(LEVEL_LABELS), "områdeskod": rows.area_code, "område": rows.area_name,
        "jämförelsemängd": rows.in_set,
        "år": rows.year, "grupp_typ": rows.group_dim,
        "grupp": [labels.get((d, v), v) for d, v in zip(rows.group_dim, rows.group_value)],
        "värde": rows.value, "täljare": rows.numerator, "nämnare": rows.denominator,
        "ki_låg": rows.ci_low, "ki_hög": rows.ci_high, "status": rows.status.map(status),
        "seriebrott": rows.series_break, "demodata": rows.is_demo,
        "källa": np.where(rows.is_demo.astype(bool), text.DEMO_TEXT, origin.source),
    })


def assessment(difference: float, direction: str) -> str:
    """Whether a difference from the city is on the better or worse side, in words."""
    if np.isnan(difference) or direction == "balance" or difference == 0:
        return "–"
    return "bättre än staden" if (difference > 0) == (direction == "higher") else "sämre än staden"


def set_profile(database: Database, set_id: str) -> pd.DataFrame:
    """Every indicator for an area set in its latest year against the city (as `area_profile`)."""
    ov = overview(database, set_id)
    return pd.DataFrame({
        "goal_area": ov.goal_area_id, "target": ov.target_id, "indicator_id": ov.indicator_id, "title": ov.title,
        "year": ov.year, "value": ov.focus, "city": ov.city,
        "value_text": [t if not np.isnan(f) else "redovisas inte per område" for t, f in zip(ov.focus_text, ov.focus)],
        "city_text": ov.city_text, "difference": ov.focus - ov.city, "difference_text": ov.difference_text,
        "assessment": [assessment(f - c, d) for f, c, d in zip(ov.focus, ov.city, ov.direction)],
        "demo": ov.demo, "source_text": ov.source_text,
    })
