"""Measures against hand-computed fixtures: weighted sets, rest of city, gap trends, sentences."""

import numpy as np
import pandas as pd
import pytest

from shb import measures
from shb.catalog import Indicator


def indicator(**kw) -> Indicator:
    base = dict(id="x", title="Sysselsättningsgrad", target="2.2", kind="share", unit="procent", direction="higher",
                source="SCB", source_ref="T", source_ref_confirmed=True, licence="CC0", lowest_level="regso",
                groups={}, population="p", survey=False, frequency="annual", definition="d", caveats=["c"])
    return Indicator(**{**base, **kw})


def rows(data, level="regso"):
    """(area, year, numerator, denominator[, status]) → frame shaped like indicator_values."""
    out = []
    for r in data:
        area, year, num, den, *status = r
        st = status[0] if status else "ok"
        out.append({"area_code": area, "area_name": area, "year": year, "group_value": "alla",
                    "value": 100 * num / den if st == "ok" else np.nan, "numerator": num if st == "ok" else np.nan,
                    "denominator": den if st == "ok" else np.nan, "population": den, "ci_low": np.nan,
                    "ci_high": np.nan, "status": st})
    return pd.DataFrame(out)


AREAS = rows([("A", 2020, 50, 100), ("B", 2020, 10, 400), ("C", 2020, 600, 1000),
              ("A", 2024, 60, 100), ("B", 2024, 100, 400), ("C", 2024, 700, 1000)])
CITY = rows([("1490", 2020, 660, 1500), ("1490", 2024, 860, 1500)], level="municipality")


def test_set_value_is_weighted_by_counts_not_a_mean_of_shares():
    v = measures.set_value(indicator(), AREAS[(AREAS.year == 2020) & AREAS.area_code.isin(["A", "B"])])
    assert v["value"] == pytest.approx(100 * 60 / 500)  # 12 %, while the mean of 50 % and 2.5 % is 26.25 %
    assert v["complete"] is True


def test_comparison_has_focus_rest_and_city():
    f = measures.comparison(indicator(), AREAS, CITY, ["A", "B"])
    get = lambda s, y: measures.value_at(f, s, y)  # noqa: E731
    assert get("focus", 2020) == pytest.approx(12.0)
    assert get("rest", 2020) == pytest.approx(60.0)  # (660 − 60) / (1500 − 500)
    assert get("city", 2020) == pytest.approx(44.0)
    assert get("focus", 2024) == pytest.approx(32.0)
    assert get("rest", 2024) == pytest.approx(70.0)
    assert set(f.label) == {"Områdesutveckling", "Övriga staden", "Hela Borås"}


def test_hidden_member_makes_the_set_incomplete_and_the_rest_unknown():
    areas = rows([("A", 2020, 50, 100), ("B", 2020, 0, 0, "suppressed"), ("C", 2020, 600, 1000)])
    f = measures.comparison(indicator(), areas, CITY[CITY.year == 2020], ["A", "B"])
    focus = f[f.series == "focus"].iloc[0]
    assert focus.value == pytest.approx(50.0) and not focus.complete and focus.members_used == 1
    assert np.isnan(measures.value_at(f, "rest", 2020))


def test_gaps_and_ratio():
    g = measures.gaps(measures.comparison(indicator(), AREAS, CITY, ["A", "B"]))
    assert g.difference.tolist() == pytest.approx([12 - 44, 32 - 860 / 15])
    assert g.ratio.iloc[0] == pytest.approx(12 / 44)


def gap_frame(values):
    return pd.DataFrame({"year": [2020, 2021, 2022, 2023, 2024], "difference": values, "ratio": np.nan})


@pytest.mark.parametrize("direction,values,verdict,better", [
    ("higher", [-20, -19, -18, -17, -16], "minskar", True),     # focus below and catching up
    ("higher", [-16, -17, -18, -19, -20], "ökar", False),       # falling further behind
    ("lower", [10, 11, 12, 13, 14], "ökar", False),             # more of a bad thing in the focus set
    ("lower", [14, 13, 12, 11, 10], "minskar", True),
    ("higher", [-20, -20.2, -19.9, -20.1, -20.3], "oförändrad", None),  # 0.3 < 1.0 = 5 % of 20
    ("balance", [30, 28, 26, 24, 22], "minskar", True),
])
def test_gap_trend_verdicts_both_ways(direction, values, verdict, better):
    t = measures.gap_trend(indicator(direction=direction), gap_frame(values), 2024, city_value=50)
    assert (t.verdict, t.better) == (verdict, better)
    assert t.start_year == 2020 and t.end_year == 2024
    assert t.change == pytest.approx(abs(values[-1]) - abs(values[0]))
    assert t.slope == pytest.approx(np.polyfit(range(5), values, 1)[0])


def test_threshold_is_half_a_percentage_point_or_five_percent_of_the_gap():
    assert measures.change_threshold(indicator(), -4, 50) == 0.5
    assert measures.change_threshold(indicator(), -30, 50) == pytest.approx(1.5)
    assert measures.change_threshold(indicator(unit="poang", kind="mean"), 0, 200) == pytest.approx(2.0)


def test_gap_trend_needs_two_years():
    t = measures.gap_trend(indicator(), gap_frame([np.nan, np.nan, np.nan, np.nan, -3]), 2024)
    assert t.verdict == "okänd" and t.text == "Utvecklingen kan inte bedömas"


def test_sentence_states_the_same_numbers_as_the_frame():
    ind = indicator()
    f = measures.comparison(ind, AREAS, CITY, ["A", "B"])
    trend = measures.gap_trend(ind, measures.gaps(f), 2024, window=4, city_value=57.3)
    s = measures.sentence(ind, f, trend, 2024, "Områdesutveckling")
    assert s.startswith("Sysselsättningsgrad var 32,0 % i områdena inom områdesutveckling och 57,3 % i hela Borås 2024")
    assert "skillnad på −25,3 procentenheter" in s
    assert "Sedan 2020 har skillnaden minskat med 6,7 procentenheter." in s


def test_ranking_puts_best_first_and_hidden_last():
    year = rows([("A", 2024, 60, 100), ("B", 2024, 0, 0, "suppressed"), ("C", 2024, 700, 1000)])
    r = measures.ranking(year, ["A"], "higher")
    assert r.area_code.tolist() == ["C", "A", "B"] and r.is_focus.tolist() == [False, True, False]
    assert measures.ranking(year, ["A"], "lower").area_code.tolist() == ["A", "C", "B"]


def test_survey_share_gets_a_wilson_interval():
    v = measures.set_value(indicator(survey=True), rows([("A", 2024, 30, 100)]))
    assert (v["ci_low"], v["ci_high"]) == pytest.approx((21.9, 39.6), abs=0.05)
