"""Who may load data: viewing needs no login; importing, restoring and fetching need an analyst.

Three ways to be an analyst, tried in this order:

1. **OIDC** (`st.login`) when `[auth]` in the secrets names a redirect URI, a cookie secret and a
   provider; `[shb] analysts` may restrict it to listed e-mail addresses (or `@domain` entries).
2. **Password** when a hash is configured (`[shb] analyst_password_hash` in the secrets, else the
   environment variable `SHB_ANALYST_PASSWORD_HASH`). Hashes are scrypt strings made by
   `python -m shb password`; the logged-in state lives in the session only.
3. **Localhost** when neither is configured: only while the server listens on a loopback address and
   the request came to a loopback host, without proxy headers (someone at the machine itself).

Otherwise nobody may load data, and the page says how an administrator sets up a login.
The decisions are plain functions of their inputs; only the functions at the bottom touch Streamlit,
which is imported lazily so the command line stays quick.
"""

from __future__ import annotations

import getpass
import hashlib
import ipaddress
import os
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from shb.web.passwords import ENV_HASH, MalformedHash, Throttle, check_password, parse_hash

MODES = ("oidc", "password", "localhost", "none")
ANALYST_KEY = "shb_analyst"
THROTTLE_KEY = "shb_login_throttle"
README_HINT = "README, avsnittet ”Inloggning för analytiker”"
PASSWORD_NAME = "analytiker"


# --- Which mode -----------------------------------------------------------------------------------------

def _section(secrets_: Mapping, name: str) -> Mapping:
    value = secrets_.get(name) if isinstance(secrets_, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def oidc_providers(secrets_: Mapping) -> list[str | None]:
    """The providers `st.login` can use: None for one configured directly in `[auth]`, else the names
    of `[auth.<name>]` sections; empty unless `[auth]` has a redirect URI and a cookie secret."""
    auth = _section(secrets_, "auth")
    if not (auth.get("redirect_uri") and auth.get("cookie_secret")):
        return []
    named = [name for name, value in auth.items() if isinstance(value, Mapping) and value.get("client_id")]
    return ([None] if auth.get("client_id") else []) + named


def configured_hash(secrets_: Mapping, environ: Mapping[str, str]) -> str | None:
    """The analyst password hash: `[shb] analyst_password_hash` in the secrets, else the environment."""
    value = _section(secrets_, "shb").get("analyst_password_hash") or environ.get(ENV_HASH) or ""
    return str(value).strip() or None


def analyst_allowed(email: str | None, secrets_: Mapping) -> bool:
    """Whether a logged-in user may load data: anyone when `[shb] analysts` is not set, else only the
    listed addresses and `@domain` entries (compared without regard to case)."""
    allowed = _section(secrets_, "shb").get("analysts")
    if allowed is None:
        return True
    if isinstance(allowed, str):
        allowed = [allowed]
    address = (email or "").strip().lower()
    if "@" not in address:
        return False
    entries = {str(a).strip().lower() for a in allowed if str(a).strip()}
    return address in entries or "@" + address.rsplit("@", 1)[1] in entries


def is_loopback(host: str | None) -> bool:
    """'127.0.0.1', '::1', '[::1]', 'localhost' (any case) → True; '0.0.0.0', '', names → False."""
    if not host:
        return False
    host = host.strip().strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_loopback)


# Headers a proxy or CDN adds; any of them means the request did not come straight from a local browser.
FORWARDING_HEADERS = ("forwarded", "x-real-ip", "true-client-ip", "cf-connecting-ip", "x-client-ip",
                      "x-original-forwarded-for", "x-cluster-client-ip", "fastly-client-ip", "via")
FORWARDING_PREFIXES = ("x-forwarded-",)  # -for, -host, -proto, -port, -server, -prefix …
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def forwarded(headers: Mapping[str, str]) -> bool:
    """Whether any proxy header is present (names compared without regard to case)."""
    names = {str(k).lower() for k in (headers or {})}
    return any(n in FORWARDING_HEADERS or n.startswith(FORWARDING_PREFIXES) for n in names)


def same_origin(headers: Mapping[str, str]) -> bool:
    """False when the request carries an Origin that is not the host it was sent to.

    Browsers send Origin with every WebSocket handshake; a page on another site or on another port of
    this machine (``http://localhost:8699`` talking to the app on ``:8501``) has a different one, and
    must never act in the user's name. Without an Origin (not a browser) the request is same-origin.
    """
    lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    origin = lower.get("origin")
    if origin is None:
        return True
    mine = _host_port("//" + lower.get("host", "").strip(), None)
    theirs = _host_port(origin.strip(), "origin")
    return mine is not None and theirs is not None and (mine[0], mine[1] or theirs[2]) == theirs[:2]


