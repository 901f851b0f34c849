"""Fetching from SCB (PxWeb API v2, json-stat2) and Kolada (API v3) against a local HTTP server on 127.0.0.1:
answers of the documented shapes load as a new snapshot; every failure ends in a Swedish message, exit
code 1 and a database file that is byte-identical."""

from __future__ import annotations

import copy
import itertools
import json
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from shb.cli import main as cli
from shb.core.catalog import ScbArea, ScbFetch
from shb.core.errors import FetchFailed
from shb.ingest import fetch
from shb.ingest import importer as ingest
from shb.ingest.fetch import fetch_indicator, parse_years
from shb.sources import http, jsonstat, scb
from shb.sources.http import Client, RateLimiter, Retry
from shb.store import db as dbmod
from shb.store import writer as store

EMPLOYMENT = "sysselsattningsgrad_20_64"  # SCB TAB6680: share from two counts, Kon groups, kommun summed
LOW_STANDARD = "lag_ekonomisk_standard"  # SCB TAB6685: value as published; Kolada N66080
YRKES = "behoriga_yrkesprogram_hemkommun"  # Kolada N15428, kon groups
TURNOUT = "valdeltagande_kommunval"  # Kolada N05401, no groups
NUM, DEN = "0000089X", "0000089Y"
ROOT = Path(__file__).resolve().parents[1]
API_BODIES = Path(__file__).parent / "data" / "api"  # real answers of SCB and Kolada (see the README there)
ROOMY_CONFIG = {"maxCallsPerTimeWindow": 1000, "timeWindow": 1, "maxDataCells": 150_000}  # no waiting in tests


def real_body(name: str) -> dict:
    """A real SCB or Kolada answer from tests/data/api/, parsed afresh (tests may change their copy)."""
    return json.loads((API_BODIES / name).read_text(encoding="utf-8"))


# --- A local server that answers like the real APIs -------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list → JSON, bytes/str as they are
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str  # with the query string
    body: object
    at: float = 0.0  # time.monotonic() when the server got it


class FakeApi:
    """Routes "METHOD /path?query" to replies (a list is answered in turn, its last reply repeats) or to a
    function of the request; records every request."""

    def __init__(self):
        self.routes: dict[str, list | object] = {}
        self.seen: list[Seen] = []
        self.root = ""

    def route(self, method: str, path: str, *replies) -> None:
        self.routes[f"{method} {path}"] = list(replies)

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]

    def answer(self, seen: Seen) -> Reply:
        replies = self.routes.get(f"{seen.method} {seen.path}") or self.routes.get(
            f"{seen.method} {urlsplit(seen.path).path}")
        if not replies:
            return Reply(404, {"title": "Not Found", "detail": f"ingen route för {seen.path}"})
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return reply(seen) if callable(reply) else reply


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, json.loads(raw) if raw else None, time.monotonic())
        self.server.api.seen.append(seen)
        reply = self.server.api.answer(seen)
        time.sleep(reply.delay)
        body = reply.body
        if isinstance(body, dict | list):
            body, kind = json.dumps(body).encode(), "application/json"
        else:
            body, kind = (body or b"") if isinstance(body, bytes) else str(body or "").encode(), "text/plain"
        headers = dict(reply.headers)
        kind = headers.pop("Content-Type", kind)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", kind)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def metadata(years) -> dict:
    """What /tables/{id}/metadata answers, as far as the connector reads it: the years of Tid."""
    return {"version": "2.0", "class": "dataset", "id": ["Region", "ContentsCode", "Tid"], "size": [1, 1, len(years)],
            "dimension": {"Tid": {"label": "år", "category": {"index": {str(y): i for i, y in enumerate(years)}}}}}


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.api = fake
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.root = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("SHB_SCB_URL", fake.root + "/api/v2")
    monkeypatch.setenv("SHB_KOLADA_URL", fake.root + "/v3")
    monkeypatch.setenv("SHB_FETCH_TIMEOUT", "5")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(http, "RETRY", Retry(attempts=3, backoff=0.0, max_wait=0.0))
    for table, years in (("TAB6680", range(2020, 2025)), ("TAB6685", range(2022, 2025))):
        fake.route("GET", f"/api/v2/tables/{table}/metadata", Reply(body=metadata(years)))
    fake.route("GET", "/api/v2/config", Reply(body=ROOMY_CONFIG))
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def db(private_db):
    return private_db


