"""Pages run for real through Streamlit's AppTest."""

from streamlit.testing.v1 import AppTest

from shb.core import paths


def run_page(script: str, timeout: float = 30) -> AppTest:
    at = AppTest.from_file(str(paths.ROOT / script), default_timeout=timeout)
    return at.run()


def test_start_page_shows_the_malbild_under_a_demo_banner(demo_db):
    at = run_page("app.py")
    assert not at.exception
    assert any("Demodata" in w.value for w in at.warning)
    titles = [s.value for s in at.subheader]
    assert any("God start i livet och goda uppväxtvillkor" in t for t in titles)
    assert any("Förutsättningar för arbete" in t for t in titles)
    assert any("Boende och närmiljö" in t for t in titles)
    text = " ".join(m.value for m in at.markdown)
    assert "Skapa jämlika livsvillkor och god hälsa" in text
    assert "I Borås ska ingen vara hemlös" in text


def test_start_page_without_database_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SHB_DB", str(tmp_path / "saknas.duckdb"))
    at = run_page("app.py")
    assert not at.exception
    assert any("python -m shb build --demo" in e.value for e in at.error)
