"""Who may load data: password hashes, the decisions between login modes, and the page they guard."""

from __future__ import annotations

import io
import threading
import time

import pytest

from shb.cli import main as cli
from shb.web import access, passwords
from tests.pages import page_app, server_address

IMPORT_PAGE = "pages/8_importera.py"
FAST = {"n": 2**14}  # the lowest cost parse_hash accepts: quick tests of everything but the default cost
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "k" * 32, "client_id": "shb",
        "client_secret": "hemligt", "server_metadata_url": "https://login.example.se/.well-known/openid-configuration"}


# --- Hashes -------------------------------------------------------------------------------------------------

def test_default_hash_round_trip_and_format():
    stored = passwords.hash_password("rätt häst batteri häftklammer")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**17, 8, 1)
    assert passwords.verify_password("rätt häst batteri häftklammer", stored)
    assert not passwords.verify_password("rätt häst batteri häftklamme", stored)


def test_same_password_gets_a_new_salt_each_time():
    a, b = passwords.hash_password("ett långt lösenord", **FAST), passwords.hash_password("ett långt lösenord", **FAST)
    assert a != b and a.split("$")[4] != b.split("$")[4]
    assert passwords.verify_password("ett långt lösenord", a) and passwords.verify_password("ett långt lösenord", b)


@pytest.mark.parametrize("wrong", ["", "ett långt lösenor", "Ett långt lösenord", "ett långt lösenord ",
                                   "ett långt lösenord\n"])
def test_wrong_passwords_are_refused(wrong):
    stored = passwords.hash_password("ett långt lösenord", **FAST)
    assert not passwords.verify_password(wrong, stored)


def test_composed_and_decomposed_letters_are_the_same_password():
    stored = passwords.hash_password("S\u00e5 h\u00e4r g\u00f6r vi", **FAST)
    assert passwords.verify_password("Sa\u030a ha\u0308r go\u0308r vi", stored)


def _hash(n="16384", r="8", p="1", salt="A" * 24, key="B" * 44, scheme="scrypt") -> str:
    return "$".join([scheme, n, r, p, salt, key])


@pytest.mark.parametrize("stored", [
    "", "scrypt", "hemligt", "scrypt$16384$8$1$salt", _hash(scheme="bcrypt"), _hash() + "$extra",
    _hash(n="16000"),  # not a power of two
    _hash(n="1024"),  # weaker than allowed
    _hash(n=str(2**30)),  # would allocate 128 GB
    _hash(r="64"), _hash(p="100"), _hash(n="x"),
    _hash(salt="inte base64!"), _hash(key="%%%"),
    _hash(salt="AAAA"),  # a 3-byte salt
    _hash(key="QUJD"),  # a 3-byte key
])
def test_malformed_hashes_are_refused_without_work(stored):
    started = time.monotonic()
    with pytest.raises(access.MalformedHash, match="python -m shb password"):
        passwords.verify_password("ett långt lösenord", stored)
    assert time.monotonic() - started < 0.5


# --- Guessing ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("failures, seconds", [(0, 0), (1, 1), (2, 2), (3, 4), (5, 16), (6, 30), (40, 30)])
def test_delay_grows_with_failures_up_to_a_cap(failures, seconds):
    assert passwords.delay(failures) == seconds


def test_throttle_counts_failures_and_says_how_long_to_wait():
    t = passwords.Throttle()
    assert t.wait(100.0) == 0
    t = t.failed(100.0).failed(100.5)
    assert t.failures == 2
    assert t.wait(101.0) == pytest.approx(1.5)
    assert t.wait(103.0) == 0


def test_a_failed_check_costs_time_and_a_right_one_does_not(monkeypatch):
    monkeypatch.setattr(passwords, "FAILURE_PAUSE", 0.3)
    stored = passwords.hash_password("ett långt lösenord", **FAST)
    started = time.monotonic()
    assert passwords.check_password("ett långt lösenord", stored)
    right = time.monotonic() - started
    started = time.monotonic()
    assert not passwords.check_password("fel", stored)
    assert time.monotonic() - started >= right + 0.25