def run(*args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out.replace("\xa0", " "), out.err.replace("\xa0", " ")


def stored(db, indicator: str) -> dict:
    """(area, year, group_dim, group_value) → observation, read back with the named query."""
    frame = dbmod.Database(db).run("indicator_observations", indicator=indicator)
    return {(r.area_code, int(r.year), r.group_dim, r.group_value): r._asdict() for r in frame.itertuples(index=False)}


def jsonstat_answer(body: dict, value_of, times: list[str] | None = None) -> dict:
    """A json-stat2 dataset for a data request's selection; value_of(codes) gives a number, None or
    (None, status). `times` overrides the years answered (SCB may answer years that were not asked)."""
    sel = {s["variableCode"]: list(s["valueCodes"]) for s in body["selection"]}
    if times is not None:
        sel["Tid"] = times
    values, status = [], {}
    for i, combo in enumerate(itertools.product(*sel.values())):
        v = value_of(dict(zip(sel, combo)))
        if isinstance(v, tuple):
            v, status[str(i)] = v
        values.append(v)
    return {"version": "2.0", "class": "dataset", "label": "test", "source": "SCB", "updated": "2026-02-22",
            "id": list(sel), "size": [len(v) for v in sel.values()],
            "dimension": {d: {"label": d, "category": {"index": {c: j for j, c in enumerate(vs)},
                                                       "label": {c: c for c in vs}}} for d, vs in sel.items()},
            "value": values, "status": status, "role": {"time": ["Tid"], "metric": ["ContentsCode"]}}


# --- json-stat2 ---------------------------------------------------------------------------------------

def test_jsonstat_is_row_major_with_statuses_and_both_index_forms():
    data = {"version": "2.0", "class": "dataset", "id": ["Region", "Kon", "ContentsCode", "Tid"],
            "size": [2, 2, 1, 3],
            "dimension": {"Region": {"category": {"index": {"1490R025": 1, "1490R019_RegSO2025": 0}}},
                          "Kon": {"category": {"index": ["1", "2"]}},
                          "ContentsCode": {"category": {"label": {"X": "antal"}}},
                          "Tid": {"category": {"index": {"2022": 0, "2023": 1, "2024": 2}}}},
            "value": [1, 2, None, 4, 5, 6, 7, 8, 9, 10, None, 12.5], "status": {"2": "..", "10": "."}}
    cells = list(jsonstat.parse(data).cells())
    assert [(c.codes["Region"], c.codes["Kon"], c.codes["Tid"], c.value, c.status) for c in cells[:4]] == [
        ("1490R019_RegSO2025", "1", "2022", 1.0, None), ("1490R019_RegSO2025", "1", "2023", 2.0, None),
        ("1490R019_RegSO2025", "1", "2024", None, ".."), ("1490R019_RegSO2025", "2", "2022", 4.0, None)]
    assert (cells[10].codes, cells[10].status, cells[11].value) == (
        {"Region": "1490R025", "Kon": "2", "ContentsCode": "X", "Tid": "2023"}, ".", 12.5)
    sparse = jsonstat.parse({**data, "value": {"0": 3, "11": 4}, "status": ".."})
    assert [c.value for c in sparse.cells()] == [3.0] + [None] * 10 + [4.0]
    assert {c.status for c in sparse.cells()} == {".."}


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "Region"}, "'id' saknas"),
    ({"size": [2, 2, 1]}, "'size'"),
    ({"value": [1, 2]}, "'value' har 2 värden men dimensionerna ger 12 celler"),
    ({"value": ["1"] * 12}, "inget tal"),
    ({"status": {"99": ".."}}, "index 99 utanför"),
    ({"dimension": {}}, "saknar 'category'"),
])
def test_jsonstat_shape_problems_are_named(change, message):
    base = {"class": "dataset", "id": ["Region", "Kon", "ContentsCode", "Tid"], "size": [2, 2, 1, 3],
            "dimension": {d: {"category": {"index": codes}} for d, codes in
                          (("Region", ["a", "b"]), ("Kon", ["1", "2"]), ("ContentsCode", ["X"]),
                           ("Tid", ["2022", "2023", "2024"]))}, "value": [1] * 12}
    with pytest.raises(jsonstat.ShapeError, match=message):
        jsonstat.parse({**base, **change})


# --- SCB -------------------------------------------------------------------------------------------------

def employment_value(codes: dict) -> object:
    """Counts per RegSO/DeSO: 280 of 400 in all (150/200 men, 130/200 women), with the statuses SCB uses."""
    area, kon, year, content = codes["Region"], codes["Kon"], codes["Tid"], codes["ContentsCode"]
    in_window = year == "2024" if area.endswith("_RegSO2025") else year == "2023"
    if not in_window:
        return 0  # SCB's pitfall: a code outside its division's years answers 0, not missing
    if (area, year, kon, content) == ("1490R025_RegSO2025", "2024", "1+2", NUM):
        return None, ".."
    if (area, year, kon, content) == ("1490R019", "2023", "2", DEN):
        return None, "."
    if (area, year, kon, content) == ("1490C1010", "2023", "1+2", NUM):
        return None  # null without a status: missing
    if area == "1490R017_RegSO2025" and kon == "1":
        return 0
    if (area, year, kon) == ("1490R001", "2023", "1+2"):
        return {NUM: 300, DEN: 400}[content]
    return {("1+2", NUM): 280, ("1+2", DEN): 400, ("1", NUM): 150, ("1", DEN): 200, ("2", NUM): 130,
            ("2", DEN): 200}[(kon, content)]


def test_scb_share_from_two_counts_with_statuses_suffixes_and_a_summed_kommun(api, db, capsys):
    api.route("POST", "/api/v2/tables/TAB6680/data",
              lambda seen: Reply(body=jsonstat_answer(seen.body, employment_value, times=["2023", "2024"])))
    code, out, err = run("fetch", "scb", "--indicator", EMPLOYMENT, "--years", "2023-2025", "--db", str(db),
                         "--replace", capsys=capsys)  # the table has 2020–2024: 2025 is not asked for
    assert code == 0, err
    assert "Läste in SCB TAB6680" in out and "Ny version" in out
    assert "inte bekräftad" in err  # the mapping's content codes are marked unconfirmed

    posts = api.posts()
    assert [p.path for p in posts] == ["/api/v2/tables/TAB6680/data?lang=sv&outputFormat=json-stat2"] * 3
    selections = [{s["variableCode"]: (s.get("codelist"), s["valueCodes"]) for s in p.body["selection"]}
                  for p in posts]
    regions = [(s["Region"][0], len(s["Region"][1]), s["Region"][1][0], s["Tid"][1]) for s in selections]
    assert regions == [("vs_RegSO2020", 47, "1490R001", ["2023"]), ("vs_RegSO2025", 47, "1490R001_RegSO2025", ["2024"]),
                       ("vs_DeSO2018", 77, "1490A0010", ["2023"])]
    assert all(s["Kon"][1] == ["1+2", "1", "2"] and s["Alder"][1] == ["20-64"] and s["ContentsCode"][1] == [NUM, DEN]
               for s in selections)

    obs = stored(db, EMPLOYMENT)
    r020 = obs[("1490R020", 2024, "total", "alla")]
    assert (r020["value"], r020["numerator"], r020["denominator"], r020["status"]) == (70.0, 280, 400, "ok")
    assert not r020["is_demo"] and r020["source_version"].endswith(": SCB TAB6680")
    assert obs[("1490R020", 2024, "kon", "man")]["value"] == 75.0
    assert obs[("1490R020", 2023, "kon", "kvinnor")]["value"] == 65.0
    suppressed = obs[("1490R025", 2024, "total", "alla")]
    assert suppressed["status"] == "suppressed" and math.isnan(suppressed["value"])
    assert obs[("1490R019", 2023, "kon", "kvinnor")]["status"] == "not_applicable"
    assert obs[("1490C1010", 2023, "total", "alla")]["status"] == "missing"
    empty = obs[("1490R017", 2024, "kon", "man")]  # 0 of 0: not applicable, counts kept
    assert (empty["status"], empty["numerator"], empty["denominator"]) == ("not_applicable", 0, 0)
    assert obs[("1490C1010", 2023, "kon", "man")]["value"] == 75.0  # DeSO 2018 codes, 2023 only
    assert ("1490C1010", 2024, "total", "alla") not in obs or obs[("1490C1010", 2024, "total", "alla")]["is_demo"]
    # the kommun: counts of the 47 RegSO added up
    city = obs[("1490", 2023, "total", "alla")]
    assert (city["numerator"], city["denominator"]) == (46 * 280 + 300, 47 * 400)
    assert city["value"] == pytest.approx(100 * 13_180 / 18_800, rel=1e-12)
    assert obs[("1490", 2024, "kon", "man")]["value"] == 75.0  # 46 × 150 / 46 × 200, plus 0 of 0
    assert obs[("1490", 2024, "total", "alla")]["status"] == "suppressed"  # one RegSO suppressed
    assert obs[("1490", 2023, "kon", "kvinnor")]["status"] == "missing"  # one RegSO without a count

    con = duckdb.connect(str(db), read_only=True)
    try:
        log = con.execute("select file_name, sha256, rows from import_log order by logged_at desc limit 1").fetchone()
    finally:
        con.close()
    assert log[0] == "SCB TAB6680" and len(log[1]) == 64 and log[2] == 2 * (47 * 3) + 77 * 3 + 2 * 3


