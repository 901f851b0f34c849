"""File locks that a killed holder cannot leave behind (the writers' lock in shb.store.transaction is one)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from shb.core.errors import ImportFailed


@contextlib.contextmanager
def exclusive(lock_file: Path, busy_message: str) -> Iterator[None]:
    """Hold an flock on `lock_file` (created if needed); ImportFailed(`busy_message`) if it is taken.

    The kernel releases the lock when the holder dies, even by SIGKILL, so a killed writer never
    leaves a stale lock behind.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ImportFailed(busy_message) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def running(pid: int) -> bool:
    """Whether a process with this id runs (one owned by another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
