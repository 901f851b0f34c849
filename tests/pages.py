"""Helpers for page tests: run a page through AppTest and read its charts' Vega-Lite specs and data."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from shb.core import paths
from shb.web.site import PAGES

PAGE_PATHS = [p.path for p in PAGES]


def page_app(path: str, params: dict | None = None, timeout: float = 60) -> AppTest:
    """`path` set up as for a deep link but not run yet, so a test can seed secrets, user and context."""
    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if path != "app.py":
        at.switch_page(path)
    return at


def run_page(path: str, params: dict | None = None, timeout: float = 60) -> AppTest:
    """Run `path` as Streamlit does for a deep link: the entry script's app, that page, those parameters."""
    return page_app(path, params, timeout).run()


@contextlib.contextmanager
def server_address(address: str | None) -> Iterator[None]:
    """Streamlit's server.address set to `address` (as `--server.address` would), restored afterwards."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", address, "test")
    try:
        yield
    finally:
        config.set_option("server.address", before, "test")


def charts(at: AppTest) -> list[dict]:
    """Every chart on the page as its Vega-Lite spec, with inline or Arrow data under `_rows`."""
    out = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        rows: list[dict] = []
        if proto.HasField("data") and proto.data.data:
            rows = pa.ipc.open_stream(proto.data.data).read_all().to_pylist()
        for ds in proto.datasets:
            rows += pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
        if isinstance(spec.get("data"), dict) and "values" in spec["data"]:
            rows += spec["data"]["values"]
        for layer in spec.get("layer", []):
            if isinstance(layer.get("data"), dict) and "values" in layer["data"]:
                rows += layer["data"]["values"]
        spec["_rows"] = rows
        out.append(spec)
    return out


def chart_frame(spec: dict) -> pd.DataFrame:
    return pd.DataFrame(spec["_rows"])


def title_of(spec: dict) -> str:
    t = spec.get("title", "")
    return t.get("text", "") if isinstance(t, dict) else str(t)