def test_scb_without_years_asks_the_metadata_and_each_code_list_only_for_its_years(api, db, capsys):
    api.route("POST", "/api/v2/tables/TAB6685/data",
              lambda seen: Reply(body=jsonstat_answer(seen.body, lambda c: 12.5)))
    before = store.file_sha256(db)
    code, out, err = run("fetch", "scb", "--indicator", LOW_STANDARD, "--db", str(db), "--dry-run", "--replace",
                         capsys=capsys)
    assert code == 0, err
    assert "Provkörning av SCB TAB6685 (json-stat2)" in out and LOW_STANDARD in out
    assert store.file_sha256(db) == before
    assert api.seen[0].method == "GET" and api.seen[0].path.startswith("/api/v2/tables/TAB6685/metadata?")
    asked = [({s["variableCode"]: s for s in p.body["selection"]}) for p in api.posts()]
    assert [(a["Region"].get("codelist"), a["Tid"]["valueCodes"]) for a in asked] == [
        (None, ["2022", "2023", "2024"]), ("vs_RegSO2020", ["2022", "2023"]), ("vs_RegSO2025", ["2024"])]
    assert asked[0]["Region"]["valueCodes"] == ["1490"] and asked[0]["Alder"]["valueCodes"] == ["tot"]


def test_a_request_over_the_cell_limit_is_split_and_the_parts_cover_every_cell(api, db):
    api.route("POST", "/api/v2/tables/TAB6680/data",
              lambda seen: Reply(body=jsonstat_answer(seen.body, employment_value)))
    whole = fetch_indicator("scb", EMPLOYMENT, [2023], db, dry_run=True, overwrite=True)
    assert len(api.posts()) == 2
    api.seen.clear()
    limit = 100
    split = fetch_indicator("scb", EMPLOYMENT, [2023], db, dry_run=True, overwrite=True, cell_limit=limit)
    posts = api.posts()
    per_list: dict[str, set] = {}
    for p in posts:
        sel = {s["variableCode"]: s["valueCodes"] for s in p.body["selection"]}
        cells = set(itertools.product(*sel.values()))
        assert len(cells) <= limit
        codelist = p.body["selection"][0]["codelist"]
        assert not per_list.setdefault(codelist, set()) & cells  # no cell asked twice
        per_list[codelist] |= cells
    assert {k: len(v) for k, v in per_list.items()} == {"vs_RegSO2020": 47 * 3 * 2, "vs_DeSO2018": 77 * 3 * 2}
    assert len(posts) >= math.ceil(47 * 6 / limit) + math.ceil(77 * 6 / limit)
    assert (split.rows, split.new, split.changed) == (whole.rows, whole.new, whole.changed)


def test_split_halves_the_longest_variable():
    parts = scb.split({"Region": list("abcde"), "Kon": ["1", "2"], "Tid": ["2023"]}, 4)
    assert [p["Region"] for p in parts] == [["a", "b"], ["c"], ["d", "e"]]
    assert all(len(p["Region"]) * len(p["Kon"]) <= 4 for p in parts)
    spec = ScbFetch("TAB1", False, (ScbArea("regso", "vs_RegSO2025", 2024, None),), value="X")
    (only,) = scb.plan(spec, [2022, 2023, 2024, 2025])
    assert only.selection["Tid"] == ["2024", "2025"] and only.cells == 47 * 2


# --- Rate limit and retries -------------------------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_keeps_to_30_calls_in_any_10_seconds_without_real_waiting():
    clock = FakeClock()
    limiter = RateLimiter(30, 10.0, clock, clock.sleep)
    starts = []
    for i in range(75):
        if i == 40:
            clock.now += 3.0  # a pause between calls counts towards the window
        limiter.acquire()
        starts.append(clock.now)
    assert starts == [0.0] * 30 + [10.0] * 10 + [13.0] * 20 + [20.0] * 10 + [23.0] * 5
    assert clock.slept == [10.0, 7.0, 3.0]
    assert all(sum(1 for s in starts if t - 10 < s <= t) <= 30 for t in starts)


def test_scb_client_waits_through_the_limiter_between_real_calls(api):
    api.route("GET", "/api/v2/config", Reply(body={"maxCallsPerTimeWindow": 30}))
    clock = FakeClock()
    client = scb.client(sleep=clock.sleep, clock=clock)
    for _ in range(35):
        assert client.get(client.url("config")).data == {"maxCallsPerTimeWindow": 30}
    assert clock.slept == [10.0] and len(api.seen) == 35


