"""Målvärden: the data file checked against the catalog, and distance, paces and the year of reaching the
målvärde on hand-computed series, for both directions (and "nås inte" when a series moves away)."""

from __future__ import annotations

import json
import math

import pytest

from shb.analysis import aims
from shb.cli import main as cli
from shb.core.catalog import load_catalog
from shb.core.errors import CatalogError
from shb.core.targets import load_aims
from shb.present import text

CAT = load_catalog()


# --- Pure measures, by hand ------------------------------------------------------------------------------

def test_distance_is_value_minus_aim_in_the_unit():
    assert aims.distance(12.5, 0) == 12.5
    assert aims.distance(74.0, 78.0) == -4.0
    assert math.isnan(aims.distance(math.nan, 78.0))


def test_pace_needed_per_year_to_the_target_year():
    # 74 → 78 in 2024 → 2030: +4 over 6 years
    assert aims.pace_needed(74.0, 2024, 78.0, 2030) == pytest.approx(4 / 6)
    # 3 → 0 in 2024 → 2030: −3 over 6 years
    assert aims.pace_needed(3.0, 2024, 0.0, 2030) == pytest.approx(-0.5)
    assert math.isnan(aims.pace_needed(3.0, 2030, 0.0, 2030))  # no year left


@pytest.mark.parametrize(("years", "values", "slope"), [
    # x − mean: −2, −1, 0, 1, 2 (Σ = 10); y − mean: −4, −2, 0, 2, 4 → Σ = 20 → 2 per year
    ([2019, 2020, 2021, 2022, 2023], [70, 72, 74, 76, 78], 2.0),
    # every other year: x − mean −2, 0, 2 (Σ² = 8); y 6, 4, 3, mean 13/3 → Σ = −2·5/3 + 2·(−4/3) = −6 → −0.75
    ([2020, 2022, 2024], [6, 4, 3], -0.75),
    # the window is 4 years: 2015 is left out, only 2019–2023 count
    ([2015, 2019, 2021, 2023], [0, 10, 11, 12], 0.5),
])
def test_recent_pace_is_the_least_squares_slope_over_the_window(years, values, slope):
    assert aims.pace_recent(years, values, 2023 if years[-1] == 2023 else 2024) == pytest.approx(slope)


def test_recent_pace_needs_two_years_in_the_window():
    assert math.isnan(aims.pace_recent([2015, 2023], [1.0, 2.0], 2023))


@pytest.mark.parametrize(("current", "aim", "pace", "direction", "expected"), [
    (78.0, 80.0, 2.0, "higher", 2024),  # 2 to go at 2 a year: one year
    (74.0, 78.0, 0.5, "higher", 2031),  # 4 / 0.5 = 8 years
    (74.0, 78.0, 0.3, "higher", 2037),  # 4 / 0.3 = 13.3 → the 14th year
    (74.0, 78.0, -0.5, "higher", None),  # moving away: nås inte
    (74.0, 78.0, 0.0, "higher", None),  # standing still: nås inte
    (3.0, 0.0, -0.75, "lower", 2027),  # 3 / 0.75 = 4 years
    (3.0, 0.0, 0.2, "lower", None),  # moving away from 0
    (79.0, 78.0, -1.0, "higher", 2023),  # reached already, even while falling
    (0.0, 0.0, 0.4, "lower", 2023),  # on the aim
])
def test_the_year_the_recent_pace_reaches_the_aim(current, aim, pace, direction, expected):
    assert aims.reached_year(current, 2023, aim, pace, direction) == expected


def test_progress_lower_is_better_reached_before_the_target_year():
    p = aims.progress([2016, 2018, 2020, 2022, 2024], [9, 8, 6, 4, 3], 2024, 0.0, 2030, "lower")
    assert (p.current_year, p.current, p.distance, p.window, p.points) == (2024, 3.0, 3.0, (2020, 2024), 3)
    assert p.pace_recent == pytest.approx(-0.75) and p.pace_needed == pytest.approx(-0.5)
    assert (p.reached_year, p.reached, p.on_time) == (2028, False, True)
    assert text.aim_reach_text(p) == "I nuvarande takt nås målvärdet år 2028."


def test_progress_higher_is_better_moving_away_is_not_reached():
    p = aims.progress([2020, 2021, 2022, 2023, 2024], [76, 75.5, 75, 74.5, 74], 2024, 78.0, 2030, "higher")
    assert p.distance == -4.0 and p.pace_recent == pytest.approx(-0.5) and p.pace_needed == pytest.approx(4 / 6)
    assert (p.reached_year, p.reached, p.on_time) == (None, False, False)
    assert text.aim_reach_text(p) == "I nuvarande takt nås målvärdet inte: utvecklingen går bort från målvärdet."


