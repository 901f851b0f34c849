"""A page from another origin (another site, or another port of this machine) never acts as the analyst.

Streamlit accepts WebSocket origins `http://localhost:<any port>`; the app refuses them at the server
(`serve.refuse_foreign_websockets`) and, in every access mode, refuses analyst rights to a session whose
Origin differs from its Host (`access.same_origin`).
"""

from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager

import pytest

from shb.web import access
from tests.browser import browser_page, chromium, free_port, require_chromium, streamlit_server

HASH = "scrypt$16384$8$1$" + "A" * 24 + "$" + "B" * 44  # well-formed; never checked here


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Host": "localhost:8501", "Origin": "http://localhost:8501"}, True),
    ({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}, True),
    ({"host": "uppfoljning.example.se", "origin": "https://uppfoljning.example.se"}, True),
    ({"Host": "uppfoljning.example.se:443", "Origin": "https://uppfoljning.example.se"}, True),
    ({"Host": "localhost:8501"}, True),  # no Origin: not a browser
    ({"Host": "localhost:8501", "Origin": "http://localhost:8699"}, False),  # another local port
    ({"Host": "localhost:8501", "Origin": "http://127.0.0.1:8501"}, False),  # another name is another origin
    ({"Host": "localhost:8501", "Origin": "https://evil.example"}, False),
    ({"Host": "localhost:8501", "Origin": "null"}, False),  # sandboxed iframe, file://
    ({"Host": "localhost:8501", "Origin": "http://localhost:8501/path"}, False),
    ({"Host": "localhost:8501", "Origin": "http://localhost:99999"}, False),  # malformed port
    ({"Origin": "http://localhost:8501"}, False),  # Origin without Host
    ({"Host": "uppfoljning.example.se", "Origin": "http://uppfoljning.example.se:8080"}, False),
])
def test_same_origin(headers, expected):
    assert access.same_origin(headers) is expected


@pytest.mark.parametrize("header", ["X-Forwarded-Proto", "X-Forwarded-Port", "True-Client-IP", "CF-Connecting-IP",
                                    "X-Client-IP", "X-Original-Forwarded-For", "X-Forwarded-For", "Forwarded"])
def test_every_proxy_header_ends_localhost_mode(header):
    headers = {"Host": "localhost:8501"}
    assert access.local_request("127.0.0.1", headers, "http://localhost:8501/", "127.0.0.1")
    assert not access.local_request("127.0.0.1", {**headers, header: "127.0.0.1"}, "http://localhost:8501/",
                                    "127.0.0.1")


def test_a_foreign_origin_ends_localhost_mode():
    headers = {"Host": "localhost:8501", "Origin": "http://localhost:8699"}
    assert not access.local_request("127.0.0.1", headers, "http://localhost:8501/", "127.0.0.1")


# --- In a real browser --------------------------------------------------------------------------------------

PROBE = """url => new Promise(resolve => {
    const ws = new WebSocket(url, ["streamlit"]);
    ws.onopen = () => { resolve("open"); ws.close(); };
    ws.onclose = event => resolve("closed " + event.code);
    setTimeout(() => resolve("timeout"), 10000);
})"""


@contextmanager
def foreign_site():
    """A plain web page served from another port of this machine, as another local program would."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = b"<!doctype html><title>annan sida</title><p>En annan sida."
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _oidc_secrets(folder, port: int) -> str:
    """A secrets file that puts the app in login mode (OIDC); the provider is never contacted here."""
    path = folder / "secrets.toml"
    path.write_text(f"""[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{"k" * 40}"
client_id = "shb-test"
client_secret = "hemligt"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
""", encoding="utf-8")
    return str(path)


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["localhost", "password", "oidc"])
def test_a_page_on_another_local_port_cannot_open_the_apps_websocket(demo_db, tmp_path, mode):
    require_chromium()
    port = free_port()
    env = {access.ENV_HASH: HASH} if mode == "password" else {}
    args = ("--secrets.files", _oidc_secrets(tmp_path, port)) if mode == "oidc" else ()
    with streamlit_server(demo_db, env=env, args=args, port=port) as url, foreign_site() as other, \
            chromium() as browser, browser_page(1000, 800, browser) as page:
        own = url.replace("127.0.0.1", "localhost")
        page.goto(own + "/importera", wait_until="domcontentloaded")
        shown = {"localhost": "Lokalt läge", "password": "Lösenord för analytiker",
                 "oidc": "Att läsa in data kräver inloggning som analytiker."}[mode]
        page.get_by_text(shown).first.wait_for(timeout=45_000)  # the server really is in this mode
        if mode == "oidc":  # a login button, no password field
            page.get_by_role("button", name="Logga in").first.wait_for(timeout=10_000)
            assert page.locator("input[type=password]").count() == 0
        stream = own.replace("http://", "ws://") + "/_stcore/stream"
        assert page.evaluate(PROBE, stream) == "open"  # the app's own page may connect
        page.goto(other, wait_until="domcontentloaded")
        assert page.evaluate(PROBE, stream).startswith("closed")  # another port of this machine may not
