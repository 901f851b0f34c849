"""Fetching from SCB (PxWeb API v2, json-stat2) and Kolada (API v3) against a local HTTP server on 127.0.0.1:
answers of the documented shapes load as a new snapshot; every failure ends in a Swedish message, exit
code 1 and a database file that is byte-identical."""

from __future__ import annotations

import itertools
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import duckdb
import pytest

from shb.cli import main as cli
from shb.core.catalog import ScbArea, ScbFetch
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
        seen = Seen(self.command, self.path, json.loads(raw) if raw else None)
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

