"""A small time-limited cache for aggregate responses (``GET /stats``, ``GET /events/clusters``).

Most aggregates come from the ``event_totals`` summary (migration 0007, ~10-25 ms at a million events);
those with other filters (actor, bounding box, text, minimum deaths) still read every matching row.
Every dashboard load asks for several, and every first view of the map is the same grouping of the newest
100,000 events (~130-200 ms at a million), so each distinct query's answer is kept for ``ttl`` seconds; writes
through the API clear it, and writes by other processes (an ``ingest`` run) show up within ``ttl``.
``ttl=0`` turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TtlCache:
    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        if self.ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit and now - hit[0] < self.ttl:
                return hit[1]
        value = compute()
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