def _host_port(url: str, kind: str | None) -> tuple[str, int | None, int | None] | None:
    """(host, port, the scheme's default port) of an Origin or a '//host:port'; None when malformed."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or (kind == "origin" and (parts.scheme not in DEFAULT_PORTS or parts.path not in ("", "/"))):
        return None
    default = DEFAULT_PORTS.get(parts.scheme)
    return host.rstrip("."), port or default, default


def local_request(server_address: str | None, headers: Mapping[str, str], url: str | None,
                  client_ip: str | None = None) -> bool:
    """Whether a request may use localhost mode: the server listens on a loopback address, the client's
    address (when known) is loopback, the request names a loopback host (Host header and the browser's
    URL, whichever are known, at least one), and no proxy forwarded it. The Host check also stops DNS
    rebinding (a foreign name resolving to 127.0.0.1). A reverse proxy on the same machine that drops
    forwarding headers cannot be told apart from a local browser: such a setup needs a login."""
    if not is_loopback(server_address):
        return False
    if client_ip and not is_loopback(client_ip):
        return False
    lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    if forwarded(lower) or not same_origin(lower):
        return False
    hosts = []
    if "host" in lower:
        hosts.append(_hostname("//" + lower["host"].strip()))
    if url:
        hosts.append(_hostname(url))
    return bool(hosts) and all(is_loopback(h) for h in hosts)


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def decide_mode(secrets_: Mapping, environ: Mapping[str, str], server_address: str | None) -> str:
    """'oidc', 'password', 'localhost' or 'none', from the secrets, the environment and server.address."""
    if oidc_providers(secrets_):
        return "oidc"
    if configured_hash(secrets_, environ):
        return "password"
    if is_loopback(server_address):
        return "localhost"
    return "none"


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "lokal användare"


# --- Streamlit: the one entry point for pages ---------------------------------------------------------------

def _secrets() -> Mapping:
    """The app's secrets as a plain dict; empty when there is no secrets file."""
    import streamlit as st

    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.to_dict()


def mode() -> str:
    """How analysts are recognised in this app: 'oidc', 'password', 'localhost' or 'none'."""
    import streamlit as st

    return decide_mode(_secrets(), os.environ, st.get_option("server.address"))


def current_analyst() -> str | None:
    """The analyst's name when this session is already an analyst; draws nothing."""
    return _analyst(mode(), _secrets(), draw=False)


def require_analyst() -> str | None:
    """The analyst's name (e-mail, 'analytiker' or the OS user), or None after drawing what the user
    needs: a login button, a password form, or why loading data is not possible here."""
    return _analyst(mode(), _secrets(), draw=True)


def _request_headers() -> dict[str, str]:
    import streamlit as st

    try:
        return dict(st.context.headers)
    except (AttributeError, RuntimeError):  # no request context (bare mode)
        return {}


def _analyst(current: str, secrets_: Mapping, draw: bool) -> str | None:
    if not same_origin(_request_headers()):  # in every mode: a foreign page never acts as the analyst
        if draw:
            import streamlit as st

            st.error("Sidan öppnades från en annan webbplats än appen. Att läsa in data går bara när appen "
                     "öppnas direkt på sin egen adress.", icon=":material/block:")
        return None
    if current == "oidc":
        return _oidc(secrets_, draw)
    if current == "password":
        return _password(configured_hash(secrets_, os.environ) or "", draw)
    if current == "localhost":
        return _localhost(draw)
    if draw:
        import streamlit as st

        st.warning("Att läsa in data kräver en inloggning, och ingen är inställd för den här installationen. "
                   "Be administratören ställa in inloggning (st.login) eller ett lösenord för analytiker; "
                   f"hur det görs står i {README_HINT}.", icon=":material/lock:")
    return None


def login_email(user: Mapping) -> str | None:
    """The address an OIDC login is matched against the analysts list with: the `email` claim (or, when
    the provider sends none, `preferred_username`), never one the provider says is unverified."""
    if user.get("email_verified") is False or str(user.get("email_verified", "")).lower() == "false":
        return None
    email = user.get("email") or user.get("preferred_username")
    return str(email) if email else None


