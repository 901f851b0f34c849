"""Small-number suppression: one rule, applied before any number is shown, plus secondary
suppression so that no hidden value can be recovered by subtraction.

Pure functions on observation frames (the columns of the `observation` table).
The sums checked are the ones the data holds: the kommun is the sum of its RegSO, a RegSO the sum
of its DeSO, a district the sum of its RegSO, and a total the sum of a dimension's groups. A sum
with exactly one hidden part would give that part away, so another part (the smallest) is hidden
too, until no sum has exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shb.core import paths, yamlfile

RULE_FILE = paths.DATA / "suppression.yaml"
# population too: for register shares it is the denominator, so it would give a hidden base away
HIDDEN_COLUMNS = ["value", "numerator", "denominator", "population", "ci_low", "ci_high"]


@dataclass(frozen=True)
class Rule:
    min_count: int = 5
    min_denominator: int = 20
    # Indicators whose counts are not of persons (an area's type, dwellings), published as they are by an
    # open source: the small-number rule would only hide public facts. Source suppression still stands.
    exempt: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        return f"antal under {self.min_count} eller bas under {self.min_denominator}"


def load_rule(path: Path = RULE_FILE) -> Rule:
    raw = yamlfile.load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return Rule(int(raw.get("min_count", 5)), int(raw.get("min_denominator", 20)),
                frozenset((raw.get("exempt") or {}).keys()))


def exempt(rows: pd.DataFrame, rule: Rule) -> pd.Series:
    """Rows of indicators the rule does not apply to (frames without an indicator column have none)."""
    if "indicator_id" not in rows or not rule.exempt:
        return pd.Series(False, index=rows.index)
    return rows.indicator_id.isin(rule.exempt)


def primary(rows: pd.DataFrame, rule: Rule) -> pd.Series:
    """Rows the rule hides: published values built on too few."""
    ok = (rows.status == "ok") & ~exempt(rows, rule)
    small = (rows.numerator < rule.min_count) | (rows.denominator < rule.min_denominator)
    return ok & small.fillna(False).astype(bool)


def relation_edges(rows: pd.DataFrame, regso_of_deso: dict[str, str],
                   district_members: dict[str, list[str]], by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every sum the rows hold, as edges: `rel` (a sum), `row` (position in `rows`), `is_parent`.

    `by` names columns a sum never crosses (the indicator, when the rows hold several)."""
    r = rows.reset_index(drop=True)
    r = r.assign(row=r.index)
    by = list(by)
    keys = [*by, "level", "area_code", "year", "group_dim", "group_value"]
    # (child level, how to find the parent's level and code, on which rows)
    children = [
        r[r.level == "regso"].assign(p_level="municipality", p_code="1490"),
        r[r.level == "deso"].assign(p_level="regso", p_code=lambda d: d.area_code.map(regso_of_deso)),
    ]
    membership = pd.DataFrame([(m, d) for d, ms in district_members.items() for m in ms],
                              columns=["area_code", "p_code"])
    regso = r[r.level == "regso"]
    if len(membership) and len(regso):
        children.append(regso.merge(membership, on="area_code").assign(p_level="district"))
    edges = []
    for kids in children:
        kids = kids.dropna(subset=["p_code"])
        linked = kids.merge(r[[*keys, "row"]].rename(columns={"level": "p_level", "area_code": "p_code", "row": "parent"}),
                            on=[*by, "p_level", "p_code", "year", "group_dim", "group_value"])
        edges.append(linked[["parent", "row"]].assign(kind=kids.p_level.iloc[0] if len(kids) else ""))
    groups = r[r.group_dim != "total"]
    totals = r[r.group_dim == "total"][[*by, "level", "area_code", "year", "row"]].rename(columns={"row": "parent"})
    linked = groups.merge(totals, on=[*by, "level", "area_code", "year"])
    edges.append(linked[["parent", "row"]].assign(kind="group:" + linked.group_dim))
    e = pd.concat(edges, ignore_index=True)
    # A sum is its kind and its parent row: one integer (no text per edge).
    kinds, _ = pd.factorize(e.kind)
    e["rel"] = kinds.astype(np.int64) * max(1, len(r)) + e.parent.to_numpy(dtype=np.int64)
    parents = e.drop_duplicates("rel")[["rel", "parent"]].rename(columns={"parent": "row"}).assign(is_parent=True)
    return pd.concat([parents, e[["rel", "row"]].assign(is_parent=False)], ignore_index=True)


