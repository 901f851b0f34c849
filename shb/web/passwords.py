"""Analysts' password: scrypt hashes, the server-wide gate that slows guessers and not the analyst, and
the `python -m shb password` command. Decisions about who is an analyst are in shb.web.access."""

from __future__ import annotations

import base64
import contextlib
import getpass
import hashlib
import hmac
import secrets
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from shb.core.errors import ShbError

ENV_HASH = "SHB_ANALYST_PASSWORD_HASH"


class MalformedHash(ShbError):
    """The configured password hash is not one `python -m shb password` makes."""


# --- Password hashes --------------------------------------------------------------------------------

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**17, 8, 1  # OWASP's scrypt minimum: 128 MB, about half a second here
MIN_N, MAX_N = 2**14, 2**18
MAX_R, MAX_P = 16, 4
MAX_MEMORY = 256 * 1024 * 1024  # a hostile hash must not make the server allocate more than this
SALT_BYTES, KEY_BYTES = 16, 32
MIN_PASSWORD = 12


def _kdf(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    text = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(text, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=MAX_MEMORY + 1024 * 1024)


def hash_password(password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """A self-describing scrypt hash with a random salt: `scrypt$n$r$p$salt_b64$hash_b64`."""
    _check_parameters(n, r, p)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _kdf(password, salt, n, r, p, KEY_BYTES)
    return "$".join([SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)])


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the hash `stored`; MalformedHash when `stored` is not a valid hash."""
    n, r, p, salt, key = parse_hash(stored)
    return hmac.compare_digest(_kdf(password, salt, n, r, p, len(key)), key)


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, key) of a stored hash, within bounds that keep a check cheap enough."""
    parts = str(stored).strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise MalformedHash("Lösenordshashen har fel form; den ska se ut som scrypt$n$r$p$salt$hash. "
                            "Skapa en ny med: python -m shb password")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError as exc:
        raise MalformedHash("Lösenordshashen innehåller ogiltiga tal eller tecken. "
                            "Skapa en ny med: python -m shb password") from exc
    _check_parameters(n, r, p)
    if len(salt) < SALT_BYTES or not 16 <= len(key) <= 64:
        raise MalformedHash("Lösenordshashens salt eller nyckel är för kort. Skapa en ny med: python -m shb password")
    return n, r, p, salt, key


def _check_parameters(n: int, r: int, p: int) -> None:
    power_of_two = n > 1 and n & (n - 1) == 0
    if not (power_of_two and MIN_N <= n <= MAX_N and 1 <= r <= MAX_R and 1 <= p <= MAX_P
            and 128 * r * n <= MAX_MEMORY):
        raise MalformedHash(f"Lösenordshashens parametrar (n={n}, r={r}, p={p}) ligger utanför det tillåtna. "
                            "Skapa en ny med: python -m shb password")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in Swedish, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Lösenordet måste ha minst {MIN_PASSWORD} tecken."
    if not password.strip():
        return "Lösenordet får inte bara bestå av blanksteg."
    return None


# --- Limiting guesses ---------------------------------------------------------------------------------

FIRST_DELAY, MAX_DELAY = 1.0, 30.0  # seconds a session waits after its 1st, …, nth failed attempt
FAILURE_PAUSE = 0.5  # every failed check costs the guessing session this long (nobody else waits for it)
GUESS_INTERVAL = 1.0  # sessions that have failed before get one check a second between them, server-wide
CHECK_SLOTS = 2  # scrypt checks at once (each takes 128 MB)


@dataclass(frozen=True)
class Throttle:
    """A session's failed attempts and the earliest time (time.monotonic) it may try again."""

    failures: int = 0
    not_before: float = 0.0

    def wait(self, now: float) -> float:
        return max(0.0, self.not_before - now)

    def failed(self, now: float) -> Throttle:
        failures = self.failures + 1
        return Throttle(failures, now + delay(failures))


def delay(failures: int) -> float:
    """1, 2, 4, 8, 16, 30, 30 … seconds after 1, 2, 3 … failed attempts."""
    return 0.0 if failures <= 0 else min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - 1))


class _Gate:
    """Who may run a password check now: at most CHECK_SLOTS at once; a session without failed attempts
    goes before every session that has failed, and those share one check per GUESS_INTERVAL. So
    sessions that guess slow each other down, never the analyst who types the right password."""

    def __init__(self, slots: int):
        self._cond = threading.Condition()
        self._free = slots
        self._clean_waiting = 0
        self._next_guess = 0.0

    @contextlib.contextmanager
    def slot(self, guessed_before: bool) -> Iterator[None]:
        with self._cond:
            if guessed_before:
                while self._free == 0 or self._clean_waiting or time.monotonic() < self._next_guess:
                    self._cond.wait(timeout=max(0.01, self._next_guess - time.monotonic()))
                self._next_guess = time.monotonic() + GUESS_INTERVAL
            else:
                self._clean_waiting += 1
                try:
                    while self._free == 0:
                        self._cond.wait()
                finally:
                    self._clean_waiting -= 1
            self._free -= 1
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify_all()


_GATE = _Gate(CHECK_SLOTS)


def check_password(password: str, stored: str, failures: int = 0) -> bool:
    """`verify_password` through the server-wide gate; `failures` is how often this session has failed
    before. A wrong password costs the guessing session FAILURE_PAUSE more, outside the gate."""
    with _GATE.slot(guessed_before=failures > 0):
        ok = verify_password(password, stored)
    if not ok:
        time.sleep(FAILURE_PAUSE)
    return ok


# --- Command line ------------------------------------------------------------------------------------------

def register(sub, with_db) -> None:
    """Add the analyst-access commands to the command line."""
    p = sub.add_parser("password", help="skapa en lösenordshash för analytiker (att lägga i secrets eller miljön)",
                       description="Läser ett lösenord (två gånger, eller en rad från stdin i skript) och skriver "
                                   "en scrypt-hash att lägga i .streamlit/secrets.toml eller i miljövariabeln "
                                   f"{ENV_HASH}.")
    p.set_defaults(func=_cmd_password)


def _cmd_password(args) -> int:
    try:
        if sys.stdin.isatty():
            password = getpass.getpass("Nytt lösenord för analytiker: ")
            if getpass.getpass("Samma lösenord igen: ") != password:
                print("Lösenorden är olika. Ingen hash skapades.", file=sys.stderr)
                return 2
        else:
            password = sys.stdin.readline().rstrip("\r\n")
    except EOFError:
        print("Inget lösenord lästes. Ingen hash skapades.", file=sys.stderr)
        return 2
    problem = password_problem(password)
    if problem:
        print(f"{problem} Ingen hash skapades.", file=sys.stderr)
        return 2
    print(hash_password(password))
    print("Lägg raden i .streamlit/secrets.toml under [shb] som analyst_password_hash = \"…\", "
          f"eller i miljövariabeln {ENV_HASH} (inom enkla citattecken i ett skal).", file=sys.stderr)
    return 0
