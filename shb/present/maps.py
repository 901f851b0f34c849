"""Pure Altair choropleth of areas against the whole city, drawn from GeoJSON features."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from shb.core import format as fmt
from shb.present.charts import (
    DEMO_TEXT,
    DIRECTIONS,
    FONT_SIZES,
    STATUSES,
    check_choice,
    check_citation,
    check_decimals,
    check_statuses,
    clean,
    finish_chart,
    is_number,
    number_format,
    require_columns,
    subtitle_lines,
    title_params,
    unit_of,
)
from shb.present.text import CITY_LABEL, FOCUS_FALLBACK, map_base_credit

STATUS_TEXT = {"ok": "värde finns", "suppressed": "undertryckt (för få)", "missing": "saknas",
               "not_applicable": "ej tillämplig"}
NO_VALUE_COLORS = {"suppressed": "#8f8f8f", "missing": "#e4e4e4", "not_applicable": "#ffffff"}
NO_VALUE_STROKE = "#8a8a8a"
FOCUS_STROKE = "#111111"
SCHEMATIC_TEXT = "Schematisk indelning – inte verkliga gränser"
SOURCE_TEXT = "Källa: SCB (områdeskoder)"
VALUES_NOTE_TITLE = "Uppgifter"  # the tooltip row saying where the values come from
EXTENTS = ("kommun", "tatort")
SELECTION = "omrade"
COORD_DECIMALS = 5
# The most screen pixels a map spans (its longer side on a 1920-pixel screen): geometry finer than half a
# pixel at that size is dropped before it is sent.
MAP_PIXELS = 2000
# Blue (better) to orange (worse), readable with the common colour-vision deficiencies.
DIVERGING_SCHEME = "blueorange"
BALANCE_SCHEME = alt.SchemeParams(name="purples", extent=[0.25, 1.0])  # no good/bad side; avoid the greys


def _check_layer(layer: object, who: str) -> None:
    if not isinstance(layer, gpd.GeoDataFrame):
        raise ValueError(f"{who}: layer must be a GeoDataFrame with columns code, name and a geometry "
                         f"(e.g. shb.geometry.read_layer(folder, 'regso')); got {type(layer).__name__}")
    require_columns(layer, ("code", "name"), who, "layer")
    epsg = layer.crs.to_epsg() if layer.crs is not None else None
    if epsg != 4326:
        raise ValueError(f"{who}: layer must be in EPSG:4326 (longitude/latitude); got {layer.crs or 'no CRS'} "
                         f"– call layer.to_crs('EPSG:4326') first")
    if layer.empty:
        raise ValueError(f"{who}: layer has no areas")
    if layer["code"].duplicated().any():
        dups = sorted(layer.loc[layer["code"].duplicated(), "code"].astype(str))
        raise ValueError(f"{who}: layer needs one polygon per code; repeated: {', '.join(dups[:5])}")
    if (layer.geometry.isna() | layer.geometry.is_empty).any():
        raise ValueError(f"{who}: every area in layer needs a geometry; some are empty")


def _check_values(values: object, who: str) -> None:
    require_columns(values, ("area_code", "value", "status"), who, "values")
    check_statuses(values["status"], who)
    if values["area_code"].duplicated().any():
        dups = sorted(values.loc[values["area_code"].duplicated(), "area_code"].astype(str))
        raise ValueError(f"{who}: values needs one row per area_code; repeated: {', '.join(dups[:5])}")


def _check_call(layer, values, *, city_value, direction, extent, extent_codes, decimals, labels, texts) -> None:
    who = "choropleth"
    _check_layer(layer, who)
    _check_values(values, who)
    check_choice(direction, DIRECTIONS, who, "direction")
    check_choice(extent, EXTENTS, who, "extent")
    check_decimals(decimals, who)
    for name, text in texts.items():
        if not isinstance(text, str):
            raise ValueError(f"{who}: {name} must be a string; got {text!r}")
    if city_value is not None and (isinstance(city_value, bool) or not isinstance(city_value, numbers.Real)):
        raise ValueError(f"{who}: city_value must be a number or None; got {city_value!r}")
    if labels is not None and not isinstance(labels, Mapping):
        raise ValueError(f"{who}: labels must be a dict from area code to short label; got {type(labels).__name__}")
    if extent == "tatort":
        if not extent_codes or isinstance(extent_codes, str):
            raise ValueError(f"{who}: extent='tatort' needs extent_codes, the area codes inside the tätort "
                             "(e.g. the RegSO with tatort=True in shb.areas); got none")
        if not set(extent_codes) & set(layer["code"]):
            raise ValueError(f"{who}: none of extent_codes is a code in layer; pass codes of the layer's level")


def _area_table(layer: gpd.GeoDataFrame, values: pd.DataFrame, *, city_value, focus_codes: set[str],
                unit: str, unit_label: str, decimals: int) -> gpd.GeoDataFrame:
    """The layer with value, status and Swedish texts per area; a value is kept only under status ok."""
    vals = values.assign(area_code=values["area_code"].astype(str),
                         value=pd.to_numeric(values["value"], errors="coerce"))
    g = layer[["code", "name", "geometry"]].assign(code=layer["code"].astype(str))
    g = g.merge(vals[["area_code", "value", "status"]], how="left", left_on="code", right_on="area_code")
    status = g["status"].fillna("missing")
    status = status.where(~((status == "ok") & g["value"].isna()), "missing")
    value = g["value"].where(status == "ok")
    city = float(city_value) if is_number(city_value) else None
    g = g.assign(
        name=g["name"].astype(str),
        value=value,
        value_text=[fmt.value_with_unit(clean(v), unit, unit_label, decimals) for v in value],
        city_text=fmt.value_with_unit(city, unit, unit_label, decimals),
        diff_text=[fmt.difference(clean(v) - city if is_number(v) and city is not None else None,
                                  unit, unit_label, decimals) for v in value],
        status=status,
        status_text=status.map(STATUS_TEXT),
        is_focus=g["code"].isin(focus_codes),
    )
    return gpd.GeoDataFrame(g.drop(columns="area_code"), geometry="geometry", crs=layer.crs)


def simplify_tolerance(geoms: np.ndarray) -> float:
    """Half a screen pixel, in degrees, for areas of this extent drawn at most MAP_PIXELS across: a vertex
    that moves less than that cannot be seen, so the zoomed-in tätort keeps more detail than the kommun."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    span = max((xmax - xmin) * math.cos(math.radians((ymin + ymax) / 2)), ymax - ymin)
    return span / MAP_PIXELS / 2


