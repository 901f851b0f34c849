"""A 200 000-row Excel file read into the staged table validation runs over: the reader before python-calamine
(openpyxl's sheet parser after a regex scan of the XML) and the reader now, in turns, in the same run.

`python -m bench.excel_read` writes the file (openpyxl, write only: six columns, text and numbers as an
analyst's sheet has them), then times each reader in a process of its own (`bench.child`, so peak memory
is the one reader's alone): `read_table` and then `validate.stage`, which builds the DuckDB table
`cells` every rule queries; and, third, the same table staged from the reader's Arrow columns
(`RawTable.columns`), the hand-off `validate.stage` could take instead of the rows. The former reader is kept here, as it was, only to be measured against.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

ROWS = 200_000
HEADER = ["indikator", "omrade", "ar", "varde", "grupp_typ", "grupp"]


def write_xlsx(path: Path, rows: int = ROWS) -> Path:
    """`rows` rows under a header: ids and codes as text, years and values as numbers, every third row a group."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(HEADER)
    areas = ["1490", *(f"1490R{i:03d}" for i in range(1, 48))]
    for n in range(rows):
        grouped = n % 3 == 0
        ws.append([f"indikator_{n % 50}", areas[n // 50 % 48], 1990 + n // 2400 % 36, (n * 7919) % 10000 / 100,
                   "kon" if grouped else None, "kvinnor" if grouped else None])
    wb.save(path)
    return path


# --- The former reader: a regex scan of the XML, then openpyxl's sheet parser cell by cell ---------------

_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(?:c|row|si)[\s/>]")


def _former_scan(path: Path) -> int:
    elements, tail = 0, b""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            with zf.open(info) as part:
                while block := part.read(1 << 20):
                    data = tail + block
                    cut = max(0, len(data) - 64)
                    elements += sum(1 for m in _ELEMENT.finditer(data) if m.start() < cut)
                    tail = data[cut:]
                    pieces = block.split(b"<")
                    max(map(len, pieces))
            elements += len(_ELEMENT.findall(tail))
            tail = b""
    return elements


def _former_records(path: Path):
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    ws = wb.worksheets[0]
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for number, cells in parser.parse():
            filled = [c for c in cells if c["value"] is not None]
            if not filled:
                continue
            values: list = [""] * max(c["column"] for c in filled)
            for c in filled:
                v = c["value"]
                values[c["column"] - 1] = v if isinstance(v, str | int | float) else str(v)
            if any(str(x).strip() for x in values):
                yield number, values
    wb.close()


def read_and_stage(which: str, path: Path) -> dict:
    """Seconds to read the file and to stage its cells, with the former reader or the current one."""
    from shb.ingest import read, validate
    from shb.ingest.staging import close_connection, work_connection

    limits = read.Limits(max_excel_cells=5_000_000)  # the former reader refused more than 1 000 000
    t = time.perf_counter()
    if which == "former":
        _former_scan(path)
        table = read._table(_former_records(path), "Excel", "blad 'Data'", limits)
    else:
        table = read.read_table(path, limits)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    positions = read.resolve_columns(table.header, table.header_row)
    if which == "arrow":  # the hand-off validate.stage could take: the reader's Arrow columns, registered
        con = work_connection()
        con.register("python_cells", table.columns(positions, validate.COLUMNS))
        con.execute("create table cells as select * from python_cells")
        con.unregister("python_cells")
    else:
        con = validate.stage(table, positions)
    staged = con.execute("select count(*) from cells").fetchall()[0][0]
    stage_s = time.perf_counter() - t
    close_connection(con)
    return {"rows": staged, "read_s": round(read_s, 2), "stage_s": round(stage_s, 2)}


def time_excel_read(folder: Path, rows: int = ROWS) -> dict:
    """Both readers on the same file, each in its own process: seconds, peak memory and the ratio."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_xlsx(folder / "stor.xlsx", rows)
    out: dict = {"rows": rows, "file_mb": round(path.stat().st_size / 1e6, 1)}
    for which in ("former", "calamine", "arrow"):
        done = subprocess.run([sys.executable, "-m", "bench.child", sys.executable, "-m", "bench.excel_read",
                               which, str(path)], capture_output=True, text=True, check=True)
        child = json.loads(done.stdout)
        if child["returncode"] != 0:
            raise RuntimeError(f"{which}: {child['stderr']}")
        inner = json.loads(child["stdout"].strip().splitlines()[-1])
        if inner["rows"] != rows:
            raise RuntimeError(f"{which} staged {inner['rows']} rows, not {rows}")
        out[which] = {**inner, "seconds": child["seconds"], "peak_rss_mb": child["peak_rss_mb"]}
    former, now = out["former"], out["calamine"]
    out["ratio"] = round(former["seconds"] / now["seconds"], 1)
    out["read_ratio"] = round(former["read_s"] / max(now["read_s"], 0.01), 1)
    out["arrow_ratio"] = round(former["seconds"] / out["arrow"]["seconds"], 1)
    return out


def lines(figures: dict) -> list[str]:
    rows = f"{figures['rows']:,}".replace(",", " ")
    f, c, a = figures["former"], figures["calamine"], figures["arrow"]
    return [f"Excel file of {rows} rows ({figures['file_mb']} MB) read and staged for validation "
            f"(`python -m bench.excel_read`): python-calamine {c['seconds']} s (read {c['read_s']} s, stage "
            f"{c['stage_s']} s), peak memory {c['peak_rss_mb']} MB; the former openpyxl reader in the same run "
            f"{f['seconds']} s (read {f['read_s']} s, stage {f['stage_s']} s), {f['peak_rss_mb']} MB: "
            f"{figures['ratio']}× faster in all, {figures['read_ratio']}× in reading",
            f"The same file staged from the reader's Arrow columns (`RawTable.columns`, the hand-off "
            f"validate.stage could take): {a['seconds']} s (read {a['read_s']} s, stage {a['stage_s']} s), "
            f"peak memory {a['peak_rss_mb']} MB: {figures['arrow_ratio']}× faster than the former reader"]


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(read_and_stage(sys.argv[1], Path(sys.argv[2]))))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = time_excel_read(Path(tmp))
        print(json.dumps(result, indent=2))
        print("\n".join(lines(result)))
