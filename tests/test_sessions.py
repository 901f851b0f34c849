"""Twenty sessions at once, on different pages, views and pinned data versions: no session fails.

The caches shared between sessions (views' catalog and label caches, the geometry layers, the
Streamlit caches at the seam) are read and refilled from many threads while sessions pinned to
different versions ask for different keys.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from unittest import mock

import pytest
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test
from streamlit.testing.v1.util import patch_config_options

from shb.ingest import importer as ingest
from shb.present.cache import SharedCache
from shb.web.state import PIN_KEY
from tests.pages import page_app

SHARE = "sysselsattningsgrad_20_64"
SESSIONS = 20
# AppTest, not the app: concurrent AppTests with different entry scripts share one process-wide pages
# registry, so st.page_link in one may look up a page while another has the registry set to its own script
# (measured, Streamlit 1.67). A server has one entry script (app.py); this one error is the harness's.
HARNESS_PAGE_RACE = "Could not find page:"
SECONDS = 60  # sessions start new runs for a minute, as the done-when asks
VIEWS = [
    ("pages/2_arbete.py", {"indikator": SHARE}),
    ("pages/5_karta.py", {"indikator": SHARE, "ar": "2020"}),
    ("pages/6_grupper.py", {"indikator": "sysselsattning_20_64_fodelseregion", "grupp": "bakgrund"}),
    ("app.py", {"jamfor": "polisen_2025"}),
    ("pages/4_omraden.py", {"omrade": "1490R025"}),
    ("pages/1_god_start.py", {"indikator": "behoriga_gymnasieskolan", "jamfor": "polisen_2025"}),
]


@pytest.fixture
def versions(private_db, tmp_path, monkeypatch) -> list[str | None]:
    """Two kept versions and the current one (None: not pinned); SHB_DB points at the database."""
    kept = []
    for year in (2025, 2026):
        path = tmp_path / f"{year}.csv"
        path.write_text(f"indikator;omrade;ar;varde\n{SHARE};1490;{year};70\n", encoding="utf-8")
        kept.append(ingest.import_file(path, private_db).version)
    monkeypatch.setenv("SHB_DB", str(private_db))
    from shb.store import snapshots

    pinned = snapshots.kept_versions(private_db)
    assert len(pinned) == 2
    return [None, *pinned]


class _OwnRuntimeSlot(Runtime):
    """Where AppTest puts its mock runtime for a run (and None after it): a slot of its own, so runs
    in other threads keep the one shared runtime below instead of losing it mid-run."""


@pytest.fixture
def concurrent_apptest():
    """AppTest keeps a run's runtime and config in process globals and resets them when the run ends;
    with many runs at once that pulls them from under the others. One runtime and one config for all
    runs instead, like one server with many sessions."""
    shared = mock.MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    before = Runtime._instance
    Runtime._instance = shared
    try:
        with patch_config_options({"global.appTest": True}), \
                mock.patch.object(app_test, "Runtime", _OwnRuntimeSlot), \
                mock.patch.object(app_test, "patch_config_options", lambda options: contextlib.nullcontext()):
            yield
    finally:
        Runtime._instance = before


def test_twenty_sessions_on_different_pages_and_versions(versions, concurrent_apptest):
    from streamlit import config

    # the app redacts errors for visitors (config.toml); here the failure must say what went wrong
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    failures: list[str] = []
    runs = [0] * SESSIONS
    stop = time.monotonic() + SECONDS

    def session(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            path, params = VIEWS[(i + n) % len(VIEWS)]
            pinned = versions[(i + 2 * n) % len(versions)]
            try:
                at = page_app(path, params, timeout=120)
                if pinned:
                    at.session_state[PIN_KEY] = pinned
                at.run()
                if at.exception and not at.exception[0].message.startswith(HARNESS_PAGE_RACE):
                    e = at.exception[0]
                    failures.append(f"{path} {params} v={pinned}: {e.message} {' '.join(e.stack_trace[-3:])}")
            except Exception:  # noqa: BLE001 - any failure of a session is what the test looks for
                failures.append(f"{path} {params} v={pinned}: {traceback.format_exc(limit=3)}")
            n += 1
            runs[i] = n

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
    config.set_option("client.showErrorDetails", before)
    assert not any(t.is_alive() for t in threads), "a session hung"
    assert not failures, "\n".join(failures[:5])
    assert all(runs), "every session ran at least once"
    assert sum(runs) >= SESSIONS


def hammer(cache, seconds: float = 1.5) -> list[str]:
    """Readers of different keys and a thread that keeps clearing: what went wrong, if anything."""
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def reader(key: int) -> None:
        while time.monotonic() < stop:
            try:
                if cache.get(key, lambda: [key]) != [key]:
                    failures.append(f"key {key}: another key's value")
            except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
                failures.append(f"key {key}: {exc!r}")
                return

    def clearer() -> None:
        while time.monotonic() < stop:
            cache.clear()

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)] + [threading.Thread(target=clearer)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads every few bytecodes, so a narrow window is hit
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    return failures


def test_the_shared_cache_never_fails_a_reader_while_another_thread_clears_or_evicts():
    assert hammer(SharedCache(2)) == []
