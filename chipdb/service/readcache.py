"""What a long-running reader (``chipdb serve``) keeps between requests, keyed on what it read.

Every entry's key starts with the catalogue's fingerprint: the ``catalogue_built`` token the
last rebuild wrote (read in the request's own snapshot) and, on SQLite, the file's change stamp
taken before that snapshot. Any write, by chipdb or by hand on SQLite, changes the key, so an
entry is never served for a database it was not read from; old entries simply age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ReadCache:
    """A bounded, thread-safe least-recently-used map; ``size`` entries at most (an answer
    is 20-150 kB: under 40 MB at worst)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._entries:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The entry, or ``make()`` stored under ``key`` (two threads may both make it once)."""
        found = self.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        self.put(key, value)
        return value
