"""The choropleth: GeoJSON features with Swedish texts, colours around the city value, extent and selection."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from shb.core import areas
from shb.core.format import D3_LOCALE
from shb.geo import geometry
from shb.present import charts, maps

NAN = float("nan")
FOCUS = ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]
LABELS = {"1490R017": "Hulta", "1490R018": "Hulta", "1490R019": "Hässleholmen", "1490R020": "Hässleholmen",
          "1490R025": "Norrby"}
CITY = 79.4


@pytest.fixture(scope="module")
def geo() -> areas.Geography:
    return areas.load_geography()


@pytest.fixture(scope="module")
def layer(geo):
    return geometry.build_schematic(geo)["regso"]


@pytest.fixture(scope="module")
def tatort_codes(geo) -> list[str]:
    a = geo.areas
    return a.loc[(a.level == "regso") & a.tatort, "code"].tolist()


def values_frame() -> pd.DataFrame:
    """Values for a few areas only: the rest of the 47 must come out as missing."""
    return pd.DataFrame({
        "area_code": ["1490R019", "1490R025", "1490R001", "1490R002", "1490R003", "1490R004", "1490R005"],
        "value": [52.0, 61.25, 88.0, 70.0, NAN, NAN, NAN],
        "status": ["ok", "ok", "ok", "suppressed", "missing", "not_applicable", "ok"],
    })


def build(layer, values=None, **kw):
    opts = {"city_value": CITY, "focus_codes": FOCUS, "title": "Förvärvsarbetande 20–64 år", "unit_label": "%",
            "direction": "higher", "direction_label": "Högre värde är bättre"} | kw
    return maps.choropleth(layer, values_frame() if values is None else values, **opts)


def inline_data(spec: dict) -> list[list[dict]]:
    """Every inline dataset of a spec: under `datasets`, the top-level `data` and each layer's `data`."""
    out = list(spec.get("datasets", {}).values())
    for node in [spec, *spec.get("layer", []), *(sub for lyr in spec.get("layer", []) for sub in lyr.get("layer", []))]:
        data = node.get("data") or {}
        if "values" in data:
            out.append(data["values"])
        elif "name" in data:
            out.append(spec["datasets"][data["name"]])
    return out


def features(spec: dict) -> list[dict]:
    """The GeoJSON features of the map (the dataset whose rows are Features)."""
    found = [rows for rows in inline_data(spec) if rows and rows[0].get("type") == "Feature"]
    assert len(found) == 1, "all polygon layers should share one dataset"
    return found[0]


def label_rows(spec: dict) -> list[dict]:
    found = [rows for rows in inline_data(spec) if rows and "label" in rows[0]]
    assert len(found) == 1, "the halo and the text share one dataset of label points"
    return found[0]


def props(spec: dict) -> dict[str, dict]:
    return {f["properties"]["code"]: f["properties"] for f in features(spec)}


WITH_VALUE = "isValid(datum.properties.value)"
WITHOUT_VALUE = "!isValid(datum.properties.value)"
FOCUS_ONLY = "datum.properties.is_focus"


def layer_with(spec: dict, mark_filter: str) -> dict:
    """The one layer filtered by exactly `mark_filter`."""
    matches = [lyr for lyr in spec["layer"] if {"filter": mark_filter} in lyr.get("transform", [])]
    assert len(matches) == 1
    return matches[0]


def test_every_area_becomes_a_feature_with_its_value(layer):
    spec = build(layer).to_dict()
    p = props(spec)
    assert len(features(spec)) == len(layer) == 47
    assert sorted(p) == sorted(layer.code)
    assert p["1490R019"]["value"] == 52.0 and p["1490R025"]["value"] == 61.25 and p["1490R001"]["value"] == 88.0
    assert p["1490R019"]["name"] == layer.set_index("code").loc["1490R019", "name"]
    json.dumps(spec, allow_nan=False)


def test_statuses_are_mapped_and_suppressed_values_never_shown(layer):
    p = props(build(layer).to_dict())
    assert (p["1490R002"]["status"], p["1490R002"]["value"]) == ("suppressed", None)  # value given, still hidden
    assert p["1490R002"]["status_text"] == "undertryckt (för få)"
    assert (p["1490R003"]["status"], p["1490R003"]["status_text"]) == ("missing", "saknas")
    assert (p["1490R004"]["status"], p["1490R004"]["status_text"]) == ("not_applicable", "ej tillämplig")
    assert (p["1490R005"]["status"], p["1490R005"]["value"]) == ("missing", None)  # ok without a value
    assert (p["1490R040"]["status"], p["1490R040"]["value"]) == ("missing", None)  # no row at all
    assert p["1490R019"]["status_text"] == "värde finns"
    counts = pd.Series([f["status"] for f in p.values()]).value_counts().to_dict()
    assert counts == {"missing": 42, "ok": 3, "suppressed": 1, "not_applicable": 1}


