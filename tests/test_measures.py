"""Measures against hand-computed fixtures: weighted sets, rest of city, gap trends, sentences."""

import numpy as np
import pandas as pd
import pytest

from shb.analysis import measures
from shb.core.catalog import Indicator
from shb.present import text


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
    assert "label" not in f, "measures return numbers; labels are set in shb.present.text"
    labelled = text.with_series_labels(f, "Områdesutveckling")
    assert set(labelled.label) == {"Områdesutveckling", "Övriga staden", "Hela Borås"}
    assert set(text.with_series_labels(f, "Polisens lista 2025").label) == {
        "Polisens lista 2025", "Övriga staden", "Hela Borås"}


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
    assert t.verdict == "okänd" and text.verdict_text(t) == "Utvecklingen kan inte bedömas"


def test_sentence_states_the_same_numbers_as_the_frame():
    ind = indicator()
    f = measures.comparison(ind, AREAS, CITY, ["A", "B"])
    trend = measures.gap_trend(ind, measures.gaps(f), 2024, window=4, city_value=57.3)
    s = text.comparison_sentence(ind, f, trend, 2024, "Områdesutveckling")
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


# --- Statistically secured differences --------------------------------------------------------------
#
# Hand computation, z = 1.959964, z² = 3.841459. Wilson: centre = (p + z²/2n) / (1 + z²/n),
# half = z·sqrt(p(1 − p)/n + z²/4n²) / (1 + z²/n).
#   40/100: p = 0.4, 1 + z²/n = 1.038415, centre = 0.419207/1.038415 = 0.403699,
#           half = 1.959964·sqrt(0.0024 + 0.00009604)/1.038415 = 0.094298 → (0.309401, 0.497997)
#   60/120: p = 0.5, 1 + z²/n = 1.032012, centre = 0.5,
#           half = 1.959964·sqrt(0.00208333 + 0.00006669)/1.032012 = 0.088061 → (0.411939, 0.588061)
#   30/100: p = 0.3, centre = 0.319207/1.038415 = 0.307399, half = 0.088450 → (0.218949, 0.395849)
# Newcombe: low = d − sqrt((p1 − l1)² + (u2 − p2)²), high = d + sqrt((u1 − p1)² + (p2 − l2)²).
#   40/100 vs 60/120: d = −0.1, low = −0.1 − sqrt(0.090599² + 0.088061²) = −0.1 − 0.126344 = −0.226344,
#                     high = −0.1 + sqrt(0.097997² + 0.088061²) = −0.1 + 0.131751 = 0.031751
#                     → (−22.63, 3.18) procentenheter: contains 0, not secured.
#   30/100 vs 60/120: d = −0.2, low = −0.2 − sqrt(0.081051² + 0.088061²) = −0.319683,
#                     high = −0.2 + sqrt(0.095849² + 0.088061²) = −0.069840
#                     → (−31.97, −6.98) procentenheter: excludes 0, secured.
# Focus − city = n2/(n1 + n2) × (focus − rest) = 120/220 = 0.545455 × the interval above.

def test_newcombe_matches_the_published_examples():
    from shb.core.stats import newcombe

    # Newcombe (1998), Statistics in Medicine 17:873–890, table II, method 10.
    for (x1, n1, x2, n2), (low, high) in {(56, 70, 48, 80): (0.0524, 0.3339), (9, 10, 3, 10): (0.1705, 0.8090),
                                          (6, 7, 2, 7): (0.0582, 0.8062)}.items():
        assert [float(b) for b in newcombe(x1, n1, x2, n2)] == pytest.approx([low, high], abs=5e-5)