def test_the_right_password_goes_before_sessions_that_have_guessed_wrong(monkeypatch):
    monkeypatch.setattr(passwords, "GUESS_INTERVAL", 0.0)
    gate, order, release = passwords._Gate(1), [], threading.Event()

    def attempt(name: str, guessed_before: bool, hold: threading.Event | None = None):
        with gate.slot(guessed_before):
            order.append(name)
            if hold is not None:
                hold.wait(5)

    holder = threading.Thread(target=attempt, args=("gissare 1", True, release))
    holder.start()
    while not order:
        time.sleep(0.01)
    guessers = [threading.Thread(target=attempt, args=(f"gissare {n}", True)) for n in range(2, 6)]
    for g in guessers:
        g.start()
    time.sleep(0.1)  # the guessers are waiting for the slot
    analyst = threading.Thread(target=attempt, args=("analytiker", False))
    analyst.start()
    while not gate._clean_waiting:
        time.sleep(0.01)
    release.set()
    for th in [holder, analyst, *guessers]:
        th.join(5)
    assert order[:2] == ["gissare 1", "analytiker"]
    assert sorted(order[2:]) == [f"gissare {n}" for n in range(2, 6)]


def test_sessions_that_have_guessed_wrong_share_one_check_per_interval(monkeypatch):
    monkeypatch.setattr(passwords, "GUESS_INTERVAL", 0.2)
    gate, started = passwords._Gate(4), []

    def attempt():
        with gate.slot(guessed_before=True):
            started.append(time.monotonic())

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(5)
    gaps = [b - a for a, b in zip(sorted(started), sorted(started)[1:])]
    assert len(started) == 4 and min(gaps) >= 0.19


# --- Decisions ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST", True), ("localhost.", True), ("::ffff:127.0.0.1", True),
    ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("10.0.0.5", False),
    ("data.boras.se", False), ("localhost.boras.se", False), ("127.0.0.1.nip.io", False),
])
def test_loopback_addresses(host, expected):
    assert access.is_loopback(host) is expected


LOCAL_URL = "http://localhost:8501/importera"


@pytest.mark.parametrize("server, headers, url, expected", [
    ("127.0.0.1", {"Host": "localhost:8501"}, LOCAL_URL, True),
    ("127.0.0.1", {"Host": "127.0.0.1:8501"}, None, True),
    ("::1", {"host": "[::1]:8501"}, "http://[::1]:8501/", True),
    ("localhost", {}, LOCAL_URL, True),  # no headers known (AppTest): the browser's URL decides
    ("0.0.0.0", {"Host": "localhost:8501"}, LOCAL_URL, False),  # the server listens on every address
    (None, {"Host": "localhost:8501"}, LOCAL_URL, False),  # not set: Streamlit listens on every address
    ("127.0.0.1", {}, None, False),  # nothing says where the request came to
    ("127.0.0.1", {"Host": "data.boras.se"}, LOCAL_URL, False),  # DNS rebinding: a foreign name
    ("127.0.0.1", {"Host": "localhost:8501"}, "https://data.boras.se/importera", False),  # behind a proxy
    ("127.0.0.1", {"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"}, LOCAL_URL, False),
    ("127.0.0.1", {"Host": "127.0.0.1:8501", "Forwarded": "for=203.0.113.9"}, None, False),
    ("127.0.0.1", {"Host": "localhost:8501@evil.example"}, None, False),
])
def test_localhost_mode_needs_a_loopback_server_and_a_loopback_request(server, headers, url, expected):
    assert access.local_request(server, headers, url) is expected


STORED = "scrypt$16384$8$1$" + "A" * 24 + "$" + "B" * 44


