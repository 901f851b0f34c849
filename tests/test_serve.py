"""`python -m shb.web.serve`: the server process reads the facts and polygons before the first visitor."""

from __future__ import annotations

from shb.present import views
from shb.web import serve


def test_warming_reads_every_level_of_polygons_once(demo_db, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(demo_db))
    views._layer.cache_clear()
    warmed = serve.warm(wait=True)  # waits for the views' warming too: no thread left to the next test
    assert warmed.problem is None and warmed.layers == 4 and warmed.seconds > 0
    assert views._layer.cache_info().currsize == 4  # kommun, stadsdel, RegSO, DeSO


def test_warming_without_a_database_does_not_stop_the_server(tmp_path, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(tmp_path / "saknas.duckdb"))
    views._layer.cache_clear()
    warmed = serve.warm()  # returns instead of raising: the pages tell the visitor how to build a database
    assert warmed.layers == 0 and "saknas.duckdb finns inte" in warmed.problem
    assert views._layer.cache_info().currsize == 0


def _count_overviews(monkeypatch) -> list[tuple]:
    """Every computation of an overview (not a cache hit) from now on."""
    computed: list[tuple] = []
    compute = views._overview

    def spy(database, set_id, till):
        computed.append((database.version, set_id, till))
        return compute(database, set_id, till)

    monkeypatch.setattr(views, "_overview", spy)
    return computed


def test_the_first_visitor_after_warming_finds_the_overview_computed(private_db, monkeypatch):
    import streamlit as st

    from tests.pages import run_page

    monkeypatch.setenv("SHB_DB", str(private_db))
    computed = _count_overviews(monkeypatch)
    # Without warming the first Översikt computes the default set's overview itself ...
    st.cache_data.clear()
    views.clear_caches()
    at = run_page("app.py")
    assert not at.exception and len(computed) == 1
    # ... after warming it finds it: warming computed it once, the page not again.
    st.cache_data.clear()
    views.clear_caches()
    computed.clear()
    assert serve.warm(wait=True).problem is None
    assert len(computed) == 1
    at = run_page("app.py")
    assert not at.exception, at.exception
    assert len(computed) == 1, "the page computed the overview again"
    at = run_page("pages/4_omraden.py")  # Områden's default view is the same set's profile
    assert not at.exception and len(computed) == 1


def test_a_new_version_is_warmed_when_the_watcher_sees_it(private_db, monkeypatch):
    from shb.ingest import notes
    from shb.store import db

    monkeypatch.setenv("SHB_DB", str(private_db))
    computed = _count_overviews(monkeypatch)
    views.clear_caches()
    watcher = serve.VersionWatcher(seen=db.connect().version)
    assert not watcher.check() and computed == []  # the version warmed at start is not warmed again
    new = notes.add(private_db, "sysselsattningsgrad_20_64", "1490", None, "En anteckning.", "Anna").version
    assert watcher.check() and watcher.seen == new
    assert [c[0] for c in computed] == [new]
    views.overview(db.connect(), db.connect().run("area_sets").query("is_default").set_id.iloc[0])
    assert len(computed) == 1, "the warmed overview of the new version was computed again"
    assert not watcher.check()


def test_the_watcher_thread_warms_in_the_background(private_db, monkeypatch):
    from shb.store import db

    monkeypatch.setenv("SHB_DB", str(private_db))
    computed = _count_overviews(monkeypatch)
    views.clear_caches()
    watcher = serve.VersionWatcher(interval=0.05)
    watcher.start()
    try:
        assert watcher.warmed.wait(60)
    finally:
        watcher.stop()
        watcher.join(5)
    assert [c[0] for c in computed] == [db.connect().version] and not watcher.is_alive()
