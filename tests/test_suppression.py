"""Suppression: the rule hides small numbers, and no hidden value can be recovered by subtraction."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from shb.store import suppression

RULE = suppression.Rule(min_count=5, min_denominator=20)
REGSO_OF_DESO = {"D1": "R1", "D2": "R1", "D3": "R2", "D4": "R2", "D5": "R2"}
DISTRICTS = {"X1": ["R1", "R2"]}


def frame(cells: dict[tuple[str, str, str], tuple[int, int]], year: int = 2024) -> pd.DataFrame:
    """(level, area, group value) → (numerator, denominator) as observation rows; kön groups beside totals."""
    rows = []
    for (level, area, group), (num, den) in cells.items():
        rows.append({"level": level, "area_code": area, "area_name": area, "year": year,
                     "group_dim": "total" if group == "alla" else "kon", "group_value": group,
                     "value": 100 * num / den if den else np.nan, "numerator": num, "denominator": den,
                     "population": den, "ci_low": np.nan, "ci_high": np.nan, "status": "ok",
                     "series_break": False, "is_demo": True})
    return pd.DataFrame(rows)


def hierarchy(counts: list[tuple[int, int]]) -> dict:
    """Five DeSO (numerator, denominator) and every sum above them, for totals and two groups."""
    cells = {}
    for group, share in (("kvinnor", 0.5), ("man", 0.5)):
        for i, (num, den) in enumerate(counts):
            g_den = int(den * share) if group == "kvinnor" else den - int(den * 0.5)
            g_num = min(int(num * share) if group == "kvinnor" else num - int(num * 0.5), g_den)
            cells[("deso", f"D{i + 1}", group)] = (g_num, g_den)
    for (level, area, _group), (num, den) in list(cells.items()):
        total = cells.get((level, area, "alla"), (0, 0))
        cells[(level, area, "alla")] = (total[0] + num, total[1] + den)
    deso = {k: v for k, v in cells.items() if k[0] == "deso"}
    for (_, area, group), (num, den) in deso.items():
        parent = REGSO_OF_DESO[area]
        for key in (("regso", parent, group), ("district", "X1", group), ("municipality", "1490", group)):
            old = cells.get(key, (0, 0))
            cells[key] = (old[0] + num, old[1] + den)
    return cells


def sums(cells_out: pd.DataFrame):
    """Every sum relation as (parent value, [child values]) in counts, from the published rows."""
    c = {(r.level, r.area_code, r.group_value): (r.numerator, r.denominator) for r in cells_out.itertuples()}
    groups = ["alla", "kvinnor", "man"]
    for g in groups:
        yield c[("municipality", "1490", g)], [c[("regso", r, g)] for r in ("R1", "R2")]
        yield c[("district", "X1", g)], [c[("regso", r, g)] for r in ("R1", "R2")]
        for r in ("R1", "R2"):
            yield c[("regso", r, g)], [c[("deso", d, g)] for d, p in REGSO_OF_DESO.items() if p == r]
    for (level, area, _g) in list(c):
        if _g == "alla":
            yield c[(level, area, "alla")], [c[(level, area, "kvinnor")], c[(level, area, "man")]]


def test_rule_hides_small_counts_and_small_bases():
    cells = hierarchy([(3, 100), (40, 100), (50, 15), (60, 200), (70, 300)])
    out = suppression.apply(frame(cells), RULE, REGSO_OF_DESO, DISTRICTS)
    deso = out[(out.level == "deso") & (out.group_dim == "total")].set_index("area_code")
    assert deso.loc["D1", "suppression"] == "regel" and deso.loc["D3", "suppression"] == "regel"
    assert deso.loc["D1"].status == "suppressed" and np.isnan(deso.loc["D1"].value)
    assert np.isnan(deso.loc["D1"].numerator) and np.isnan(deso.loc["D1"].denominator)


def test_a_lone_hidden_part_gets_a_protecting_neighbour():
    cells = hierarchy([(3, 100), (40, 100), (50, 200), (60, 200), (70, 300)])
    out = suppression.apply(frame(cells), RULE, REGSO_OF_DESO, DISTRICTS)
    deso = out[(out.level == "deso") & (out.group_dim == "total")].set_index("area_code")
    assert deso.loc["D2", "suppression"] == "skydd", "D1 alone hidden under R1 would be R1 − D2"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 400)), min_size=5, max_size=5))
def test_no_hidden_value_can_be_recovered_by_subtraction(raw):
    counts = [(min(n, d), d) for n, d in raw]
    cells = hierarchy(counts)
    out = suppression.apply(frame(cells), RULE, REGSO_OF_DESO, DISTRICTS)
    visible = out[out.status == "ok"]
    assert ((visible.numerator >= RULE.min_count) & (visible.denominator >= RULE.min_denominator)).all()
    for parent, children in sums(out):
        cells_ = [parent, *children]
        hidden = sum(1 for n, d in cells_ if np.isnan(d))
        assert hidden != 1, "exactly one hidden part of a sum is recoverable"
    hidden_rows = out[out.status != "ok"]
    assert hidden_rows[["value", "numerator", "denominator"]].isna().all().all()


def test_a_missing_part_beside_only_empty_parts_ends_and_stays_missing():
    """A 0-of-0 total whose kvinnor are missing ('-') and män empty ('.'): nothing may be hidden in
    addition, and the protection must end rather than look for something to hide."""
    import threading

    cells = hierarchy([(30, 100), (40, 100), (50, 200), (60, 200), (70, 300)])
    rows = frame(cells)
    d1 = (rows.level == "deso") & (rows.area_code == "D1")
    rows.loc[d1 & (rows.group_value == "kvinnor"), ["status", "value", "numerator", "denominator"]] = [
        "missing", np.nan, np.nan, np.nan]
    rows.loc[d1 & (rows.group_value != "kvinnor"), "status"] = "not_applicable"
    out = {}
    worker = threading.Thread(target=lambda: out.update(r=suppression.apply(rows, RULE, REGSO_OF_DESO, DISTRICTS)),
                              daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert "r" in out, "suppression.apply did not finish"
    d1_out = out["r"][(out["r"].level == "deso") & (out["r"].area_code == "D1")].set_index("group_value")
    assert d1_out.status.to_dict() == {"alla": "not_applicable", "kvinnor": "missing", "man": "not_applicable"}


def test_an_exempt_indicator_keeps_small_and_zero_counts_but_not_source_suppression():
    """Counts that are not of persons (an area's type, dwellings) are shown as the open source publishes them."""
    rule = suppression.Rule(min_count=5, min_denominator=20, exempt=frozenset({"omradestyp"}))
    rows = pd.DataFrame({
        "indicator_id": ["omradestyp"] * 4, "level": ["municipality", "regso", "regso", "regso"],
        "area_code": ["1490", "1490R001", "1490R002", "1490R003"], "year": 2023, "group_dim": "total",
        "group_value": "alla", "value": [40.0, 0.0, 100.0, None], "numerator": [40, 0, 40, None],
        "denominator": [100, 30, 40, None], "population": [100, 30, 40, 30], "ci_low": None, "ci_high": None,
        "status": ["ok", "ok", "ok", "suppressed"]})
    out = suppression.apply(rows, rule, {}, {})
    assert out.status.tolist() == ["ok", "ok", "ok", "suppressed"]
    assert out.suppression.tolist() == ["", "", "", "källa"]
    assert out.numerator.tolist()[:3] == [40, 0, 40]
    ruled = suppression.apply(rows, suppression.Rule(min_count=5, min_denominator=20), {}, {})
    assert ruled.status.tolist()[1] == "suppressed"  # the same zero under the rule is hidden


def test_the_committed_rule_names_a_reason_for_every_exempt_indicator():
    import yaml

    from shb.core.catalog import load_catalog

    raw = yaml.safe_load(suppression.RULE_FILE.read_text(encoding="utf-8"))
    ids = {i.id for i in load_catalog().indicators}
    assert raw["exempt"] and all(k in ids and str(v).strip() for k, v in raw["exempt"].items())
    assert suppression.load_rule().exempt == frozenset(raw["exempt"])