@pytest.mark.parametrize("focus,significant,low,high,words", [
    ((40, 100), False, -22.6344, 3.1751, "skillnaden är inte statistiskt säkerställd (osäkerheten är för stor)"),
    ((30, 100), True, -31.9683, -6.9840, "skillnaden är statistiskt säkerställd"),
])
def test_difference_is_tested_against_the_rest_of_the_city(focus, significant, low, high, words):
    x1, n1 = focus
    sig = measures.difference_test(indicator(survey=True), x1, n1, x1 + 60, n1 + 120)  # rest = 60/120
    assert sig.significant is significant
    assert (sig.low, sig.high) == pytest.approx((low, high), abs=1e-4)
    assert (sig.city_low, sig.city_high) == pytest.approx((low * 120 / 220, high * 120 / 220), abs=1e-4)
    assert text.significance_text(sig) == words
    method = text.significance_method(sig)
    assert "Newcombe" in method and "övriga staden" in method and "register" not in method
    register = measures.difference_test(indicator(), x1, n1, x1 + 60, n1 + 120)
    assert (register.low, register.significant) == (pytest.approx(low, abs=1e-4), significant)
    assert register.register and "register där alla räknas" in text.significance_method(register)


@pytest.mark.parametrize("ind,counts,reason", [
    (indicator(kind="mean", unit="poang"), (40, 100, 100, 220), "inte en andel"),
    (indicator(kind="rate", unit="per_1000"), (40, 100, 100, 220), "inte en andel"),
    (indicator(), (np.nan, 100, 100, 220), "inte kända"),
    (indicator(), (40, 100, 40, 100), "räcker inte"),  # the set is the whole city
])
def test_difference_without_counts_is_not_tested(ind, counts, reason):
    sig = measures.difference_test(ind, *counts)
    assert sig.significant is None and np.isnan(sig.low) and reason in text.significance_method(sig)
    assert text.significance_method(sig).startswith("Kan inte prövas: ") and sig.untested in measures.UNTESTABLE
    assert text.significance_text(sig) == "" and text.significance_text(None) == ""


SURVEY_AREAS = rows([("A", 2024, 10, 40), ("B", 2024, 20, 60), ("C", 2024, 60, 120)])
SURVEY_CITY = rows([("1490", 2024, 90, 220)], level="municipality")


def test_comparison_carries_the_counts_and_the_rest_interval():
    ind = indicator(survey=True)
    f = measures.comparison(ind, SURVEY_AREAS, SURVEY_CITY, ["A", "B"]).set_index("series")
    assert (f.loc["focus", "numerator"], f.loc["focus", "denominator"]) == (30, 100)
    assert (f.loc["rest", "numerator"], f.loc["rest", "denominator"]) == (60, 120)  # city − set
    assert (f.loc["rest", "ci_low"], f.loc["rest", "ci_high"]) == pytest.approx((41.1939, 58.8061), abs=1e-4)
    assert f.loc["focus", "ci_low"] == pytest.approx(21.8949, abs=1e-4)


def test_significance_from_a_comparison_frame_and_in_the_sentence():
    ind = indicator(survey=True)
    f = measures.comparison(ind, SURVEY_AREAS, SURVEY_CITY, ["A", "B"])
    sig = measures.significance(ind, f, 2024)
    assert sig.significant is True and sig.low == pytest.approx(-31.9683, abs=1e-4)
    trend = measures.gap_trend(ind, measures.gaps(f), 2024)
    plain = text.comparison_sentence(ind, f, trend, 2024, "Områdesutveckling")
    with_test = text.comparison_sentence(ind, f, trend, 2024, "Områdesutveckling", sig)
    assert plain.endswith("en skillnad på −10,9 procentenheter.")  # 30 % − 90/220 = 40,9 %
    assert with_test == plain + " Skillnaden är statistiskt säkerställd."
    not_secured = measures.difference_test(ind, 40, 100, 100, 220)
    assert text.comparison_sentence(ind, f, trend, 2024, "X", not_secured).endswith(
        "Skillnaden är inte statistiskt säkerställd (osäkerheten är för stor).")
    untestable = measures.difference_test(indicator(kind="mean", unit="poang"), 1, 2, 3, 4)
    assert text.comparison_sentence(ind, f, trend, 2024, "Områdesutveckling", untestable) == plain


