"""Slowing repeated failed logins, per username and per client address.

After ``free_attempts`` failures under a key (a username, or a client address), the next
attempt under that key is refused until ``base_delay * 2**(failures - free_attempts)`` has
passed since the last failure (capped at ``max_delay``). A refused attempt is answered at
once with 429 and ``Retry-After``: the server never sleeps, so an attacker cannot tie up
workers. Failures older than ``forget_after`` are forgotten; a successful login clears the
username's count.

The state lives in the app instance (``create_app`` makes one), so with several worker
processes each keeps its own counts: the delay per worker still grows exponentially.
The clock is injected, so tests step time without sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trialdesk.errors import TrialdeskError

__all__ = ["LoginThrottle", "LoginThrottledError"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: Keys tracked before stale ones (older than ``forget_after``) are swept out.
MAX_TRACKED_KEYS = 10_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LoginThrottledError(TrialdeskError):
    """Too many failed logins: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


@dataclass(slots=True)
class _Failures:
    count: int
    last: datetime


class LoginThrottle:
    """Counts failed logins per key and refuses attempts that come too soon.

    Parameters
    ----------
    free_attempts
        Failures allowed under a key before attempts are delayed.
    base_delay, max_delay
        Delay after the first counted failure; it doubles per further failure, up to
        ``max_delay``.
    forget_after
        A key's failures are dropped when its last failure is older than this.
    clock
        Returns the current time (timezone-aware UTC); tests pass a fake one.
    """

    def __init__(self, *, free_attempts: int = 3, base_delay: timedelta = timedelta(seconds=1),
                 max_delay: timedelta = timedelta(minutes=15),
                 forget_after: timedelta = timedelta(hours=1), clock: Clock = _utc_now) -> None:
        self._free_attempts = free_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._forget_after = forget_after
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(username: str, client: str | None) -> tuple[str, ...]:
        """The keys one attempt counts under: the username (case-folded) and the client."""
        user_key = f"user:{username.strip().casefold()}"
        return (user_key,) if client is None else (user_key, f"client:{client}")

    def delay(self, failures: int) -> timedelta:
        """The wait imposed after ``failures`` consecutive failures under one key."""
        if failures < self._free_attempts:
            return timedelta(0)
        exponent = min(failures - self._free_attempts, 30)
        return min(self._base_delay * 2**exponent, self._max_delay)

    def check(self, keys: tuple[str, ...]) -> None:
        """Raise ``LoginThrottledError`` if any key is still in its delay."""
        now = self._clock()
        wait = timedelta(0)
        with self._lock:
            for key in keys:
                record = self._failures.get(key)
                if record is None:
                    continue
                if now - record.last > self._forget_after:
                    del self._failures[key]
                    continue
                wait = max(wait, record.last + self.delay(record.count) - now)
        if wait > timedelta(0):
            raise LoginThrottledError(retry_after=max(1, int(-(-wait.total_seconds() // 1))))

    def record_failure(self, keys: tuple[str, ...]) -> None:
        """Count one failed attempt under every key (forgetting stale keys when many pile up)."""
        now = self._clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED_KEYS:
                self._failures = {key: record for key, record in self._failures.items()
                                  if now - record.last <= self._forget_after}
            for key in keys:
                record = self._failures.get(key)
                if record is None or now - record.last > self._forget_after:
                    self._failures[key] = _Failures(1, now)
                else:
                    record.count += 1
                    record.last = now
        logger.info("failed login counted under %d key(s)", len(keys))

    def tracked_keys(self) -> int:
        """How many keys currently hold failures (for monitoring memory use)."""
        with self._lock:
            return len(self._failures)

    def record_success(self, username: str) -> None:
        """Clear the username's count after a successful login.

        The client's count stays: one valid account must not reset the delay of a client
        guessing other users' passwords.
        """
        with self._lock:
            self._failures.pop(self.keys(username, None)[0], None)