@pytest.mark.parametrize("secrets, environ, server, expected", [
    ({"auth": AUTH}, {}, "0.0.0.0", "oidc"),
    ({"auth": AUTH}, {access.ENV_HASH: STORED}, "127.0.0.1", "oidc"),  # a login wins over a password
    ({"auth": {"redirect_uri": "x", "cookie_secret": "y", "microsoft": {"client_id": "c"}}}, {}, None, "oidc"),
    ({"auth": {"client_id": "c"}}, {}, "0.0.0.0", "none"),  # no redirect URI nor cookie secret: not usable
    ({"shb": {"analyst_password_hash": STORED}}, {}, "0.0.0.0", "password"),
    ({}, {access.ENV_HASH: STORED}, "0.0.0.0", "password"),
    ({}, {access.ENV_HASH: "  "}, "0.0.0.0", "none"),
    ({}, {}, "127.0.0.1", "localhost"),
    ({}, {}, "::1", "localhost"),
    ({}, {}, "0.0.0.0", "none"),
    ({}, {}, None, "none"),
])
def test_mode_is_login_then_password_then_localhost(secrets, environ, server, expected):
    assert access.decide_mode(secrets, environ, server) == expected


def test_the_secrets_hash_is_preferred_to_the_environment():
    assert access.configured_hash({"shb": {"analyst_password_hash": "från-secrets"}},
                                  {access.ENV_HASH: "från-miljön"}) == "från-secrets"
    assert access.configured_hash({"shb": {}}, {access.ENV_HASH: " från-miljön\n"}) == "från-miljön"


@pytest.mark.parametrize("email, analysts, expected", [
    ("anna@boras.se", None, True),  # no list: anyone the provider lets in
    ("anna@boras.se", ["anna@boras.se"], True),
    ("Anna@Boras.se", ["anna@boras.se"], True),
    ("bo@boras.se", ["anna@boras.se"], False),
    ("bo@boras.se", ["@boras.se"], True),
    ("bo@evil-boras.se", ["@boras.se"], False),
    ("bo@boras.se.evil.example", ["@boras.se"], False),
    (None, ["anna@boras.se"], False),
    ("", [], False),
    ("anna@boras.se", "anna@boras.se", True),  # one address written as a string
])
def test_allow_list_of_analysts(email, analysts, expected):
    secrets = {"shb": {} if analysts is None else {"analysts": analysts}}
    assert access.analyst_allowed(email, secrets) is expected


def test_providers_for_the_login_buttons():
    assert access.oidc_providers({"auth": AUTH}) == [None]
    named = {"redirect_uri": "x", "cookie_secret": "y", "microsoft": {"client_id": "a"}, "google": {"client_id": "b"}}
    assert access.oidc_providers({"auth": named}) == ["microsoft", "google"]
    assert access.oidc_providers({}) == []


# --- python -m shb password -------------------------------------------------------------------------------------

class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool):
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_password_command_reads_stdin_in_scripts_and_prints_a_working_hash(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin("ett långt lösenord\n", tty=False))
    assert cli.main(["password"]) == 0
    out, err = capsys.readouterr()
    stored = out.strip()
    assert stored.startswith("scrypt$") and "\n" not in stored
    assert passwords.verify_password("ett långt lösenord", stored)
    assert "analyst_password_hash" in err and access.ENV_HASH in err