def test_no_test_when_a_member_is_hidden():
    ind = indicator(survey=True)
    areas = rows([("A", 2024, 10, 40), ("B", 2024, 0, 0, "suppressed"), ("C", 2024, 60, 120)])
    sig = measures.significance(ind, measures.comparison(ind, areas, SURVEY_CITY, ["A", "B"]), 2024)
    assert sig.significant is None and "dolt" in text.significance_method(sig)


# --- Dispersion between areas ------------------------------------------------------------------------
#
# AREAS, 2020: A 50 % (pop 100), B 2,5 % (pop 400), C 60 % (pop 1000); city 660/1500 = 44 %.
#   Σ p·|v − c| = 100·6 + 400·41.5 + 1000·16 = 600 + 16 600 + 16 000 = 33 200 → / 1500 = 22.1333 (= 332/15).
# 2024: A 60 %, B 25 %, C 70 %; city 860/1500 = 172/3 = 57.333 %.
#   100·8/3 + 400·97/3 + 1000·38/3 = 77 600/3 → / 1500 = 17.2444 (= 776/45).
# With B hidden in 2020: (600 + 16 000) / 1100 = 15.0909 (= 166/11), resting on 1100/1500 = 73.3 %.

def test_dispersion_is_population_weighted_around_the_city():
    d = measures.dispersion(indicator(), AREAS, CITY).set_index("year")
    assert d.loc[2020, "dispersion"] == pytest.approx(332 / 15)
    assert d.loc[2024, "dispersion"] == pytest.approx(776 / 45)
    assert d.loc[2020, ["areas_used", "areas", "population_used"]].tolist() == [3, 3, 1500]
    assert d.loc[2020, "population_share"] == pytest.approx(1.0)
    assert d.loc[2024, "city_value"] == pytest.approx(172 / 3)


def test_dispersion_leaves_hidden_areas_out_and_says_so():
    areas = rows([("A", 2020, 50, 100), ("B", 2020, 10, 400, "suppressed"), ("C", 2020, 600, 1000)])
    d = measures.dispersion(indicator(), areas, CITY[CITY.year == 2020]).iloc[0]
    assert d.dispersion == pytest.approx(166 / 11)
    assert (d.areas_used, d.areas, d.population_share) == (2, 3, pytest.approx(1100 / 1500))
    one = rows([("A", 2020, 50, 100), ("B", 2020, 10, 400, "suppressed")])
    assert np.isnan(measures.dispersion(indicator(), one, CITY[CITY.year == 2020]).dispersion.iloc[0])


def test_dispersion_is_not_given_for_counts():
    ind = indicator(kind="count", unit="antal")
    assert measures.dispersion(ind, AREAS, CITY).dispersion.isna().all()


def dispersion_frame(values, shares=(1.0,) * 5):
    return pd.DataFrame({"year": [2020, 2021, 2022, 2023, 2024], "dispersion": values, "city_value": 50.0,
                         "areas_used": 40, "areas": 47, "population_used": 0.0, "population_share": list(shares)})


@pytest.mark.parametrize("values,verdict,better,words", [
    ([10, 9.5, 9, 8.5, 8], "minskar", True, "Skillnaderna mellan områdena minskar"),    # −2 ≥ 0.5
    ([8, 8.5, 9, 9.5, 10], "ökar", False, "Skillnaderna mellan områdena ökar"),
    ([10, 10.2, 10.1, 10.3, 10.3], "oförändrad", None, "Skillnaderna mellan områdena är oförändrade"),  # 0.3 < 0.5
])
def test_dispersion_trend_both_ways(values, verdict, better, words):
    t = measures.dispersion_trend(indicator(direction="lower"), dispersion_frame(values), 2024)
    assert (t.verdict, t.better, text.verdict_text(t)) == (verdict, better, words)
    assert (t.start_year, t.end_year, t.change) == (2020, 2024, pytest.approx(values[-1] - values[0]))