def test_progress_reached_too_late_says_not_before_the_target_year():
    p = aims.progress([2020, 2022, 2024], [70, 71, 72], 2024, 78.0, 2030, "higher")
    assert p.pace_recent == pytest.approx(0.5) and p.reached_year == 2036 and p.on_time is False
    assert text.aim_reach_text(p) == "I nuvarande takt nås målvärdet år 2036, inte före målåret 2030."


# --- The data file ----------------------------------------------------------------------------------------

def test_the_committed_targets_are_sound_and_at_least_fifteen():
    found = load_aims(CAT, {"omradesutveckling", "polisen_2025"})
    assert len({a.indicator for a in found}) >= 15
    assert {a.origin for a in found} <= {"effektmal", "beslut", "arbetsmal"}
    homeless = [a for a in found if a.indicator == "hemloshet_per_1000"]
    assert [(a.value, a.origin) for a in homeless] == [(0.0, "effektmal")]
    assert "ska ingen vara hemlös" in homeless[0].wording


@pytest.mark.parametrize(("entry", "words"), [
    ({"indicator": "finns_inte", "scope": "city", "value": 0, "year": 2030, "origin": "effektmal", "wording": "x"},
     "okänd indikator 'finns_inte'"),
    ({"indicator": "hemloshet_per_1000", "scope": "norrby", "value": 0, "year": 2030, "origin": "effektmal",
      "wording": "x"}, "scope ska vara city eller en områdesmängd"),
    ({"indicator": "forgymnasial_utbildning_25_64", "scope": "city", "value": 140, "year": 2030,
      "origin": "effektmal", "wording": "x"}, "en andel i procent ska ligga mellan 0 och 100"),
    ({"indicator": "hemloshet_per_1000", "scope": "city", "value": 0, "year": 30, "origin": "effektmal",
      "wording": "x"}, "year ska vara ett årtal"),
    ({"indicator": "hemloshet_per_1000", "scope": "city", "value": 0, "year": 2030, "origin": "gissning",
      "wording": "x"}, "origin ska vara en av"),
    ({"indicator": "hemloshet_per_1000", "scope": "city", "value": 0, "year": 2030, "origin": "effektmal",
      "wording": " "}, "wording saknas"),
])
def test_a_bad_target_is_refused_in_swedish(tmp_path, entry, words):
    import yaml

    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"targets": [entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="Målvärdena kunde inte läsas") as err:
        load_aims(CAT, {"omradesutveckling"}, path)
    assert words in str(err.value)


# --- compare --json and info --json ------------------------------------------------------------------------

def _import(db, tmp_path, capsys, rows: str) -> None:
    data = tmp_path / "serie.csv"
    data.write_text("indikator;omrade;ar;varde\n" + rows, encoding="utf-8")
    assert cli.main(["import", str(data), "--db", str(db), "--replace"]) == 0, capsys.readouterr().err
    capsys.readouterr()


def _compare(db, capsys, indicator: str, year: int) -> dict:
    assert cli.main(["compare", "--db", str(db), "--indicator", indicator, "--year", str(year), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_json_gives_the_target_on_hand_computed_series(private_db, tmp_path, capsys):
    _import(private_db, tmp_path, capsys,
            "polisen_utsatta_omraden;1490;2020;6\npolisen_utsatta_omraden;1490;2022;4\n"
            "polisen_utsatta_omraden;1490;2024;3\n"
            + "".join(f"sysselsattningsgrad_20_64;1490;{y};{v}\n".replace(".", ",")
                      for y, v in zip(range(2020, 2025), (76, 75.5, 75, 74.5, 74), strict=True)))
    lower = _compare(private_db, capsys, "polisen_utsatta_omraden", 2024)["target"]
    assert {k: lower[k] for k in ("value", "year", "distance", "pace_needed", "pace_recent", "reached_year")} == {
        "value": 0.0, "year": 2030, "distance": 3.0, "pace_needed": -0.5, "pace_recent": -0.75, "reached_year": 2028}
    assert lower["method"]["window"] == [2020, 2024] and "minsta kvadrat" in lower["method"]["fit"]
    higher = _compare(private_db, capsys, "sysselsattningsgrad_20_64", 2024)["target"]
    assert {k: higher[k] for k in ("value", "distance", "pace_needed", "pace_recent", "reached_year")} == {
        "value": 78.0, "distance": -4.0, "pace_needed": 0.6667, "pace_recent": -0.5, "reached_year": None}
    assert higher["origin"] == "arbetsmal"


def test_compare_json_has_no_target_where_none_is_set(demo_db, capsys):
    out = _compare(demo_db, capsys, "utrikes_fodda_andel", 2023)
    assert out["target"] is None and out["set_target"] is None


def test_info_counts_indicators_with_a_target(demo_db, capsys):
    assert cli.main(["info", "--db", str(demo_db), "--json"]) == 0
    expected = len({a.indicator for a in load_aims(CAT, {"omradesutveckling", "polisen_2025"})})
    assert json.loads(capsys.readouterr().out)["targets_with_aims"] == expected >= 15