def secondary(hidden: np.ndarray, edges: pd.DataFrame, size: np.ndarray,
              eligible: np.ndarray | None = None) -> np.ndarray:
    """Hide more cells until no sum has exactly one hidden cell (the smallest eligible visible child goes).

    `hidden` marks every cell whose value is unknown to a reader; only `eligible` cells (published
    values) are ever hidden in addition.
    """
    hidden = hidden.copy()
    eligible = np.ones(len(hidden), dtype=bool) if eligible is None else eligible
    if edges.empty:
        return hidden
    # Sums as integer codes, so each round is a count and a lookup over arrays (no membership test on
    # strings, whose cost grew with edges × exposed sums).
    rows, is_parent = edges.row.to_numpy(), edges.is_parent.to_numpy(dtype=bool)
    rels, names = pd.factorize(edges.rel)
    while True:
        h = hidden[rows]
        exposed = np.bincount(rels, weights=h, minlength=len(names)) == 1
        if not exposed.any():
            return hidden
        picked = exposed[rels]
        e = pd.DataFrame({"rel": rels[picked], "row": rows[picked], "is_parent": is_parent[picked],
                          "h": h[picked], "size": size[rows[picked]]})
        e = e[eligible[e.row.to_numpy()] | e.h]
        visible_kids = e[~e.is_parent & ~e.h].sort_values(["size", "row"]).drop_duplicates("rel")
        no_kids = exposed.copy()
        no_kids[visible_kids.rel.to_numpy()] = False
        parents = e[e.is_parent & no_kids[e.rel.to_numpy()]]
        more = np.concatenate([visible_kids.row.to_numpy(), parents.row.to_numpy()])
        if hidden[more].all():  # what remains exposed has nothing left that may be hidden (e.g. only '.' cells)
            return hidden
        hidden[more] = True


def apply(rows: pd.DataFrame, rule: Rule, regso_of_deso: dict[str, str],
          district_members: dict[str, list[str]]) -> pd.DataFrame:
    """The rows as they may be published: rule-hidden and recoverable cells turned `suppressed`.

    Only share and rate rows (those with counts) are checked; a `suppression` column says why a
    row is hidden: "källa" (by the source), "regel" (by the rule) or "skydd" (to protect another).
    The rows may hold several indicators (the publication passes them in batches): sums never cross
    indicators, and secondary suppression runs on each indicator that has counts and is not exempt, so
    the result is the same as one indicator at a time.
    """
    r = rows.reset_index(drop=True).copy()
    if "indicator_id" not in r:  # one unnamed indicator
        r["indicator_id"] = ""
        return apply(r, rule, regso_of_deso, district_members).drop(columns="indicator_id")
    published = (r.status == "ok").to_numpy()
    by_source = (r.status == "suppressed").to_numpy()
    by_rule = primary(r, rule).to_numpy()
    hidden = r.status.isin(["suppressed", "missing"]).to_numpy() | by_rule
    counted = r.numerator.notna().groupby(r.indicator_id).transform("any").to_numpy(dtype=bool)
    checked = counted & ~exempt(r, rule).to_numpy()
    if checked.any():
        at = np.flatnonzero(checked)
        part = r.iloc[at]
        size = part.denominator.fillna(0).to_numpy(dtype=float)
        edges = relation_edges(part, regso_of_deso, district_members, by=("indicator_id",))
        hidden[at] = secondary(hidden[at], edges, size, eligible=published[at])
    hidden &= published | by_source
    protect = hidden & ~by_source & ~by_rule
    r["suppression"] = np.select([by_source, by_rule, protect], ["källa", "regel", "skydd"], default="")
    newly = hidden & ~by_source
    r.loc[newly, "status"] = "suppressed"
    r.loc[hidden, HIDDEN_COLUMNS] = np.nan
    return r