def test_retry_after_is_honoured_and_capped_and_errors_back_off(api):
    api.route("GET", "/v3/kpi", Reply(429, {"title": "Too Many Requests"}, {"Retry-After": "7"}),
              Reply(429, "", {"Retry-After": "999"}), Reply(503, "upptagen"), Reply(body={"values": []}))
    slept = []
    client = Client("Kolada", api.root + "/v3", timeout=5, retry=Retry(attempts=4, backoff=1.0, max_wait=60.0),
                    sleep=slept.append)
    assert client.get(client.url("kpi")).data == {"values": []}
    assert slept == [7.0, 60.0, 4.0] and len(api.seen) == 4


def test_429_then_success_loads_the_values(api, db, capsys):
    page = {"values": [{"kpi": "N05401", "period": 2022, "municipality": "1490",
                        "values": [{"gender": "T", "value": 81.4, "status": ""}]}]}
    api.route("GET", "/v3/data/kpi/N05401/municipality/1490/year/2022",
              Reply(429, {"title": "Too Many Requests"}, {"Retry-After": "0"}), Reply(body=page))
    code, out, err = run("fetch", "kolada", "--indicator", TURNOUT, "--years", "2022", "--db", str(db), "--replace",
                         capsys=capsys)
    assert code == 0, err
    assert len(api.seen) == 2 and stored(db, TURNOUT)[("1490", 2022, "total", "alla")]["value"] == 81.4


# --- Kolada ----------------------------------------------------------------------------------------------

def test_kolada_follows_three_pages_and_maps_genders(api, db, capsys):
    path = "/v3/data/kpi/N15428/municipality/1490/year/2021,2022,2023"

    def page(year, values, next_page):
        body = {"values": [{"kpi": "N15428", "period": year, "municipality": "1490", "values": values},
                           {"kpi": "N15428", "period": year, "municipality": "0180",
                            "values": [{"gender": "T", "value": 1.0, "status": ""}]}]}
        if next_page:
            body["next_url"] = f"{api.root}{path}?page={next_page}"
        return Reply(body=body)

    api.route("GET", path, page(2021, [{"gender": "T", "value": 80, "status": ""},
                                       {"gender": "K", "value": 82.5, "status": ""},
                                       {"gender": "M", "value": 77.5, "status": ""}], 2))
    api.route("GET", path + "?page=2", page(2022, [{"gender": "T", "value": 81.0, "status": ""},
                                                   {"gender": "M", "value": None, "status": "Missing"}], 3))
    api.route("GET", path + "?page=3", page(2023, [{"gender": "K", "value": 83.0, "status": ""}], None))
    code, out, err = run("fetch", "kolada", "--indicator", YRKES, "--years", "2021-2023", "--db", str(db),
                         "--replace", capsys=capsys)
    assert code == 0, err
    assert "Läste in Kolada N15428" in out
    assert [s.path for s in api.seen] == [path, path + "?page=2", path + "?page=3"]
    obs = stored(db, YRKES)
    assert obs[("1490", 2021, "total", "alla")]["value"] == 80.0
    assert obs[("1490", 2021, "kon", "kvinnor")]["value"] == 82.5
    assert obs[("1490", 2021, "kon", "man")]["value"] == 77.5
    assert obs[("1490", 2022, "kon", "man")]["status"] == "missing"
    assert obs[("1490", 2023, "kon", "kvinnor")]["source_version"].endswith(": Kolada N15428")
    assert not any(k[0] == "0180" for k in obs)


def test_kolada_gender_values_are_left_out_for_an_indicator_without_kon(api, db, capsys):
    api.route("GET", "/v3/data/kpi/N05401/municipality/1490", Reply(body={"values": [
        {"kpi": "N05401", "period": 2022, "municipality": "1490",
         "values": [{"gender": "T", "value": 84.1}, {"gender": "K", "value": 85.0}, {"gender": "M", "value": 83.2}]}]}))
    result = fetch_indicator("kolada", TURNOUT, None, db, dry_run=True, overwrite=True)
    assert result.rows == 1 and result.by_indicator_year.year.tolist() == [2022]


def test_kolada_stops_at_the_page_limit_and_a_client_refuses_oversized_answers(api):
    from shb.core.catalog import catalog
    from shb.core.errors import FetchFailed
    from shb.sources import kolada

    path = "/v3/data/kpi/N15428/municipality/1490"
    api.route("GET", path, _kolada_page("?page=2"))  # relative next_url, resolved against the page
    api.route("GET", path + "?page=2", _kolada_page(path + "?page=3"))
    api.route("GET", path + "?page=3", Reply(body={"values": []}))
    client = kolada.client()
    values, bodies = kolada.fetch(client, catalog().indicator(YRKES), None)
    assert len(bodies) == 3 and [v.value for v in values] == [50.0, 50.0]
    with pytest.raises(FetchFailed, match="fler än 2 sidor"):
        kolada.fetch(client, catalog().indicator(YRKES), None, max_pages=2)
    small = Client("Kolada", api.root + "/v3", max_bytes=100)
    with pytest.raises(FetchFailed, match="Svaret från Kolada är större än"):
        small.get(small.url("data/kpi/N15428/municipality/1490"))


def test_values_the_import_refuses_exit_2_and_write_nothing(api, db, capsys):
    api.route("GET", "/v3/data/kpi/N15428/municipality/1490/year/2022", Reply(body={"values": [
        {"kpi": "N15428", "period": 2022, "municipality": "1490", "values": [{"gender": "T", "value": 120.0}]}]}))
    before = store.file_sha256(db)
    code, _, err = run("fetch", "kolada", "--indicator", YRKES, "--years", "2022", "--db", str(db), "--replace",
                       capsys=capsys)
    assert code == 2 and "Hämtningen från Kolada N15428 avvisades" in err and "mellan 0 och 100" in err
    assert f"{YRKES} 1490 2022 totalt, kolumn" in err and "rad " not in err  # where, as the source knows it
    api.route("GET", "/v3/data/kpi/N15428/municipality/1490/year/2022", Reply(body={"values": [
        {"kpi": "N15428", "period": 2022, "municipality": "1490", "values": [{"gender": "T", "value": 12.0}]}]}))
    code, _, err = run("fetch", "kolada", "--indicator", YRKES, "--years", "2022", "--db", str(db), capsys=capsys)
    assert code == 2 and "--replace" in err  # the demo value for 2022 would change
    assert store.file_sha256(db) == before


