"""Login throttling that slows guessing without letting a stranger lock anyone out.

Three sliding windows of failed attempts (OWASP's "device cookie" pattern):

* per **(user name, client address)**: a few failures and that client waits;
* per **client address**: one client cannot sweep many user names;
* per **user name, from devices that never signed in as that user**: a
  distributed guess at one account is slowed. A browser holding a valid
  *device cookie* for that user (issued at a successful sign-in) skips this
  window, so the champion still signs in from their own machine while a
  stranger hammers their name from elsewhere.

Memory is bounded: each window keeps at most ``max_keys`` keys (least
recently used evicted) and at most ``limit`` timestamps per key. The
service pads every failure to the same duration (see ``app.py``), so a
refusal by the throttle is indistinguishable in time from a wrong password.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class _Window:
    def __init__(self, limit: int, seconds: float, max_keys: int, clock: Callable[[], float]):
        self.limit, self.seconds, self.max_keys, self.clock = limit, seconds, max_keys, clock
        self.hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float] | None:
        q = self.hits.get(key)
        if q is None:
            return None
        cutoff = self.clock() - self.seconds
        while q and q[0] <= cutoff:
            q.popleft()
        if not q:
            del self.hits[key]
            return None
        self.hits.move_to_end(key)
        return q

    def full(self, key: str) -> bool:
        q = self._recent(key)
        return q is not None and len(q) >= self.limit

    def add(self, key: str) -> None:
        q = self._recent(key)
        if q is None:
            q = self.hits[key] = deque(maxlen=self.limit)
        q.append(self.clock())
        while len(self.hits) > self.max_keys:
            self.hits.popitem(last=False)

    def clear(self, key: str) -> None:
        self.hits.pop(key, None)


class LoginThrottle:
    """Decides whether a login attempt may be checked at all (see the module docstring)."""

    def __init__(self, *, per_pair: int = 5, per_client: int = 20, per_user: int = 10,
                 window_seconds: float = 900, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.pair = _Window(per_pair, window_seconds, max_keys, clock)
        self.client = _Window(per_client, window_seconds, max_keys, clock)
        self.user = _Window(per_user, window_seconds, max_keys, clock)
        self._lock = threading.Lock()

    @staticmethod
    def _pair(username: str, client: str) -> str:
        return f"{username}\x00{client}"

    def allowed(self, username: str, client: str, trusted_device: bool) -> bool:
        with self._lock:
            if self.pair.full(self._pair(username, client)) or self.client.full(client):
                return False
            return trusted_device or not self.user.full(username)

    def failed(self, username: str, client: str, trusted_device: bool) -> None:
        with self._lock:
            self.pair.add(self._pair(username, client))
            self.client.add(client)
            if not trusted_device:
                self.user.add(username)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self.pair.clear(self._pair(username, client))

    def size(self) -> int:
        """Keys held in all windows (bounded by 3 × max_keys)."""
        return len(self.pair.hits) + len(self.client.hits) + len(self.user.hits)
