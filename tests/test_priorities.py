"""The Prioritering page: its order equals an independent computation from the database, each row is a
link, and it is presentation-ready."""

from __future__ import annotations

import math

import duckdb
import numpy as np

from shb.present import views
from shb.store import db as dbmod
from shb.web.priorities import PRESENTATION_ROWS, TOP
from tests.pages import run_page

PAGE = "pages/10_prioritering.py"


def _independent_order(db_path) -> list[str]:
    """Effektmål ids in priority order, computed here with SQL and numpy (not shb.analysis.aims)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        aims = con.execute("select t.indicator_id, t.value, t.year, i.direction, i.target_id from indicator_target t "
                           "join indicator i on i.id = t.indicator_id where t.scope = 'city'").fetchall()
        # effektmål only: the övergripande mål (target "0") is not ranked
        targets = [r[0] for r in con.execute("select id from target where id <> '0' order by sort_key").fetchall()]
        series = {i: con.execute(
            "select year, value from published_observation where indicator_id = $i and level = 'municipality' "
            "and group_dim = 'total' and status = 'ok' order by year", {"i": i}).fetchall() for i, *_ in aims}
    finally:
        con.close()
    per_target: dict[str, list[tuple[bool | None, float]]] = {t: [] for t in targets}
    for ind, aim, aim_year, direction, target in aims:
        rows = series[ind]
        end = rows[-1][0]
        window = [(y, v) for y, v in rows if y >= end - 4]
        current = window[-1][1]
        reached = current >= aim if direction == "higher" else current <= aim
        slope = np.polyfit([y for y, _ in window], [v for _, v in window], 1)[0] if len(window) > 1 else math.nan
        needed = (aim - current) / (aim_year - end)
        if reached:
            per_target[target].append((True, 1.0))
            continue
        if math.isnan(slope):
            per_target[target].append((None, math.nan))
            continue
        toward = bool(abs(slope) > 1e-9 and (aim - current) * slope > 0)
        on_time = bool(toward) and end + math.ceil((aim - current) / slope - 1e-9) <= aim_year
        per_target[target].append((on_time, min(slope / needed, 1.0)))
    d = dbmod.Database(db_path)
    try:
        statuses = views.target_statuses(views.overview(d, "omradesutveckling"))
    finally:
        d.close()

    def key(t: str):
        found = per_target[t]
        judged = [o for o, _ in found if o is not None]
        off = sum(o is False for o in judged) / len(judged) if judged else math.nan
        shares = [s for _, s in found if not math.isnan(s)]
        pace = sum(shares) / len(shares) if shares else math.nan
        widening = statuses[t].widening if t in statuses else 0
        return (not found, math.isnan(off), -(0 if math.isnan(off) else off), math.isnan(pace),
                0 if math.isnan(pace) else round(pace, 9), -widening, targets.index(t))

    return sorted(targets, key=key)


def test_the_order_equals_an_independent_computation_and_rows_are_links(demo_db):
    at = run_page(PAGE)
    assert not at.exception, at.exception
    [table] = at.dataframe
    shown = [cell.split(" ", 1)[0] for cell in table.value["Effektmål"]]
    assert shown == _independent_order(demo_db)
    assert table.value["Rang"].tolist() == list(range(1, len(shown) + 1))
    first = table.value["Visa"].iloc[0]
    assert first.split("?")[0] in ("god_start", "arbete", "boende") and "indikator=" in first
    assert any(c == "inget målvärde" for c in table.value["Målvärden som inte nås i tid"])


def test_the_page_is_presentation_ready(demo_db):
    """One screen: a title naming the first effektmål to take and their målvärden off track, one caption
    line, the top rows of the same ranking, and how many more there are."""
    whole = run_page(PAGE).dataframe[0].value
    at = run_page(PAGE, {"visning": "presentation"})
    assert not at.exception, at.exception
    [table] = at.dataframe
    assert table.value.drop(columns="Visa").equals(whole.head(PRESENTATION_ROWS).drop(columns="Visa"))
    top = [cell.split(" ", 1)[0] for cell in whole["Effektmål"].head(TOP)]
    counts = [tuple(int(n) for n in cell.split(" av ")) for cell in whole["Målvärden som inte nås i tid"].head(TOP)
              if cell != "inget målvärde"]
    assert [t.value for t in at.title] == [
        f"Prioritera först {top[0]}, {top[1]} och {top[2]}: {sum(o for o, _ in counts)} av {sum(a for _, a in counts)} "
        "målvärden där nås inte i tid i nuvarande takt"]
    assert len(whole) > PRESENTATION_ROWS
    assert [c.value for c in at.main.caption][1:] == [
        f"Visar {PRESENTATION_ROWS} av {len(whole)} effektmål; {len(whole) - PRESENTATION_ROWS} till i vanligt läge."]
    assert not [p for p in at.get("page_link")], "no navigation or links beside the table in a meeting"