# --- Failures: a Swedish message, exit 1, the database untouched ------------------------------------------

SCB_DATA = "/api/v2/tables/TAB6680/data"
KOLADA_2022 = "/v3/data/kpi/N15428/municipality/1490/year/2022"


def _kolada_page(next_url: str) -> Reply:
    return Reply(body={"values": [{"kpi": "N15428", "period": 2022, "municipality": "1490",
                                   "values": [{"gender": "T", "value": 50.0}]}], "next_url": next_url})


FAILURES = {
    "http_400": ("scb", [Reply(400, {"type": "about:blank", "title": "Bad Request", "status": 400,
                                     "detail": "Värdet 9 finns inte i variabeln Kon."})],
                 ["SCB avvisade frågan (HTTP 400): Bad Request – Värdet 9 finns inte i variabeln Kon."]),
    "http_400_html": ("scb", [Reply(400, "<html><body><h1>Fel</h1>" + "x" * 5000 + "</body></html>",
                                    {"Content-Type": "text/html"})], ["HTTP 400", "webbsida"]),
    "http_404": ("scb", [Reply(404, "Table TAB6680 not found")], ["hittade inte", "HTTP 404", "not found"]),
    "429_forever": ("scb", [Reply(429, "", {"Retry-After": "0"})], ["HTTP 429", "Gav upp efter 3 försök"]),
    "server_error": ("scb", [Reply(503, "")], ["serverfel (HTTP 503)", "Gav upp efter 3 försök"]),
    "timeout": ("scb", [Reply(body={}, delay=1.0)], ["SCB svarade inte inom 0,2 sekunder", "3 försök"]),
    "malformed_json": ("scb", [Reply(body=b'{"version": "2.0", "value": [1,')], ["inte giltig JSON"]),
    "wrong_shape": ("scb", [Reply(body={"hello": "world"})], ["Svaret från SCB (tabell TAB6680) har oväntad form",
                                                             "'id' saknas"]),
    "wrong_dimensions": ("scb", [Reply(body={"class": "dataset", "id": ["Region", "Tid"], "size": [1, 1], "dimension": {
        "Region": {"category": {"index": ["1490R001"]}}, "Tid": {"category": {"index": ["2022"]}}}, "value": [1]})],
                         ["dimensionerna ['Region', 'Tid'] passar inte frågan"]),
    "redirect": ("scb", [Reply(302, "", {"Location": "http://localhost:1/annan"})], ["omdirigering", "följs inte"]),
    "kolada_other_host": ("kolada", [_kolada_page("http://localhost:9/v3/data?page=2")],
                          ["annan adress", "localhost:9", "följs inte"]),
    "kolada_loop": ("kolada", ["self"], ["redan hämtats"]),
    "kolada_wrong_shape": ("kolada", [Reply(body={"values": [{"period": "tjugo", "municipality": "1490",
                                                              "values": []}]})], ["oväntad form", "'tjugo'"]),
    "kolada_bad_gender": ("kolada", [Reply(body={"values": [{"period": 2022, "municipality": "1490",
                                                             "values": [{"gender": "X", "value": 1}]}]})],
                          ["okänt kön 'X'"]),
    "kolada_malformed": ("kolada", [Reply(body=b"<html>oj</html>")], ["Kolada är inte giltig JSON"]),
}


@pytest.mark.parametrize("case", FAILURES)
def test_failures_end_in_a_swedish_message_exit_1_and_an_unchanged_database(case, api, db, capsys, monkeypatch):
    source, replies, expected = FAILURES[case]
    if case == "timeout":
        monkeypatch.setenv("SHB_FETCH_TIMEOUT", "0.2")
    if replies == ["self"]:
        replies = [_kolada_page(api.root + KOLADA_2022)]
    api.route("POST" if source == "scb" else "GET", SCB_DATA if source == "scb" else KOLADA_2022, *replies)
    indicator = EMPLOYMENT if source == "scb" else YRKES
    before = store.file_sha256(db)
    code, out, err = run("fetch", source, "--indicator", indicator, "--years", "2022", "--db", str(db), "--replace",
                         capsys=capsys)
    assert code == 1 and out == ""
    assert "Fel: " in err and "Inget har skrivits till databasen." in err
    for text in expected:
        assert text in err
    assert "<html" not in err and "Traceback" not in err and len(err) < 1000
    assert store.file_sha256(db) == before
    assert not (db.parent / "snapshots").exists()


def test_no_server_no_mapping_and_no_such_years_are_clear_failures(api, db, capsys, monkeypatch):
    with socket.socket() as s:  # a port on 127.0.0.1 with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SHB_SCB_URL", f"http://127.0.0.1:{port}/api/v2")
    code, _, err = run("fetch", "scb", "--indicator", EMPLOYMENT, "--years", "2023", "--db", str(db), capsys=capsys)
    assert code == 1 and f"Kunde inte nå SCB på 127.0.0.1:{port} (anslutningen nekades)" in err
    code, _, err = run("fetch", "kolada", "--indicator", EMPLOYMENT, "--db", str(db), capsys=capsys)
    assert code == 1 and "ingen koppling till Kolada" in err and YRKES in err
    monkeypatch.setenv("SHB_SCB_URL", api.root + "/api/v2")
    code, _, err = run("fetch", "scb", "--indicator", EMPLOYMENT, "--years", "2015-2019", "--db", str(db),
                       capsys=capsys)
    assert code == 1 and "SCB-tabellen TAB6680 har åren 2020–2024; inget av de begärda åren (2015–2019)" in err
    assert [s.method for s in api.seen] == ["GET"]
    api.seen.clear()
    monkeypatch.setenv("SHB_KOLADA_URL", "ftp://example.org")
    code, _, err = run("fetch", "kolada", "--indicator", YRKES, "--db", str(db), capsys=capsys)
    assert code == 1 and "SHB_KOLADA_URL" in err
    assert api.seen == []


@pytest.mark.parametrize(("text", "years"), [("2019-2021", [2019, 2020, 2021]), ("2021,2023", [2021, 2023]),
                                             ("2015, 2019–2020", [2015, 2019, 2020])])
