"""Swedish number formatting: decimal comma, narrow space between thousands, real minus sign."""

from __future__ import annotations

import math

MINUS = "\u2212"
THIN = "\u00a0"  # no-break space between thousands, so numbers never wrap

# For Vega-Lite/d3 (charts): the same conventions, passed to vega-embed as its formatLocale.
D3_LOCALE = {"decimal": ",", "thousands": THIN, "grouping": [3], "currency": ["", " kr"], "minus": MINUS}

DIFF_UNITS = {"procent": "procentenheter"}


def number(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """1234.5 → '1 234,5'; None/NaN → '–'. With sign=True a plus is written for positive values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", THIN).replace(".", ",")
    if round(value, decimals) < 0:
        return MINUS + text
    return ("+" + text) if sign and round(value, decimals) > 0 else text


def value_with_unit(value: float | None, unit: str, unit_label: str, decimals: int = 1) -> str:
    """A value with its unit: '59,7 %', '12,3 per 1 000 invånare', '215 poäng'."""
    text = number(value, decimals)
    if text == "–":
        return text
    return f"{text} %" if unit == "procent" else f"{text} {unit_label}"


def difference(value: float | None, unit: str, unit_label: str, decimals: int = 1) -> str:
    """A signed difference in the indicator's unit: '−19,7 procentenheter' for shares."""
    text = number(value, decimals, sign=True)
    if text == "–":
        return text
    return f"{text} {DIFF_UNITS.get(unit, unit_label)}"


def decimals_for(unit: str) -> int:
    return 0 if unit in ("antal", "kod") else 1
