"""Checking the cells of an offered file against the current snapshot: every row, every problem, in Swedish.

`load_context` reads what the snapshot knows (indicators, areas, groups) through named queries;
`validate` stages the cells in a DuckDB work connection (`shb.ingest.staging`) and checks them as set
operations: what a cell means is worked out once per distinct cell (indicator ids, area codes, groups,
statuses; Python loops over those only), every rule is one query over all rows, and the problems are
sorted by row and column in the file, first `shown` and the total (`shb.ingest.problems`). The accepted
rows stay in the work connection (table `accepted`) for `shb.ingest.load`. Nothing here writes a snapshot.

The SQL is assembled from column names and rule texts in code (every text from a file is a value in a
table, joined, never part of the SQL): the written-down exception to SQL in named files.

Over 500 lines on purpose: every rule's condition, its Swedish reason and the order problems are listed
in are read side by side here, with the staging they run over; split, a rule's text and its query would
drift apart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import pandas as pd

from shb.core.areas import AREA_SUFFIX
from shb.core.catalog import COUNT_RANGE, LEVEL_LABELS, LEVELS, UNIT_RANGES
from shb.ingest.problems import Problem, integer, reject
from shb.ingest.read import (
    ALIASES,
    COUNT_COLUMNS,
    NUMBER_COLUMNS,
    OPTIONAL,
    REQUIRED,
    Limits,
    RawTable,
    normal_name,
    resolve_columns,
)
from shb.ingest.staging import SPACE, blank, close_connection, drop_relations, work_connection
from shb.store import db as dbmod

FIRST_YEAR = 1990


# --- What the current snapshot knows ----------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """The indicators, areas and groups of the snapshot an import is checked against."""

    version: str
    indicators: pd.DataFrame  # indexed by id: kind, unit, levels, survey
    area_level: dict[str, str]
    allowed_groups: dict[str, list[tuple[str, str]]]  # indicator → (dimension, value), total included
    dimension_names: dict[str, str]  # normal_name(code or label) → dimension
    value_names: dict[tuple[str, str], str]  # (dimension, normal value or label) → value
    series_break_areas: frozenset[str]


def _normal_value(text: object) -> str:
    """Group values keep their hyphens ('16-29'); en dashes become hyphens, å/ä/ö are folded."""
    text = str(text).replace("\u2013", "-").replace("\u2212", "-")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"\s+", "_", text)


def load_context(database: dbmod.Database) -> Context:
    """Read, through named queries, what an import has to agree with."""
    cat = database.run("indicator_catalog").set_index("id")
    groups = database.run("indicator_groups")
    areas = pd.concat([database.run("areas_at_level", level=lvl) for lvl in LEVELS], ignore_index=True)
    members = database.run("district_members")
    changed = set(areas.loc[areas.border_changed_2025.fillna(False).astype(bool) & (areas.level == "regso"), "code"])
    changed |= set(members.loc[members.regso_code.isin(changed), "district_code"])
    # The names of dimensions and values from their distinct pairs (a few dozen), not from every row.
    named = groups[["dimension", "dimension_label"]].drop_duplicates()
    dims = {normal_name(name): dim for dim, label in zip(named.dimension, named.dimension_label, strict=True)
            for name in (dim, label)}
    valued = groups[["dimension", "value", "label"]].drop_duplicates()
    values = {(dim, _normal_value(name)): value
              for dim, value, label in zip(valued.dimension, valued.value, valued.label, strict=True)
              for name in (value, label)}
    allowed: dict[str, list[tuple[str, str]]] = {}
    for indicator, dim, value in zip(groups.indicator_id, groups.dimension, groups.value, strict=True):
        allowed.setdefault(indicator, []).append((dim, value))
    return Context(
        version=database.version, indicators=cat[["title", "kind", "unit", "levels", "survey"]],
        area_level=dict(zip(areas.code, areas.level)), allowed_groups=allowed,
        dimension_names=dims, value_names=values, series_break_areas=frozenset(changed))


# --- Validation ---------------------------------------------------------------------------------------

KEY = ["indicator_id", "area_code", "year", "group_dim", "group_value"]
STATUS_WORDS = {
    "": "", "ok": "ok",
    "..": "suppressed", "sekretess": "suppressed", "undertryckt": "suppressed", "suppressed": "suppressed",
    ".": "not_applicable", "ej_tillamplig": "not_applicable", "not_applicable": "not_applicable",
    "-": "missing", "\u2013": "missing", "saknas": "missing", "missing": "missing",
}
STATUS_LABELS = {"ok": "ok", "suppressed": "'..' (sekretess)", "not_applicable": "'.' (ej tillämplig)",
                 "missing": "'-' (saknas)"}
_SYMBOLS = {"..": "suppressed", ".": "not_applicable", "-": "missing", "\u2013": "missing"}


@dataclass
class Checked:
    """A validated file: the accepted rows (table `accepted` in `con`, one row per value), the first problems
    found, how many there were, and the file's column labels."""

    con: duckdb.DuckDBPyConnection
    problems: list[Problem]
    total: int
    labels: dict[str, str]

    @property
    def rows(self) -> pd.DataFrame:
        return self.con.execute("select * from accepted order by row").df()


