"""HTTP for the connectors: settings, a sliding-window rate limiter, retries and Swedish error messages.

Every call has a timeout; 429 is retried after Retry-After (capped), timeouts, broken connections and 5xx
after a growing pause; anything else that is not 200 fails at once. Redirects are never followed and a
URL given by a server (a next page) is only followed when it points under the configured base URL.
Clock and sleep are injectable so tests check the waiting without waiting.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from shb.core.errors import FetchFailed

SCB_URL_ENV = "SHB_SCB_URL"
SCB_URL = "https://statistikdatabasen.scb.se/api/v2"
KOLADA_URL_ENV = "SHB_KOLADA_URL"
KOLADA_URL = "https://api.kolada.se/v3"
TIMEOUT_ENV = "SHB_FETCH_TIMEOUT"
TIMEOUT = 30.0  # seconds to connect and between bytes of an answer
MAX_BYTES = 100 * 1024 * 1024  # an answer larger than this is refused (150 000 cells are a few MB)
NOTHING_WRITTEN = "Inget har skrivits till databasen."
USER_AGENT = "socialt-hallbart-boras (python-requests)"


def fail(message: str) -> FetchFailed:
    """A FetchFailed whose message ends by saying that nothing was written."""
    return FetchFailed(f"{message} {NOTHING_WRITTEN}")


def failure_text(exc: FetchFailed) -> str:
    """What went wrong, without the closing "nothing was written" (for a failure that is survived)."""
    return str(exc).removesuffix(NOTHING_WRITTEN).strip()


def base_url(env: str, default: str) -> str:
    """The base URL from `env` (else `default`), without a trailing slash; must be http(s)."""
    url = (os.environ.get(env) or default).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(f"{env}={url!r} är ingen http- eller https-adress.")
    return url


def timeout() -> float:
    """Seconds to wait for a connection and for each part of an answer (SHB_FETCH_TIMEOUT, default 30)."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        seconds = float(raw) if raw.strip() else TIMEOUT
    except ValueError:
        raise fail(f"{TIMEOUT_ENV}={raw!r} är inget antal sekunder.") from None
    if not 0 < seconds <= 600:
        raise fail(f"{TIMEOUT_ENV} ska ligga mellan 0 och 600 sekunder, inte {raw}.")
    return seconds


