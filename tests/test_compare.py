"""`shb.compare`: the comparison contract, checked against the database by independent SQL."""

import duckdb
import pytest

from shb.core.errors import ShbError, UnknownIndicator
from shb.present import compare

FOCUS = ["1490R017", "1490R018", "1490R019", "1490R020", "1490R025"]


def test_compare_matches_the_database(database, demo_db):
    out = compare.compare(database, "sysselsattningsgrad_20_64", 2023)
    con = duckdb.connect(str(demo_db), read_only=True)
    n, d = con.execute("select sum(numerator), sum(denominator) from observation where indicator_id = "
                       "'sysselsattningsgrad_20_64' and level = 'regso' and year = 2023 and group_dim = 'total' "
                       "and area_code in (select unnest($a))", {"a": FOCUS}).fetchone()
    cn, cd, cv = con.execute("select numerator, denominator, value from observation where indicator_id = "
                             "'sysselsattningsgrad_20_64' and level = 'municipality' and year = 2023 "
                             "and group_dim = 'total'").fetchone()
    con.close()
    assert out["set_value"] == pytest.approx(100 * n / d, abs=1e-4)
    assert out["rest_value"] == pytest.approx(100 * (cn - n) / (cd - d), abs=1e-4)
    assert out["city_value"] == pytest.approx(cv, abs=1e-4)
    assert out["difference"] == pytest.approx(100 * n / d - cv, abs=1e-3)
    assert out["ratio"] == pytest.approx((100 * n / d) / cv, abs=1e-3)
    assert out["difference_unit"] == "procentenheter"
    assert out["suppressed"] == {"set": False, "set_members_hidden": 0, "city": False}
    assert out["gap_trend"]["verdict"] in ("minskar", "ökar", "oförändrad")
    assert out["demo"] is True


def test_compare_a_group_and_a_survey_interval(database):
    g = compare.compare(database, "sysselsattning_20_64_fodelseregion", 2024, group="bakgrund:utrikes_fodda")
    assert g["group"] == "bakgrund:utrikes_fodda" and g["set_value"] < g["city_value"]
    s = compare.compare(database, "otrygghet_utomhus_kvallstid", 2024)
    low, high = s["ci"]["focus"]
    assert low < s["set_value"] < high


@pytest.mark.parametrize("kwargs,error", [
    ({"indicator": "finns_inte", "year": 2024}, UnknownIndicator),
    ({"indicator": "sysselsattningsgrad_20_64", "year": 1990}, ShbError),
    ({"indicator": "sysselsattningsgrad_20_64", "year": 2024, "set_id": "okand"}, ShbError),
    ({"indicator": "sysselsattningsgrad_20_64", "year": 2024, "group": "bakgrund:utrikes_fodda"}, ShbError),
])
def test_compare_refuses_unknown_input_in_swedish(database, kwargs, error):
    with pytest.raises(error):
        compare.compare(database, **kwargs)


def test_compare_cli_prints_the_json_contract(demo_db):
    from tests.test_cli import shb

    out = shb("compare", "--indicator", "sysselsattningsgrad_20_64", "--year", "2024", "--db", str(demo_db), "--json")
    assert out.returncode == 0, out.stderr
    data = __import__("json").loads(out.stdout)
    assert {"set_value", "rest_value", "city_value", "difference", "ratio", "ci", "suppressed", "gap_trend"} <= set(data)
    bad = shb("compare", "--indicator", "finns_inte", "--year", "2024", "--db", str(demo_db), "--json")
    assert bad.returncode == 1 and "Okänd indikator" in bad.stderr and bad.stdout == ""


def counts(demo_db, indicator: str, year: int) -> tuple[float, float, float, float]:
    """The focus set's and the city's published counts, by independent SQL."""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        n, d = con.execute("select sum(numerator), sum(denominator) from published_observation where indicator_id = $i "
                           "and level = 'regso' and year = $y and group_dim = 'total' and area_code in (select unnest($a))",
                           {"i": indicator, "y": year, "a": FOCUS}).fetchone()
        cn, cd = con.execute("select numerator, denominator from published_observation where indicator_id = $i "
                             "and level = 'municipality' and year = $y and group_dim = 'total'",
                             {"i": indicator, "y": year}).fetchone()
    finally:
        con.close()
    return n, d, cn, cd


@pytest.mark.parametrize(("year", "secured"), [(2014, True), (2018, False)])
def test_a_survey_difference_is_secured_only_when_the_newcombe_interval_excludes_zero(database, demo_db, year, secured):
    from shb.core import stats
    from shb.present import urlstate, views

    ind_id = "unga_framtidstro"
    out = compare.compare(database, ind_id, year)
    n, d, cn, cd = counts(demo_db, ind_id, year)
    low, high = (100 * b for b in stats.newcombe(n, d, cn - n, cd - d))
    sig = out["significance"]
    assert sig["interval_vs_rest"] == pytest.approx([low, high], abs=1e-3)
    assert sig["interval_vs_city"] == pytest.approx([low * (cd - d) / cd, high * (cd - d) / cd], abs=1e-3)
    assert sig["significant"] is secured is bool(low > 0 or high < 0)
    assert out["ci"]["rest"][0] < out["rest_value"] < out["ci"]["rest"][1]
    view = urlstate.parse({"indikator": ind_id, "ar": str(year)}, views.facts(database))
    sentence = views.comparison(database, view, demo=True).sentence
    expected = "Skillnaden är statistiskt säkerställd." if secured else "Skillnaden är inte statistiskt säkerställd"
    assert expected in sentence


def test_a_register_share_is_tested_but_the_sentence_does_not_claim_it(database):
    from shb.present import urlstate, views

    out = compare.compare(database, "sysselsattningsgrad_20_64", 2024)
    assert out["significance"]["significant"] is True and "register" in out["significance"]["method"]
    view = urlstate.parse({"indikator": "sysselsattningsgrad_20_64", "ar": "2024"}, views.facts(database))
    assert "säkerställd" not in views.comparison(database, view, demo=True).sentence


def test_an_incomplete_set_is_not_tested(database):
    out = compare.compare(database, "otrygghet_utomhus_kvallstid", 2024)
    assert out["significance"]["significant"] is None and out["significance"]["method"].startswith("Kan inte prövas")
    assert out["rest_value"] is None
