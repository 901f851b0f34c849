"""A small cache that many sessions' threads may share: values are computed outside the lock and
returned as computed, so a concurrent eviction never takes a value from under a reader. And a cache of
built files on disk (the report's HTML and PDF per data version), shared by every process."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class CacheInfo(NamedTuple):
    """As `functools.lru_cache`'s cache_info(), with the sizes only."""

    maxsize: int
    currsize: int


class SharedCache(Generic[T]):
    """At most `size` values by key, least recently used out first; safe across threads.

    Two threads that miss the same key at once may both compute it (the values are equal; the
    later one is kept). Nothing is ever looked up again after it was stored, so no KeyError.
    """

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"SharedCache: size must be at least 1; got {size!r}")
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key`, computed by `compute()` when it is not cached."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        self.put(key, value)
        return value

    def peek(self, key: Hashable) -> T | None:
        """The value for `key` when it is cached (and marked as just used), else None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, value: T) -> None:
        """Keep `value` for `key` (a value computed elsewhere, e.g. in a batch)."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def shared(size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: like `functools.lru_cache(maxsize=size)` for hashable positional arguments, on a
    `SharedCache`; the wrapper keeps `cache_clear()` and `cache_info()` (currsize, maxsize)."""

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        cache: SharedCache[T] = SharedCache(size)

        @functools.wraps(func)
        def wrapper(*args: Hashable) -> T:
            return cache.get(args, lambda: func(*args))

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_info = lambda: CacheInfo(size, len(cache))  # type: ignore[attr-defined]
        return wrapper

    return decorate


class FileCache:
    """Files built once per key and kept in `folder`, at most `keep` of them (the least recently used
    out first). A file is built beside its place and renamed into it, so no reader ever sees half a
    file, and two builders of the same key at once both leave a whole one."""

    def __init__(self, folder: Path, keep: int = 32):
        if keep < 1:
            raise ValueError(f"FileCache: keep must be at least 1; got {keep!r}")
        self.folder = Path(folder)
        self.keep = keep

    def path(self, key: Hashable, suffix: str) -> Path:
        """Where the file for `key` is kept (a digest of the key's repr, so any text may be in it)."""
        return self.folder / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}{suffix}"

    def get(self, key: Hashable, suffix: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """The kept file for `key`, built by `make(path)` when there is none; and whether it was kept."""
        target = self.path(key, suffix)
        if target.is_file() and target.stat().st_size > 0:
            os.utime(target)  # just used: pruned last
            return target, True
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}.part"
        try:
            make(part)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        self._prune()
        return target, False

    def _prune(self) -> None:
        files = []
        for p in self.folder.iterdir():
            try:
                if p.is_file() and not p.name.startswith("."):
                    files.append((p.stat().st_mtime_ns, p))
            except OSError:  # taken away by another pruner meanwhile
                continue
        for _, p in sorted(files, reverse=True)[self.keep:]:
            p.unlink(missing_ok=True)
