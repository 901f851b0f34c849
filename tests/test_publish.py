"""An import republishes only what it touched, and the result equals publishing everything anew."""

import shutil

import duckdb
import pandas as pd

from shb.cli import main as cli
from shb.store import publication


def published(path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select * exclude (source_version) from published_observation "
                           "order by indicator_id, level, area_code, year, group_dim, group_value").df()
    finally:
        con.close()


def test_incremental_publication_equals_a_full_one(private_db, tmp_path, capsys):
    db = private_db
    rows = [("sysselsattningsgrad_20_64", "1490C1010", 2024, 3.0), ("forskola_inskrivna_1_5", "1490R025", 2024, 80.0)]
    file = tmp_path / "fil.csv"
    file.write_text("indikator;omrade;ar;varde\n" + "\n".join(";".join(map(str, r)) for r in rows) + "\n",
                    encoding="utf-8")
    assert cli.main(["import", str(file), "--db", str(db), "--replace"]) == 0, capsys.readouterr().err
    incremental = published(db)
    full = tmp_path / "full.duckdb"
    shutil.copyfile(db, full)
    con = duckdb.connect(str(full))
    try:
        con.execute("delete from published_observation")  # publish adds; it never replaces what is there
        publication.publish(con)
        con.execute("checkpoint")
    finally:
        con.close()
    pd.testing.assert_frame_equal(incremental, published(full))
    changed = incremental[(incremental.indicator_id == "sysselsattningsgrad_20_64")
                          & (incremental.area_code == "1490C1010") & (incremental.year == 2024)
                          & (incremental.group_dim == "total")]
    assert changed.iloc[0].value == 3.0 or changed.iloc[0].status == "suppressed"


def _republished(source, target, monkeypatch=None, batch=None) -> pd.DataFrame:
    shutil.copyfile(source, target)
    if batch is not None:  # many small batches, in id order, each read by its id range
        monkeypatch.setattr(publication, "PUBLISH_BATCH", batch)
        monkeypatch.setattr(publication, "COUNTED_BATCH", batch)
    con = duckdb.connect(str(target))
    try:
        con.execute("delete from published_observation")
        publication.publish(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return published(target)


def test_publishing_in_small_batches_equals_one_pass(demo_db, tmp_path, monkeypatch):
    """Secondary suppression never crosses an indicator, so batches of whole indicators (several of them in
    this demo database, one indicator per batch when it is larger) publish exactly what one pass does."""
    one_pass = _republished(demo_db, tmp_path / "one.duckdb")
    small = _republished(demo_db, tmp_path / "small.duckdb", monkeypatch, batch=2_000)
    assert (one_pass.suppression == "skydd").sum() > 0 and (one_pass.suppression == "regel").sum() > 0
    pd.testing.assert_frame_equal(one_pass, small)