def test_password_command_asks_twice_at_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin("", tty=True))
    answers = iter(["ett långt lösenord", "ett annat lösenord"])
    monkeypatch.setattr(passwords.getpass, "getpass", lambda prompt="": next(answers))
    assert cli.main(["password"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "olika" in err


def test_password_command_refuses_short_passwords(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin("kort\n", tty=False))
    assert cli.main(["password"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"minst {passwords.MIN_PASSWORD} tecken" in err


# --- The import page behind each mode ---------------------------------------------------------------------------

@pytest.fixture
def no_login(monkeypatch, demo_db):
    """Neither a login nor a password configured (whatever the developer's own secrets say)."""
    monkeypatch.delenv(access.ENV_HASH, raising=False)
    return {"shb": {}}


def _page(secrets: dict, url: str | None = LOCAL_URL, user: dict | None = None):
    at = page_app(IMPORT_PAGE)
    at.secrets = secrets
    if url:
        at.context = {"url": url}
    if user is not None:
        at.user = user
    return at.run()


def _unlocked(at) -> bool:
    return len(at.file_uploader) == 1


def _login_button(at):
    return next(b for b in at.button if b.label == "Logga in")


def test_password_mode_refuses_without_login_and_the_right_password_unlocks(monkeypatch, no_login):
    monkeypatch.setenv(access.ENV_HASH, passwords.hash_password("ett långt lösenord", **FAST))
    monkeypatch.setattr(passwords, "FAILURE_PAUSE", 0.0)
    with server_address("127.0.0.1"):  # a password is asked for even on localhost
        at = _page(no_login)
        assert not at.exception, at.exception
        assert not _unlocked(at)
        assert [t.label for t in at.text_input] == ["Lösenord för analytiker"]
        assert any("kräver inloggning" in i.value for i in at.info)

        at.text_input[0].input("fel lösenord")
        _login_button(at).click()
        at.run()
        assert not _unlocked(at) and any(e.value == "Fel lösenord." for e in at.error)

        at.text_input[0].input("ett långt lösenord")
        _login_button(at).click()
        at.run()
        assert not _unlocked(at), "a second try at once waits, even with the right password"
        assert any("Vänta" in e.value for e in at.error)

        time.sleep(passwords.delay(1) + 0.05)
        at.text_input[0].input("ett långt lösenord")
        _login_button(at).click()
        at.run()
        assert not at.exception, at.exception
        assert _unlocked(at)
        assert at.session_state[access.ANALYST_KEY]["name"] == "analytiker"
        assert any("Inloggad som analytiker: analytiker" in c.value for c in at.sidebar.caption)

        at.run()
        assert _unlocked(at), "the login lasts for the session"
        next(b for b in at.sidebar.button if b.label == "Logga ut").click()
        at.run()
        assert not _unlocked(at)


def test_a_changed_password_ends_sessions_logged_in_with_the_old_one(monkeypatch, no_login):
    monkeypatch.setenv(access.ENV_HASH, passwords.hash_password("ett långt lösenord", **FAST))
    with server_address("127.0.0.1"):
        at = _page(no_login)
        at.text_input[0].input("ett långt lösenord")
        _login_button(at).click()
        at.run()
        assert _unlocked(at)
        monkeypatch.setenv(access.ENV_HASH, passwords.hash_password("ett nytt långt lösenord", **FAST))
        at.run()
        assert not _unlocked(at)


def test_a_malformed_configured_hash_is_reported_not_accepted(monkeypatch, no_login):
    monkeypatch.setenv(access.ENV_HASH, "hemligt")
    with server_address("127.0.0.1"):
        at = _page(no_login)
    assert not at.exception and not _unlocked(at)
    assert any("felaktigt inställd" in e.value for e in at.error)
    assert len(at.text_input) == 0


def test_localhost_mode_opens_the_page_on_a_loopback_server(no_login):
    with server_address("127.0.0.1"):
        at = _page(no_login)
    assert not at.exception, at.exception
    assert _unlocked(at)
    assert any(c.value.startswith("Lokalt läge") and access.os_user() in c.value for c in at.caption)


@pytest.mark.parametrize("server, url", [
    ("0.0.0.0", LOCAL_URL),  # the server can be reached from other machines
    ("127.0.0.1", "https://data.boras.se/importera"),  # a proxy in front of a local server
    ("127.0.0.1", None),  # nothing says where the request came to
])
def test_localhost_mode_refuses_otherwise_and_says_how_to_set_up_a_login(no_login, server, url):
    with server_address(server):
        at = _page(no_login, url=url)
    assert not at.exception, at.exception
    assert not _unlocked(at)
    text = " ".join(w.value for w in at.warning)
    assert "README" in text and "administratören" in text
    assert any("Demodata" in w.value for w in at.warning), "the page itself still runs"
    assert dict(at.query_params)["v"], "and its URL names the data version, like every page's"


def test_login_mode_shows_a_login_button_until_logged_in(no_login):
    with server_address("127.0.0.1"):
        at = _page({"auth": AUTH, "shb": {"analysts": ["anna@boras.se"]}}, user={"is_logged_in": False})
    assert not at.exception, at.exception
    assert not _unlocked(at)
    assert "Logga in" in [b.label for b in at.button]
    assert len(at.text_input) == 0, "no password form when a login is configured"


def test_a_login_that_cannot_start_says_what_the_administrator_must_fix(no_login):
    with server_address("127.0.0.1"):
        at = _page({"auth": AUTH}, user={"is_logged_in": False})
        _login_button(at).click()
        at.run()
    assert not at.exception, at.exception
    assert not _unlocked(at)
    assert any("Inloggningen kunde inte startas" in e.value and "README" in e.value for e in at.error)


def test_login_mode_lets_listed_analysts_in(no_login):
    with server_address("0.0.0.0"):
        at = _page({"auth": AUTH, "shb": {"analysts": ["anna@boras.se"]}}, url=None,
                   user={"is_logged_in": True, "email": "Anna@boras.se", "name": "Anna Andersson"})
    assert not at.exception, at.exception
    assert _unlocked(at)
    assert any("Anna@boras.se" in c.value for c in at.sidebar.caption)


def test_login_mode_refuses_accounts_not_on_the_list(no_login):
    with server_address("127.0.0.1"):
        at = _page({"auth": AUTH, "shb": {"analysts": ["anna@boras.se"]}},
                   user={"is_logged_in": True, "email": "bo@example.com"})
    assert not at.exception, at.exception
    assert not _unlocked(at)
    assert any("inte behörighet" in e.value for e in at.error)


# --- The real server: the Host header a browser sends ------------------------------------------------------------

@pytest.mark.browser
def test_real_server_opens_for_localhost_and_refuses_a_rebound_name(private_db, monkeypatch):
    """A browser at the machine gets localhost mode; a foreign name resolving to 127.0.0.1 (DNS rebinding)
    does not, though it reaches the same loopback server."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, streamlit_server

    require_chromium()
    monkeypatch.delenv(access.ENV_HASH, raising=False)

    def page_text(browser, url: str) -> str:
        page = browser.new_page()
        try:
            page.goto(url)
            page.wait_for_function("() => /Lokalt läge|går bara på datorn/.test(document.body.innerText)",
                                   timeout=60_000)
            return page.inner_text("body")
        finally:
            page.close()

    with streamlit_server(private_db) as url, sync_playwright() as p:
        port = url.rsplit(":", 1)[1]
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.example 127.0.0.1"])
        try:
            local = page_text(browser, f"http://localhost:{port}/importera")
            rebound = page_text(browser, f"http://rebound.example:{port}/importera")
        finally:
            browser.close()
    assert "Lokalt läge" in local and "Läs in fil" in local
    assert "Lokalt läge" not in rebound and "går bara på datorn där appen körs" in rebound


@pytest.mark.parametrize("client_ip, expected", [("127.0.0.1", True), ("::1", True), (None, True),
                                                 ("192.168.1.20", False), ("203.0.113.9", False)])
def test_localhost_mode_needs_a_loopback_client_when_its_address_is_known(client_ip, expected):
    assert access.local_request("127.0.0.1", {"Host": "localhost:8501"}, LOCAL_URL, client_ip) is expected


@pytest.mark.parametrize("user, expected", [
    ({"email": "anna@boras.se", "email_verified": True}, "anna@boras.se"),
    ({"email": "anna@boras.se"}, "anna@boras.se"),
    ({"preferred_username": "bo@boras.se"}, "bo@boras.se"),
    ({"email": "anna@boras.se", "email_verified": False}, None),  # a claimed, unverified address
    ({"email": "anna@boras.se", "email_verified": "false"}, None),
    ({"sub": "123"}, None),
])
def test_an_unverified_address_never_matches_the_analysts_list(user, expected):
    assert access.login_email(user) == expected
    allowed = access.analyst_allowed(access.login_email(user), {"shb": {"analysts": ["@boras.se"]}})
    assert allowed is (expected is not None)