def test_years_are_read_as_ranges_and_lists(text, years):
    assert parse_years(text) == years
    assert fetch.FIRST_YEAR == ingest.FIRST_YEAR


def test_bad_years_are_a_usage_error(db, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fetch", "scb", "--indicator", EMPLOYMENT, "--years", "2024-2019", "--db", str(db)])
    assert exc.value.code == 2 and "det första först" in capsys.readouterr().err



# --- Defects found with real answers: each test below failed before its fix ----------------------------

def kolada_item(gender: str, value: float | None, status: str = "", deleted: bool = False) -> dict:
    """One gender's value the way Kolada v3 writes it (see tests/data/api/kolada_v3_data_n21704.json)."""
    return {"gender": gender, "count": 1, "status": status, "value": value, "isdeleted": deleted}


def kolada_entry(kpi: str, year: int, items: list[dict], municipality: str = "1490") -> dict:
    return {"values": items, "kpi": kpi, "period": year, "municipality": municipality}


def as_boras(body: dict, municipality: str, kpi: str | None = None) -> dict:
    """A real Kolada answer with `municipality`'s entry relabelled as Borås (and every entry as `kpi`)."""
    body = copy.deepcopy(body)
    for entry in body["values"]:
        if entry["municipality"] == municipality:
            entry["municipality"] = "1490"
        if kpi:
            entry["kpi"] = kpi
    return body


def groups(values) -> dict:
    """(year, group) → (value, status) of fetched values."""
    return {(v.year, v.group): (v.value, v.status) for v in values}


def test_kolada_values_marked_deleted_are_not_loaded(api):
    api.route("GET", KOLADA_2022, Reply(body={"values": [kolada_entry("N15428", 2022, [
        kolada_item("T", 50.0, deleted=True), kolada_item("K", 52.0), kolada_item("M", 48.0, deleted=True)])]}))
    fetched = fetch.fetch_values("kolada", YRKES, [2022])
    assert groups(fetched.values) == {(2022, ("kon", "kvinnor")): (52.0, "ok")}
    assert any("2 värden som Kolada markerat som borttagna" in n for n in fetched.notes)


def test_kolada_entries_for_another_kpi_are_skipped_and_an_answer_of_only_them_is_refused(api, db, capsys):
    goteborg = as_boras(real_body("kolada_v3_data_n21704.json"), "1480")  # real values, still for N21704
    path = "/v3/data/kpi/N15428/municipality/1490/year/2023"
    api.route("GET", path, Reply(body=goteborg))
    before = store.file_sha256(db)
    code, out, err = run("fetch", "kolada", "--indicator", YRKES, "--years", "2023", "--db", str(db), "--replace",
                         capsys=capsys)
    assert code == 1 and out == ""
    assert "Kolada svarade med nyckeltalet N21704, inte N15428" in err and "Inget har skrivits" in err
    assert store.file_sha256(db) == before
    mixed = {"values": [kolada_entry("N15428", 2023, [kolada_item("T", 81.5)]), *goteborg["values"]]}
    api.route("GET", path, Reply(body=mixed))
    fetched = fetch.fetch_values("kolada", YRKES, [2023])
    assert groups(fetched.values) == {(2023, ("total", "alla")): (81.5, "ok")}
    assert any("N21704" in n and "hoppades över" in n for n in fetched.notes)


def test_kolada_status_codes_keep_suppressed_and_missing_apart(api):
    api.route("GET", KOLADA_2022, Reply(body={"values": [kolada_entry("N15428", 2022, [
        kolada_item("T", None, "Privacy"), kolada_item("K", 55.0, "Missing"), kolada_item("M", 48.0)])]}))
    fetched = fetch.fetch_values("kolada", YRKES, [2022])
    assert groups(fetched.values) == {(2022, ("total", "alla")): (None, "suppressed"),
                                      (2022, ("kon", "kvinnor")): (None, "missing"),
                                      (2022, ("kon", "man")): (48.0, "ok")}
    api.route("GET", KOLADA_2022, Reply(body={"values": [kolada_entry("N15428", 2022, [
        kolada_item("T", 50.0, "Preliminary")])]}))
    with pytest.raises(FetchFailed, match="okänd status 'Preliminary'"):
        fetch.fetch_values("kolada", YRKES, [2022])


SYMBOL_CELLS = {  # region → what SCB answers (value, status), and what the cell must become
    "1490": ((None, "-"), (0.0, "ok")),  # nil: a true zero
    "1490R001": ((None, "."), (None, "not_applicable")),
    "1490R002": ((None, ".."), (None, "suppressed")),
    "1490R003": ((None, "..."), (None, "suppressed")),
    "1490R004": ((None, "...."), (None, "missing")),
    "1490R005": ((None, "....."), (None, "missing")),
    "1490R006": ((None, "......"), (None, "missing")),
    "1490R007": ((None, "......."), (None, "missing")),  # the sum symbol's default
    "1490R008": ((None, "*"), (None, "missing")),  # SCB's tables set the sum symbol to *
    "1490R009": ((12.5, "*"), (12.5, "ok")),  # a note on a value leaves the value
    "1490R010": ((None, None), (None, "missing")),
}


def test_scb_status_symbols_map_to_zero_suppressed_missing_and_not_applicable(api):
    answer = {area: sent for area, (sent, _) in SYMBOL_CELLS.items()}
    api.route("POST", "/api/v2/tables/TAB6685/data",
              lambda seen: Reply(body=jsonstat_answer(seen.body, lambda c: answer.get(c["Region"], 7.5))))
    fetched = fetch.fetch_values("scb", LOW_STANDARD, [2023])
    got = {v.area: (v.value, v.status) for v in fetched.values}
    assert {area: got[area] for area in SYMBOL_CELLS} == {area: want for area, (_, want) in SYMBOL_CELLS.items()}
    assert got["1490R011"] == (7.5, "ok")


class ClockedLimiter:
    """Records the (fake) time of every call the limiter lets through."""

    def __init__(self, limiter: RateLimiter, clock):
        self.limiter, self.clock, self.starts = limiter, clock, []
        self._acquire = limiter.acquire
        limiter.acquire = self.acquire

    def acquire(self) -> None:
        self._acquire()
        self.starts.append(self.clock.now)

    def most_in(self, window: float) -> int:
        return max(sum(1 for s in self.starts if t - window < s <= t) for t in self.starts)


def test_scb_reads_its_limits_from_config_once_per_fetch_and_keeps_to_them(api):
    config = {**real_body("scb_v2_config.json"), "maxDataCells": 100}  # SCB's: 3 calls a second
    api.route("GET", "/api/v2/config", Reply(body=config))
    api.route("POST", "/api/v2/tables/TAB6680/data",
              lambda seen: Reply(body=jsonstat_answer(seen.body, employment_value)))
    clock = FakeClock()
    client = scb.client(sleep=clock.sleep, clock=clock)
    calls = ClockedLimiter(client.limiter, clock)
    fetched = fetch.fetch_values("scb", EMPLOYMENT, [2023], client=client)
    paths = [urlsplit(s.path).path for s in api.seen]
    assert paths.count("/api/v2/config") == 1 and paths[:2] == ["/api/v2/tables/TAB6680/metadata", "/api/v2/config"]
    posts = api.posts()
    assert len(posts) > 3 and all(math.prod(len(s["valueCodes"]) for s in p.body["selection"]) <= 100 for p in posts)
    assert len(calls.starts) == len(api.seen) and calls.most_in(1.0) == 3 and clock.now == (len(api.seen) - 1) // 3
    assert (client.limiter.calls, client.limiter.window) == (3, 1.0)
    assert fetched.notes == ()


def test_scb_without_a_readable_config_keeps_to_the_fallback_and_says_so(api, caplog):
    api.route("GET", "/api/v2/config", Reply(404, "Not found"))
    api.route("POST", "/api/v2/tables/TAB6685/data", lambda seen: Reply(body=jsonstat_answer(seen.body, lambda c: 12.5)))
    clock = FakeClock()
    client = scb.client(sleep=clock.sleep, clock=clock)
    with caplog.at_level(logging.WARNING, logger="shb.sources.scb"):
        fetched = fetch.fetch_values("scb", LOW_STANDARD, [2023], client=client)
    assert fetched.values and (client.limiter.calls, client.limiter.window) == (30, 10.0)
    (note,) = (n.replace("\xa0", " ") for n in fetched.notes)
    assert "SCB:s gränser (/config) kunde inte läsas" in note and "HTTP 404" in note
    assert "30 anrop per 10 sekunder och högst 150 000 celler" in note
    assert "/config" in caplog.text


def test_years_asked_for_but_absent_are_named_in_the_summary(api, db, capsys):
    api.route("POST", "/api/v2/tables/TAB6685/data", lambda seen: Reply(body=jsonstat_answer(seen.body, lambda c: 12.5)))
    code, out, err = run("fetch", "scb", "--indicator", LOW_STANDARD, "--years", "2024-2026", "--db", str(db),
                         "--dry-run", "--replace", capsys=capsys)  # the table has 2022–2024
    assert code == 0, err
    assert "Obs: SCB TAB6685 har inga värden för åren 2025, 2026; de hoppades över." in out
    path = "/v3/data/kpi/N15428/municipality/1490/year/2021,2022,2023"
    api.route("GET", path, Reply(body={"values": [kolada_entry("N15428", year, [kolada_item("T", 80.0)])
                                                  for year in (2021, 2023)]}))
    code, out, err = run("fetch", "kolada", "--indicator", YRKES, "--years", "2021-2023", "--db", str(db),
                         "--dry-run", "--replace", capsys=capsys)
    assert code == 0, err
    assert "Obs: Kolada N15428 har inga värden för året 2022; det hoppades över." in out


def test_kolada_year_lists_are_split_into_batches_of_25(api):
    years = list(range(1990, 2027))
    base = "/v3/data/kpi/N15428/municipality/1490/year/"
    for batch in (years[:25], years[25:]):
        api.route("GET", base + ",".join(map(str, batch)), Reply(body={"values": [
            kolada_entry("N15428", year, [kolada_item("T", 70.0 + year - 1990)]) for year in batch]}))
    fetched = fetch.fetch_values("kolada", YRKES, years)
    assert [s.path for s in api.seen] == [base + ",".join(map(str, b)) for b in (years[:25], years[25:])]
    assert sorted(v.year for v in fetched.values) == years
    assert fetched.calls == 2


BORAS_N05401 = {2014: 82.065674, 2015: 82.065674, 2016: 82.065674, 2017: 82.065674, 2018: 83.0, 2019: 83.0,
                2020: 83.0, 2021: 83.0, 2022: 78.0}  # Kolada's real values for Borås (open-numbers dump, 2024)


def test_election_turnout_is_kept_for_election_years_only(api):
    path = "/v3/data/kpi/N05401/municipality/1490/year/" + ",".join(map(str, BORAS_N05401))
    api.route("GET", path, Reply(body={"values": [kolada_entry("N05401", year, [kolada_item("T", value)])
                                                  for year, value in BORAS_N05401.items()]}))
    fetched = fetch.fetch_values("kolada", TURNOUT, list(BORAS_N05401))
    assert groups(fetched.values) == {(2014, ("total", "alla")): (82.065674, "ok"),
                                      (2018, ("total", "alla")): (83.0, "ok"), (2022, ("total", "alla")): (78.0, "ok")}
    (note,) = fetched.notes
    assert "bara valåren" in note and "2015–2017, 2019–2021" in note


@pytest.mark.parametrize(("year", "election"), [(1970, True), (1973, True), (1991, True), (1992, False),
                                                (1994, True), (1998, True), (2018, True), (2022, True),
                                                (2023, False), (2026, True)])
def test_election_years_are_those_of_the_swedish_general_elections(year, election):
    from shb.sources import kolada

    assert kolada.is_election_year(year) is election


# --- The real answers, end to end ------------------------------------------------------------------------

def shb_command(*args: str) -> subprocess.CompletedProcess:
    """`python -m shb …` in a fresh process, against the test server (the api fixture's SHB_SCB_URL and
    SHB_KOLADA_URL are in the environment)."""
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "shb", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.replace("\xa0", " "),
                                       done.stderr.replace("\xa0", " "))


