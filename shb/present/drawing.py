"""Vega-Lite spec text drawn to SVG by vl-convert, in worker processes beside the Python that builds the
next chart.

vl-convert draws one chart at a time per process and keeps Python's lock while it draws, so threads
draw no faster than one; a report's hundred charts are drawn by a few processes instead. A worker is
`python -m shb.present.drawing`: it imports this module alone (the standard library and vl_convert, no
pandas or Altair) and reads specs from its standard input. It is started as a plain subprocess rather
than through multiprocessing, whose "spawn" start runs the parent's main script again in every worker
(a script without a main guard would build its report once more per worker) and whose "fork" is unsafe
in a server with threads (DuckDB's, Tornado's).

A worker reads `<length>\\n<spec>` (UTF-8) and answers `ok <length>\\n<svg>` or `error <length>\\n<text>`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

import vl_convert

# A chart with no data and no text: a worker draws it first, which loads vl-convert's engine (most of a
# second) while the first real chart is still being built.
WARM_UP_SPEC = '{"mark": "point", "width": 1, "height": 1}'
MAX_WORKERS = 8
STOP_SECONDS = 10  # how long a worker may take to exit once its input is closed
ROOT = Path(__file__).resolve().parents[2]  # the folder holding the shb package
ID = re.compile(r'\bid="([^"]+)"')


def draw(spec: str, locale: dict) -> str:
    """The SVG of a Vega-Lite spec (JSON text), numbers formatted with the d3 `locale`, its ids its own
    (`distinct_ids`)."""
    return distinct_ids(vl_convert.vegalite_to_svg(spec, format_locale=locale))


def distinct_ids(svg: str) -> str:
    """The SVG with a digest of its text added to every id (and to every reference to one).

    Vega numbers its gradients and clip paths per process ("gradient_0", "clip1", ...): SVGs drawn by
    different processes and put in one page would share ids, and a legend would be filled with another
    chart's gradient. The same SVG always gets the same ids.
    """
    ids = set(ID.findall(svg))
    if not ids:
        return svg
    tag = hashlib.sha256(svg.encode()).hexdigest()[:12]
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.sub(rf'(\bid="|#)({names})(?=[")])', lambda m: f"{m.group(1)}{m.group(2)}-{tag}", svg)


def default_workers() -> int:
    """One worker per core but one, which is left to the process building the charts (at least one worker,
    at most MAX_WORKERS). On two cores one worker draws a report's charts as fast as two: the builder is
    the slower of the two, and a second worker would take its core."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


class WorkerGone(Exception):
    """A worker process ended or stopped answering."""


def _start(locale: dict) -> subprocess.Popen | None:
    """A worker process, or None when none can be started."""
    if not sys.executable:  # an embedded Python that cannot start itself
        return None
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    try:
        return subprocess.Popen([sys.executable, "-m", "shb.present.drawing", json.dumps(locale)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=ROOT)
    except OSError:
        return None


def _ask(worker: subprocess.Popen, spec: str) -> tuple[bool, str]:
    """Send a spec to `worker`; (True, svg) or (False, error text). WorkerGone when it does not answer."""
    data = spec.encode()
    try:
        worker.stdin.write(b"%d\n" % len(data) + data)
        worker.stdin.flush()
        head = worker.stdout.readline().split()
        status, size = head[0], int(head[1])
        body = worker.stdout.read(size)
    except (OSError, ValueError, IndexError) as error:
        raise WorkerGone(str(error)) from error
    if len(body) != size:
        raise WorkerGone("the answer was cut short")
    return status == b"ok", body.decode()


def _stop(worker: subprocess.Popen | None) -> None:
    """Close the worker's input (it then exits) and wait for it; killed when it does not exit in time."""
    if worker is None:
        return
    with contextlib.suppress(OSError):
        worker.stdin.close()
    try:
        worker.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    worker.stdout.close()


class Painter:
    """Draws specs to SVG in worker processes; a context manager that stops them on leaving.

    `submit` returns a Future of the SVG. When a worker cannot start or dies, the charts it would have
    drawn are drawn in this process instead: slower, never missing.

    Parameters
    ----------
    locale : dict
        The d3 number-format locale every chart is drawn with.
    workers : int, optional
        Worker processes; `default_workers()` when omitted. With 0 every chart is drawn in this process
        when submitted.
    """

    def __init__(self, locale: dict, workers: int | None = None):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
            raise ValueError(f"Painter: workers must be a whole number from 0; got {workers!r}")
        self.locale = dict(locale)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = []
        for _ in range(default_workers() if workers is None else workers):
            thread = threading.Thread(target=self._serve, args=(_start(self.locale),), name="shb-drawing", daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, spec: str) -> Future:
        """A Future of the SVG of `spec` (Vega-Lite JSON text)."""
        job: Future = Future()
        if self._threads:
            self._jobs.put((spec, job))
        else:
            self._here(spec, job)
        return job

    def _here(self, spec: str, job: Future) -> None:
        try:
            job.set_result(draw(spec, self.locale))
        except Exception as error:  # handed to whoever waits for the SVG
            job.set_exception(error)

    def _serve(self, worker: subprocess.Popen | None) -> None:
        """Hand jobs to `worker` until told to stop; draw them here once it is gone."""
        try:
            while (item := self._jobs.get()) is not None:
                spec, job = item
                if not job.set_running_or_notify_cancel():
                    continue
                if worker is not None:
                    try:
                        ok, text = _ask(worker, spec)
                    except WorkerGone:
                        _stop(worker)
                        worker = None
                    else:
                        if ok:
                            job.set_result(text)
                        else:
                            job.set_exception(ValueError(text))
                        continue
                self._here(spec, job)
        finally:
            _stop(worker)

    def close(self) -> None:
        """Drop the charts not yet drawn, stop the workers and wait until they have exited."""
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[1].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def __enter__(self) -> Painter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve(source, sink, locale: dict) -> None:
    """A worker's loop: specs from `source`, SVGs (or errors) to `sink`, until `source` ends."""
    draw(WARM_UP_SPEC, locale)
    while head := source.readline():
        spec = source.read(int(head)).decode()
        try:
            status, body = b"ok", draw(spec, locale).encode()
        except Exception as error:  # the spec's own fault: said to the parent, which raises it
            status, body = b"error", str(error).encode()
        sink.write(b"%s %d\n" % (status, len(body)) + body)
        sink.flush()


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group: the parent stops its workers itself (their input closes),
    # so a worker finishes the chart it draws instead of dying with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answers go to the original standard output alone; whatever else writes to it (a library's
    # message) goes to standard error instead of into an answer.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, answers, json.loads(sys.argv[1]))
