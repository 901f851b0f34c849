"""The publication: what pages, exports and reports read (`published_observation`), made from the stored
observations by the suppression rule and secondary suppression (shb.store.suppression), indicator batch
by indicator batch so memory stays bounded. Writers (shb.store.writer) call `publish` for the indicators
they renew.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from shb.store.schema import statement

# Observations published in one pass (whole indicators; one larger goes alone). A pass streams in storage
# order, so its memory does not grow with it; passes of 500 000 made a million-row import 0.2-0.3 s slower.
PUBLISH_BATCH = 1_500_000
# Observations checked for secondary suppression in one pass, in pandas (whole indicators; one larger goes
# alone): a million rows with counts peaked at 1 030 MB with batches of 500 000, 617 MB with 100 000.
COUNTED_BATCH = 150_000


def publish(con: duckdb.DuckDBPyConnection, indicators: list[str] | None = None) -> None:
    """Add to `published_observation` the observations of `indicators` (default: every indicator observed)
    after the suppression rule and secondary suppression (shb.store.suppression). Pages, exports and
    reports read only this table; it must hold no row of those indicators yet.

    Stored in parts, each sorted by what queries filter on (OBSERVATION_ORDER): an indicator's rows lie in
    few row groups, and what is already published is never sorted again.
    """
    from shb.store import suppression

    rule = suppression.load_rule()
    todo = [i for (i,) in con.execute(statement("observed_indicators")).fetchall()]
    if indicators is not None:
        wanted = set(indicators)
        todo = [i for i in todo if i in wanted]
    if not todo:
        return
    # Indicators without counts, or exempt from the rule, need no secondary suppression: a statement per
    # batch of whole indicators. Counted first, and sizes, for the batches.
    con.register("batch", pd.DataFrame({"indicator_id": todo}, dtype=object))
    counted = {i for (i,) in con.execute(statement("indicators_with_counts")).fetchall()} - rule.exempt
    sizes = dict(con.execute(statement("observations_per_indicator")).fetchall())
    con.unregister("batch")
    con.register("exempt", pd.DataFrame({"indicator_id": sorted(rule.exempt)}, dtype=object))
    # In the order observation is stored in (a scan keeps its order when asked to): sorted already.
    con.execute("set preserve_insertion_order = true")
    for batch in batches([i for i in todo if i not in counted], sizes, PUBLISH_BATCH):
        con.register("batch", pd.DataFrame({"indicator_id": batch}, dtype=object))
        con.execute(statement("publish_by_rule"), {"min_count": rule.min_count, "min_denominator": rule.min_denominator,
                                                   "first": batch[0], "last": batch[-1]})
        con.unregister("batch")
    con.execute("set preserve_insertion_order = false")
    con.unregister("exempt")
    todo = [i for i in todo if i in counted]
    if not todo:
        return
    areas = con.execute(statement("deso_parents")).df()
    members = con.execute(statement("district_regso")).df()
    regso_of_deso = dict(zip(areas.code, areas.parent_code))
    districts = {d: g.regso_code.tolist() for d, g in members.groupby("district_code")}
    # The others in batches of whole indicators (sums never cross indicators), so memory stays bounded.
    for batch in batches(todo, sizes, COUNTED_BATCH):
        con.register("batch", pd.DataFrame({"indicator_id": batch}, dtype=object))
        rows = con.execute(statement("observations_of_indicators"), {"first": batch[0], "last": batch[-1]}).df()
        con.unregister("batch")
        con.register("published", suppression.apply(rows, rule, regso_of_deso, districts))
        con.execute(statement("insert_published"))
        con.unregister("published")


def batches(indicators: list[str], sizes: dict[str, int], limit: int) -> list[list[str]]:
    """`indicators` in order, in batches of whole indicators holding at most `limit` rows (by `sizes`)
    together; an indicator larger than that makes a batch alone."""
    out: list[list[str]] = []
    batch: list[str] = []
    filled = 0
    for indicator in indicators:
        n = sizes.get(indicator, 0)
        if batch and filled + n > limit:
            out.append(batch)
            batch, filled = [], 0
        batch.append(indicator)
        filled += n
    return [*out, batch] if batch else out
