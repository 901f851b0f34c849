"""`python -m bench.child CMD…`: run CMD and print its wall time and peak resident memory as JSON.

A process of its own per measurement, so `RUSAGE_CHILDREN` holds the one command's peak alone."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

if __name__ == "__main__":
    t = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb), "returncode": done.returncode,
                      "stdout": done.stdout[-2000:], "stderr": done.stderr[-2000:]}))