def test_texts_are_swedish_with_unit_and_difference(layer):
    p = props(build(layer).to_dict())
    assert p["1490R019"]["value_text"] == "52,0 %"
    assert p["1490R019"]["city_text"] == "79,4 %"
    assert p["1490R019"]["diff_text"] == "\u221227,4 procentenheter"
    assert p["1490R001"]["diff_text"] == "+8,6 procentenheter"
    assert (p["1490R003"]["value_text"], p["1490R003"]["diff_text"]) == ("–", "–")
    rate = props(build(layer, unit_label="per 1 000 invånare", decimals=0).to_dict())
    assert rate["1490R025"]["value_text"] == "61 per 1 000 invånare"
    assert rate["1490R025"]["diff_text"] == "\u221218 per 1 000 invånare"


def test_focus_areas_are_flagged_outlined_and_labelled(layer):
    spec = build(layer, labels=LABELS).to_dict()
    p = props(spec)
    assert sorted(c for c, f in p.items() if f["is_focus"]) == FOCUS
    outline = layer_with(spec, FOCUS_ONLY)
    assert outline["mark"]["filled"] is False and outline["mark"]["strokeWidth"] >= 2
    assert spec["layer"].index(outline) > spec["layer"].index(layer_with(spec, WITHOUT_VALUE))
    labels = spec["layer"][-1]
    texts = [lyr for lyr in labels["layer"] if lyr["mark"]["type"] == "text"]
    assert len(texts) == 2 and texts[-1]["encoding"]["text"] == {"field": "label", "type": "nominal"}
    assert texts[0]["mark"]["stroke"] == "white"  # a halo under the name, readable on dark colours
    assert sorted(r["label"] for r in label_rows(spec)) == ["Hulta", "Hässleholmen", "Norrby"]
    cells = layer.set_index("code").geometry
    for r in label_rows(spec):
        point = shapely.Point(r["lon"], r["lat"])
        members = [c for c, lbl in LABELS.items() if lbl == r["label"]]
        assert any(cells[c].covers(point) for c in members)


def test_a_map_laid_out_once_keeps_near_the_export_width(layer):
    """Drawn for the report (laid out once), a map's plot leaves the room its legends usually take."""
    chart = build(layer, labels=LABELS)
    once = json.loads(charts._export_spec(chart, charts.EXPORT_WIDTH, "t", validate=False, fit=False))
    assert once["autosize"] == {"type": "pad"}
    assert once["width"] == charts.EXPORT_WIDTH - charts.LAID_OUT_ONCE_ROOM["map"]
    svg = charts.export_svg(chart, validate=False, fit=False)
    assert abs(float(re.search(r'<svg[^>]*width="([0-9.]+)"', svg).group(1)) - charts.EXPORT_WIDTH) < 60


def test_the_unchecked_spec_of_a_map_is_the_json_of_to_dict(layer):
    """A map has a click selection, inline features and a layer of labels with rows of its own: the report's
    spec without Altair's copy and walk (`charts.unchecked_spec`) is still the JSON `to_dict` gives."""
    for chart in (build(layer, labels=LABELS), build(layer, schematic=True, demo=True)):
        assert json.dumps(charts.unchecked_spec(chart), sort_keys=True) == json.dumps(
            chart.to_dict(validate=False), sort_keys=True)


def test_labels_default_to_area_names(layer):
    spec = build(layer).to_dict()
    names = layer.set_index("code").loc[FOCUS, "name"]
    assert sorted(r["label"] for r in label_rows(spec)) == sorted(names)


def test_encodings_read_feature_properties_with_explicit_types(layer):
    spec = build(layer).to_dict()
    with_value = layer_with(spec, WITH_VALUE)
    assert with_value["mark"]["type"] == "geoshape"
    assert with_value["encoding"]["color"]["field"] == "properties.value"
    assert with_value["encoding"]["color"]["type"] == "quantitative"
    tooltip = {t["title"]: t["field"] for t in with_value["encoding"]["tooltip"]}
    assert tooltip == {"Område": "properties.name", "Värde": "properties.value_text",
                       "Hela Borås": "properties.city_text", "Skillnad": "properties.diff_text",
                       "Status": "properties.status_text"}
    assert spec["projection"] == {"type": "mercator"}


