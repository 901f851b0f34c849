"""`shb.compare`: the comparison contract, checked against the database by independent SQL."""

import duckdb
import pytest

from shb import compare
from shb.errors import ShbError, UnknownIndicator

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
