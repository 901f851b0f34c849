"""Cells staged in DuckDB: a plain CSV file read by DuckDB's reader in bounded memory, or rows read in
Python (Excel, fetched values) handed over as columns; validation (`shb.ingest.validate`) then runs as
queries over the staged table.

The fast path refuses nothing itself. Its guards (a line longer than the csv module's field limit, a
line wider than the first lines, too many cells or rows, another
encoding, a line break inside quotes, a bare carriage return) send the file back to the Python reader,
which reads it and reports exactly as before. The line number of every row is kept: the file's lines are
counted beside DuckDB's reader (bytes.count, in blocks); DuckDB skips empty lines, so when it read fewer
rows than there are lines, the numbers of the non-empty lines are found (numpy, in blocks), and their
count must agree with DuckDB's.

SQL here is assembled from column positions and names made in code (c0, c1, …), never from the file:
the written-down exception to SQL in named files. Values go in as bound parameters or registered frames.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

MEMORY_ENV = "SHB_IMPORT_MEMORY"  # DuckDB's memory_limit for checking an import, e.g. "300MB" (the default)
BLOCK = 64 * 1024 * 1024
# Python's str.isspace() characters, so a row DuckDB reads is blank exactly when the csv module's is.
SPACE = r"[\s\x{000b}\x{001c}-\x{001f}\x{0085}\x{00a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_LIMIT = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$", re.IGNORECASE)


WORK_CATALOG = "work"  # the name of the work connection's database file
ON_DISK_ROWS = 2_000_000  # a file with more rows is checked in a work database on disk


WORK_PREFIX = "shb-import-"  # a work folder is named shb-import-<process id>.<host>-<random>


def _host() -> str:
    """This machine's name as it goes into a work folder's name (letters and digits only): process ids
    are told apart per machine, should machines (or containers) share a temporary folder."""
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:40] or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphans(parent: Path | None = None) -> list[Path]:
    """Remove the work folders of this machine whose process is gone (a killed import cannot remove its own:
    it may hold spilled data or a work database of hundreds of MB); the folders of live processes are left
    alone, and so is anything not named as a work folder of this machine. Returns the folders removed."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{WORK_PREFIX}*.{_host()}-*"):
        pid = folder.name.removeprefix(WORK_PREFIX).split(".", 1)[0]
        if pid.isdigit() and int(pid) > 0 and folder.is_dir() and not folder.is_symlink() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def work_connection(on_disk: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose memory is bounded, spilling to a temporary folder of its own (named by
    this process, so that the next import removes what a killed one left: `remove_orphans`). Its tables
    are kept in memory, or with `on_disk` in a file in that folder: DuckDB moves a file's blocks out of
    memory as it needs, which it cannot do with an in-memory table, so ten million rows fit the limit
    (measured, DuckDB 2.0.1); in memory is faster where the rows fit."""
    remove_orphans()
    folder = tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}.{_host()}-")
    con = duckdb.connect(str(Path(folder) / f"{WORK_CATALOG}.duckdb") if on_disk else ":memory:")
    limit = os.environ.get(MEMORY_ENV, "300MB")
    limit = limit if _LIMIT.match(limit) else "300MB"
    # SET takes no bound parameters; the limit is checked against _LIMIT and the folder is made here.
    con.execute(f"set memory_limit = '{limit}'")
    con.execute("set preserve_insertion_order = false")
    con.execute("set temp_directory = '" + folder.replace("'", "''") + "'")
    return con


def close_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Close a work connection and remove its temporary folder (spilled data, hand-over files)."""
    try:
        folder = con.execute("select current_setting('temp_directory')").fetchall()[0][0]
    except duckdb.Error:
        folder = None
    con.close()
    if folder and Path(folder).name.startswith(WORK_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def drop_relations(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop the work connection's tables and views `names` (code-made, in order: views before what they read),
    each as what it is; a name not there is passed over."""
    kinds = dict(con.execute("select table_name, table_type from information_schema.tables "
                             "where table_name in (select unnest($names))", {"names": list(names)}).fetchall())
    for name in names:
        if name in kinds:
            con.execute(f"drop {'view' if kinds[name] == 'VIEW' else 'table'} {name}")


def blank(column: str) -> str:
    """SQL: the cell `column` (code-made name) is missing or whitespace only (as str.strip() sees it)."""
    return f"({column} is null or regexp_full_match({column}, '{SPACE}*'))"


@dataclass
class Staged:
    """A CSV file's rows in the view `raw` of `con` (over the table `raw_rows`, and `line_map` when DuckDB
    skipped empty lines): k (DuckDB's row), line (in the file), filled, c0 … c{width-1}."""

    con: duckdb.DuckDBPyConnection
    width: int
    rows: int = 0
    after: int = 0  # data rows are those with k > after

    def first_rows(self, n: int) -> list[tuple[int, list[str]]]:
        """(line, cells) of the first `n` non-blank rows."""
        cols = ", ".join(f"coalesce(c{i}, '')" for i in range(self.width))
        got = self.con.execute(f"select k, line, {cols} from raw where filled order by k limit $n",
                               {"n": n}).fetchall()
        self._k = {int(r[1]): int(r[0]) for r in got}
        return [(int(r[1]), list(r[2:])) for r in got]

    def start_after(self, line: int) -> None:
        """Data rows are the non-blank rows after the header at `line` (as given by `first_rows`)."""
        self.after = self._k.get(line, 0)
        self.rows = self.con.execute("select count(*) from raw where filled and k > $after",
                                     {"after": self.after}).fetchall()[0][0]

    def close(self) -> None:
        close_connection(self.con)


def _counts(path: Path, delimiter: bytes) -> tuple[int, int, bool]:
    """How many lines the file has (empty ones included), how many delimiters, and whether a carriage
    return ends no line (the csv module would see a line there that DuckDB does not). One pass of
    bytes.count per byte sought, in blocks; a line break split across two blocks is seen by the byte
    carried over."""
    lines = delims = crs = pairs = 0
    last = b"\n"
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            lines += block.count(b"\n")
            delims += block.count(delimiter)
            in_block = block.count(b"\r")
            if in_block:  # only a file with carriage returns is searched for pairs
                crs += in_block
                pairs += block.count(b"\r\n")
            pairs += last == b"\r" and block[:1] == b"\n"  # a pair split between two blocks
            last = block[-1:]
    return lines + (last not in (b"\n", b"")), delims, crs != pairs


def _nonempty_lines(path: Path) -> np.ndarray:
    """The numbers of the non-empty lines (a line holding only a carriage return is empty), from the
    positions of the line breaks, in blocks with numpy. Read only when DuckDB's reader skipped lines."""
    found: list[np.ndarray] = []
    lines = offset = 0
    previous = -1  # where the last line break seen is, in the whole file
    before_block = 0  # the byte before the block
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            a = np.frombuffer(block, dtype=np.uint8)
            at = np.flatnonzero(a == 10)
            length = at + offset - np.concatenate(([previous], at[:-1] + offset)) - 1
            before = np.where(at > 0, a[np.maximum(at - 1, 0)], before_block)
            empty = (length == 0) | ((length == 1) & (before == 13))
            found.append(np.arange(lines + 1, lines + 1 + len(at), dtype=np.int64)[~empty])
            if len(at):
                previous = int(at[-1]) + offset
            lines, offset, before_block = lines + len(at), offset + len(block), int(a[-1])
    last = offset - previous - 1  # the length of a last line without a line break
    if last > 1 or (last == 1 and before_block != 13):
        found.append(np.array([lines + 1], dtype=np.int64))
    return np.concatenate(found) if found else np.array([], dtype=np.int64)


def scan_csv(path: Path, delimiter: str, width: int, max_cells: int, max_rows: int) -> Staged | None:
    """The file's rows staged by DuckDB's reader, `width` columns wide (a wider line sends the file back to
    the Python reader), or None when the Python reader must read it (see above)."""
    if len(delimiter.encode()) != 1 or width < 1:
        return None
    count, delims, bare_cr = _counts(path, delimiter.encode())
    # Counted with empty lines, which DuckDB skips: a file near a limit may go to the Python reader.
    if bare_cr or not count or count > max_rows or delims + count > max_cells:
        return None
    con = work_connection(on_disk=count > ON_DISK_ROWS)
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    # A row is blank when all its cells together are (one match per row, not one per cell).
    nonblank = f"not {blank('concat(' + ', '.join(f'c{i}' for i in range(width)) + ')')}"
    try:
        # Reader options and column names are code-made; the file name and the delimiter are bound. Read in
        # parallel with the file's order kept, so a row's place in the table (rowid) is its place in the
        # file: numbering the rows while reading (`with ordinality`) made the whole read run on one thread
        # (0.39 s against 0.23 s for a million rows, DuckDB 2.0.1).
        con.execute("set preserve_insertion_order = true")
        con.execute(f"create table raw_rows as select ({nonblank}) as filled, * "
                    "from read_csv($path, delim = $delim, header = false, null_padding = true, quote = '\"', "
                    "escape = '\"', auto_detect = false, columns = $columns, max_line_size = $longest)",
                    {"path": str(path), "delim": delimiter, "columns": columns, "longest": csv.field_size_limit()})
        con.execute("set preserve_insertion_order = false")
        ((n,),) = con.execute("select count(*) from raw_rows").fetchall()
        if n == count:
            con.execute("create view raw as select rowid + 1 as k, rowid + 1 as line, * from raw_rows")
        else:  # DuckDB skipped empty lines: number the rows by the non-empty lines they are on
            lines = _nonempty_lines(path)
            if not n or n != len(lines):  # a line break inside quotes, or a line the csv module reads otherwise
                close_connection(con)
                return None
            con.register("line_frame", {"k": np.arange(1, n + 1, dtype=np.int64), "n": lines})
            con.execute("create table line_map as select k, n from line_frame")
            con.unregister("line_frame")
            con.execute("create view raw as select r.rowid + 1 as k, m.n as line, r.* "
                        "from raw_rows as r join line_map as m on m.k = r.rowid + 1")
    except duckdb.Error:
        close_connection(con)
        return None
    return Staged(con, width)
