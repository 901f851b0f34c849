"""A small cache that many sessions' threads may share: values are computed outside the lock and
returned as computed, so a concurrent eviction never takes a value from under a reader."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

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