@pytest.mark.parametrize(("direction", "reverse"), [("higher", True), ("lower", False)])
def test_colours_diverge_around_the_city_with_worse_in_orange(layer, direction, reverse):
    spec = build(layer, direction=direction).to_dict()
    scale = layer_with(spec, WITH_VALUE)["encoding"]["color"]["scale"]
    # blueorange runs blue → orange; for "higher" low values are worse, so it is reversed.
    assert scale["scheme"] == "blueorange" and scale["domainMid"] == CITY and scale["reverse"] is reverse
    low, high = scale["domain"]
    assert low <= 52.0 and high >= 88.0
    assert CITY - low == pytest.approx(CITY - 52.0)  # symmetric reach set by the farthest area ...
    assert high == pytest.approx(100.0)  # ... but a share never goes above 100 %


def test_balance_indicators_get_a_sequential_scale(layer):
    spec = build(layer, direction="balance", direction_label="Varken högre eller lägre är bättre").to_dict()
    scale = layer_with(spec, WITH_VALUE)["encoding"]["color"]["scale"]
    assert "domainMid" not in scale and scale["scheme"]["name"] == "purples"
    assert scale["domain"] == [52.0, 88.0]


def test_legends_name_the_unit_the_city_value_and_the_areas_without_value(layer):
    spec = build(layer).to_dict()
    legend = layer_with(spec, WITH_VALUE)["encoding"]["color"]["legend"]
    assert legend["title"] == "% (Hela Borås: 79,4 %)"
    no_value = layer_with(spec, WITHOUT_VALUE)["encoding"]
    assert no_value["color"]["legend"]["title"] == "Utan värde"
    assert no_value["color"]["scale"] == {"domain": ["undertryckt (för få)", "saknas", "ej tillämplig"],
                                          "range": ["#8f8f8f", "#e4e4e4", "#ffffff"]}
    assert no_value["strokeDash"]["condition"]["value"] == [4, 3]
    assert "not_applicable" in no_value["strokeDash"]["condition"]["test"]
    assert spec["resolve"] == {"scale": {"color": "independent"}}


def test_click_selection_named_omrade_on_the_area_code(layer):
    spec = build(layer).to_dict()
    params = [p for p in spec["params"] if p["name"] == "omrade"]
    assert len(params) == 1
    assert params[0]["select"] == {"type": "point", "fields": ["properties.code"], "on": "click"}


def test_subtitle_says_schematic_source_and_demo_only_when_true(layer):
    spec = build(layer, schematic=True, demo=True).to_dict()
    sub = spec["title"]["subtitle"]
    assert sub[0] == "Högre värde är bättre"
    assert {maps.SCHEMATIC_TEXT, "Kartunderlag: SCB (områdeskoder)", charts.DEMO_TEXT} <= set(sub)
    plain = build(layer, schematic=False, demo=False).to_dict()["title"]["subtitle"]
    assert "Kartunderlag: SCB (områdeskoder)" in plain and maps.SCHEMATIC_TEXT not in plain
    assert charts.DEMO_TEXT not in plain


def test_the_borders_and_the_values_are_credited_on_lines_of_their_own(layer):
    """With real values the subtitle says where the values come from ("Källa: …") and, apart from it, where
    the borders come from ("Kartunderlag: …"): one line each, never two lines read "Källa"."""
    citation = "Källa: SCB, folkmängd per RegSO (CC0)"
    sub = build(layer, source="Källa: SCB, RegSO 2025 (öppna geodata, CC0)", citation=citation).to_dict()["title"]["subtitle"]
    assert citation in sub and "Kartunderlag: SCB, RegSO 2025 (öppna geodata, CC0)" in sub
    assert sum(line.startswith("Källa") for line in sub) == 1


def test_the_outline_note_names_the_chosen_set(layer):
    sub = build(layer, focus_label="Polisens lista 2025").to_dict()["title"]["subtitle"]
    assert "Svart kant: polisens lista 2025" in sub
    assert not any("mrådesutveckling" in line for line in sub)


def test_swedish_locale_and_container_width(layer):
    spec = build(layer).to_dict()
    assert spec["usermeta"] == {"embedOptions": {"formatLocale": D3_LOCALE}}
    assert spec["config"]["locale"]["number"] == D3_LOCALE
    assert (spec["width"], spec["height"]) == ("container", 560)


def test_tatort_extent_draws_only_tatort_areas(layer, tatort_codes):
    spec = build(layer, extent="tatort", extent_codes=tatort_codes).to_dict()
    assert len(tatort_codes) == 27
    assert sorted(props(spec)) == sorted(tatort_codes)
    assert "1490R002" not in props(spec)  # Borgstena Tämta is rural


