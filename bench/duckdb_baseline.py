"""The DuckDB-only baseline of an import: what the same work costs done directly in DuckDB.

`python -m bench.duckdb_baseline FILE SNAPSHOT NEW_FILE`: read the CSV file with `read_csv` (every column
as text), check it in SQL against the snapshot (unknown indicator, area, level and group; year and value
ranges; duplicate keys), and write a new snapshot file: every table of the old one copied, the file's
values merged into `observation`, sorted as the store sorts it. No suppression, no report, no lock: the
floor the project's import is measured against (in the same run, on the same file, by bench.big_import).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from shb.core.catalog import UNIT_RANGES
from shb.store.schema import OBSERVATION_ORDER, SCHEMA, TABLES

CHECKS = f"""
create temp table f as
select ordinality + 1 as row, lower(trim(indikator)) as indicator_id, upper(trim(omrade)) as area_code,
       try_cast(trim(ar) as double) as year, try_cast(replace(trim(varde), ',', '.') as double) as value,
       coalesce(nullif(trim(grupp_typ), ''), 'total') as group_dim,
       coalesce(nullif(trim(grupp), ''), 'alla') as group_value
from read_csv($file, delim = ';', header = true, all_varchar = true) with ordinality;

create temp table ranges as
select * from (values {", ".join(f"('{u}', {r.low}, {r.high})" for u, r in UNIT_RANGES.items())}) as r (unit, low, high);

create temp table judged as
select f.*, a.level, i.unit, i.levels,
       i.id is null as unknown_indicator, a.code is null as unknown_area,
       a.code is not null and i.id is not null and not list_contains(i.levels, a.level) as wrong_level,
       i.id is not null and g.indicator_id is null as unknown_group,
       f.year is null or f.year % 1 <> 0 or f.year not between 1990 and {date.today().year} as bad_year,
       f.value is null or f.value < r.low or f.value > r.high as bad_value
from f
left join previous.indicator as i on i.id = f.indicator_id
left join previous.area as a on a.code = f.area_code
left join previous.indicator_group as g
    on g.indicator_id = f.indicator_id and g.dimension = f.group_dim and g.value = f.group_value
left join ranges as r on r.unit = i.unit;
"""

PROBLEMS = """
select count(*) filter (where unknown_indicator or unknown_area or wrong_level or unknown_group or bad_year
                        or bad_value),
       (select count(*) from (select 1 from judged
                              group by indicator_id, area_code, year, group_dim, group_value having count(*) > 1))
from judged
"""


def run(file: Path, snapshot: Path, target: Path) -> dict:
    t0 = time.perf_counter()
    con = duckdb.connect(str(target))
    con.execute(SCHEMA)
    con.execute("attach $p as previous (read_only)", {"p": str(snapshot.resolve())})
    for statement in CHECKS.split(";\n"):
        if statement.strip():
            con.execute(statement, {"file": str(file)} if "$file" in statement else None)
    bad, duplicates = con.execute(PROBLEMS).fetchall()[0]
    for name in TABLES:
        if name not in ("observation", "snapshot"):
            con.execute(f"insert into main.{name} by name select * from previous.{name}")
    con.execute(f"""
        insert into observation by name
        select * from (
            select p.* from previous.observation as p
            anti join judged as j using (indicator_id, area_code, year, group_dim, group_value)
            union all by name
            select indicator_id, level, year::integer as year, area_code, group_dim, group_value, value,
                   'ok' as status, false as series_break, false as is_demo, 'baslinje' as source_version
            from judged)
        order by {OBSERVATION_ORDER}""")
    con.execute("checkpoint")
    con.close()
    return {"seconds": round(time.perf_counter() - t0, 2), "problems": int(bad), "duplicate_keys": int(duplicates)}


if __name__ == "__main__":
    print(run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
