"""Chart builders: the Vega-Lite JSON they return (data, colours, locale, labels) and PNG/SVG export."""

from __future__ import annotations

import json
import math
import re
from html import escape

import altair as alt
import pandas as pd
import pytest

from shb.core.format import D3_LOCALE
from shb.present import charts, text

NAN = float("nan")
YEARS = [2017, 2019, 2021, 2023]
FOCUS = [55.1, 56.0, NAN, 59.7]
REST = [75.0, 76.5, 77.2, 78.0]
CITY = [72.0, 73.4, 74.1, NAN]
SERIES_LABELS = text.series_labels("Områdesutveckling")


def walk(node):
    """Every dict inside a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def rows(spec: dict) -> list[dict]:
    """All inline data rows of a spec, whether under `datasets` or in `data.values`."""
    out = [r for values in spec.get("datasets", {}).values() for r in values]
    for d in walk(spec):
        if isinstance(d.get("data"), dict) and "values" in d["data"]:
            out += d["data"]["values"]
    return out


def colour_scales(spec: dict) -> list[dict]:
    return [d["color"]["scale"] for d in walk(spec)
            if isinstance(d.get("color"), dict) and "scale" in d["color"] and "range" in d["color"]["scale"]]


def subtitle(spec: dict) -> list[str]:
    sub = spec["title"].get("subtitle", [])
    return [sub] if isinstance(sub, str) else sub


def trend_frame(with_areas: bool = True, with_ci: bool = True) -> pd.DataFrame:
    out = []
    for key, values in (("focus", FOCUS), ("rest", REST), ("city", CITY)):
        for year, v in zip(YEARS, values):
            ci = (v - 2.0, v + 2.0) if with_ci and key == "focus" and not math.isnan(v) else (NAN, NAN)
            out.append({"year": year, "series": key, "label": SERIES_LABELS[key], "value": v,
                        "ci_low": ci[0], "ci_high": ci[1]})
    if with_areas:
        for code, base in (("1490R019", 50.0), ("1490R025", 60.0)):
            for i, year in enumerate(YEARS):
                out.append({"year": year, "series": f"area:{code}", "label": code, "value": base + i,
                            "ci_low": NAN, "ci_high": NAN})
    return pd.DataFrame(out)


def trend(**kw) -> dict:
    frame = kw.pop("frame", None)
    frame = trend_frame() if frame is None else frame
    opts = {"title": "Förvärvsarbetande", "unit_label": "%", "direction_label": "Högre värde är bättre"} | kw
    return charts.trend_chart(frame, **opts).to_dict()


def values_of(spec: dict, series: str) -> list:
    found = sorted((r["year"], r["value"]) for r in rows(spec) if r.get("series") == series)
    return [v for _, v in found]


# --- trend ---------------------------------------------------------------------------------------

def test_trend_data_are_inline_and_nan_becomes_null():
    spec = trend()
    assert values_of(spec, "focus") == [55.1, 56.0, None, 59.7]
    assert values_of(spec, "rest") == REST
    assert values_of(spec, "city") == [72.0, 73.4, 74.1, None]
    assert values_of(spec, "area:1490R025") == [60.0, 61.0, 62.0, 63.0]
    assert "NaN" not in json.dumps(spec, allow_nan=True)  # valid JSON for the browser
    json.dumps(spec, allow_nan=False)


def test_trend_colours_follow_the_house_series_colours():
    spec = trend()
    scales = colour_scales(spec)
    assert scales, "the main series need an explicit colour scale"
    for scale in scales:
        assert scale["domain"] == ["Områdesutveckling", "Övriga staden", "Hela Borås"]
        assert scale["range"] == [charts.SERIES_COLORS[k] for k in ("focus", "rest", "city")]
    assert charts.SERIES_COLORS == {"focus": "#d55e00", "rest": "#0072b2", "city": "#333333"}


def test_trend_areas_are_thin_grey_and_not_in_the_legend():
    spec = trend()
    area_layers = [lyr for lyr in spec["layer"]
                   if any("area:" in str(t.get("filter", "")) for t in lyr.get("transform", []))]
    assert len(area_layers) == 1
    layer = area_layers[0]
    assert layer["mark"]["color"] == charts.AREA_COLOR and layer["mark"]["strokeWidth"] <= 1.5
    assert "color" not in layer["encoding"]


def test_trend_lines_break_at_missing_years():
    spec = trend()
    line_marks = [lyr["mark"] for lyr in spec["layer"] if lyr["mark"]["type"] == "line"]
    assert len(line_marks) == 2
    assert all(m["invalid"] == charts.BREAK_AT_MISSING for m in line_marks)


def test_trend_draws_intervals_only_when_present():
    with_ci = trend()
    assert [lyr["mark"]["type"] for lyr in with_ci["layer"]] == ["line", "rule", "line"]
    assert any("osäkerhetsintervall" in line for line in subtitle(with_ci))
    without = trend(frame=trend_frame(with_areas=False, with_ci=False))
    assert [lyr["mark"]["type"] for lyr in without["layer"]] == ["line"]
    assert not any("osäkerhetsintervall" in line for line in subtitle(without))


def test_trend_formats_values_the_swedish_way_and_years_as_plain_integers():
    spec = trend(decimals=2)
    assert spec["usermeta"] == {"embedOptions": {"formatLocale": D3_LOCALE}}
    assert spec["config"]["locale"] == {"number": D3_LOCALE}
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"} and spec["width"] == "container"
    main = spec["layer"][-1]["encoding"]
    assert main["x"]["field"] == "year" and main["x"]["type"] == "ordinal"
    assert {"field": "value", "type": "quantitative", "title": "Värde (%)", "format": ",.2f"} in main["tooltip"]
    assert main["y"]["title"] == "%"


def test_trend_demo_label_and_direction_in_subtitle():
    assert charts.DEMO_TEXT in subtitle(trend(demo=True))
    assert charts.DEMO_TEXT not in json.dumps(trend(demo=False), ensure_ascii=False)
    assert subtitle(trend())[0] == "Högre värde är bättre"


def test_trend_type_is_large_enough_for_a_projector():
    config = trend()["config"]
    assert config["axis"]["labelFontSize"] >= 13 and config["legend"]["labelFontSize"] >= 13
    assert config["title"]["fontSize"] >= 18


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns=["ci_low"]), "frame needs columns year, series, label, value, ci_low, ci_high"),
    (lambda f: f.assign(series="fokus"), "series must be focus, rest, city or area:<code>; got fokus"),
    (lambda f: f.assign(year=2020.5), "year must hold whole years"),
    (lambda f: f.iloc[0:0], "frame is empty"),
    (lambda f: f.assign(label="Samma"), "need different labels"),
])
def test_trend_rejects_bad_frames_saying_how_to_fix_them(change, message):
    with pytest.raises(ValueError, match="trend_chart: ") as err:
        trend(frame=change(trend_frame()))
    assert message in str(err.value)


def test_trend_rejects_a_non_frame_and_bad_decimals():
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        charts.trend_chart([1, 2], title="t", unit_label="%", direction_label="d")
    with pytest.raises(ValueError, match="decimals must be an integer"):
        trend(decimals=-1)


def test_finish_chart_gives_the_spec_of_altairs_own_property_and_configure_calls():
    """finish_chart sets its properties on the chart instead of calling .properties and .configure_* (each
    of which copies a layered chart); the spec is the one those calls give."""
    def layered():
        return alt.layer(alt.Chart().mark_line().encode(x="a:Q"), alt.Chart().mark_point().encode(x="a:Q"),
                         data=alt.Data(values=[{"a": 1}]), title="t", width="container", height=100)

    sizes = charts.FONT_SIZES
    chained = (layered().properties(usermeta={"embedOptions": {"formatLocale": D3_LOCALE}}, autosize=charts.AUTOSIZE)
               .configure(locale={"number": dict(D3_LOCALE)}, font=charts.PAGE_FONT)
               .configure_axis(labelFontSize=sizes["axis_label"], titleFontSize=sizes["axis_title"],
                               labelColor="#333333", titleColor="#333333", titleFontWeight="normal", labelLimit=0)
               .configure_legend(labelFontSize=sizes["legend"], titleFontSize=sizes["legend"], labelColor="#333333",
                                 titleColor="#333333", labelLimit=0, titleLimit=520)
               .configure_title(fontSize=sizes["title"], subtitleFontSize=sizes["subtitle"],
                                subtitleColor=charts.MUTED_TEXT, anchor="start", offset=12)
               .configure_view(stroke=None))
    assert charts.finish_chart(layered()).to_dict() == chained.to_dict()
    configured = layered().configure_axis(labelFontSize=99)
    assert charts.finish_chart(configured).to_dict() == chained.to_dict()  # a config it had is replaced


# --- gap -----------------------------------------------------------------------------------------

def gap(**kw) -> dict:
    frame = pd.DataFrame({"year": YEARS, "difference": [-17.0, -16.5, NAN, 2.25]})
    opts = {"title": "Gapet", "unit_label": "%", "diff_label": "Skillnad, procentenheter",
            "direction_label": "Högre värde är bättre", "focus_label": "Områdesutveckling"} | kw
    return charts.gap_chart(frame, **opts).to_dict()


def test_gap_chart_values_zero_rule_and_axis_title():
    spec = gap()
    assert sorted((r["year"], r["difference"]) for r in rows(spec)) == [
        (2017, -17.0), (2019, -16.5), (2021, None), (2023, 2.25)]
    marks = [lyr["mark"]["type"] for lyr in spec["layer"]]
    assert marks == ["bar", "text", "text", "text", "rule"]
    assert spec["layer"][-1]["encoding"]["y"] == {"datum": 0}
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Skillnad, procentenheter"
    assert spec["layer"][0]["mark"]["color"] == charts.SERIES_COLORS["focus"]
    assert spec["layer"][1]["encoding"]["text"]["format"] == "+,.1f"
    assert spec["layer"][3]["encoding"]["text"] == {"value": "saknas"}


def test_gap_chart_leaves_room_below_the_longest_bar():
    low, high = gap()["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert low < -17.0 and high > 2.25


def test_gap_chart_locale_and_demo():
    spec = gap(demo=True)
    assert spec["usermeta"]["embedOptions"]["formatLocale"] == D3_LOCALE
    assert charts.DEMO_TEXT in subtitle(spec)
    assert "Skillnad = Områdesutveckling minus Hela Borås" in subtitle(spec)
    assert charts.DEMO_TEXT not in subtitle(gap())


def test_gap_and_ranking_name_the_chosen_set():
    assert "Skillnad = Polisens lista 2025 minus Hela Borås" in subtitle(gap(focus_label="Polisens lista 2025"))
    spec = ranking(focus_label="Polisens lista 2025")
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["Polisens lista 2025", "Övriga områden"]
    assert "Områdesutveckling" not in json.dumps(spec)


def test_gap_chart_needs_difference():
    with pytest.raises(ValueError, match="gap_chart: frame needs columns year, difference; got year, value"):
        charts.gap_chart(pd.DataFrame({"year": [2020], "value": [1.0]}), title="t", unit_label="%",
                         diff_label="d", direction_label="x")


# --- ranking -------------------------------------------------------------------------------------

def ranking_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "area_code": ["1490R019", "1490R025", "1490R001", "1490R002", "1490R003", "1490R004", "1490R005"],
        "area_name": ["Hässleholmen", "Norrby", "Centrum", "Tämta", "Sjöbo", "Bredared", "Dalsjöfors"],
        "value": [52.0, 61.5, 80.2, NAN, 12.0, NAN, 70.0],
        "status": ["ok", "ok", "ok", "missing", "suppressed", "not_applicable", "ok"],
        "is_focus": [True, True, False, False, False, False, False],
    })


def ranking(**kw) -> dict:
    opts = {"city_value": 74.26, "title": "Per område", "unit_label": "%",
            "direction_label": "Högre värde är bättre", "focus_label": "Områdesutveckling"} | kw
    return charts.ranking_chart(ranking_frame(), **opts).to_dict()


def test_ranking_sorts_best_first_and_lists_areas_without_value_last():
    spec = ranking()
    bars = spec["layer"][0]
    assert bars["encoding"]["y"]["sort"] == ["Centrum", "Dalsjöfors", "Norrby", "Hässleholmen",
                                             "Sjöbo", "Tämta", "Bredared"]
    low_first = ranking(direction="lower")["layer"][0]["encoding"]["y"]["sort"]
    assert low_first[:4] == ["Hässleholmen", "Norrby", "Dalsjöfors", "Centrum"]
    assert spec["height"] == 7 * charts.ROW_HEIGHT


def test_ranking_never_draws_a_suppressed_value():
    data = {r["area_code"]: r for r in rows(ranking()) if "area_code" in r}
    assert data["1490R003"]["value"] is None and data["1490R003"]["status_text"] == "undertryckt"
    assert data["1490R002"]["status_text"] == "saknas"
    assert data["1490R004"]["status_text"] == "ej tillämplig"
    assert data["1490R025"]["value"] == 61.5 and data["1490R025"]["status_text"] == "värde finns"


def test_ranking_colours_focus_areas_and_labels_the_city_rule():
    spec = ranking()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Områdesutveckling", "Övriga områden"],
                     "range": [charts.SERIES_COLORS["focus"], charts.OTHER_AREA_COLOR]}
    groups = {r["area_code"]: r["group"] for r in rows(spec) if "area_code" in r}
    assert groups["1490R019"] == "Områdesutveckling" and groups["1490R001"] == "Övriga områden"
    assert {"city_value": 74.26, "city_text": "Hela Borås: 74,3 %"} in rows(spec)
    assert [lyr["mark"]["type"] for lyr in spec["layer"]] == ["bar", "text", "text", "rule", "text"]


def test_ranking_without_city_value_has_no_rule():
    assert "rule" not in [lyr["mark"]["type"] for lyr in ranking(city_value=None)["layer"]]
    assert "rule" not in [lyr["mark"]["type"] for lyr in ranking(city_value=NAN)["layer"]]


def test_ranking_takes_numpy_numbers_for_the_city():
    import numpy as np

    assert {"city_value": 74.0, "city_text": "Hela Borås: 74,0 %"} in rows(ranking(city_value=np.int64(74)))


@pytest.mark.parametrize(("kw", "frame_change", "message"), [
    ({"direction": "up"}, None, "direction must be one of 'higher', 'lower', 'balance'; got 'up'"),
    ({}, lambda f: f.assign(status="hidden"), "status must be one of ok, suppressed, missing, not_applicable"),
    ({}, lambda f: f.drop(columns="is_focus"), "frame needs columns area_code, area_name, value, status, is_focus"),
    ({}, lambda f: pd.concat([f, f.iloc[:1]]), "area_code must be unique; repeated: 1490R019"),
    ({"city_value": "74"}, None, "city_value must be a number or None"),
])
def test_ranking_rejects_bad_calls(kw, frame_change, message):
    frame = ranking_frame() if frame_change is None else frame_change(ranking_frame())
    opts = {"city_value": 74.0, "title": "t", "unit_label": "%", "direction_label": "d"} | kw
    with pytest.raises(ValueError) as err:
        charts.ranking_chart(frame, **opts)
    assert message in str(err.value)


# --- groups --------------------------------------------------------------------------------------

def group_frame() -> pd.DataFrame:
    out = []
    for group, values in (("Kvinnor", [48.0, 58.5, 56.0]), ("Utrikes födda", [40.25, NAN, 51.0])):
        for key, v in zip(("focus", "rest", "city"), values):
            out.append({"group_label": group, "series": key, "label": SERIES_LABELS[key], "value": v})
    return pd.DataFrame(out)


def test_group_chart_values_colours_and_labels():
    spec = charts.group_chart(group_frame(), title="Grupper", unit_label="%", direction_label="Högre är bättre",
                              decimals=2, demo=True).to_dict()
    data = {(r["group_label"], r["label"]): r["value"] for r in rows(spec)}
    focus, rest = SERIES_LABELS["focus"], SERIES_LABELS["rest"]
    assert data[("Utrikes födda", focus)] == 40.25 and data[("Utrikes födda", rest)] is None
    bars, labels, missing = spec["layer"]
    assert bars["encoding"]["color"]["scale"]["range"] == [charts.SERIES_COLORS[k] for k in ("focus", "rest", "city")]
    assert bars["encoding"]["y"]["sort"] == ["Kvinnor", "Utrikes födda"]
    assert bars["encoding"]["yOffset"]["field"] == "label"
    assert labels["encoding"]["text"]["format"] == ",.2f"
    assert missing["encoding"]["text"] == {"value": "saknas"}
    assert charts.DEMO_TEXT in subtitle(spec) and spec["usermeta"]["embedOptions"]["formatLocale"] == D3_LOCALE


def test_group_chart_rejects_area_series():
    frame = group_frame().assign(series="area:1490R019")
    with pytest.raises(ValueError, match="group_chart: series must be focus, rest or city; got area:1490R019"):
        charts.group_chart(frame, title="t", unit_label="%", direction_label="d")


# --- export --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_trend() -> alt.LayerChart:
    return charts.trend_chart(trend_frame(with_areas=False), title="Export", unit_label="%",
                              direction_label="Högre värde är bättre", demo=True)


def test_export_png_is_a_png_at_the_export_width(small_trend):
    png = charts.export_png(small_trend, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert charts.EXPORT_WIDTH <= width < charts.EXPORT_WIDTH + 200  # container width became a number
    assert int.from_bytes(charts.export_png(small_trend, scale=2)[16:20], "big") == 2 * width


def test_export_svg_uses_the_swedish_number_format(small_trend):
    svg = charts.export_svg(small_trend)
    assert "<svg" in svg
    assert "Demodata – inte Borås siffror" in svg
    big = charts.trend_chart(trend_frame(with_areas=False).assign(value=lambda f: f.value * 100), title="t",
                             unit_label="antal", direction_label="d")
    assert "7\u00a0500" in charts.export_svg(big)  # space between thousands, not "7,500"


def test_exported_axis_and_legend_labels_are_whole():
    """No house limit cuts a label with "…": a long series name in a trend's legend, and long labels on an
    axis without a limit of its own, are drawn whole (Vega's defaults cut at 160 and 180 px)."""
    long_set = "Områdesutveckling enligt Polisens lista över utsatta områden 2025 och kommunens egna urval"
    frame = trend_frame(with_areas=False)
    frame.loc[frame.series == "focus", "label"] = long_set
    svg = charts.export_svg(charts.trend_chart(frame, title="t", unit_label="%", direction_label="d"))
    assert "…" not in svg and escape(long_set) in svg
    label = "Förskoleklass till och med årskurs nio i kommunala och fristående skolor"
    bars = alt.Chart(pd.DataFrame({"stage": [label, "Gymnasiet"], "value": [1.0, 2.0]})).mark_bar().encode(
        x=alt.X("stage:N", axis=alt.Axis(labelAngle=0)), y="value:Q")
    svg = charts.export_svg(charts.finish_chart(bars.properties(width=900)))
    assert "…" not in svg and label in svg


def test_export_without_the_schema_check_draws_the_same_svg_and_skips_only_the_check(small_trend):
    """The report draws with validate=False: the same SVG for a valid chart; an invalid one is refused
    only when checked."""
    assert charts.export_svg(small_trend, validate=False) == charts.export_svg(small_trend)
    bad = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    bad.mark = {"type": "bar", "nonsense": 1}
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        charts.export_svg(bad)
    assert charts.export_svg(bad, validate=False).startswith("<svg")


def test_unchecked_spec_is_the_json_of_to_dict():
    """The report's spec without Altair's copy and walk of the data rows is the JSON `to_dict` gives, for
    layered charts with inline rows (with and without area lines and intervals), a single chart, and a
    chart whose data is a frame (which goes through `to_dict` itself)."""
    def same(chart):
        return json.dumps(charts.unchecked_spec(chart), sort_keys=True) == json.dumps(
            chart.to_dict(validate=False), sort_keys=True)

    made = [charts.trend_chart(trend_frame(with_areas=a, with_ci=c), title="t", unit_label="%", direction_label="d",
                               demo=a) for a in (True, False) for c in (True, False)]
    made.append(charts.gap_chart(pd.DataFrame({"year": YEARS, "difference": [-17.0, -16.5, NAN, 2.25]}),
                                 title="Gapet", unit_label="%", diff_label="Skillnad", direction_label="d",
                                 focus_label="Områdesutveckling"))
    made.append(charts.group_chart(group_frame(), title="Grupper", unit_label="%", direction_label="d"))
    made.append(charts.finish_chart(alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q")))
    assert all(same(chart) for chart in made)


def test_exports_name_the_font_they_are_measured_in_and_leave_the_chart_as_it_was(small_trend):
    svg = charts.export_svg(small_trend, validate=False)
    fonts = set(re.findall(r'font-family="([^"]*)"', svg))
    assert fonts == {escape(charts.EXPORT_FONT)}
    assert small_trend.to_dict()["config"]["font"] == charts.PAGE_FONT  # pages keep the page's font


def test_a_drawing_laid_out_once_keeps_near_the_export_width(small_trend):
    """The report's drawings are laid out once (`fit=False`): `autosize: pad` and a plot narrower by the room
    an axis usually takes, so the SVG stays within a few per cent of the export width; every other export
    fits the width exactly, laid out twice by Vega."""
    once = json.loads(charts._export_spec(small_trend, charts.EXPORT_WIDTH, "t", validate=False, fit=False))
    assert once["autosize"] == {"type": "pad"}
    assert once["width"] == charts.EXPORT_WIDTH - charts.LAID_OUT_ONCE_ROOM["chart"]
    fitted = json.loads(charts._export_spec(small_trend, charts.EXPORT_WIDTH, "t", validate=False))
    assert fitted["autosize"] == charts.AUTOSIZE.to_dict() and fitted["width"] == charts.EXPORT_WIDTH

    def drawn_width(svg: str) -> float:
        return float(re.search(r'<svg[^>]*width="([0-9.]+)"', svg).group(1))

    assert drawn_width(charts.export_svg(small_trend, validate=False)) == charts.EXPORT_WIDTH
    assert abs(drawn_width(charts.export_svg(small_trend, validate=False, fit=False)) - charts.EXPORT_WIDTH) < 40
    fixed = charts.finish_chart(alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q").properties(width=300))
    # A chart of a width of its own is fitted to that width; laid out once, its plot leaves the same room.
    assert json.loads(charts._export_spec(fixed, 960, "t", validate=False, fit=False))["width"] == (
        300 - charts.LAID_OUT_ONCE_ROOM["chart"])


def test_export_svgs_draws_each_chart_in_order_through_export_svg(small_trend, monkeypatch):
    other = small_trend.properties(title="Annan titel")
    assert charts.export_svgs([small_trend, other], workers=2) == [charts.export_svg(small_trend),
                                                                    charts.export_svg(other)]
    # whatever stands in for export_svg (as the no-leak test's stand-in does) stands in for the batch too
    monkeypatch.setattr(charts, "export_svg", lambda chart, **kw: f"{chart.to_dict()['title']}|{kw['validate']}")
    drawn = charts.export_svgs([other, small_trend, other], validate=False, workers=3)
    assert [d.split("|")[1] for d in drawn] == ["False"] * 3
    assert drawn[0] == drawn[2] != drawn[1]
    assert charts.export_svgs([]) == []
    with pytest.raises(ValueError, match="workers must be a positive whole number"):
        charts.export_svgs([small_trend], workers=0)


def test_export_accepts_a_spec_dict_and_rejects_what_is_not_a_chart(small_trend):
    assert charts.export_png(small_trend.to_dict())[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="chart must be an Altair chart"):
        charts.export_png("<svg/>")
    with pytest.raises(ValueError, match="scale must be a positive number"):
        charts.export_png(alt.Chart(pd.DataFrame({"a": [1]})).mark_bar(), scale=0)
