"""Text from files and users made safe: names without control or direction characters, cells that are never formulas."""

from __future__ import annotations

import re

import pandas as pd

# C0 and C1 control characters (ESC starts terminal sequences such as `\e]0;…\a`, which retitles a window),
# DEL, the line and paragraph separators, and the marks, embeddings, overrides and isolates that turn the
# direction of text (U+200E/U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), with the blanks around them.
_UNSAFE = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+\s*")

# Direction marks, embeddings, overrides and isolates, and control characters other than line breaks and tabs.
_BIDI_OR_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaped, none starts markup
# (emphasis, links, autolinks such as www.… or a@b, headings such as a === line, entities such as &amp;).
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def as_typed(text: object) -> str:
    """A user's text (a note) as it may be shown anywhere: line breaks kept; direction and control
    characters, which could reverse or hide what is shown, removed."""
    return _BIDI_OR_CONTROL.sub("", str(text))


def markdown_literal(text: object) -> str:
    """`as_typed(text)` for a Markdown renderer that must show it literally: every ASCII punctuation
    character escaped, leading blanks kept from becoming a code block, line breaks as hard breaks."""
    lines = _ASCII_PUNCTUATION.sub(r"\\\1", as_typed(text)).split("\n")
    return "  \n".join(line.lstrip(" ") for line in lines)


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_name(name: object) -> str:
    """`name` as it may be stored and printed: each run of control or direction characters (and the
    blanks around it) becomes one space, and the ends are stripped.

    Every name that comes from outside and is stored or printed (a file name in the import log, the
    snapshot it made or the geometry manifest, a user name) goes through here, so no terminal, table
    or log shows what such characters would do.
    """
    return _UNSAFE.sub(" ", str(name)).strip()


def spreadsheet_safe(value: object) -> object:
    """`value` as a cell of a CSV or Excel download: text that a spreadsheet would take for a formula
    (it starts with = + - @, a tab or a carriage return) gets a leading single quote, as OWASP
    recommends; anything else is returned as it is (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for a CSV or Excel download: every text cell through `spreadsheet_safe`
    (numbers, dates and missing values stay as they are)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_safe)
    return out
