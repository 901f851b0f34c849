"""The view ⇄ URL: canonical round trips, and broken or hostile parameters that never raise."""

import pytest

from shb.present.urlstate import Facts, IndicatorFacts, View, defaults_for, parse, to_params

FACTS = Facts(
    indicators={
        "syss": IndicatorFacts(("municipality", "district", "regso", "deso"), ("kon", "bakgrund"),
                               tuple(range(2012, 2025)), ("kon:kvinnor", "kon:man")),
        "kommun_only": IndicatorFacts(("municipality",), (), tuple(range(2015, 2025))),
    },
    default_indicator="syss",
    area_codes=frozenset({"1490", "1490R025", "1490R019", "1490C1010", "1490D01"}),
    set_ids=("omradesutveckling", "polisen_2025"),
    default_set="omradesutveckling",
    version="20261126T000000Z",
)


def test_defaults_are_complete_and_canonical():
    v = parse({}, FACTS)
    assert v == View(indikator="syss", ar=2024, fran=2012, till=2024, niva="regso", jamfor="omradesutveckling",
                     grupp="kon", utsnitt="tatort", v="20261126T000000Z")
    assert list(to_params(v)) == ["indikator", "ar", "fran", "till", "niva", "jamfor", "grupp", "utsnitt", "v"]


def test_a_full_view_round_trips():
    params = {"indikator": "syss", "ar": "2019", "fran": "2014", "till": "2022", "niva": "deso",
              "omrade": "1490R025,1490R019", "jamfor": "polisen_2025", "grupp": "kon:kvinnor", "utsnitt": "kommun",
              "visning": "presentation", "v": "20250101T000000Z"}
    v = parse(params, FACTS)
    assert not v.notices
    assert to_params(v) == params
    assert v.presentation and v.omrade == ("1490R025", "1490R019")


def test_changing_indicator_keeps_what_fits():
    v = parse({"indikator": "syss", "ar": "2013", "niva": "deso", "grupp": "bakgrund"}, FACTS)
    w = defaults_for(FACTS, "kommun_only", base=v)
    assert (w.ar, w.niva, w.grupp) == (2024, "municipality", "total")


HOSTILE = [
    {"indikator": "finns_inte"},
    {"indikator": "'; drop table observation; --"},
    {"indikator": "<script>alert(1)</script>"},
    {"indikator": "x" * 10_000},
    {"indikator": ["syss", "kommun_only"]},
    {"ar": "1850"},
    {"ar": "20x4"},
    {"ar": "-1"},
    {"ar": "2024.0"},
    {"ar": "9" * 5000},
    {"fran": "2024", "till": "2012"},
    {"fran": "2020", "till": "2020"},
    {"niva": "planet"},
    {"niva": "municipality"},
    {"omrade": "1490R999"},
    {"omrade": "0180R001,1490R025"},
    {"omrade": "1490R025' or '1'='1"},
    {"omrade": ",".join(["1490R025"] * 500)},
    {"jamfor": "alla_omraden"},
    {"grupp": "kon:okand"},
    {"grupp": "religion"},
    {"utsnitt": "sverige"},
    {"visning": "admin"},
    {"v": "../../etc/passwd"},
    {"v": "2026"},
    {"okand": "1"},
    {"indikator": "%E0%A4%A"},
    {"indikator": "syss\x00"},
    {"indikator": "sy ss"},
    {"ar": ["2019", "2020"]},
]


@pytest.mark.parametrize("params", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_parameters_give_a_notice_and_a_valid_view(params):
    v = parse(params, FACTS)
    assert v.notices, "a Swedish notice says what was ignored"
    assert all(len(n) < 200 for n in v.notices)
    assert v.indikator in FACTS.indicators
    f = FACTS.indicators[v.indikator]
    assert v.ar in f.years and v.fran < v.till and v.niva in (*f.levels, "municipality")
    assert set(v.omrade) <= FACTS.area_codes and len(v.omrade) <= 20
    assert v.jamfor in FACTS.set_ids
    again = parse(to_params(v), FACTS)
    assert not again.notices and again == v, "the corrected URL is canonical"


def test_kommun_only_indicator_has_no_area_level():
    v = parse({"indikator": "kommun_only"}, FACTS)
    assert v.niva == "municipality" and v.grupp == "total"


def test_a_version_with_a_trailing_newline_is_no_version():
    assert parse({"v": "20261126T054700Z"}, FACTS).v == "20261126T054700Z"
    view = parse({"v": "20261126T054700Z\n"}, FACTS)
    assert view.v != "20261126T054700Z\n" and "Ogiltig dataversion ignorerades." in view.notices


def test_an_overview_row_link_is_the_view_with_the_rows_indicator():
    """Översikt encodes the view's parameters once per table and puts each row's indicator in its place: the
    same URL as encoding the whole view with the indicator replaced."""
    from urllib.parse import urlencode

    from shb.web import sections

    for params in ({}, {"indikator": "syss", "ar": "2019", "omrade": "1490R025,1490R019", "grupp": "kon:kvinnor",
                        "jamfor": "polisen_2025", "niva": "deso"}):
        view = parse(params, FACTS)
        shared = sections.shared_params(view)
        for indicator in ("kommun_only", "å ä&ö=?"):
            expected = f"/arbete?{urlencode({**to_params(view), 'indikator': indicator})}"
            assert sections.row_link("/arbete", shared, indicator) == expected