def test_a_real_kolada_answer_runs_through_python_m_shb_fetch_with_its_exact_values(api, db):
    path = "/v3/data/kpi/N15428/municipality/1490/year/2023"
    api.route("GET", path, Reply(body=real_body("kolada_v3_data_n21704.json")))  # as it is: N21704, no Borås
    before = store.file_sha256(db)
    done = shb_command("fetch", "kolada", "--indicator", YRKES, "--years", "2023", "--db", str(db), "--dry-run")
    assert done.returncode == 1 and done.stdout == ""
    assert "Fel: Kolada svarade med nyckeltalet N21704, inte N15428; svaret lästes inte in." in done.stderr
    goteborg = as_boras(real_body("kolada_v3_data_n21704.json"), "1480", kpi="N15428")
    api.route("GET", path, Reply(body=goteborg))  # Göteborg's real values as Borås', the others stay away
    done = shb_command("fetch", "kolada", "--indicator", YRKES, "--years", "2023", "--db", str(db), "--dry-run",
                       "--replace")
    assert done.returncode == 0, done.stderr
    assert "Provkörning av Kolada N15428 (JSON): 0 nya värden, 3 ändrade, 0 oförändrade. Inget har skrivits." in done.stdout
    assert ("Hämtade värden:\n  1490 2023 total/alla: 17,012982\n  1490 2023 kon/man: 13,314533\n"
            "  1490 2023 kon/kvinnor: 19,468967\n") in done.stdout
    assert "Obs:" not in done.stdout and store.file_sha256(db) == before


