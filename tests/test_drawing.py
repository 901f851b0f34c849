"""SVGs drawn in worker processes: the same SVG as drawn here, ids of their own, no worker left behind,
and a chart drawn here when a worker cannot start or dies."""

from __future__ import annotations

import json
import subprocess
import sys

import altair as alt
import pandas as pd
import pytest

from shb.core.format import D3_LOCALE
from shb.present import charts, drawing

LINE = json.dumps({"data": {"values": [{"x": 1, "y": 1500.5}, {"x": 2, "y": 2500.25}]}, "mark": "line",
                   "encoding": {"x": {"field": "x", "type": "quantitative"},
                                "y": {"field": "y", "type": "quantitative", "axis": {"format": ",.1f"}}}})
# A continuous colour legend: drawn with a gradient, which Vega numbers per process.
GRADIENT = json.dumps({"data": {"values": [{"x": 1, "c": 1.0}, {"x": 2, "c": 5.0}]}, "mark": "point",
                       "encoding": {"x": {"field": "x", "type": "quantitative"},
                                    "color": {"field": "c", "type": "quantitative"}}})


@pytest.fixture
def started(monkeypatch):
    """The worker processes started while the test runs."""
    out = []
    start = drawing._start

    def recording(locale):
        worker = start(locale)
        out.append(worker)
        return worker

    monkeypatch.setattr(drawing, "_start", recording)
    return out


@pytest.mark.parametrize(("svg", "expected"), [
    ('<svg><rect/></svg>', '<svg><rect/></svg>'),  # nothing to rename
    ('<svg><g fill="url(#gradient_1)"/><g fill="url(#gradient_12)" clip-path="url(#clip1)"/>'
     '<linearGradient id="gradient_1"/><linearGradient id="gradient_12"/><clipPath id="clip1"/>'
     '<text>#gradient_1 stays</text></svg>',
     '<svg><g fill="url(#gradient_1-T)"/><g fill="url(#gradient_12-T)" clip-path="url(#clip1-T)"/>'
     '<linearGradient id="gradient_1-T"/><linearGradient id="gradient_12-T"/><clipPath id="clip1-T"/>'
     '<text>#gradient_1 stays</text></svg>'),
])
def test_distinct_ids_renames_every_id_and_reference_and_nothing_else(svg, expected):
    out = drawing.distinct_ids(svg)
    tags = set(part.split("-")[1][:12] for part in out.split('id="')[1:])
    assert len(tags) <= 1
    assert out == expected.replace("-T", f"-{tags.pop()}" if tags else "")
    assert drawing.distinct_ids(svg) == out  # the same SVG, the same ids


def test_workers_draw_what_this_process_draws_and_then_exit(started):
    with drawing.Painter(D3_LOCALE, 2) as painter:
        drawn = [painter.submit(LINE), painter.submit(LINE)]
        assert [d.result(timeout=60) for d in drawn] == [drawing.draw(LINE, dict(D3_LOCALE))] * 2
    assert "1\u00a0500,5" in drawn[0].result()  # the Swedish locale reached the worker
    assert len(started) == 2 and all(w is not None and w.poll() is not None for w in started)


def test_gradients_drawn_by_different_workers_keep_their_own_ids():
    with drawing.Painter(D3_LOCALE, 2) as painter:
        svgs = [f.result(timeout=60) for f in [painter.submit(GRADIENT.replace("5.0", str(v))) for v in range(5, 11)]]
    ids = [i for svg in svgs for i in drawing.ID.findall(svg)]
    assert ids and len(ids) == len(set(ids))
    for svg in svgs:  # each reference points at an id of its own SVG
        own = set(drawing.ID.findall(svg))
        assert {ref for ref in own if f"url(#{ref})" in svg} == own


def test_a_bad_spec_fails_its_own_future_only():
    with drawing.Painter(D3_LOCALE, 1) as painter:
        bad, good = painter.submit('{"mark": "nonsense"}'), painter.submit(LINE)
        with pytest.raises(ValueError):
            bad.result(timeout=60)
        assert good.result(timeout=60).startswith("<svg")


def test_a_worker_that_dies_leaves_its_charts_to_this_process(monkeypatch):
    monkeypatch.setattr(drawing, "_start", lambda locale: subprocess.Popen(
        [sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE))
    with drawing.Painter(D3_LOCALE, 2) as painter:
        assert [painter.submit(LINE).result(timeout=60) for _ in range(3)] == [drawing.draw(LINE, dict(D3_LOCALE))] * 3


def test_no_worker_at_all_draws_here(monkeypatch):
    monkeypatch.setattr(drawing, "_start", lambda locale: None)
    with drawing.Painter(D3_LOCALE, 2) as painter:
        assert painter.submit(LINE).result(timeout=60).startswith("<svg")
    with drawing.Painter(D3_LOCALE, 0) as painter:
        assert painter.submit(LINE).done()
    with pytest.raises(ValueError, match="workers must be a whole number"):
        drawing.Painter(D3_LOCALE, -1)


def test_leaving_on_an_error_stops_the_workers_and_drops_what_was_not_drawn(started):
    with pytest.raises(RuntimeError, match="stop"), drawing.Painter(D3_LOCALE, 1) as painter:
        queued = [painter.submit(LINE) for _ in range(20)]
        raise RuntimeError("stop")
    assert all(w.poll() is not None for w in started)
    assert all(f.done() for f in queued) and any(f.cancelled() for f in queued)


def test_export_svg_later_is_export_svg_drawn_by_the_workers_unless_it_is_replaced(monkeypatch):
    chart = charts.finish_chart(alt.Chart(pd.DataFrame({"x": [1, 2], "y": [1500.5, 2500.25]})).mark_line()
                                .encode(x="x:Q", y="y:Q"))
    with drawing.Painter(D3_LOCALE, 1) as painter:
        assert charts.export_svg_later(chart, painter).result(timeout=60) == charts.export_svg(chart)
        monkeypatch.setattr(charts, "export_svg", lambda chart, **kw: f"stand-in {kw['validate']}")
        assert charts.export_svg_later(chart, painter, validate=False).result() == "stand-in False"
