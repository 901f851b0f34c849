"""What a chart sends to the browser: only the columns its layers read, floats cut short, map borders
simplified to the map's scale with neighbours still sharing them, and a bounded page."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from shb.core import areas
from shb.geo import geometry
from shb.present import charts, maps
from tests.pages import charts as page_charts
from tests.pages import run_page, title_of
from tests.test_charts import group_frame, rows, trend_frame, walk
from tests.test_charts import ranking as ranking_spec
from tests.test_maps import build, features

# What names a row without being drawn: a ranking row its area, a group bar its series (which the no-leak
# check traces each value to its cells by).
ROW_KEY = {"area_code", "series"}
MAP_KB = 32  # the RegSO map of the whole kommun: ~9 kB polygons, ~13 kB texts, ~8 kB layers on the demo
PAGE_KB = 75  # every chart of the deep-linked Arbete page together


def read_fields(spec: dict) -> set[str]:
    """Every data field the spec's layers read: encodings (also tooltips, detail, sort), and `datum.x` in filters."""
    out: set[str] = set()
    for node in walk(spec):
        if isinstance(node.get("field"), str):
            out.add(node["field"].split(".")[0])
        for key in ("filter", "test"):
            expression = node.get(key)
            if isinstance(expression, str):
                out |= set(re.findall(r"datum\.(\w+)", expression))
            elif isinstance(expression, dict) and isinstance(expression.get("field"), str):
                out.add(expression["field"])
    return out


def unread_columns(spec: dict) -> set[str]:
    columns = {c for r in rows(spec) for c in r}
    return columns - read_fields(spec) - ROW_KEY


def trend(**kw) -> dict:
    frame = trend_frame(with_ci=kw.pop("with_ci", True))
    return charts.trend_chart(frame, title="T", unit_label="%", direction_label="Högre värde är bättre", **kw).to_dict()


def gap() -> dict:
    frame = pd.DataFrame({"year": [2021, 2022, 2023], "difference": [-3.25, np.nan, 1.5]})
    return charts.gap_chart(frame, title="G", unit_label="%", diff_label="Skillnad, procentenheter",
                            direction_label="Högre värde är bättre").to_dict()


@pytest.mark.parametrize("build_spec", [
    pytest.param(lambda: trend(), id="trend with intervals"),
    pytest.param(lambda: trend(with_ci=False), id="trend without intervals"),
    pytest.param(gap, id="gap"),
    pytest.param(ranking_spec, id="ranking"),
    pytest.param(lambda: charts.group_chart(group_frame(), title="Grupper", unit_label="%",
                                            direction_label="Högre är bättre").to_dict(), id="groups"),
])
def test_chart_data_hold_only_the_columns_the_layers_read(build_spec):
    spec = build_spec()
    assert rows(spec), "the chart has inline rows"
    assert unread_columns(spec) == set()


def test_a_trend_without_intervals_sends_no_interval_columns():
    data = rows(trend(with_ci=False))
    assert data and not any({"ci_low", "ci_high", "ci_text"} & set(r) for r in data)
    assert {"ci_low", "ci_high", "ci_text"} <= set(rows(trend())[0])


def test_floats_are_cut_to_seven_significant_digits_and_nan_stays_null():
    frame = pd.DataFrame({"value": [59.712345678901234, 0.000123456789, 1234567.89, np.nan, 0.0, -2.0 / 3],
                          "label": list("abcdef")})
    got = [r["value"] for r in charts.records(frame, ["value", "label"])]
    assert got == [59.71235, 0.0001234568, 1234568.0, None, 0.0, -0.6666667]
    assert json.dumps(got) == "[59.71235, 0.0001234568, 1234568.0, null, 0.0, -0.6666667]"


