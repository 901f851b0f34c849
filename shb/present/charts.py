"""Pure Altair chart builders (trend, gap, ranking, groups, social gradient) and PNG/SVG export.

Why one module of about 800 lines: the five builders share the house encodings (colours, Swedish
number format, the subtitle with direction, source and demo lines) and the input checks that say how
to fix a bad call; splitting them would spread those shared pieces over several files.

Encodings are given as channel objects (``alt.Detail("series:N")``, ``alt.XDatum(0)``), never as shorthand
strings or dicts: Altair turns those into objects through ``from_dict``, which rebuilds its table of
classes on every call (milliseconds each, thousands of times for a report).
"""

from __future__ import annotations

import copy
import json
import math
import numbers
from collections.abc import Iterable
from concurrent.futures import Future

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from shb.core import format as fmt
from shb.core.format import D3_LOCALE
from shb.present import drawing
from shb.present.text import CITY_LABEL, DEMO_TEXT, FOCUS_FALLBACK, MAIN_SERIES, OTHER_AREAS_LABEL

# Okabe–Ito: the same three colours for the same three series in every chart and on the map.
SERIES_COLORS = {"focus": "#d55e00", "rest": "#0072b2", "city": "#333333"}
AREA_PREFIX = "area:"
AREA_COLOR = "#b8b8b8"  # individual areas: thin and grey, never a wall of coloured lines
OTHER_AREA_COLOR = "#cccccc"
MUTED_TEXT = "#555555"

DIRECTIONS = ("higher", "lower", "balance")
STATUSES = ("ok", "suppressed", "missing", "not_applicable")
NO_VALUE_TEXT = {"suppressed": "undertryckt", "missing": "saknas", "not_applicable": "ej tillämplig"}

# The page's font (Streamlit's theme "sans serif" is Source Sans), so charts read as part of the page;
# drawn outside a page they name EXPORT_FONT instead (`_export_spec`).
PAGE_FONT = '"Source Sans", "Source Sans Pro", sans-serif'
# Drawn outside a page (report, slides, exports), a chart is measured by vl-convert in the first of these it
# has: Liberation Sans (built in), metrically the same as Arial, so a reader without it sees the layout as
# measured. Naming a font it has also spares vl-convert the search through the others for every glyph it
# measures: the report's 120 charts drew in 11 % less time (vl-convert 1.9).
EXPORT_FONT = '"Liberation Sans", Arial, sans-serif'
# Read on a projector: nothing smaller than 13 px, titles at least 18 px.
FONT_SIZES = {"axis_label": 14, "axis_title": 15, "legend": 14, "title": 22, "subtitle": 15, "mark": 14}
ROW_HEIGHT = 18
EXPORT_WIDTH = 960
LOCALE_USERMETA = {"embedOptions": {"formatLocale": D3_LOCALE}}
# Width fills the container; `height` stays the plot's own height (Streamlit's theme would otherwise
# squeeze titles and legends into it, leaving a flat plot).
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")

# Vega-Lite 6: break lines at missing years instead of drawing across them.
BREAK_AT_MISSING = "break-paths-filter-domains"


# --- shared helpers -------------------------------------------------------------------------------

def _check_call(frame: object, columns: Iterable[str], who: str, demo: bool, citation: str | None, decimals: int,
                empty: str = "pass at least one row", **texts: str | None) -> None:
    """The checks every builder starts with: the frame's columns, the source line, the texts, the decimals and
    at least one row; ValueError saying how to fix the call."""
    require_columns(frame, columns, who)
    check_citation(demo, citation, who)
    _check_text(who, **texts)
    check_decimals(decimals, who)
    if frame.empty:
        raise ValueError(f"{who}: frame is empty; {empty}")


def require_columns(frame: object, columns: Iterable[str], who: str, name: str = "frame") -> None:
    """Raise ValueError unless `frame` is a DataFrame holding every column in `columns`."""
    columns = list(columns)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{who}: {name} must be a pandas DataFrame with columns {', '.join(columns)}; "
                         f"got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        got = ", ".join(map(str, frame.columns)) or "no columns"
        raise ValueError(f"{who}: {name} needs columns {', '.join(columns)}; got {got} "
                         f"(missing {', '.join(missing)})")


def check_choice(value: object, allowed: Iterable[str], who: str, name: str) -> None:
    """Raise ValueError unless `value` is one of `allowed`."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{who}: {name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def check_decimals(decimals: object, who: str) -> None:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise ValueError(f"{who}: decimals must be an integer from 0 to 6; got {decimals!r}")


def check_statuses(statuses: pd.Series, who: str) -> None:
    bad = sorted(set(statuses.dropna().astype(str)) - set(STATUSES)) + (["None"] if statuses.isna().any() else [])
    if bad:
        raise ValueError(f"{who}: status must be one of {', '.join(STATUSES)}; got {', '.join(bad)}")


def is_number(value: object) -> bool:
    """True for a finite real number (None, NaN and text are not numbers)."""
    if value is None or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def clean(value: object) -> object:
    """A JSON-safe Python scalar: NaN/NaT/None become None, numpy scalars become Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


SIGNIFICANT_DIGITS = 7  # what a chart sends of a float: far finer than any label, tooltip or pixel