def test_dispersion_trend_skips_years_resting_on_too_few():
    # 2024 rests on 60 % of the population, so the trend runs 2020–2023: 10 → 9.7, under the 0.5 threshold.
    t = measures.dispersion_trend(indicator(), dispersion_frame([10, 9.9, 9.8, 9.7, 2], [1, 1, 1, 0.9, 0.6]), 2024)
    assert (t.end_year, t.verdict) == (2023, "oförändrad")
    few = measures.dispersion_trend(indicator(), dispersion_frame([10, 9, 8, 7, 6], [0.5] * 5), 2024)
    assert few.verdict == "okänd" and text.verdict_text(few) == "Utvecklingen kan inte bedömas"


# --- Effektmål status -------------------------------------------------------------------------------

def judged(verdict, better):
    return measures.GapTrend(2020, 2024, 0.0, 0.0, 0.0, 0.0, verdict, better)


UP, DOWN, SAME, UNKNOWN = judged("minskar", True), judged("ökar", False), judged("oförändrad", None), judged("okänd", None)


@pytest.mark.parametrize("trends,status,counts,words", [
    ([UP, UP, SAME, UNKNOWN], "går åt rätt håll", (4, 3, 2, 0, 1),
     "3 av 4 indikatorer har bedömbar utveckling: 2 går åt rätt håll, 0 åt fel håll och 1 är oförändrad."),
    ([UP, UP, DOWN, UNKNOWN], "blandat", (4, 3, 2, 1, 0),
     "3 av 4 indikatorer har bedömbar utveckling: 2 går åt rätt håll, 1 åt fel håll och 0 är oförändrade."),
    ([DOWN, SAME], "går åt fel håll", (2, 2, 0, 1, 1),
     "2 av 2 indikatorer har bedömbar utveckling: 0 går åt rätt håll, 1 åt fel håll och 1 är oförändrad."),
    ([SAME, SAME, UNKNOWN], "oförändrat", (3, 2, 0, 0, 2),
     "2 av 3 indikatorer har bedömbar utveckling: 0 går åt rätt håll, 0 åt fel håll och 2 är oförändrade."),
    ([UP, UNKNOWN, UNKNOWN], "kan inte bedömas", (3, 1, 1, 0, 0),
     "1 av 3 indikatorer har bedömbar utveckling; minst hälften behövs."),
    ([UNKNOWN], "kan inte bedömas", (1, 0, 0, 0, 0), "0 av 1 indikator har bedömbar utveckling; minst hälften behövs."),
    ([], "kan inte bedömas", (0, 0, 0, 0, 0), "Effektmålet har inga indikatorer med bedömbar utveckling."),
])
def test_target_status_counts_directions(trends, status, counts, words):
    s = measures.target_status(trends)
    assert s.status == status and s.status in measures.TARGET_STATUSES
    assert (s.indicators, s.assessed, s.improving, s.worsening, s.unchanged) == counts
    assert text.target_status_text(s) == words


def test_target_status_follows_better_not_the_size_of_the_gap():
    # The focus set was ahead of the city and the city caught up: the gap shrank, but the focus set
    # moved the worse way relative to the city, so this counts as the wrong way.
    ahead = judged("minskar", False)
    s = measures.target_status([ahead, SAME])
    assert (s.status, s.closing, s.worsening) == ("går åt fel håll", 1, 1)


def test_measures_return_numbers_and_codes_and_no_sentences():
    """Every sentence about a measure is written in shb.present.text, from these numbers."""
    for name in ("SERIES_LABELS", "VERDICT_TEXT", "SIGNIFICANCE_TEXT", "SIGNIFICANCE_METHOD", "REGISTER_NOTE",
                 "DISPERSION_TEXT", "sentence", "significance_text"):
        assert not hasattr(measures, name), name
    for cls in (measures.GapTrend, measures.DispersionTrend, measures.Significance, measures.TargetStatus):
        assert not {"text", "method"} & set(dir(cls)), cls.__name__