def simplified(geoms: np.ndarray) -> np.ndarray:
    """The areas simplified to what the map can show (`simplify_tolerance`), borders kept shared.

    Neighbours are simplified together as a coverage (`shapely.coverage_simplify`), so a border moves
    the same way for both sides and no gap or overlap opens between them. Polygons that do not form a
    coverage (overlapping imports) are simplified one by one with their topology kept.
    """
    tolerance = simplify_tolerance(geoms)
    if tolerance <= 0:
        return geoms
    if shapely.coverage_is_valid(geoms):
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _features(g: gpd.GeoDataFrame) -> list[dict]:
    """GeoJSON features with every attribute under `properties`; NaN becomes null.

    Only the areas drawn are passed in; their geometry is simplified to the map's scale (`simplified`).
    Rings are wound clockwise because d3-geo (inside Vega) reads an anticlockwise ring as
    "everything but this polygon" and paints the whole globe.
    """
    geoms = shapely.orient_polygons(simplified(g.geometry.to_numpy()), exterior_cw=True)
    geoms = shapely.transform(geoms, lambda xy: xy.round(COORD_DECIMALS))  # ~1 m; halves the payload
    oriented = g.set_geometry(geoms, crs=g.crs)
    return json.loads(oriented.to_json(na="null", drop_id=True))["features"]


def _label_points(g: gpd.GeoDataFrame, labels: Mapping[str, str] | None) -> list[dict]:
    """One label per distinct focus label, at a point inside the union of its areas."""
    focus = g[g.is_focus]
    if focus.empty:
        return []
    names = (labels or {})
    focus = focus.assign(label=[str(names.get(c, n)) for c, n in zip(focus.code, focus.name)])
    out = []
    for label, part in focus.groupby("label", sort=True):
        point = shapely.union_all(part.geometry.to_numpy()).representative_point()
        out.append({"label": label, "lon": point.x, "lat": point.y,
                    "properties": {"code": part.code.iloc[0], "name": label}})
    return out


def _colour_scale(values: pd.Series, city: float | None, direction: str, unit: str) -> alt.Scale:
    """Diverging around the city (worse = orange) for higher/lower; sequential for balance."""
    numbers = values.dropna()
    if direction == "balance" or city is None:
        low, high = (float(numbers.min()), float(numbers.max())) if len(numbers) else (0.0, 1.0)
        return alt.Scale(scheme=BALANCE_SCHEME, domain=[low, high if high > low else low + 1])
    # Symmetric around the city, so equal distances above and below get equally strong colours.
    reach = float((numbers - city).abs().max()) if len(numbers) else 0.0
    reach = reach if reach > 0 else max(abs(city) * 0.05, 1.0)
    # ... but never past what the unit allows (no 110 % on the legend, no negative rates).
    floor = 0.0 if len(numbers) and numbers.min() >= 0 and city >= 0 else -math.inf
    ceiling = 100.0 if unit == "procent" and (not len(numbers) or numbers.max() <= 100) and city <= 100 else math.inf
    domain = [max(floor, city - reach), min(ceiling, city + reach)]
    return alt.Scale(scheme=DIVERGING_SCHEME, domain=domain, domainMid=city,
                     reverse=direction == "higher")


