"""What is wrong with an offered file, in Swedish: one problem, the report of them all, and the counts in it."""

from __future__ import annotations

from dataclasses import dataclass

from shb.core.errors import ImportRejected
from shb.core.format import number


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row, column, value) and why, in Swedish."""

    row: int | None
    column: str | None
    value: str | None
    reason: str
    place: str | None = None  # for values from a source, which have no rows: "1490R025 2023 kon/kvinnor"

    def text(self) -> str:
        where = []
        if self.place:
            where.append(self.place)
        elif self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn {self.column}")
        if self.value is not None:
            where.append(f"värde {quote(self.value)}")
        return (", ".join(where) + ": " if where else "") + self.reason


def quote(value: object, limit: int = 40) -> str:
    """A cell as shown in a problem: quoted, and cut at `limit` characters."""
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def reject(reason: str, row: int | None = None, column: str | None = None, value: str | None = None):
    """Raise ImportRejected for one problem that makes the rest of the file unreadable."""
    problem = Problem(row, column, value, reason)
    raise ImportRejected(report([problem], 1), (problem,), 1)


def report(problems: list[Problem], total: int, file_name: str = "", extra: str = "", noun: str = "Filen") -> str:
    """The rejection of `file_name` listing `problems` (the first of `total`), and `extra` below them."""
    name = f"{noun} {file_name}" if file_name else noun
    head = f"{name} avvisades: {counted(total, 'problem', 'problem')}. Inget har skrivits till databasen."
    lines = [head, *(f"  {p.text()}" for p in problems)]
    if total > len(problems):
        lines.append(f"  … visar {len(problems)} av {integer(total)} problem.")
    if extra:
        lines.append(extra)
    return "\n".join(lines)


def integer(n: int) -> str:
    """`n` with a space between thousands: 12 345."""
    return number(n, 0)


def counted(n: int, one: str, many: str) -> str:
    """"1 värde", "3 värden": `n` and the word in the number it takes."""
    return f"{integer(n)} {one if n == 1 else many}"
