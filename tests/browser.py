"""Helpers for browser tests: a real `streamlit run` on 127.0.0.1 and Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from shb.core import paths

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = paths.ROOT / "artifacts"
# Headless chromium 156 opens, for every new window (every Playwright context), the address bar's popup as a
# page of its own (chrome://omnibox-popup): a second renderer that spends about 0.5 s of CPU, and the browser
# process about 0.1 s more, on nothing the visited page asks for. Turned off, so that the CPU a visit costs
# is the page's.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup"]


def require_chromium() -> None:
    """Skip with a reason when chromium is absent, except under CI=true where it must be there."""
    if Path(CHROMIUM).exists() and shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} saknas men CI=true: .ci/run ska installera Debians chromium")
    pytest.skip(f"{CHROMIUM} saknas: webbläsartesterna hoppas över (installera paketet chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, timeout: float = 60, env: dict[str, str] | None = None, args: tuple[str, ...] = (),
                     port: int | None = None, root: Path | None = None, entry: tuple[str, ...] = ("shb.web.serve",)):
    """Start the app as `make run` does (`python -m shb.web.serve`, i.e. `streamlit run app.py` after warming)
    on a free loopback port, with `env` added to the environment and `args` to the command, from the checkout
    `root` (default: this one); yield its base URL; stop it after. `entry` is what `python -m` runs (e.g.
    `("streamlit", "run", "app.py")` for a folder that is not the project)."""
    port = port or free_port()
    env = {**os.environ, "SHB_DB": str(db), **(env or {})}
    cmd = [sys.executable, "-m", *entry, "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false", *args]
    proc = subprocess.Popen(cmd, cwd=root or paths.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit startade inte i tid")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium():
    """One headless Debian chromium for a test module (Playwright's sync API allows one at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(width: int = 1600, height: int = 1000, browser=None):
    """A page in `browser`, or in a chromium of its own when none is given."""
    if browser is None:
        with chromium() as own, browser_page(width, height, own) as page:
            yield page
        return
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
