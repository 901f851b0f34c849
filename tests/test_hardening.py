"""Rough edges found by hostile and careless use: each answered in Swedish, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

from shb.core import paths


def test_visitors_never_see_tracebacks_or_server_paths():
    config = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_reader_that_stops_early_is_no_error(demo_db):
    """`python -m shb catalog | head -1`: the command ends quietly when the pipe closes."""
    proc = subprocess.Popen([sys.executable, "-m", "shb", "catalog"], cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "SHB_DB": str(demo_db)})
    proc.stdout.close()  # the reader is gone before the first line (the whole catalog fits in a pipe's buffer)
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