class RateLimiter:
    """At most `calls` calls in any `window` seconds (a sliding window over the last calls' start times).
    Thread-safe, so one limiter can be shared by every fetch of a process (the app serves many users)."""

    def __init__(self, calls: int, window: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self.started: deque[float] = deque()
        self._lock = threading.Lock()
        self.configure(calls, window)

    def configure(self, calls: int, window: float) -> None:
        """Keep to `calls` per `window` seconds from now on (a service's own limits, once they are known);
        the calls already made count towards the new window."""
        if calls < 1 or window <= 0:
            raise ValueError("calls must be at least 1 and window positive")
        with self._lock:
            self.calls, self.window = calls, float(window)

    def acquire(self) -> None:
        """Wait until one more call fits in the window, then count it."""
        while True:
            with self._lock:
                now = self.clock()
                while self.started and self.started[0] <= now - self.window:
                    self.started.popleft()
                if len(self.started) < self.calls:
                    self.started.append(now)
                    return
                wait = self.started[0] + self.window - now
            self.sleep(wait)


@dataclass(frozen=True)
class Retry:
    """How often and how long to try again: `attempts` in all, pauses backoff, 2×backoff, … capped at
    `max_wait`, which also caps a server's Retry-After."""

    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0

    def pause(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * 2 ** (attempt - 1))


RETRY = Retry()  # read when a client is made, so tests can shorten it


@dataclass(frozen=True)
class Answer:
    """A successful answer: the parsed JSON, the raw bytes (for the checksum) and the URL asked."""

    data: object
    body: bytes
    url: str


class _Retryable(Exception):
    """A failed attempt that may succeed if tried again; `wait` is the server's Retry-After, if any."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.message, self.wait = message, wait


class Client:
    """JSON over HTTP to one service (`source` names it in messages: "SCB", "Kolada")."""

    def __init__(self, source: str, base: str, *, timeout: float = TIMEOUT, limiter: RateLimiter | None = None,
                 retry: Retry | None = None, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None, max_bytes: int = MAX_BYTES):
        self.source, self.base, self.timeout = source, base.rstrip("/"), timeout
        self.limiter, self.retry, self.sleep = limiter, retry or RETRY, sleep
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.max_bytes = max_bytes
        self.calls = 0

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def within_base(self, url: str) -> bool:
        """True when `url` is on the configured host (scheme, host and port) and under its path."""
        a, b = urlsplit(self.base), urlsplit(url)
        same_host = (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
        return same_host and (b.path + "/").startswith(a.path.rstrip("/") + "/")

    def get(self, url: str, params: dict | None = None) -> Answer:
        return self._call("GET", url, params=params)

    def post(self, url: str, body: dict, params: dict | None = None) -> Answer:
        return self._call("POST", url, params=params, json=body)

    def _call(self, method: str, url: str, **kwargs) -> Answer:
        if not self.within_base(url):
            raise fail(f"{self.source}: adressen {_short(url)} ligger utanför den inställda {self.base}; den "
                       "anropas inte.")
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return self._attempt(method, url, **kwargs)
            except _Retryable as exc:
                last = exc.message
                if attempt == self.retry.attempts:
                    break
                wait = self.retry.pause(attempt) if exc.wait is None else min(exc.wait, self.retry.max_wait)
                self.sleep(wait)
        tries = "ett försök" if self.retry.attempts == 1 else f"{self.retry.attempts} försök"
        raise fail(f"{last} Gav upp efter {tries}; försök igen senare.")

    def _attempt(self, method: str, url: str, **kwargs) -> Answer:
        if self.limiter:
            self.limiter.acquire()
        self.calls += 1
        try:
            with self.session.request(method, url, timeout=(self.timeout, self.timeout), stream=True,
                                      allow_redirects=False, **kwargs) as resp:
                body = self._read(resp)
                status, headers, final = resp.status_code, resp.headers, resp.url
        except requests.Timeout:
            raise _Retryable(f"{self.source} svarade inte inom {_seconds(self.timeout)} sekunder.") from None
        except requests.ConnectionError as exc:
            raise _Retryable(f"Kunde inte nå {self.source} på {_host(url)} ({_reason(exc)}).") from None
        except requests.RequestException as exc:
            raise fail(f"Anropet till {self.source} misslyckades: {_reason(exc)}.") from None
        if status == 429:
            raise _Retryable(f"{self.source} tar inte emot fler anrop just nu (HTTP 429, för många anrop).",
                             retry_after(headers.get("Retry-After")))
        if status >= 500:
            raise _Retryable(f"{self.source} svarade med ett serverfel (HTTP {status}).")
        if status != 200:
            raise fail(self._refusal(status, headers, body, url))
        try:
            return Answer(json.loads(body), body, final)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise fail(f"Svaret från {self.source} är inte giltig JSON ({_json_error(exc)}).") from None

    def _read(self, resp: requests.Response) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                megabytes = self.max_bytes // (1024 * 1024)
                raise fail(f"Svaret från {self.source} är större än {megabytes} MB och läses inte; begränsa "
                           "urvalet (t.ex. färre år).")
            chunks.append(chunk)
        return b"".join(chunks)

    def _refusal(self, status: int, headers, body: bytes, url: str) -> str:
        if 300 <= status < 400:
            target = headers.get("Location", "")
            return (f"{self.source} svarade med en omdirigering (HTTP {status}) till {_short(urljoin(url, target))}; "
                    "den följs inte. Kontrollera den inställda adressen.")
        said = server_message(body, headers.get("Content-Type", ""))
        what = {400: "avvisade frågan", 401: "kräver inloggning", 403: "nekade åtkomst",
                404: "hittade inte det som efterfrågades"}.get(status, "svarade med ett fel")
        return f"{self.source} {what} (HTTP {status}){': ' + said if said else ''}."


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_TAGS = re.compile(r"<[^>]*>")


def server_message(body: bytes, content_type: str = "", limit: int = 300) -> str:
    """What a server said in an error answer, as one short line: the JSON error fields, plain text, or
    a note that it was a web page (HTML is never shown)."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if "html" in content_type.lower() or text.startswith("<"):
        return "servern svarade med en webbsida i stället för ett felmeddelande"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("title", "detail", "message", "error", "Message") if data.get(k)]
        errors = data.get("errors")
        if isinstance(errors, dict | list):
            parts.append(json.dumps(errors, ensure_ascii=False))
        text = " – ".join(parts) or text
    text = " ".join(_TAGS.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_REASONS = {"Connection refused": "anslutningen nekades", "Name or service not known": "okänt värdnamn",
            "Temporary failure in name resolution": "namnuppslagningen misslyckades",
            "Connection reset": "anslutningen bröts", "Connection aborted": "anslutningen bröts",
            "timed out": "tidsgränsen nåddes"}


def _reason(exc: Exception) -> str:
    """A short Swedish reason for a network error (never the library's long representation)."""
    text = str(exc)
    return next((swedish for marker, swedish in _REASONS.items() if marker in text), type(exc).__name__)


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"fel vid tecken {exc.pos}"
    return "texten är inte UTF-8"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")