def close(checked: Checked) -> None:
    """Close the work connection and remove its temporary folder (spilled data, the Parquet hand-over)."""
    close_connection(checked.con)


def _show(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


COLUMNS = (*REQUIRED, *OPTIONAL)


def stage(table: RawTable, columns: dict[str, int]) -> duckdb.DuckDBPyConnection:
    """A work connection whose table (or view over the staged file) `cells` holds, per data row: `row` (its number in the file), `extra`
    (cells beyond the header), and for every known column t_<c> (the cell as text, '' when empty) and
    n_<c> (true when Excel stored a number there). Column names are code-made (COLUMNS)."""
    width = len(table.header)
    if table.staged is not None:
        con, raw = table.staged.con, table.staged
        parts = ["line as row"]
        beyond = [f"not {blank(f'c{i}')}" for i in range(width, raw.width)]
        parts.append("(" + (" or ".join(beyond) or "false") + ") as extra")
        for c in COLUMNS:
            i = columns.get(c)
            parts.append(f"coalesce(c{i}, '') as t_{c}" if i is not None and i < raw.width else f"'' as t_{c}")
            parts.append(f"false as n_{c}")
        # A view: the staged rows are read where the rules need them, never copied whole. (A view takes no
        # bound parameters; `after` is an integer made here.)
        con.execute(f"create view cells as select {', '.join(parts)} from raw where filled and k > {int(raw.after)}")
        return con
    con = work_connection()
    # The rows of a table read in Python (Excel, fetched values), as Arrow columns: bounded by the readers'
    # cell limits.
    con.register("python_cells", table.columns(columns, COLUMNS))
    con.execute("create table cells as select * from python_cells")
    con.unregister("python_cells")
    return con


def validate(table: RawTable, ctx: Context, limits: Limits | None = None) -> Checked:
    """Check every row of `table` against `ctx`, as queries over the staged cells; the accepted rows are the
    table `accepted` of the returned connection (the caller closes it)."""
    limits = limits or Limits()
    try:
        columns = resolve_columns(table.header, table.header_row)
        if not table.size:
            reject("Filen har rubrikrader men inga datarader.")
    except BaseException:
        if table.staged is not None:
            table.staged.close()
        raise
    labels = {c: table.header[i].strip() for c, i in columns.items()}
    labels.update({c: ALIASES[c][0] for c in COLUMNS if c not in labels})
    con = stage(table, columns)
    try:
        _lookups(con, ctx)
        rules = _rules(ctx)
        _derive(con, rules, set(columns))
        problems, total = _problems(con, ctx, rules, labels, limits.shown)
    except BaseException:
        close_connection(con)
        raise
    return Checked(con, problems, total, labels)


# --- Per distinct value: what a cell means (Python over distinct cells only) ------------------------

def _distinct(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _register(con, name: str, frame: pd.DataFrame) -> None:
    """`frame` as table `name` (a code-made name); text columns stay text even when all missing."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].astype("string")
    con.register(f"{name}_frame", frame)
    con.execute(f"create or replace table {name} as select * from {name}_frame")
    con.unregister(f"{name}_frame")


def _lookups(con, ctx: Context) -> None:
    """Tables of what each distinct cell means: indicator, area, group, status, value symbol."""
    ids = _distinct(con, "select distinct t_indikator as t from cells")
    ids["id"] = ids.t.map(lambda t: t.strip().lower())
    ids["known"] = ids.id.isin(ctx.indicators.index)
    unknown = ids[~ids.known & (ids.id != "")]
    names = list(ctx.indicators.index)
    ids["reason"] = pd.Series(None, index=ids.index, dtype="string")
    ids.loc[unknown.index, "reason"] = [_suggest(v, names) for v in unknown.id]
    # What a known indicator is (kind, unit, survey) and the range of its unit, on the same row: one join.
    info = ctx.indicators.reset_index()[["id", "kind", "unit", "survey"]]
    info["survey"] = info.survey.fillna(False).astype(bool)
    ranges = pd.DataFrame(
        [(n, r.low, r.high, r.text(), 1e-9 * max(1.0, abs(r.low), abs(r.high))) for n, r in UNIT_RANGES.items()],
        columns=["unit", "r_low", "r_high", "r_text", "r_slack"])
    known = ids.merge(info.merge(ranges, on="unit", how="left"), on="id", how="left")
    known["survey"] = known.survey.astype("boolean")  # missing for an unknown id, not the text 'nan'
    _register(con, "l_indicator", known)

    areas = _distinct(con, "select distinct t_omrade as t from cells")
    areas["code"] = [AREA_SUFFIX.sub("", t.strip().upper()) for t in areas.t]
    areas["lvl"] = areas.code.map(ctx.area_level).astype(object)
    _register(con, "l_area", areas)

    groups = _distinct(con, "select distinct t_grupp_typ as td, t_grupp as tv from cells")
    dim_text, val_text = groups.td.str.strip(), groups.tv.str.strip()
    total = (dim_text == "") & (val_text == "")
    dims = dim_text.map(lambda d: ctx.dimension_names.get(normal_name(d)))
    values = [ctx.value_names.get((d or "", _normal_value(v))) for d, v in zip(dims, val_text, strict=True)]
    groups["dim_text"], groups["val_text"], groups["total"] = dim_text, val_text, total
    groups["dim"] = dims.where(~total, "total").astype(object)
    groups["val"] = pd.Series(values, index=groups.index, dtype=object).where(~total, "alla")
    _register(con, "l_group", groups)

    status = _distinct(con, "select distinct t_status as t from cells")
    text = status.t.str.strip()
    status["word"] = pd.Series([STATUS_WORDS.get(x if x in _SYMBOLS else normal_name(x)) for x in text],
                               index=status.index, dtype="string")
    _register(con, "l_status", status)

    symbols = _distinct(con, "select distinct t_varde as t from cells where not n_varde")
    symbols["symbol"] = pd.Series([_SYMBOLS.get(t.strip()) for t in symbols.t], index=symbols.index, dtype="string")
    _register(con, "l_symbol", symbols[symbols.symbol.notna()])

    _register(con, "l_info", info.rename(columns={"id": "indicator_id"}))
    _register(con, "l_levels", pd.DataFrame(
        [(i, lv) for i, ls in ctx.indicators.levels.items() for lv in ls], columns=["indicator_id", "lvl"]))
    _register(con, "l_groups", pd.DataFrame(
        [(i, d, v) for i, pairs in ctx.allowed_groups.items() for d, v in pairs],
        columns=["indicator_id", "dim", "val"]))


# --- Per row: every rule as one query over all rows ---------------------------------------------------

_TEXT_NUMBER = {"comma": r"[+-]?\d*,\d+", "point": r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?",
                "int": r"[+-]?\d+([eE][+-]?\d+)?"}
NUMBERS = ("ar", *NUMBER_COLUMNS)


def _number_table(con, c: str) -> None:
    """Table l_num_<c>: per distinct cell (t, n) of column `c`, its value `p`, whether it is no number (`bad`),
    whether it uses a decimal comma or point (Excel's numbers use neither), whether it is blank, and (in the
    value column) the status symbol it stands for."""
    cell = "(case when s.symbol is not null then '' else d.t end)" if c == "varde" else "d.t"
    symbol = "left join l_symbol as s on d.t = s.t and not d.n" if c == "varde" else ""
    symbol_value = "s.symbol" if c == "varde" else "null::varchar"
    m = {k: f"regexp_full_match(x, '{v}')" for k, v in _TEXT_NUMBER.items()}
    con.execute(f"""
        create or replace table l_num_{c} as
        with d as (select distinct t_{c} as t, n_{c} as n from cells),
        x as (
            select d.t, d.n, replace(regexp_replace({cell}, '{SPACE}', '', 'g'), '\u2212', '-') as x,
                   {symbol_value} as symbol
            from d {symbol}),
        m as (select *, {m['comma']} as mc, {m['point']} as mp, {m['int']} as mi from x),
        v as (
            select *, case when n then try_cast(t as double) when mc then try_cast(replace(x, ',', '.') as double)
                           when mp or mi then try_cast(x as double) end as p,
                      (not n and x <> '' and not (mc or mp or mi)) as bt
            from m)
        select t, n, (bt or (p is not null and not isfinite(p))) as bad,
               case when not (bt or (p is not null and not isfinite(p))) then p end as v,
               (not n and mc) as comma, (not n and mp) as point, {blank('t')} as empty, symbol
        from v""")


def _derive(con, rules: list[tuple[str | None, str, str, str | None]], present: set[str]) -> None:
    """View `derived`: per row of `cells`, every normalised value and every flag the rules need (a view:
    the rows are derived where they are read). Table `judged`: per row, only what an accepted row is made
    of, whether any rule holds for the row (`flagged`: `_problems` derives those rows again, whole) and
    whether it passed every rule (`ok`). A column the file does not have is empty on every row: its
    meaning is a constant, not a join.

    Only the few columns an accepted row needs are stored: storing every cell and flag of a million rows
    (70 columns) took 0.64 s and reading them back for the flagged rows 0.24 s more; 18 columns take a
    fraction of that (DuckDB 2.0.1)."""
    numbers, joins = [], []
    for c in NUMBERS:
        if c not in present:
            numbers.append(f"false as bad_{c}, null::double as v_{c}, false as comma_{c}, false as point_{c}, "
                           f"true as empty_{c}")  # varde, whose symbol is taken, is always there
            continue
        _number_table(con, c)
        numbers.append(f"n_{c}.bad as bad_{c}, n_{c}.v as v_{c}, n_{c}.comma as comma_{c}, n_{c}.point as point_{c}, "
                       f"n_{c}.empty as empty_{c}")
        joins.append(f"left join l_num_{c} as n_{c} on c.t_{c} = n_{c}.t and c.n_{c} = n_{c}.n")
    if {"grupp_typ", "grupp"} & present:
        group = "g.dim_text, g.val_text, g.total as grp_total, g.dim, g.val"
        joins.append("left join l_group as g on c.t_grupp_typ = g.td and c.t_grupp = g.tv")
    else:
        group = "'' as dim_text, '' as val_text, true as grp_total, 'total' as dim, 'alla' as val"
    if "status" in present:
        status = "st.word as status_word"
        joins.append("left join l_status as st on c.t_status = st.t")
    else:
        status = "'' as status_word"
    ranges = ", ".join(f"coalesce(v_{c} < r_low - r_slack or v_{c} > r_high + r_slack, false) as r_{c}"
                       for c in ("varde", "ki_lag", "ki_hog"))
    given = "(not empty_varde and symbol is null)"
    con.execute(f"""
        create view derived as
        with d as (
            select c.*, i.id as ind_text, i.known as ind_known,
                   a.code as area_text, a.lvl, {group}, {status}, n_varde.symbol, {", ".join(numbers)},
                   case when i.known then i.id end as indicator_id, i.kind, i.unit, i.survey,
                   i.r_low, i.r_high, i.r_slack
            from cells as c
            left join l_indicator as i on c.t_indikator = i.t
            left join l_area as a on c.t_omrade = a.t
            {" ".join(joins)}),
        e as (select d.*, {given} as given from d)
        select e.* exclude (r_high, r_slack), {ranges},
               (e.indicator_id is not null and e.lvl is not null and lv.indicator_id is null) as level_wrong,
               (e.indicator_id is not null and e.dim is not null and e.val is not null and gr.indicator_id is null)
                   as group_wrong,
               case when status_word <> '' then status_word when status_word = '' and symbol is not null then symbol
                    when given then 'ok' else '' end as status
        from e
        left join l_levels as lv on lv.indicator_id = e.indicator_id and lv.lvl = e.lvl
        left join l_groups as gr on gr.indicator_id = e.indicator_id and gr.dim = e.dim and gr.val = e.val""")
    # A rule on a cell of a column the file lacks (a formula in it) cannot hold: left out of the flag.
    lacking = re.compile(r"\b[tn]_(" + "|".join(c for c in COLUMNS if c not in present) + r")\b")
    can_hold = [cond for _, cond, _, _ in rules if len(present) == len(COLUMNS) or not lacking.search(cond)]
    # One pass over the rows: what an accepted row is made of, and the flags.
    con.execute(f"""
        create table judged as
        select row, indicator_id, area_text, lvl, v_ar, dim, val, v_varde, v_taljare, v_namnare, v_ki_lag, v_ki_hog,
               v_befolkning, status,
               ({" or ".join(f"coalesce({cond}, false)" for cond in can_hold)}) as flagged,
               ({_ok_sql()}) as ok,
               ({" or ".join(f"comma_{c}" for c in NUMBER_COLUMNS)}) as comma,
               ({" or ".join(f"point_{c}" for c in NUMBER_COLUMNS)}) as point
        from derived""")
    mix = con.execute("select min(row) filter (where comma), min(row) filter (where point) from judged").fetchall()[0]
    con.execute("create or replace table file_mix as select $comma::bigint as comma_row, $point::bigint as point_row",
                {"comma": mix[0], "point": mix[1]})


def _rules(ctx: Context) -> list[tuple[str | None, str, str, str | None]]:
    """(column, condition, reason, value) of every rule, in the order the problems of one row and column are
    listed. Conditions and reasons are SQL over `judged` joined with the allowed levels and groups;
    the value defaults to the cell."""
    year_last = date.today().year
    known_dims = ", ".join(sorted(set(ctx.dimension_names.values()) - {"total"}))
    number_text = "inte ett tal (skriv t.ex. 12,5 eller 12.5, utan enhet eller procenttecken)"
    both_or_none = "ange både grupptyp och grupp, eller lämna båda tomma för totalen (total/alla)"
    rules: list[tuple[str | None, str, str, str | None]] = [
        (None, "extra", _q("raden har fler fält än rubrikraden; kontrollera avgränsare och citattecken "
                           "(decimalkomma i en kommaavgränsad fil måste stå inom citattecken)"), "null"),
    ]
    rules += [(c, f"starts_with(t_{c}, '=') and not n_{c}", _q("cellen innehåller en formel; formler räknas "
                                                                 "inte ut vid inläsning – klistra in värdena i stället"),
               None) for c in COLUMNS]
    rules += [
        ("indikator", "ind_text = ''", _q("indikator saknas"), None),
        ("indikator", "not ind_known and ind_text <> ''", "ind_reason", None),
        ("omrade", "area_text = ''", _q("område saknas"), None),
        ("omrade", "lvl is null and area_text <> ''", _q("okänt område: ange en kommun-, stadsdels-, RegSO- eller "
                                                          "DeSO-kod i Borås (t.ex. 1490, 1490D01, 1490R025, 1490C1010)"), None),
        ("omrade", "level_wrong", "level_reason", None),
        ("ar", "v_ar is null and not bad_ar", _q("år saknas"), None),
        ("ar", "bad_ar or (v_ar is not null and v_ar % 1 <> 0)", _q("året ska vara ett heltal, t.ex. 2023"), None),
        ("ar", f"v_ar is not null and v_ar % 1 = 0 and not (v_ar between {FIRST_YEAR} and {year_last})",
         _q(f"året ligger utanför {FIRST_YEAR}–{year_last}"), None),
        ("grupp_typ", "dim_text = '' and not grp_total", _q(f"grupptyp saknas; {both_or_none}"), None),
        ("grupp", "val_text = '' and not grp_total", _q(f"grupp saknas; {both_or_none}"), None),
        ("grupp_typ", "dim_text <> '' and val_text <> '' and dim is null",
         _q(f"okänd grupptyp; kända grupptyper: {known_dims}"), None),
        ("grupp", "dim_text <> '' and val_text <> '' and dim is not null and val is null",
         _q("okänd grupp för grupptypen ") + " || dim", None),
        ("grupp", "group_wrong", "group_reason",
         "(case when grp_total then 'total' else dim_text end) || '/' || (case when grp_total then 'alla' else val_text end)"),
    ]
    for c in NUMBER_COLUMNS:
        rules.append((c, f"bad_{c}", _q(number_text), None))
        if c in COUNT_COLUMNS:
            rules += [(c, f"v_{c} is not null and v_{c} % 1 <> 0", _q("ska vara ett heltal (ett antal)"), None),
                      (c, f"v_{c} < {COUNT_RANGE.low}", _q("ett antal kan inte vara negativt"), None),
                      (c, f"v_{c} > {COUNT_RANGE.high}", _q(f"orimligt stort antal (mer än {integer(COUNT_RANGE.high)})"),
                       None)]
    for c in ("varde", "ki_lag", "ki_hog"):
        rules.append((c, f"r_{c}", f"case when v_{c} < 0 and r_low = 0 then {_q('värdet kan inte vara negativt; ')} "
                               f"|| r_text else r_text end", None))
    rules += [
        ("taljare", "kind = 'share' and v_taljare > v_namnare", _q("täljaren är större än nämnaren"), None),
        ("ki_lag", "coalesce(v_ki_lag > v_ki_hog or v_ki_lag > v_varde or v_varde > v_ki_hog, false)",
         _q("konfidensintervallet ska omsluta värdet (ki_låg ≤ värde ≤ ki_hög)"), None),
        ("status", "status_word is null", _q("okänd status; använd tomt eller ok, '..' (sekretess), "
                                             "'.' (ej tillämplig) eller '-' (saknas)"), None),
        ("status", "symbol is not null and status_word is not null and status_word <> '' and status_word <> symbol",
         _q("statusen säger något annat än tecknet i värdekolumnen"), None),
        ("varde", "status in ('', 'ok') and not given and status_word is not null",
         _q("värde saknas; ange ett värde eller en status ('..' sekretess, '.' ej tillämplig, '-' saknas)"), None),
        ("varde", "status in ('suppressed', 'not_applicable', 'missing') and given",
         _q("ett värde anges fast statusen är ") + " || status_label || " + _q("; lämna värdet tomt eller ändra statusen"),
         None),
    ]
    return rules


def _q(text: str) -> str:
    """A text from code as an SQL literal."""
    return "'" + text.replace("'", "''") + "'"


STATUS_SQL = "case " + " ".join(f"when status = {_q(k)} then {_q(v)}" for k, v in STATUS_LABELS.items()) + " end"


def _problems(con, ctx: Context, rules: list[tuple[str | None, str, str, str | None]], labels: dict[str, str],
              shown: int) -> tuple[list[Problem], int]:
    """Every rule (`_rules`) as a query over the flagged rows; then the duplicates among the rows that passed
    them all."""
    order = {c: i for i, c in enumerate(labels)}
    # The rows with any problem (few, in a file that loads) derived again, whole, with the texts naming
    # what a row's indicator allows; then the cells are let go (the view over the staged file, then its
    # rows, or the rows read in Python).
    (n_flagged,) = con.execute("select count(*) from judged where flagged").fetchall()[0]
    rows = "row in (select row from judged where flagged)" if n_flagged else "false"
    con.execute("create table flagged as select f.*, i.reason as ind_reason, i.r_text "
                f"from (select * from derived where {rows}) as f left join l_indicator as i on f.t_indikator = i.t")
    drop_relations(con, "derived", "cells", "raw", "raw_rows", "line_map")
    wrong_levels = con.execute("select distinct indicator_id, lvl from flagged where level_wrong").df()
    wrong_levels["reason"] = [_level_reason(f"{i}|{lv}", ctx) for i, lv in zip(wrong_levels.indicator_id,
                                                                                 wrong_levels.lvl, strict=True)]
    _register(con, "l_level_reason", wrong_levels)
    wrong_groups = con.execute("select distinct indicator_id, dim, val from flagged where group_wrong").df()
    wrong_groups["reason"] = [_group_reason(f"{i}|{d}|{v}", ctx) for i, d, v in
                              zip(wrong_groups.indicator_id, wrong_groups.dim, wrong_groups.val, strict=True)]
    _register(con, "l_group_reason", wrong_groups)
    selects = []
    for seq, (col, cond, reason, value) in enumerate(rules):
        label = _q(labels[col]) if col else "null"
        selects.append(f"select row, {order.get(col, -1) if col else -1} as ord, {seq} as seq, {label} as col, "
                       f"{value or f't_{col}'} as value, {reason} as reason from j where {cond}")
    con.execute(f"""
        create table problems as
        with j as (
            select judged.*, {STATUS_SQL} as status_label, lr.reason as level_reason, gr.reason as group_reason
            from flagged as judged
            left join l_level_reason as lr on lr.indicator_id = judged.indicator_id and lr.lvl = judged.lvl
            left join l_group_reason as gr
                on gr.indicator_id = judged.indicator_id and gr.dim = judged.dim and gr.val = judged.val)
        {" union all ".join(selects)}""")
    comma, point = con.execute("select comma_row, point_row from file_mix").fetchall()[0]
    if comma is not None and point is not None:
        con.execute("insert into problems values (0, -2, -1, null, null, $reason)", {"reason": (
            f"filen blandar decimalkomma (t.ex. rad {comma}) och decimalpunkt (t.ex. rad {point}); använd samma "
            "decimaltecken i hela filen")})
    con.execute("drop table flagged")
    _accept(con, order.get("indikator", -1), labels["indikator"], comma is not None and point is not None)
    total = con.execute("select count(*) from problems").fetchall()[0][0]
    head = con.execute("select row, col, value, reason from problems order by row, ord, seq limit $n",
                       {"n": shown}).fetchall()
    return [Problem(int(r) or None, c, v, why) for r, c, v, why in head], int(total)


def _ok_sql() -> str:
    """SQL: the row passed every rule over its own cells (the problems of extra fields and formulas refuse
    the file, not the row; so does a file mixing decimal signs, which `_accept` applies)."""
    counts = " and ".join(f"not coalesce(v_{c} % 1 <> 0 or v_{c} < {COUNT_RANGE.low} - {_slack()} "
                          f"or v_{c} > {COUNT_RANGE.high} + {_slack()}, false)" for c in COUNT_COLUMNS)
    numbers = " and ".join(f"not bad_{c}" for c in NUMBER_COLUMNS)
    return f"""ind_known and lvl is not null and not level_wrong
        and v_ar is not null and v_ar % 1 = 0 and v_ar between {FIRST_YEAR} and {date.today().year}
        and dim is not null and val is not null and not group_wrong
        and {numbers} and {counts}
        and not (r_varde or r_ki_lag or r_ki_hog)
        and not coalesce(kind = 'share' and v_taljare > v_namnare, false)
        and not coalesce(v_ki_lag > v_ki_hog or v_ki_lag > v_varde or v_varde > v_ki_hog, false)
        and status_word is not null
        and not (symbol is not null and status_word <> '' and status_word <> symbol)
        and not (status in ('', 'ok') and not given)
        and not (status in ('suppressed', 'not_applicable', 'missing') and given)"""


def _slack() -> float:
    return 1e-9 * max(1.0, abs(COUNT_RANGE.low), abs(COUNT_RANGE.high))


def _accept(con, order: int, label: str, mixed: bool) -> None:
    """`accepted`: the rows that passed every rule (none when the file mixes decimal signs), less later rows
    with the key of an earlier one (each reported, naming the first row). A view over `judged` when no key
    repeats (the common case: nothing is copied); a table otherwise."""
    con.execute(f"""
        create view passed as
        select row, indicator_id, area_text as area_code, lvl as level, v_ar as year, dim as group_dim,
               val as group_value, v_varde as varde, v_taljare as taljare, v_namnare as namnare,
               v_ki_lag as ki_lag, v_ki_hog as ki_hog, v_befolkning as befolkning, status
        from judged where ok and {"false" if mixed else "true"}""")
    key = ", ".join(KEY_SQL)
    # Rows with the same key have the same hash: no repeated hash, no repeated key (one integer to group
    # by, not five texts). Only when a hash repeats are the keys themselves compared.
    (dups,) = con.execute(f"select count(*) from (select hash({key}) as h from passed group by h "
                          "having count(*) > 1)").fetchall()[0]
    if dups:
        (dups,) = con.execute(f"select count(*) from (select {key} from passed group by all having count(*) > 1)"
                              ).fetchall()[0]
    if not dups:
        con.execute("create view accepted as select * from passed")
        return
    con.execute(f"""
        create table ranked as
        select *, min(row) over (partition by {key}) as first_row,
               row_number() over (partition by {key} order by row) as nth
        from passed""")
    con.execute("insert into problems select row, $ord, 1000, $label, indicator_id, "
                "'samma indikator, område, år och grupp som rad ' || first_row from ranked where nth > 1",
                {"ord": order, "label": label})
    con.execute("create table accepted as select * exclude (first_row, nth) from ranked where nth = 1")
    con.execute("drop table ranked")


def release_accepted(con) -> None:
    """Drop `accepted` and what it is read from (`passed`, `judged`), once its rows are used."""
    drop_relations(con, "accepted", "passed", "judged")


KEY_SQL = ("indicator_id", "area_code", "year", "group_dim", "group_value")


def _suggest(value: str, ids: list[str]) -> str:
    best = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
    hint = f" – menade du {best[0]!r}?" if best else "; se `python -m shb catalog` för giltiga id"
    return f"okänd indikator{hint}"


def _level_reason(key: str, ctx: Context) -> str:
    indicator, level = key.split("|")
    allowed = ", ".join(LEVEL_LABELS[x] for x in ctx.indicators.levels[indicator])
    return f"indikatorn {indicator} redovisas inte på nivån {LEVEL_LABELS[level]}; tillåtna nivåer: {allowed}"


def _group_reason(key: str, ctx: Context) -> str:
    indicator, dim, value = key.split("|")
    allowed = ", ".join(f"{d}/{v}" for d, v in ctx.allowed_groups.get(indicator, []))
    return f"indikatorn {indicator} har ingen grupp {dim}/{value}; tillåtna grupper: {allowed}"


FILE_KINDS = ("CSV", "Excel")  # a table of another kind holds fetched values


def placed(problems: list[Problem], table: RawTable) -> list[Problem]:
    """Problems located by the value's area, year and group instead of a row of a table nobody can open."""
    at = {n: i for i, n in enumerate(table.row_numbers)}
    col = {normal_name(h): i for i, h in enumerate(table.header)}

    def cell(row: list, name: str) -> str:
        i = col.get(name)
        return "" if i is None or i >= len(row) else _show(row[i]).strip()

    out = []
    for p in problems:
        if p.row is None or p.row not in at:
            out.append(p)
            continue
        r = table.rows[at[p.row]]
        group = f"{cell(r, 'grupp_typ')}/{cell(r, 'grupp')}" if cell(r, "grupp_typ") else "totalt"
        out.append(replace(p, place=f"{cell(r, 'indikator')} {cell(r, 'omrade')} {cell(r, 'ar')} {group}"))
    return out
