"""`python -m shb.web.serve`: the server process reads the facts and polygons before the first visitor."""

from __future__ import annotations

from shb.present import views
from shb.web import serve


def test_warming_reads_every_level_of_polygons_once(demo_db, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(demo_db))
    views._layer.cache_clear()
    warmed = serve.warm()
    assert warmed.problem is None and warmed.layers == 4 and warmed.seconds > 0
    assert views._layer.cache_info().currsize == 4  # kommun, stadsdel, RegSO, DeSO


def test_warming_without_a_database_does_not_stop_the_server(tmp_path, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(tmp_path / "saknas.duckdb"))
    views._layer.cache_clear()
    warmed = serve.warm()  # returns instead of raising: the pages tell the visitor how to build a database
    assert warmed.layers == 0 and "saknas.duckdb finns inte" in warmed.problem
    assert views._layer.cache_info().currsize == 0