def test_rings_are_wound_clockwise_for_d3(layer):
    ccw = layer.assign(geometry=shapely.orient_polygons(layer.geometry.to_numpy(), exterior_cw=False))
    for f in features(build(ccw).to_dict()):
        geom = shape(f["geometry"])
        polygons = getattr(geom, "geoms", [geom])
        assert not any(shapely.is_ccw(p.exterior) for p in polygons)


def test_map_exports_to_png(layer, tatort_codes):
    png = charts.export_png(build(layer, extent="tatort", extent_codes=tatort_codes, demo=True), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("change", "message"), [
    ({"extent": "tatort"}, "extent='tatort' needs extent_codes"),
    ({"extent": "tatort", "extent_codes": []}, "extent='tatort' needs extent_codes"),
    ({"extent": "tatort", "extent_codes": ["1490C0001"]}, "none of extent_codes is a code in layer"),
    ({"extent": "stad"}, "extent must be one of 'kommun', 'tatort'; got 'stad'"),
    ({"direction": "up"}, "direction must be one of 'higher', 'lower', 'balance'"),
    ({"decimals": 1.5}, "decimals must be an integer"),
    ({"focus_codes": "1490R019"}, "focus_codes must be a list of area codes"),
    ({"labels": ["Hulta"]}, "labels must be a dict"),
])
def test_bad_options_are_refused_with_a_fix(layer, change, message):
    with pytest.raises(ValueError, match="choropleth: ") as err:
        build(layer, **change)
    assert message in str(err.value)


def test_bad_layers_and_values_are_refused_with_a_fix(layer):
    with pytest.raises(ValueError, match=r"layer must be in EPSG:4326 .* call layer.to_crs\('EPSG:4326'\)"):
        build(layer.to_crs("EPSG:3006"))
    with pytest.raises(ValueError, match="layer needs columns code, name; got name, geometry"):
        build(layer.drop(columns="code"))
    with pytest.raises(ValueError, match="layer must be a GeoDataFrame"):
        build(pd.DataFrame(layer.drop(columns="geometry")))
    with pytest.raises(ValueError, match="values needs columns area_code, value, status; got area_code, value"):
        build(layer, values_frame().drop(columns="status"))
    with pytest.raises(ValueError, match="status must be one of ok, suppressed, missing, not_applicable; got secret"):
        build(layer, values_frame().assign(status="secret"))
    with pytest.raises(ValueError, match="one row per area_code; repeated: 1490R019"):
        build(layer, pd.concat([values_frame(), values_frame().iloc[:1]]))


@pytest.mark.parametrize(("event", "codes"), [
    (None, []),
    ({"selection": {}}, []),
    ({"selection": {"omrade": []}}, []),
    ({"selection": {"omrade": [{"properties\\.code": "1490R017"}]}}, ["1490R017"]),  # as Streamlit 1.67 sends it
    ({"omrade": [{"properties.code": "1490R025"}, {"properties.code": "1490R025"}]}, ["1490R025"]),
    ({"selection": {"omrade": [{"properties": {"code": "1490R019"}}]}}, ["1490R019"]),
])
def test_selected_codes_reads_what_streamlit_returns(event, codes):
    assert maps.selected_codes(event) == codes


def test_selected_codes_refuses_other_things():
    with pytest.raises(ValueError, match="selected_codes: pass the value of st.altair_chart"):
        maps.selected_codes(["1490R017"])


def test_the_map_spec_is_one_mercator_layer_with_independent_colours_and_the_click_selection(layer):
    """Pins what the map gives alt.layer at once (projection, resolve, title, size) and its encodings,
    which are written as channel objects."""
    spec = build(layer, labels=LABELS).to_dict()
    assert spec["projection"] == {"type": "mercator"}
    assert spec["resolve"] == {"scale": {"color": "independent"}}
    assert (spec["width"], spec["height"]) == ("container", 560)
    assert spec["title"]["text"] == "Förvärvsarbetande 20–64 år" and spec["title"]["anchor"] == "start"
    assert [p["name"] for p in spec["params"]] == [maps.SELECTION]
    shapes, labels = spec["layer"][:3], spec["layer"][3]["layer"]
    assert [s["mark"]["type"] for s in shapes] == ["geoshape"] * 3
    assert shapes[1]["encoding"]["strokeDash"] == {
        "condition": {"test": "datum.properties.status === 'not_applicable'", "value": [4, 3]}, "value": [1, 0]}
    for text in labels:
        assert text["mark"]["type"] == "text"
        assert text["encoding"] == {"longitude": {"field": "lon", "type": "quantitative"},
                                    "latitude": {"field": "lat", "type": "quantitative"},
                                    "text": {"field": "label", "type": "nominal"}}
    assert spec["config"]["view"]["stroke"] is None and spec["autosize"] == {"type": "fit-x", "contains": "padding"}