def rounded(values: pd.Series) -> pd.Series:
    """Floats cut to SIGNIFICANT_DIGITS (NaN stays NaN), so the page carries 59.71235, not 59.712345678901234."""
    x = values.to_numpy(dtype=float)
    magnitude = np.floor(np.log10(np.abs(x), out=np.zeros_like(x), where=np.isfinite(x) & (x != 0)))
    scale = 10.0 ** np.clip(SIGNIFICANT_DIGITS - 1 - magnitude, 0, 15)
    return pd.Series(np.round(x * scale) / scale, index=values.index)


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    """Rows as plain dicts for inline data (alt.Data(values=...)), with NaN written as null and floats
    `rounded`; only the columns given (those the chart's encodings and filters read)."""
    columns = list(columns)
    frame = frame[columns]
    floats = [c for c in columns if pd.api.types.is_float_dtype(frame[c])]
    frame = frame.assign(**{c: rounded(frame[c]) for c in floats}) if floats else frame
    return [{c: clean(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False)]


def number_format(decimals: int, sign: bool = False, trim: bool = False) -> str:
    """A d3 format string: ',.1f' (space thousands and decimal comma under the Swedish locale).

    With trim=True trailing zeros go ('90' rather than '90,0'), which suits axis ticks.
    """
    return f"{'+' if sign else ''},.{decimals}{'~' if trim else ''}f"


def unit_of(unit_label: str) -> str:
    """The catalogue unit behind a display label, as shb.format expects it ('%' is 'procent')."""
    return "procent" if unit_label.strip() == "%" else unit_label


def subtitle_lines(*lines: str | None, demo: bool = False, citation: str | None = None) -> list[str]:
    """Subtitle lines without blanks, with where the values come from last: the demo label (or a demo
    `citation`, e.g. partly generated values) for demo data, else `citation` (the real source) if given."""
    out = [line for line in lines if line]
    if demo:
        return [*out, citation or DEMO_TEXT]
    return [*out, citation] if citation else out


def check_citation(demo: object, citation: object, who: str) -> None:
    """Raise ValueError unless `citation` is None or text, and says demodata when `demo` is true."""
    if citation is None:
        return
    if not isinstance(citation, str) or not citation.strip():
        raise ValueError(f"{who}: citation must be a non-empty string (e.g. 'Källa: SCB, tabell X') or None; "
                         f"got {citation!r}")
    if demo and "demodata" not in citation.lower():
        raise ValueError(f"{who}: demo=True, so citation must say demodata (or be None for "
                         f"{DEMO_TEXT!r}); got {citation!r}")


def title_params(title: str, lines: list[str]) -> alt.TitleParams:
    return alt.TitleParams(text=title, subtitle=lines, anchor="start")


def unchecked():
    """A context in which Altair does not check each part of a chart against the schema as it is made.

    Altair checks every part (axis, scale, title, ...) when it is made, thousands of times for a report;
    the builders' specs are valid by construction and checked whole by their tests, so a caller that
    builds many charts (the report) builds them in this context. The flag is Altair's own, for the whole
    process (Altair itself turns it off while it copies a chart).
    """
    return alt.utils.schemapi.debug_mode(False)


# Axis and legend labels are never cut unless a chart sets its own limit (a ranking's area names): with a
# limit Vega measures every label once more to see whether it fits, and vl-convert measures text by laying
# out each glyph from the font file, so the defaults (180 and 160 px) cost a sixth of a report's drawing
# while cutting none of its labels (bench/results.md).
NO_LABEL_LIMIT = 0


def house_config() -> alt.Config:
    """The house configuration (`finish_chart`), a new object each call."""
    return alt.Config(
        locale={"number": dict(D3_LOCALE)}, font=PAGE_FONT,
        axis=alt.AxisConfig(labelFontSize=FONT_SIZES["axis_label"], titleFontSize=FONT_SIZES["axis_title"],
                            labelColor="#333333", titleColor="#333333", titleFontWeight="normal",
                            labelLimit=NO_LABEL_LIMIT),
        legend=alt.LegendConfig(labelFontSize=FONT_SIZES["legend"], titleFontSize=FONT_SIZES["legend"],
                                labelColor="#333333", titleColor="#333333", labelLimit=NO_LABEL_LIMIT,
                                titleLimit=520),
        title=alt.TitleConfig(fontSize=FONT_SIZES["title"], subtitleFontSize=FONT_SIZES["subtitle"],
                              subtitleColor=MUTED_TEXT, anchor="start", offset=12),
        view=alt.ViewConfig(stroke=None))


def finish_chart(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Give a top-level chart the Swedish number locale and the large house type.

    Parameters
    ----------
    chart : altair top-level chart
        A chart that is about to be returned to the caller; it is changed in place (and returned).

    Returns
    -------
    altair top-level chart
        The same chart with ``usermeta.embedOptions.formatLocale`` (read by vega-embed),
        ``config.locale`` (read by Vega itself, so it also holds where the embed options are
        dropped, as in Streamlit and vl-convert), width-only autosizing and font sizes for a
        projector, in the page's font (PAGE_FONT); any config it had is replaced.

    Notes
    -----
    The properties are set on the chart rather than through ``.properties``/``.configure_*``: each
    of those copies a layered chart (and Altair's layer constructor deep-copies every layer twice), which
    was most of the time spent building a report's charts. The spec is the same.
    """
    chart.usermeta = copy.deepcopy(LOCALE_USERMETA)
    chart.autosize = AUTOSIZE
    chart.config = house_config()
    return chart


def _main_labels(frame: pd.DataFrame, who: str) -> tuple[list[str], list[str]]:
    """Legend domain (display labels) and colour range for the main series present, in house order."""
    domain, colours = [], []
    for key in MAIN_SERIES:
        labels = frame.loc[frame.series == key, "label"].dropna().unique()
        if len(labels) > 1:
            raise ValueError(f"{who}: series {key!r} must have one label; got {', '.join(map(str, labels))}")
        if len(labels):
            domain.append(str(labels[0]))
            colours.append(SERIES_COLORS[key])
    if len(set(domain)) < len(domain):
        raise ValueError(f"{who}: the series focus, rest and city need different labels; got {', '.join(domain)}")
    return domain, colours


def _check_years(frame: pd.DataFrame, who: str) -> None:
    years = pd.to_numeric(frame["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        raise ValueError(f"{who}: year must hold whole years (e.g. 2021) in every row")


def _check_text(who: str, **texts: object) -> None:
    for name, text in texts.items():
        if not isinstance(text, str):
            raise ValueError(f"{who}: {name} must be a string; got {text!r}")


# --- trend ---------------------------------------------------------------------------------------

TREND_COLUMNS = ("year", "series", "label", "value", "ci_low", "ci_high")


def trend_chart(frame: pd.DataFrame, *, title: str, unit_label: str, direction_label: str, decimals: int = 1,
                demo: bool = False, height: int = 360, citation: str | None = None,
                aims: Iterable[tuple[float, str]] = ()) -> alt.LayerChart:
    """Lines over the years for the focus set, the rest of the city and the whole city.

    Parameters
    ----------
    frame : DataFrame
        Columns ``year`` (int), ``series`` (``"focus"``, ``"rest"``, ``"city"`` or ``"area:<code>"``),
        ``label`` (Swedish display name), ``value``, ``ci_low``, ``ci_high`` (floats, NaN when absent).
    title : str
        Chart title.
    unit_label : str
        The unit, shown as the y-axis title (e.g. ``"%"``).
    direction_label : str
        Which direction is better, e.g. ``"Högre värde är bättre"``; shown in the subtitle.
    decimals : int
        Decimals in axis labels and tooltips.
    demo : bool
        Add "Demodata – inte Borås siffror" to the subtitle.
    citation : str, optional
        Where the values come from, last in the subtitle: the real source ("Källa: …") or, with
        ``demo=True``, a demo line of its own (it must say demodata).
    height : int
        Height in pixels; the width follows the container.
    aims : iterable of (float, str)
        Målvärden to draw as dashed horizontal lines, each with its label (e.g. ``"Målvärde 2030: 0 %"``).

    Returns
    -------
    alt.LayerChart
        Thin grey lines for individual areas, thick coloured lines with points for the three series,
        vertical bars for uncertainty intervals where present; missing years leave gaps.
    """
    who = "trend_chart"
    _check_call(frame, TREND_COLUMNS, who, demo, citation, decimals, title=title, unit_label=unit_label,
                direction_label=direction_label)
    _check_years(frame, who)
    series = frame["series"].astype(str)
    bad = sorted(set(series[~series.isin(MAIN_SERIES) & ~series.str.startswith(AREA_PREFIX)]))
    if bad:
        raise ValueError(f"{who}: series must be focus, rest, city or area:<code>; got {', '.join(bad)}")

    data = frame.assign(year=pd.to_numeric(frame["year"]).astype(int), series=series)
    domain, colours = _main_labels(data, who)
    has_ci = data.series.isin(MAIN_SERIES) & data.ci_low.notna() & data.ci_high.notna()
    ci_text = [f"{fmt.number(lo, decimals)}–{fmt.number(hi, decimals)}" if ok else "–"
               for lo, hi, ok in zip(data.ci_low, data.ci_high, has_ci)]
    data = data.assign(ci_text=ci_text)
    value_format = number_format(decimals)

    x = alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=unit_label, scale=alt.Scale(zero=False), axis=alt.Axis(format=number_format(decimals, trim=True)))
    colour = alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal", symbolType="stroke",
                                         symbolStrokeWidth=5, symbolOpacity=1, symbolSize=500))
    tooltip = [alt.Tooltip("label:N", title="Serie"), alt.Tooltip("year:O", title="År"),
               alt.Tooltip("value:Q", title=f"Värde ({unit_label})", format=value_format)]
    main = alt.FieldOneOfPredicate(field="series", oneOf=list(MAIN_SERIES))

    areas = (alt.Chart().transform_filter(f"indexof(datum.series, '{AREA_PREFIX}') === 0")
             .mark_line(color=AREA_COLOR, strokeWidth=1.2, opacity=0.8, invalid=BREAK_AT_MISSING)
             .encode(x=x, y=y, detail=alt.Detail("series:N"), tooltip=tooltip))
    intervals = (alt.Chart().transform_filter(main)
                 .transform_filter("isValid(datum.ci_low) && isValid(datum.ci_high)")
                 .mark_rule(strokeWidth=3, opacity=0.45)
                 .encode(x=x, y=alt.Y("ci_low:Q"), y2=alt.Y2("ci_high:Q"), color=colour,
                         tooltip=[*tooltip, alt.Tooltip("ci_text:N", title="Osäkerhetsintervall")]))
    lines = (alt.Chart().transform_filter(main)
             .mark_line(strokeWidth=3.5, invalid=BREAK_AT_MISSING,
                        point=alt.OverlayMarkDef(size=90, filled=True))
             .encode(x=x, y=y, color=colour,
                     tooltip=tooltip + ([alt.Tooltip("ci_text:N", title="Osäkerhetsintervall")]
                                        if has_ci.any() else [])))

    aim_layers = _aim_layers(list(aims), who)
    layers = ([areas] if data.series.str.startswith(AREA_PREFIX).any() else [])
    layers += ([intervals] if has_ci.any() else []) + [lines] + aim_layers
    notes = (["tunna grå linjer: enskilda områden"] if layers[0] is areas else []) + (
        ["lodräta streck: osäkerhetsintervall"] if has_ci.any() else []) + (
        ["streckad linje: målvärde"] if aim_layers else [])
    reading = "; ".join(notes) if notes else None
    reading = reading[0].upper() + reading[1:] if reading else None
    columns = [*TREND_COLUMNS, "ci_text"] if has_ci.any() else ["year", "series", "label", "value"]
    chart = alt.layer(*layers, data=alt.Data(values=records(data, columns)),
                      title=title_params(title, subtitle_lines(direction_label, reading, demo=demo, citation=citation)),
                      width="container", height=height)
    return finish_chart(chart)


AIM_COLOR = "#009e73"  # Okabe–Ito bluish green: apart from the three series


def _aim_layers(aims: list[tuple[float, str]], who: str) -> list[alt.Chart]:
    """A dashed rule and its label per målvärde (own data, so the series' data stays as it is)."""
    if not aims:
        return []
    if not all(is_number(v) and isinstance(label, str) and label.strip() for v, label in aims):
        raise ValueError(f"{who}: aims must be (number, label) pairs; got {aims!r}")
    values = alt.Data(values=[{"aim": float(v), "aim_label": label} for v, label in aims])
    y = alt.Y("aim:Q")
    rule = alt.Chart(values).mark_rule(color=AIM_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(
        y=y, tooltip=[alt.Tooltip("aim_label:N", title="Målvärde")])
    label = alt.Chart(values).mark_text(align="left", dx=4, dy=-8, color=AIM_COLOR,
                                        fontSize=FONT_SIZES["mark"]).encode(y=y, x=alt.XValue(0), text=alt.Text("aim_label:N"))
    return [rule, label]


# --- gap -----------------------------------------------------------------------------------------

def _padded_domain(values: pd.Series) -> list[float]:
    """A value domain that holds zero and leaves room for the bar labels beyond the longest bar."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    low, high = min(0.0, float(numbers.min()) if len(numbers) else 0.0), max(0.0, float(numbers.max()) if len(numbers) else 0.0)
    room = 0.15 * ((high - low) or 1.0)
    return [low - room if low < 0 else 0.0, high + room if high > 0 or low == 0 else 0.0]


def gap_chart(frame: pd.DataFrame, *, title: str, unit_label: str, diff_label: str, direction_label: str,
              decimals: int = 1, demo: bool = False, height: int = 260,
              focus_label: str = FOCUS_FALLBACK, citation: str | None = None) -> alt.LayerChart:
    """Bars for the gap between the focus set and the whole city, year by year, around a zero line.

    Parameters
    ----------
    frame : DataFrame
        Columns ``year`` (int) and ``difference`` (focus − city, NaN when not available).
    title : str
        Chart title.
    unit_label : str
        The indicator's unit; the gap's own unit is in `diff_label` (percentages differ in
        procentenheter), so this is only used to check the call is complete.
    diff_label : str
        The y-axis title, e.g. ``"Skillnad, procentenheter"``.
    direction_label : str
        Which direction is better, shown in the subtitle.
    decimals : int
        Decimals in bar labels and tooltips.
    demo : bool
        Add "Demodata – inte Borås siffror" to the subtitle.
    citation : str, optional
        Where the values come from, last in the subtitle: the real source ("Källa: …") or, with
        ``demo=True``, a demo line of its own (it must say demodata).
    height : int
        Height in pixels; the width follows the container.
    focus_label : str
        Name of the focus set in the subtitle's explanation of the sign (the chosen set's title,
        `shb.present.text.series_labels`).

    Returns
    -------
    alt.LayerChart
        One bar per year in the focus colour with a signed label, a zero rule, and "saknas"
        written at zero for years without a difference.
    """
    who = "gap_chart"
    _check_call(frame, ("year", "difference"), who, demo, citation, decimals, title=title, unit_label=unit_label,
                diff_label=diff_label, direction_label=direction_label, focus_label=focus_label)
    _check_years(frame, who)
    data = frame.assign(year=pd.to_numeric(frame["year"]).astype(int))
    signed = number_format(decimals, sign=True)
    x = alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0))
    y = alt.Y("difference:Q", title=diff_label, scale=alt.Scale(domain=_padded_domain(data["difference"])),
              axis=alt.Axis(format=number_format(decimals, trim=True)))
    tooltip = [alt.Tooltip("year:O", title="År"), alt.Tooltip("difference:Q", title=diff_label, format=signed)]

    base = alt.Chart()
    bars = (base.transform_filter("isValid(datum.difference)")
            .mark_bar(color=SERIES_COLORS["focus"], opacity=0.9, width={"band": 0.6})
            .encode(x=x, y=y, tooltip=tooltip))
    text_style = {"fontSize": FONT_SIZES["mark"], "color": "#222222"}
    above = (base.transform_filter("isValid(datum.difference) && datum.difference >= 0")
             .mark_text(baseline="bottom", dy=-4, **text_style)
             .encode(x=x, y=y, text=alt.Text("difference:Q", format=signed)))
    below = (base.transform_filter("isValid(datum.difference) && datum.difference < 0")
             .mark_text(baseline="top", dy=4, **text_style)
             .encode(x=x, y=y, text=alt.Text("difference:Q", format=signed)))
    missing = (base.transform_filter("!isValid(datum.difference)")
               .mark_text(baseline="bottom", dy=-4, fontStyle="italic", fontSize=FONT_SIZES["mark"],
                          color=MUTED_TEXT)
               .encode(x=x, y=alt.YDatum(0), text=alt.TextValue("saknas")))
    zero = base.mark_rule(color=SERIES_COLORS["city"], strokeWidth=1.5).encode(y=alt.YDatum(0))

    sign_note = f"Skillnad = {focus_label} minus {CITY_LABEL}"
    chart = alt.layer(bars, above, below, missing, zero, data=alt.Data(values=records(data, ["year", "difference"])),
                      title=title_params(title, subtitle_lines(sign_note, direction_label, demo=demo, citation=citation)),
                      width="container", height=height)
    return finish_chart(chart)


# --- ranking -------------------------------------------------------------------------------------

RANKING_COLUMNS = ("area_code", "area_name", "value", "status", "is_focus")
HAS_VALUE = "isValid(datum.value)"  # a ranking row's value is null unless its status is ok


def _ranking_rows(frame: pd.DataFrame, direction: str, decimals: int, focus_label: str) -> pd.DataFrame:
    """One row per area in display order: best value first, areas without a value last."""
    values = pd.to_numeric(frame["value"], errors="coerce")
    has_value = (frame["status"] == "ok") & values.notna()
    rows = frame.assign(value=values.where(has_value), has_value=has_value,
                        is_focus=frame["is_focus"].astype(bool), area_name=frame["area_name"].astype(str))
    dup_names = rows.area_name.duplicated(keep=False)
    rows["row_label"] = rows.area_name.where(~dup_names, rows.area_name + " (" + rows.area_code.astype(str) + ")")
    rows["group"] = rows.is_focus.map({True: focus_label, False: OTHER_AREAS_LABEL})
    rows["status_text"] = [("värde finns" if ok else NO_VALUE_TEXT[s]) for ok, s in zip(has_value, rows.status)]
    rows["value_text"] = [fmt.number(v, decimals) for v in rows.value]
    with_value = rows[rows.has_value].sort_values(["value", "row_label"], ascending=[direction == "lower", True])
    status_order = {s: i for i, s in enumerate(STATUSES)}
    without = rows[~rows.has_value].assign(_o=lambda d: d.status.map(status_order)).sort_values(["_o", "row_label"])
    return pd.concat([with_value, without.drop(columns="_o")], ignore_index=True)


def ranking_chart(frame: pd.DataFrame, *, city_value: float | None, title: str, unit_label: str,
                  direction_label: str, direction: str = "higher", decimals: int = 1,
                  demo: bool = False, focus_label: str = FOCUS_FALLBACK,
                  citation: str | None = None) -> alt.LayerChart:
    """Horizontal bars, one per area, best first, with the whole city as a vertical rule.

    Parameters
    ----------
    frame : DataFrame
        Columns ``area_code``, ``area_name``, ``value`` (NaN allowed), ``status`` (``"ok"``,
        ``"suppressed"``, ``"missing"``, ``"not_applicable"``) and ``is_focus`` (bool).
    city_value : float or None
        The whole city's value; drawn as a labelled rule when it is a number.
    title : str
        Chart title.
    unit_label : str
        The unit, shown as the x-axis title.
    direction_label : str
        Which direction is better, shown in the subtitle.
    direction : {"higher", "lower", "balance"}
        Sort order: highest first for "higher" and "balance", lowest first for "lower".
    decimals : int
        Decimals in bar labels and the axis.
    demo : bool
        Add "Demodata – inte Borås siffror" to the subtitle.
    citation : str, optional
        Where the values come from, last in the subtitle: the real source ("Källa: …") or, with
        ``demo=True``, a demo line of its own (it must say demodata).
    focus_label : str
        Legend name of the focus areas (the chosen set's title).

    Returns
    -------
    alt.LayerChart
        Focus areas in the focus colour, others light grey; areas without a value are listed
        last with "undertryckt", "saknas" or "ej tillämplig" instead of a bar (a value under any
        other status than "ok" is never drawn). Height grows by 18 px per area.
    """
    who = "ranking_chart"
    check_choice(direction, DIRECTIONS, who, "direction")
    _check_call(frame, RANKING_COLUMNS, who, demo, citation, decimals, "pass one row per area", title=title,
                unit_label=unit_label, direction_label=direction_label, focus_label=focus_label)
    check_statuses(frame["status"], who)
    if frame["area_code"].duplicated().any():
        dups = sorted(frame.loc[frame["area_code"].duplicated(), "area_code"].astype(str))
        raise ValueError(f"{who}: area_code must be unique; repeated: {', '.join(dups)}")
    if city_value is not None and (isinstance(city_value, bool) or not isinstance(city_value, numbers.Real)):
        raise ValueError(f"{who}: city_value must be a number or None; got {city_value!r}")

    rows = _ranking_rows(frame, direction, decimals, focus_label)
    order = rows.row_label.tolist()
    value_format = number_format(decimals)
    y = alt.Y("row_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, ticks=False))
    x = alt.X("value:Q", title=unit_label, axis=alt.Axis(format=number_format(decimals, trim=True), orient="top", grid=True))
    tooltip = [alt.Tooltip("area_name:N", title="Område"), alt.Tooltip("value_text:N", title=f"Värde ({unit_label})"),
               alt.Tooltip("status_text:N", title="Status")]
    base = alt.Chart()
    colour = alt.Color("group:N", scale=alt.Scale(domain=[focus_label, OTHER_AREAS_LABEL],
                                                  range=[SERIES_COLORS["focus"], OTHER_AREA_COLOR]),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal"))
    bars = (base.transform_filter(HAS_VALUE).mark_bar(height={"band": 0.75})
            .encode(x=x, y=y, color=colour, tooltip=tooltip))
    labels = (base.transform_filter(HAS_VALUE)
              .mark_text(align="left", dx=4, fontSize=FONT_SIZES["mark"] - 1, color="#222222")
              .encode(x=x, y=y, text=alt.Text("value:Q", format=value_format), tooltip=tooltip))
    no_value = (base.transform_filter(f"!({HAS_VALUE})")
                .mark_text(align="left", dx=4, fontStyle="italic", fontSize=FONT_SIZES["mark"] - 1, color=MUTED_TEXT)
                .encode(x=alt.XDatum(0), y=y, text=alt.Text("status_text:N"), tooltip=tooltip))
    layers = [bars, labels, no_value]
    if is_number(city_value):
        city_text = f"{CITY_LABEL}: {fmt.value_with_unit(city_value, unit_of(unit_label), unit_label, decimals)}"
        city = alt.Chart(alt.Data(values=[{"city_value": float(city_value), "city_text": city_text}]))
        layers += [city.mark_rule(color=SERIES_COLORS["city"], strokeWidth=2, strokeDash=[6, 4])
                   .encode(x=alt.X("city_value:Q"), tooltip=alt.Tooltip("city_text:N", title="Jämförelse")),
                   city.mark_text(align="center", dy=6, baseline="top", fontSize=FONT_SIZES["mark"],
                                  fontWeight="bold", color=SERIES_COLORS["city"])
                   # At the plot's foot whatever its height ("height"), also when a presentation fits it
                   .encode(x=alt.X("city_value:Q"), y=alt.YValue("height"), text=alt.Text("city_text:N"))]
    # What the layers read, and the area code that names the row (status, focus and has_value are in
    # status_text, group and a value that is null unless it may be drawn).
    columns = ["area_code", "area_name", "row_label", "value", "value_text", "status_text", "group"]
    sort_note = {"higher": "Sorterat med högst värde först", "lower": "Sorterat med lägst värde först",
                 "balance": "Sorterat efter värde, högst först"}[direction]
    chart = alt.layer(*layers, data=alt.Data(values=records(rows, columns)),
                      title=title_params(title, subtitle_lines(direction_label, sort_note, demo=demo, citation=citation)),
                      width="container", height=ROW_HEIGHT * len(order))
    return finish_chart(chart)


# --- groups --------------------------------------------------------------------------------------

GROUP_COLUMNS = ("group_label", "series", "label", "value")


def group_chart(frame: pd.DataFrame, *, title: str, unit_label: str, direction_label: str, decimals: int = 1,
                demo: bool = False, citation: str | None = None) -> alt.LayerChart:
    """Grouped horizontal bars: for each population group, one bar per series, with value labels.

    Parameters
    ----------
    frame : DataFrame
        Columns ``group_label`` (e.g. ``"Kvinnor"``), ``series`` (``"focus"``, ``"rest"``,
        ``"city"``), ``label`` (display name of the series) and ``value`` (NaN allowed).
    title : str
        Chart title.
    unit_label : str
        The unit, shown as the x-axis title.
    direction_label : str
        Which direction is better, shown in the subtitle.
    decimals : int
        Decimals in bar labels and the axis.
    demo : bool
        Add "Demodata – inte Borås siffror" to the subtitle.
    citation : str, optional
        Where the values come from, last in the subtitle: the real source ("Källa: …") or, with
        ``demo=True``, a demo line of its own (it must say demodata).

    Returns
    -------
    alt.LayerChart
        Groups in the order they first appear in `frame`, series in the house order and colours;
        a missing value is written "saknas" instead of a bar.
    """
    who = "group_chart"
    _check_call(frame, GROUP_COLUMNS, who, demo, citation, decimals, title=title, unit_label=unit_label,
                direction_label=direction_label)
    data = _series_by_group(frame, who, "group_label")
    domain, colours = _main_labels(data, who)
    groups = list(dict.fromkeys(data.group_label))
    value_format = number_format(decimals)
    y = alt.Y("group_label:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260, ticks=False))
    y_offset = alt.YOffset("label:N", sort=domain, scale=alt.Scale(domain=domain, paddingInner=0.1))
    x = alt.X("value:Q", title=unit_label, axis=alt.Axis(format=number_format(decimals, trim=True)))
    colour = alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal"))
    tooltip = [alt.Tooltip("group_label:N", title="Grupp"), alt.Tooltip("label:N", title="Serie"),
               alt.Tooltip("value:Q", title=f"Värde ({unit_label})", format=value_format)]
    base = alt.Chart()
    bars = base.transform_filter("isValid(datum.value)").mark_bar().encode(
        x=x, y=y, yOffset=y_offset, color=colour, tooltip=tooltip)
    labels = (base.transform_filter("isValid(datum.value)")
              .mark_text(align="left", dx=4, fontSize=FONT_SIZES["mark"] - 1, color="#222222")
              .encode(x=x, y=y, yOffset=y_offset, text=alt.Text("value:Q", format=value_format)))
    missing = (base.transform_filter("!isValid(datum.value)")
               .mark_text(align="left", dx=4, fontStyle="italic", fontSize=FONT_SIZES["mark"] - 1, color=MUTED_TEXT)
               .encode(x=alt.XDatum(0), y=y, yOffset=y_offset, text=alt.TextValue("saknas")))
    height = len(groups) * (len(domain) * 22 + 14)
    chart = alt.layer(bars, labels, missing, data=alt.Data(values=records(data, GROUP_COLUMNS)),
                      title=title_params(title, subtitle_lines(direction_label, demo=demo, citation=citation)),
                      width="container", height=height)
    return finish_chart(chart)


def _series_by_group(frame: pd.DataFrame, who: str, key: str) -> pd.DataFrame:
    """`frame` checked to hold only the main series, once per `key` and series; values numeric (NaN where
    missing) and group labels text. ValueError naming `who` otherwise."""
    bad = sorted(set(frame["series"].astype(str)) - set(MAIN_SERIES))
    if bad:
        raise ValueError(f"{who}: series must be focus, rest or city; got {', '.join(bad)}")
    if frame.duplicated([key, "series"]).any():
        raise ValueError(f"{who}: one row per {key} and series; some pairs are repeated")
    return frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"), group_label=frame.group_label.astype(str))


# --- social gradient -------------------------------------------------------------------------------

GRADIENT_COLUMNS = ("group_value", "group_label", "series", "label", "value")


def gradient_chart(frame: pd.DataFrame, *, title: str, unit_label: str, direction_label: str, decimals: int = 1,
                   demo: bool = False, citation: str | None = None, height: int = 320) -> alt.LayerChart:
    """The value by education level, lowest to highest, one line per series (focus set and whole city):
    the social gradient. A steeper line is a larger difference between the education levels.

    Parameters
    ----------
    frame : DataFrame
        Columns ``group_value`` (the level's code), ``group_label`` (its Swedish name, in the order of the
        x axis as they first appear), ``series`` (``"focus"``, ``"rest"`` or ``"city"``), ``label`` (the
        series' display name) and ``value`` (NaN where the level has no value; no point is drawn).
    title, unit_label, direction_label, decimals, demo, citation :
        As for `group_chart`.

    Returns
    -------
    alt.LayerChart
        Lines with points and value labels, the house colours per series.
    """
    who = "gradient_chart"
    _check_call(frame, GRADIENT_COLUMNS, who, demo, citation, decimals, title=title, unit_label=unit_label,
                direction_label=direction_label)
    data = _series_by_group(frame, who, "group_value")
    domain, colours = _main_labels(data, who)
    levels = list(dict.fromkeys(data.group_label))
    value_format = number_format(decimals)
    x = alt.X("group_label:N", sort=levels, title="Utbildningsnivå", axis=alt.Axis(labelAngle=0, labelLimit=200))
    y = alt.Y("value:Q", title=unit_label, scale=alt.Scale(zero=False),
              axis=alt.Axis(format=number_format(decimals, trim=True)))
    colour = alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal"))
    tooltip = [alt.Tooltip("label:N", title="Serie"), alt.Tooltip("group_label:N", title="Utbildningsnivå"),
               alt.Tooltip("value:Q", title=f"Värde ({unit_label})", format=value_format)]
    base = alt.Chart().transform_filter("isValid(datum.value)")
    lines = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=colour, detail=alt.Detail("label:N"))
    points = base.mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, tooltip=tooltip)
    labels = base.mark_text(dy=-14, fontSize=FONT_SIZES["mark"], color="#222222").encode(
        x=x, y=y, text=alt.Text("value:Q", format=value_format), detail=alt.Detail("label:N"))
    chart = alt.layer(lines, points, labels, data=alt.Data(values=records(data, GRADIENT_COLUMNS)),
                      title=title_params(title, subtitle_lines(direction_label, demo=demo, citation=citation)),
                      width="container", height=height)
    return finish_chart(chart)


# --- export --------------------------------------------------------------------------------------

DATA_KEYS = ("datasets", "values")  # what holds a spec's data rows: kept as they are


def _fixed_width(spec: object, width: int) -> object:
    """Replace width="container" (meaningless outside a page) with a number, everywhere in a spec but its
    data (a map's thousands of coordinates are neither read nor copied)."""
    if isinstance(spec, dict):
        return {k: (width if k == "width" and v == "container" else v if k in DATA_KEYS else _fixed_width(v, width))
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec


def unchecked_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite dict as `chart.to_dict(validate=False)` makes it, without two costs of that call:
    Altair copies the chart first (a layered chart's constructor deep-copies every layer, twice), and it
    walks every data row to convert it. The rows of top-level inline data (`alt.Data(values=rows)`: from
    `records`, or a map's features) are JSON values already, so they go into the dict as they are. Any other
    chart goes through `to_dict`. The same JSON either way (tests/test_charts.py); 89 of the report's charts
    took 0.16 s instead of 0.54 s of the building process's time (Altair 6.3)."""
    data = getattr(chart, "data", alt.Undefined)
    rows = data._kwds.get("values") if isinstance(data, alt.Data) and not data._args else None
    if not isinstance(rows, list):
        return chart.to_dict(validate=False)
    # What TopLevelMixin.to_dict does for inline data, less the copy: the chart's own properties, data aside.
    context = {"datasets": {}, "top_level": False, "data": data, "pre_transform": False}
    spec = alt.SchemaBase.to_dict(chart, validate=False, ignore=["data"], context=context)
    spec["data"] = {**data.to_dict(validate=False, ignore=["values"]), "values": rows}
    spec.setdefault("$schema", alt.SCHEMA_URL)
    spec = alt.utils.update_nested(alt.theme.get()(), spec, copy=True)
    if context["datasets"]:
        spec.setdefault("datasets", {}).update(context["datasets"])
    return spec


# A drawing laid out once (`fit=False`) has `autosize: pad` and a plot this much narrower than the export
# width, the room its axis and legend usually take, so that the whole stays near the export width. Measured on
# the report's 120 charts (vl-convert 1.9): a chart's y-axis and padding take 44-79 px (most 52-64), a map's
# legends 172-228 px (most 179).
LAID_OUT_ONCE_ROOM = {"map": 180, "chart": 60}


def _laid_out_once(spec: dict) -> dict:
    """`spec` (with `width` a number already) laid out once: `fit-x` makes Vega lay a chart out, measure what
    its axis and legend take and lay it out again at the width left, measuring every text twice (vl-convert
    measures each glyph from the font file: the report's 120 charts drew in 3.8 s instead of 5.3 s). Only a chart with the
    house autosize changes (its own width, or the export width in place of the container's, less the room);
    the SVG is then a few per cent wider or narrower than that width, and the report's page scales it to its
    column."""
    if spec.get("autosize") != AUTOSIZE.to_dict() or not isinstance(spec.get("width"), int | float):
        return spec
    room = LAID_OUT_ONCE_ROOM["map" if "projection" in spec else "chart"]
    return {**spec, "autosize": {"type": "pad"}, "width": max(spec["width"] - room, 1)}


def _export_spec(chart: alt.TopLevelMixin | dict, width: int, who: str, validate: bool = True,
                 fit: bool = True) -> str:
    if not isinstance(chart, alt.TopLevelMixin | dict):
        raise ValueError(f"{who}: chart must be an Altair chart (from shb.charts or shb.maps) or its "
                         f"Vega-Lite dict; got {type(chart).__name__}")
    if isinstance(width, bool) or not isinstance(width, int) or width <= 0:
        raise ValueError(f"{who}: width must be a positive number of pixels; got {width!r}")
    # `_fixed_width` builds new dicts and lists and never changes the one it reads, so no copy is needed.
    spec = chart if isinstance(chart, dict) else chart.to_dict() if validate else unchecked_spec(chart)
    spec = _fixed_width(spec, width)
    if not fit:
        spec = _laid_out_once(spec)
    if isinstance(spec.get("config"), dict) and spec["config"].get("font") == PAGE_FONT:
        spec["config"] = {**spec["config"], "font": EXPORT_FONT}  # a new dict: `chart`'s own is not changed
    return json.dumps(spec)


def export_png(chart: alt.TopLevelMixin, scale: float = 2, *, width: int = EXPORT_WIDTH) -> bytes:
    """Render a chart to PNG offline with vl-convert, Swedish number format included.

    Parameters
    ----------
    chart : altair top-level chart
        A chart from this module or shb.maps.
    scale : float
        Pixel density; 2 gives sharp slides.
    width : int
        Width in pixels for charts whose width follows the container.

    Returns
    -------
    bytes
        The PNG file.
    """
    if not is_number(scale) or scale <= 0:
        raise ValueError(f"export_png: scale must be a positive number; got {scale!r}")
    spec = _export_spec(chart, width, "export_png")
    return vl_convert.vegalite_to_png(spec, scale=float(scale), format_locale=dict(D3_LOCALE))


def export_svg(chart: alt.TopLevelMixin, *, width: int = EXPORT_WIDTH, validate: bool = True,
               fit: bool = True) -> str:
    """Render a chart to SVG text offline with vl-convert, Swedish number format included.

    Parameters
    ----------
    chart : altair top-level chart
        A chart from this module or shb.maps.
    width : int
        Width in pixels for charts whose width follows the container.
    validate : bool
        Check the spec against the Vega-Lite schema first. The builders of this module and shb.maps
        give valid specs (their tests check them against the schema), so a caller drawing many of
        them, like the report, passes False and saves the check (tens of milliseconds per chart).
    fit : bool
        Fit the whole chart, axis and legend included, to `width` exactly (Vega lays it out twice). With
        False it is laid out once, its plot `LAID_OUT_ONCE_ROOM` narrower than `width` (`_laid_out_once`):
        what the report does, whose page scales each drawing to its column.

    Returns
    -------
    str
        The SVG document; its ids (of gradients, clip paths) are its own (`drawing.distinct_ids`), so
        several SVGs can share a page.
    """
    return drawing.draw(_export_spec(chart, width, "export_svg", validate, fit), dict(D3_LOCALE))


def export_svg_later(chart: alt.TopLevelMixin, painter: drawing.Painter, *, width: int = EXPORT_WIDTH,
                     validate: bool = True, fit: bool = True) -> Future:
    """`export_svg` as a Future, drawn by `painter`'s worker processes (shb.present.drawing): the spec is
    made here and drawn there, while this process goes on building the next chart.

    When `export_svg` has been replaced (a stand-in that draws nothing, in tests), the stand-in is what
    draws, here and now.
    """
    if export_svg is not _EXPORT_SVG:
        done: Future = Future()
        done.set_result(export_svg(chart, width=width, validate=validate, fit=fit))
        return done
    return painter.submit(_export_spec(chart, width, "export_svg", validate, fit))


_EXPORT_SVG = export_svg


def export_svgs(charts: Iterable[alt.TopLevelMixin], *, width: int = EXPORT_WIDTH, validate: bool = True,
                workers: int | None = None) -> list[str]:
    """`export_svg` of many charts at once, in order, drawn side by side by `workers` processes (one per
    core by default; `export_svg_later`).

    Each chart goes through `export_svg` itself when that has been replaced, so whatever stands in for it
    also stands in here.
    """
    todo = list(charts)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"export_svgs: workers must be a positive whole number; got {workers!r}")
    workers = min(workers or drawing.default_workers(), len(todo))
    if len(todo) <= 1 or workers == 1 or export_svg is not _EXPORT_SVG:
        return [export_svg(c, width=width, validate=validate) for c in todo]
    with drawing.Painter(D3_LOCALE, workers) as painter:
        drawn = [export_svg_later(c, painter, width=width, validate=validate) for c in todo]
        return [d.result() for d in drawn]
