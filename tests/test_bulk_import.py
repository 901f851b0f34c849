"""The import's set-based paths agree with the row-by-row ones they replace.

A plain UTF-8 CSV file is read by DuckDB; every other file by the csv module. Both must give the same
problems (row, column, value, reason) and the same stored values. The publication hands several
indicators at once to `suppression.apply`, which must give what one indicator at a time gives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from shb.core.errors import ImportRejected
from shb.ingest import importer as ingest
from shb.ingest import read, staging
from shb.store import publication, suppression
from shb.store import writer as store

SHARE = "sysselsattningsgrad_20_64"
HEADER = ["indikator", "omrade", "ar", "varde", "grupp_typ", "grupp", "taljare", "namnare", "status"]
ROWS = [
    [SHARE, "1490", 2023, "70,5", "", "", "", "", ""],
    [SHARE, "1490R025", 2023, "61,2", "kon", "kvinnor", "", "", ""],
    ["sysselsattningsgrad_20_6", "1490", 2023, "70,5", "", "", "", "", ""],  # unknown indicator
    [SHARE, "1490X999", 2023, "70,5", "", "", "", "", ""],  # unknown area
    [SHARE, "1490", 1889, "70,5", "", "", "", "", ""],  # year outside
    [SHARE, "1490", 2022, "170,5", "", "", "", "", ""],  # share over 100
    [SHARE, "1490", 2021, "", "", "", "", "", ".."],  # suppressed: fine
    [SHARE, "1490", 2020, "12,5", "kon", "okänd", "", "", ""],  # unknown group value
    [SHARE, "1490", 2019, "x", "", "", "", "", ""],  # not a number
    [SHARE, "1490", 2018, "50", "", "", "7,5", "10", ""],  # a count with a fraction
    [SHARE, "1490", 2023, "70,5", "", "", "", "", ""],  # the first row's key again
    [SHARE, "1490", 2017, "=1+1", "", "", "", "", ""],  # a formula
    [SHARE, "1490", 2016, "50", "", "", "", "", "sekretess"],  # a value despite its status
]


def _csv(folder: Path, rows, name: str, blank_line: bool = False, encoding: str = "utf-8") -> Path:
    lines = [";".join(HEADER)] + [";".join(str(c) for c in r) for r in rows]
    if blank_line:
        lines.insert(3, "")
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _problems(path: Path, db: Path) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        ingest.import_file(path, db, dry_run=True)
    return [p.text() for p in caught.value.problems]


@pytest.mark.parametrize("blank_line", [False, True])
def test_duckdb_and_the_csv_module_report_the_same_problems(private_db, tmp_path, blank_line):
    fast = _csv(tmp_path, ROWS, "snabb.csv", blank_line)
    table = read.read_table(fast)
    assert table.staged is not None, "a plain UTF-8 file is read by DuckDB"
    table.staged.close()
    slow = _csv(tmp_path, ROWS, "långsam.csv", blank_line, encoding="cp1252")  # another encoding: the csv module
    table = read.read_table(slow)
    assert table.staged is None and table.encoding == "Windows-1252"
    by_duckdb, by_python = _problems(fast, private_db), _problems(slow, private_db)
    assert by_duckdb == by_python
    rows = [int(p.split(",")[0].removeprefix("rad ")) for p in by_duckdb if p.startswith("rad ")]
    assert rows == sorted(rows) and len(rows) == 11  # every bad row named (the formula twice), in file order
    assert len(set(rows)) == 10  # the suppressed row ('..') and the two good ones are not named
    assert rows[0] == (5 if blank_line else 4)  # line numbers as in the file, blank lines counted
    assert any("samma indikator, område, år och grupp som rad 2" in p for p in by_duckdb)


@pytest.mark.parametrize("data", [b"a;b\r\nc;d\r\n", b"a;b\r\n\r\nc;d", b"a;b\rc;d\n", b"a;b\n\nc;d\r",
                                  b"\r\n\r\n;\n", b"a\n", b"a", b"\n\n\n", b"a;b;c\r\r\nd\n"])
@pytest.mark.parametrize("block", [1, 2, 3, 1024])
def test_lines_delimiters_and_bare_carriage_returns_are_counted_across_blocks(tmp_path, monkeypatch, data, block):
    """Counted in blocks as small as one byte, so a CR LF pair split between two blocks is still a pair."""
    monkeypatch.setattr(staging, "BLOCK", block)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    assert staging._counts(path, b";") == (lines, data.count(b";"), data.count(b"\r") != data.count(b"\r\n"))
    expected = [n for n, line in enumerate(data.split(b"\n"), 1) if line not in (b"", b"\r")]
    assert staging._nonempty_lines(path).tolist() == expected[:lines]


def test_work_folders_of_gone_processes_are_removed_and_no_others(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    host = staging._host()
    names = {"own": f"{staging.WORK_PREFIX}{os.getpid()}.{host}-a", "gone": f"{staging.WORK_PREFIX}{gone}.{host}-b",
             "elsewhere": f"{staging.WORK_PREFIX}{gone}.{host}x-c", "unnamed": f"{staging.WORK_PREFIX}x1y2",
             "other": f"annat-{gone}.{host}-c"}
    for name in names.values():
        (tmp_path / name).mkdir()
    (tmp_path / names["gone"] / "spilled.tmp").write_bytes(b"x" * 100)
    assert staging.remove_orphans(tmp_path) == [tmp_path / names["gone"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(v for k, v in names.items() if k != "gone")


def test_rows_after_blank_crlf_lines_keep_their_line_numbers(private_db, tmp_path):
    """DuckDB skips blank lines, so its row count differs from the line count and the lines are numbered."""
    path = tmp_path / "crlf.csv"
    lines = [";".join(HEADER)] + [";".join(str(c) for c in r) for r in ROWS]
    path.write_bytes(("\r\n".join(lines[:2] + ["", ""] + lines[2:]) + "\r\n").encode())
    table = read.read_table(path)
    assert table.staged is not None, "a CR LF file with blank lines is still read by DuckDB"
    table.staged.close()
    rows = [int(p.split(",")[0].removeprefix("rad ")) for p in _problems(path, private_db) if p.startswith("rad ")]
    assert rows[0] == 6  # the first bad row is on the file's sixth line, after the two blank ones


@pytest.mark.parametrize("blank_lines", [False, True])
def test_rows_of_a_file_read_in_parallel_keep_their_line_numbers(private_db, tmp_path, blank_lines):
    """DuckDB reads a large file in parallel; a row's place in the staged table must still be its place in
    the file. 200 000 whitespace-only rows (about 45 MB, several of the reader's buffers) between bad rows
    at known lines; with blank lines, which DuckDB skips, the lines are numbered from the file."""
    filler = (" " * 220 + ";" * (len(HEADER) - 1)).encode()
    bad = {4: ROWS[2], 150_001: ROWS[3], 200_002: ROWS[4]}  # line → an unknown indicator, area, year
    lines = [";".join(HEADER).encode()]
    for line in range(2, 200_004):
        lines.append(";".join(str(c) for c in bad[line]).encode() if line in bad else filler)
    if blank_lines:
        lines[1:1] = [b"", b"", b""]  # lines 2-4 are blank: the bad rows move three lines down
    path = tmp_path / "parallel.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    table = read.read_table(path)
    assert table.staged is not None, "read by DuckDB"
    table.staged.close()
    shift = 3 if blank_lines else 0
    rows = [int(p.split(",")[0].removeprefix("rad ")) for p in _problems(path, private_db) if p.startswith("rad ")]
    assert rows == [line + shift for line in bad]


def test_a_plain_utf8_file_loads_the_same_values_as_one_read_in_python(private_db, tmp_path):
    good = [r for r in ROWS[:2]] + [[SHARE, "1490", 2021, "", "", "", "", "", ".."],
                                    [SHARE, "1490R019", 2023, "55", "kon", "män", "", "", ""]]
    copy = tmp_path / "kopia" / "shb.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(private_db.read_bytes())
    ingest.import_file(_csv(tmp_path, good, "a.csv"), private_db, overwrite=True)
    ingest.import_file(_csv(tmp_path, good, "b.csv", encoding="cp1252"), copy, overwrite=True)
    query = ("select indicator_id, level, year, area_code, group_dim, group_value, value, status, is_demo "
             "from observation where not is_demo order by all")
    frames = [_frames(path, query)[0] for path in (private_db, copy)]
    assert len(frames[0]) == 4
    pd.testing.assert_frame_equal(*frames)


def _frames(db: Path, *queries: str, **params) -> list[pd.DataFrame]:
    """What each query gives on the snapshot file `db`, read-only (`params` bound where a query names them)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [con.execute(q, {k: v for k, v in params.items() if f"${k}" in q}).df() for q in queries]
    finally:
        con.close()


def _sorted_runs(frame: pd.DataFrame) -> int:
    """How many sorted runs the rows form, in the order stored (1: the whole table is sorted)."""
    keys = list(frame.itertuples(index=False, name=None))
    return 1 + sum(b < a for a, b in zip(keys, keys[1:]))


def test_a_small_import_appends_its_rows_sorted_and_leaves_the_rest_in_place(private_db, tmp_path):
    """A small change copies the file and changes it in place: the stored rows keep their order, the new rows
    follow, sorted among themselves, and only the touched indicator is published anew."""
    keys = "select indicator_id, level, group_dim, year, area_code, group_value from "
    others = "select * from published_observation where indicator_id <> $share"
    assert store.rewrite_reason(private_db, 2) is None
    old, old_published, old_order = _frames(private_db, keys + "observation", others, keys + "published_observation",
                                            share=SHARE)
    published_runs = _sorted_runs(old_order)
    assert _sorted_runs(old) == 1
    ingest.import_file(_csv(tmp_path, ROWS[:2], "a.csv"), private_db, overwrite=True)
    stored, published, untouched = _frames(private_db, keys + "observation", keys + "published_observation", others,
                                           share=SHARE)
    # Every stored row not replaced, in its old order; then the added rows, sorted.
    assert _sorted_runs(stored) == 2
    assert _sorted_runs(published) <= published_runs + 1  # the publication is stored in sorted parts
    assert len(stored) == len(old)  # both rows of ROWS[:2] replace stored values
    pd.testing.assert_frame_equal(untouched, old_published)


def test_a_change_of_more_than_a_quarter_of_the_rows_or_of_unknown_size_rewrites_the_file(private_db):
    stored = int(_frames(private_db, "select count(*) as n from observation")[0].n.iloc[0])
    assert store.rewrite_reason(private_db, stored // 4) is None
    assert store.rewrite_reason(private_db, stored // 4 + 1) == "stor ändring"
    assert store.rewrite_reason(private_db, None) == "okänd storlek"


def test_suppression_of_several_indicators_at_once_is_that_of_each_alone(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        rows = con.execute("select * from observation order by indicator_id").df()
        areas = con.execute(store.statement("deso_parents")).df()
        members = con.execute(store.statement("district_regso")).df()
    finally:
        con.close()
    regso_of_deso = dict(zip(areas.code, areas.parent_code, strict=True))
    districts = {d: g.regso_code.tolist() for d, g in members.groupby("district_code")}
    rule = suppression.load_rule()
    together = suppression.apply(rows, rule, regso_of_deso, districts)
    alone = pd.concat([suppression.apply(g, rule, regso_of_deso, districts)
                       for _, g in rows.groupby("indicator_id", sort=True)], ignore_index=True)
    assert (together.suppression == "skydd").sum() > 0  # secondary suppression did happen
    pd.testing.assert_frame_equal(together, alone)


def test_batches_keep_whole_indicators_in_order_within_the_limit():
    sizes = {"a": 3, "b": 4, "c": 10, "d": 1, "e": 1}
    assert publication.batches(list(sizes), sizes, 7) == [["a", "b"], ["c"], ["d", "e"]]
    assert publication.batches([], sizes, 7) == []


def test_a_rewrite_in_many_batches_and_a_check_on_disk_store_the_same_sorted_rows(private_db, tmp_path, monkeypatch):
    """A rewrite sorts whole indicators a batch at a time (ten million rows do not fit one sort in the memory
    limit), and a large file is checked in a work database on disk: the result is the same as in one go."""
    from shb.ingest import staging

    copy = tmp_path / "kopia" / "shb.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(private_db.read_bytes())
    path = _csv(tmp_path, ROWS[:2], "a.csv")
    ingest.import_file(path, private_db, overwrite=True)
    monkeypatch.setattr(store, "REWRITE_SHARE", 0.0)  # every change rewrites the file
    monkeypatch.setattr(store, "MERGE_BATCH", 5_000)
    monkeypatch.setattr(staging, "ON_DISK_ROWS", 0)
    assert store.rewrite_reason(copy, 2) == "stor ändring"
    ingest.import_file(path, copy, overwrite=True)
    keys = "select indicator_id, level, group_dim, year, area_code, group_value from observation"
    values = ("select indicator_id, level, year, area_code, group_dim, group_value, value, status, is_demo "
              "from published_observation order by all")
    got = [_frames(db, keys, values) for db in (private_db, copy)]
    assert _sorted_runs(got[1][0]) == 1  # batch after batch, in indicator order: sorted as a whole
    assert len(got[1][0]) == len(got[0][0])
    pd.testing.assert_frame_equal(got[0][1], got[1][1])