def test_python_m_shb_fetch_keeps_to_the_limits_of_scbs_real_config(api, db):
    api.route("GET", "/api/v2/config", Reply(body=real_body("scb_v2_config.json")))  # 3 calls a second
    api.route("POST", "/api/v2/tables/TAB6685/data", lambda seen: Reply(body=jsonstat_answer(seen.body, lambda c: 12.5)))
    done = shb_command("fetch", "scb", "--indicator", LOW_STANDARD, "--years", "2022-2024", "--db", str(db),
                       "--dry-run", "--replace")
    assert done.returncode == 0, done.stderr
    assert "Provkörning av SCB TAB6685 (json-stat2)" in done.stdout and "Obs:" not in done.stdout
    assert "Hämtade värden (de första 20 av 144):\n  1490 2022 total/alla: 12,5\n" in done.stdout
    starts = [s.at for s in api.seen]
    assert [urlsplit(s.path).path for s in api.seen] == [
        "/api/v2/tables/TAB6685/metadata", "/api/v2/config"] + ["/api/v2/tables/TAB6685/data"] * 3
    assert max(sum(1 for s in starts if t - 0.9 < s <= t) for t in starts) == 3  # 3 a second, not 5 at once
    assert starts[3] - starts[0] >= 0.9


@pytest.mark.parametrize(("method", "path", "body", "expected"), [
    ("GET", "/api/v2/tables/TAB6680/metadata", "scb_v2_TAB6471_metadata.json",
     "SCB-tabellen TAB6680 har inte årsvärden i Tid (2025M01, 2025M02, 2025M03 …)"),
    ("POST", SCB_DATA, "scb_v2_TAB6471_data.json",
     "Svaret från SCB (tabell TAB6680) har oväntad form: tiden '2026M01' är inget år."),
])
def test_real_scb_answers_of_a_monthly_table_are_refused_with_a_clear_message(method, path, body, expected, api, db,
                                                                             capsys):
    api.route(method, path, Reply(body=real_body(body)))
    code, out, err = run("fetch", "scb", "--indicator", EMPLOYMENT, "--years", "2023", "--db", str(db), "--dry-run",
                         capsys=capsys)
    assert code == 1 and out == "" and expected in err


def test_real_scb_answers_parse_to_their_exact_cells(api):
    data = jsonstat.parse(real_body("scb_v2_TAB6471_data.json"))
    cells = {tuple(c.codes.values()): c.value for c in data.cells()}
    assert data.ids == ("Region", "Alder", "Kon", "ContentsCode", "Tid") and len(cells) == 21 * 11 * 3 * 4
    assert cells[("01", "0-9", "TotSa", "000007SF", "2026M01")] == 245284
    assert cells[("14", "20-29", "TotSa", "000007SF", "2026M04")] == 211367  # Västra Götalands län
    assert not data.status
    meta = real_body("scb_v2_TAB6471_metadata.json")
    assert jsonstat.dimension_codes(meta, "Tid") == tuple(f"{y}M{m:02}" for y in (2025, 2026) for m in range(1, 13))[:16]
    assert "1490" in jsonstat.dimension_codes(meta, "Region")
    assert scb.limits(real_body("scb_v2_config.json")) == scb.Limits(calls=3, window=1.0, max_cells=150_000)
    api.route("GET", "/api/v2/tables/TAB004/metadata", Reply(body=real_body("pxwebapi_metadata_tab004.json")))
    spec = ScbFetch("TAB004", True, (ScbArea("municipality"),), value="Emission", time="TIME")
    assert scb.table_years(scb.client(sleep=FakeClock().sleep, clock=FakeClock()), spec) == list(range(1990, 2018))


@pytest.mark.parametrize("config", [{"maxCallsPerTimeWindow": 0, "timeWindow": 1, "maxDataCells": 10},
                                    {"maxCallsPerTimeWindow": 3, "timeWindow": "1", "maxDataCells": 10},
                                    {"maxCallsPerTimeWindow": 3, "timeWindow": 1, "maxDataCells": 1.5},
                                    {"maxCallsPerTimeWindow": True, "timeWindow": 1, "maxDataCells": 10}, []])
def test_a_config_of_the_wrong_shape_falls_back_to_the_documented_limits(config, api):
    api.route("GET", "/api/v2/config", Reply(body=config))
    limits, note = scb.read_limits(scb.client(sleep=FakeClock().sleep, clock=FakeClock()))
    assert limits == scb.FALLBACK == scb.Limits(30, 10.0, 150_000) and "oväntad form" in note