def choropleth(layer: gpd.GeoDataFrame, values: pd.DataFrame, *, city_value: float | None,
               focus_codes: Iterable[str], title: str, unit_label: str, direction: str, direction_label: str,
               decimals: int = 1, unit: str | None = None, extent: str = "kommun",
               extent_codes: Iterable[str] | None = None, labels: Mapping[str, str] | None = None,
               schematic: bool = True, source: str | None = None, demo: bool = False,
               height: int = 560, focus_label: str = FOCUS_FALLBACK, citation: str | None = None) -> alt.LayerChart:
    """A map of an indicator by area, coloured by how each area compares with the whole city.

    Parameters
    ----------
    layer : GeoDataFrame
        One polygon per area in EPSG:4326, columns ``code`` and ``name`` (as written by
        shb.geometry).
    values : DataFrame
        Columns ``area_code``, ``value`` (NaN allowed) and ``status`` (``"ok"``, ``"suppressed"``,
        ``"missing"``, ``"not_applicable"``). Areas without a row count as missing; a value under
        any status other than ``"ok"`` is never drawn.
    city_value : float or None
        The whole city's value: the middle of the colour scale and the base of each difference.
    focus_codes : iterable of str
        Codes of the focus areas (the chosen set's), outlined and labelled.
    title : str
        Map title.
    unit_label : str
        Display unit (``"%"``, ``"per 1 000 invånare"``), in the legend title and the texts.
    direction : {"higher", "lower", "balance"}
        Which values are better; areas worse than the city are orange, better ones blue.
        ``"balance"`` has no better side and gets a sequential purple scale.
    direction_label : str
        The same in words, shown in the subtitle.
    decimals : int
        Decimals in the legend and the tooltip texts.
    unit : str, optional
        Catalogue unit (``"procent"``, ``"per_1000"``); guessed from `unit_label` when omitted,
        so that differences of percentages read "procentenheter".
    extent : {"kommun", "tatort"}
        Draw every area, or only those in `extent_codes` (the map zooms to them).
    extent_codes : iterable of str, optional
        Area codes inside the tätort; required when ``extent="tatort"``.
    labels : dict, optional
        Short label per focus area code; areas that share a label get one label between them.
        Defaults to the area names.
    schematic : bool
        Say in the subtitle that the borders are schematic.
    source : str, optional
        The credit line for the borders (``geometry.source_text(manifest, level)``); `SOURCE_TEXT`
        when omitted. Shown as "Kartunderlag: …" (`text.map_base_credit`), apart from the values' source.
    demo : bool
        Say in the subtitle and every area's tooltip that the numbers are demo data.
    citation : str, optional
        Where the values come from ("Källa: …"), last in the subtitle and in every area's tooltip; with
        ``demo=True`` a demo line of its own (it must say demodata).
    height : int
        Height in pixels; the width follows the container.
    focus_label : str
        The chosen set's title, named in the note on the black outline.

    Returns
    -------
    alt.LayerChart
        A Mercator map of GeoJSON features (``alt.Data(values=features)``, fields under
        ``properties.``) with a click selection named ``omrade`` on ``properties.code``.
    """
    texts = {"title": title, "unit_label": unit_label, "direction_label": direction_label, "focus_label": focus_label}
    _check_call(layer, values, city_value=city_value, direction=direction, extent=extent,
                extent_codes=extent_codes, decimals=decimals, labels=labels, texts=texts)
    check_citation(demo, citation, "choropleth")
    if isinstance(focus_codes, str):
        raise ValueError("choropleth: focus_codes must be a list of area codes, not one string")
    unit = unit or unit_of(unit_label)
    city = float(city_value) if is_number(city_value) else None
    g = _area_table(layer, values, city_value=city, focus_codes={str(c) for c in focus_codes or ()},
                    unit=unit, unit_label=unit_label, decimals=decimals)
    if extent == "tatort":
        g = g[g.code.isin({str(c) for c in extent_codes})]
    features = _features(g)
    label_points = _label_points(g, labels)
    city_text = fmt.value_with_unit(city, unit, unit_label, decimals)

    values_note = (citation or DEMO_TEXT) if demo else citation
    if values_note:  # every area says where its value comes from (hovered on its own, without the subtitle)
        for feature in features:
            feature["properties"]["values_note"] = values_note
    tooltip = [alt.Tooltip("properties.name:N", title="Område"),
               alt.Tooltip("properties.value_text:N", title="Värde"),
               alt.Tooltip("properties.city_text:N", title=CITY_LABEL),
               alt.Tooltip("properties.diff_text:N", title="Skillnad"),
               alt.Tooltip("properties.status_text:N", title="Status"),
               *([alt.Tooltip("properties.values_note:N", title=VALUES_NOTE_TITLE)] if values_note else [])]
    legend_title = f"{unit_label} ({CITY_LABEL}: {city_text})" if city is not None else unit_label
    selection = alt.selection_point(name=SELECTION, fields=["properties.code"], on="click")
    shapes = alt.Chart()  # the features are given once, to the whole layer

    with_value = (shapes.transform_filter("isValid(datum.properties.value)")
                  .mark_geoshape(stroke="white", strokeWidth=0.7)
                  .encode(color=alt.Color("properties.value:Q", scale=_colour_scale(g["value"], city, direction, unit),
                                          legend=alt.Legend(title=legend_title, format=number_format(decimals, trim=True),
                                                            orient="right", gradientLength=220, titleLimit=420,
                                                            direction="vertical")),
                          tooltip=tooltip)
                  .add_params(selection))
    no_value_domain = [STATUS_TEXT[s] for s in STATUSES if s != "ok"]
    without_value = (shapes.transform_filter("!isValid(datum.properties.value)")
                     .mark_geoshape(stroke=NO_VALUE_STROKE, strokeWidth=0.7)
                     .encode(color=alt.Color("properties.status_text:N",
                                             scale=alt.Scale(domain=no_value_domain,
                                                             range=[NO_VALUE_COLORS[s] for s in STATUSES if s != "ok"]),
                                             legend=alt.Legend(title="Utan värde", orient="right",
                                                               symbolType="square", symbolStrokeColor=NO_VALUE_STROKE,
                                                               symbolStrokeWidth=1, symbolSize=250)),
                             strokeDash=alt.StrokeDashValue(**alt.condition(
                                 "datum.properties.status === 'not_applicable'", alt.value([4, 3]), alt.value([1, 0]))),
                             tooltip=tooltip))
    focus_outline = (shapes.transform_filter("datum.properties.is_focus")
                     .mark_geoshape(filled=False, stroke=FOCUS_STROKE, strokeWidth=2.5)
                     .encode(tooltip=tooltip))
    layers = [with_value, without_value, focus_outline]
    if label_points:
        text_style = {"fontSize": FONT_SIZES["mark"], "fontWeight": "bold", "dy": -2}
        halo = alt.Chart().mark_text(stroke="white", strokeWidth=4, strokeJoin="round", opacity=0.9, **text_style)
        text = alt.Chart().mark_text(color=FOCUS_STROKE, **text_style)
        layers.append(alt.layer(*(mark.encode(longitude=alt.Longitude("lon:Q"), latitude=alt.Latitude("lat:Q"),
                                              text=alt.Text("label:N")) for mark in (halo, text)),
                                data=alt.Data(values=label_points)))

    focus_note = f"Svart kant: {focus_label.lower()}" if not g[g.is_focus].empty else None
    lines = subtitle_lines(direction_label, focus_note,
                           SCHEMATIC_TEXT if schematic else None, map_base_credit(source or SOURCE_TEXT), demo=demo,
                           citation=citation)
    # Everything given to the layer at once: each chained .resolve_scale/.project/.properties would copy it
    # (and Altair's layer constructor deep-copies every layer twice).
    chart = alt.layer(*layers, data=alt.Data(values=features),
                      resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
                      projection=alt.Projection(type="mercator"),
                      title=title_params(title, lines), width="container", height=height)
    return finish_chart(chart)