def _oidc(secrets_: Mapping, draw: bool) -> str | None:
    import streamlit as st

    user = st.user.to_dict()
    if user.get("is_logged_in"):
        email = login_email(user)
        name = str(email or user.get("name") or user.get("sub") or "inloggad")
        if analyst_allowed(email, secrets_):
            if draw:
                _signed_in(name, logout=st.logout)
            return name
        if draw:
            st.error(f"Du är inloggad som {name}, men kontot har inte behörighet att läsa in data. "
                     "Be administratören lägga till dig bland analytikerna.", icon=":material/block:")
            st.button("Logga ut", on_click=st.logout, icon=":material/logout:")
        return None
    if draw:
        st.info("Att läsa in data kräver inloggning som analytiker.", icon=":material/lock:")
        for provider in oidc_providers(secrets_):
            label = "Logga in" if provider is None else f"Logga in med {provider}"
            if st.button(label, type="primary", icon=":material/login:", key=f"shb_login_{provider or 'default'}"):
                _start_login(provider)
    return None


def _start_login(provider: str | None) -> None:
    import streamlit as st
    from streamlit.errors import StreamlitAuthError

    try:
        st.login(provider)
    except StreamlitAuthError as exc:  # Authlib missing, or [auth] incomplete: the administrator's to fix
        st.error("Inloggningen kunde inte startas. Administratören behöver installera Authlib "
                 "(streamlit[auth]) och kontrollera avsnittet [auth] i .streamlit/secrets.toml; se "
                 f"{README_HINT}. Streamlit svarade: {exc}", icon=":material/error:")


def _hash_id(stored: str) -> str:
    """Identifies the configured hash, so a session logged in with an old password ends when it changes."""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16]


def _password(stored: str, draw: bool) -> str | None:
    import streamlit as st

    session = st.session_state.get(ANALYST_KEY)
    if isinstance(session, dict) and session.get("mode") == "password" and session.get("hash") == _hash_id(stored):
        if draw:
            _signed_in(session["name"], logout=_forget_password_login)
        return session["name"]
    if draw:
        _password_form(stored)
    return None


def _forget_password_login() -> None:
    import streamlit as st

    st.session_state.pop(ANALYST_KEY, None)


def _password_form(stored: str) -> None:
    import streamlit as st

    try:
        parse_hash(stored)
    except MalformedHash as exc:
        st.error(f"Inloggningen för analytiker är felaktigt inställd: {exc}", icon=":material/error:")
        return
    st.info("Att läsa in data kräver inloggning som analytiker.", icon=":material/lock:")
    with st.form("shb_password_login", clear_on_submit=True):
        password = st.text_input("Lösenord för analytiker", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Logga in", type="primary", icon=":material/login:")
    if not submitted:
        return
    throttle = st.session_state.get(THROTTLE_KEY) or Throttle()
    now = time.monotonic()
    wait = throttle.wait(now)
    if wait > 0:
        st.error(f"För många felaktiga försök. Vänta {int(wait) + 1} sekunder och försök igen.",
                 icon=":material/timer:")
        return
    if password and check_password(password, stored, throttle.failures):
        st.session_state.pop(THROTTLE_KEY, None)
        st.session_state[ANALYST_KEY] = {"mode": "password", "name": PASSWORD_NAME, "hash": _hash_id(stored)}
        st.rerun()
    st.session_state[THROTTLE_KEY] = throttle.failed(time.monotonic())
    st.error("Fel lösenord.", icon=":material/error:")


def _localhost(draw: bool) -> str | None:
    import streamlit as st

    headers = _request_headers()
    ip = st.context.ip_address
    ip = ip if isinstance(ip, str) else None  # None when unknown (AppTest gives no client)
    if local_request(st.get_option("server.address"), headers, st.context.url, ip):
        name = os_user()
        if draw:
            st.caption(f"Lokalt läge: appen körs på den här datorn och du läser in data som {name}. "
                       "Ingen inloggning behövs så länge servern bara lyssnar på den här datorn.")
        return name
    if draw:
        st.warning("Att läsa in data utan inloggning går bara på datorn där appen körs (adressen localhost "
                   "eller 127.0.0.1). Öppna appen där, eller be administratören ställa in inloggning; "
                   f"hur det görs står i {README_HINT}.", icon=":material/lock:")
    return None


def _signed_in(name: str, logout) -> None:
    import streamlit as st

    with st.sidebar:
        st.caption(f"Inloggad som analytiker: {name}")
        st.button("Logga ut", icon=":material/logout:", key="shb_logout", on_click=logout)