# --- the map ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def detailed_layer():
    """The schematic RegSO with a vertex every ~5 m along every border (as a detailed import would have),
    neighbours sharing their vertices (snapped to a 1e-9° grid after densifying)."""
    layer = geometry.build_schematic(areas.load_geography())["regso"]
    detailed = shapely.set_precision(shapely.segmentize(layer.geometry.to_numpy(), 0.00005), 1e-9)
    assert shapely.coverage_is_valid(detailed)
    return layer.set_geometry(detailed, crs=layer.crs)


@pytest.fixture(scope="module")
def overlapping_layer(detailed_layer):
    """The same, one area grown by ~50 m over its neighbours (not a coverage: an import gone slightly wrong)."""
    grown = detailed_layer.geometry.to_numpy().copy()
    grown[0] = shapely.buffer(grown[0], 0.0005)
    return detailed_layer.set_geometry(grown, crs=detailed_layer.crs)


def test_a_detailed_map_is_sent_simplified_under_the_bound(detailed_layer):
    detailed = int(shapely.get_num_coordinates(detailed_layer.geometry.to_numpy()).sum())
    assert detailed > 50_000, "the fixture must be detailed enough for the bound to matter"
    spec = build(detailed_layer, extent="kommun").to_dict()
    sent = [shape(f["geometry"]) for f in features(spec)]
    assert len(sent) == 47
    assert sum(shapely.get_num_coordinates(sent)) < detailed / 20
    assert len(json.dumps(spec)) < MAP_KB * 1000


def test_simplified_borders_stay_shared_and_valid(detailed_layer):
    spec = build(detailed_layer, extent="kommun").to_dict()
    sent = np.array([shape(f["geometry"]) for f in features(spec)])
    assert shapely.is_valid(sent).all()
    assert shapely.coverage_is_valid(sent), "no gap or overlap between neighbours"
    # Half a pixel at the largest size: nothing moved further than a tenth of the kommun's span / 1000.
    original = dict(zip(detailed_layer.code, detailed_layer.geometry))
    codes = [f["properties"]["code"] for f in features(spec)]
    moved = max(shapely.hausdorff_distance(original[c], g) for c, g in zip(codes, sent))
    assert moved < maps.simplify_tolerance(detailed_layer.geometry.to_numpy()) * 4


def test_areas_that_are_no_coverage_are_simplified_one_by_one_and_stay_valid(overlapping_layer):
    spec = build(overlapping_layer, extent="kommun").to_dict()
    sent = [shape(f["geometry"]) for f in features(spec)]
    assert all(g.is_valid and not g.is_empty for g in sent)
    assert sum(shapely.get_num_coordinates(sent)) < shapely.get_num_coordinates(
        overlapping_layer.geometry.to_numpy()).sum() / 10


def test_the_tatort_map_simplifies_less_than_the_kommun_map(detailed_layer):
    whole = detailed_layer.geometry.to_numpy()
    tatort = detailed_layer[detailed_layer.code.isin(areas.load_geography().areas.query("tatort").code)]
    assert maps.simplify_tolerance(tatort.geometry.to_numpy()) < maps.simplify_tolerance(whole)


def test_coordinates_have_at_most_five_decimals(detailed_layer):
    text = json.dumps([f["geometry"] for f in features(build(detailed_layer, extent="kommun").to_dict())])
    assert not re.search(r"\d\.\d{6,}", text)


# --- the page --------------------------------------------------------------------------------------

def test_the_deep_linked_arbete_page_sends_light_charts(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64", "utsnitt": "kommun"})
    assert not at.exception
    specs = page_charts(at)
    assert len(specs) == 5
    for spec in specs:
        polygons = [r for r in spec.pop("_rows") if r.get("type") == "Feature"]
        if polygons:
            assert len(polygons) == 47 and len(json.dumps(spec)) < MAP_KB * 1000, title_of(spec)
        else:
            assert unread_columns(spec) == set(), title_of(spec)
    assert sum(len(json.dumps(s)) for s in specs) < PAGE_KB * 1000