def selected_codes(event: Mapping | None) -> list[str]:
    """The area codes clicked on a choropleth, read from what Streamlit hands back.

    Parameters
    ----------
    event : mapping or None
        The value of ``st.altair_chart(chart, on_select="rerun")`` or its ``selection`` part.

    Returns
    -------
    list of str
        Codes in click order; empty when nothing is selected. Streamlit escapes the dot of the
        nested field (``"properties\\.code"``); both spellings are read.
    """
    if not event:
        return []
    if not isinstance(event, Mapping):
        raise ValueError(f"selected_codes: pass the value of st.altair_chart(..., on_select='rerun'); "
                         f"got {type(event).__name__}")
    selection = event.get("selection", event)
    points = (selection or {}).get(SELECTION) or []
    codes = []
    for point in points:
        code = point.get("properties.code", point.get("properties\\.code")) if isinstance(point, Mapping) else None
        if code is None and isinstance(point, Mapping) and isinstance(point.get("properties"), Mapping):
            code = point["properties"].get("code")
        if code is not None and str(code) not in codes:
            codes.append(str(code))
    return codes


__all__ = ["DEMO_TEXT", "NO_VALUE_COLORS", "SCHEMATIC_TEXT", "SOURCE_TEXT", "STATUS_TEXT", "choropleth", "selected_codes"]
