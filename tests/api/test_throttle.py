"""Failed logins are slowed per username and per client, with a fake clock (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trialdesk.api.throttle import LoginThrottle, LoginThrottledError


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttle(clock: FakeClock) -> LoginThrottle:
    return LoginThrottle(free_attempts=3, base_delay=timedelta(seconds=2),
                         max_delay=timedelta(seconds=60), forget_after=timedelta(hours=1),
                         clock=clock)


def test_delay_doubles_after_the_free_attempts_and_is_capped(throttle: LoginThrottle) -> None:
    delays = [throttle.delay(n).total_seconds() for n in range(9)]
    assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 60]


def test_fourth_attempt_waits_for_the_delay(throttle: LoginThrottle, clock: FakeClock) -> None:
    keys = LoginThrottle.keys("alice", "10.0.0.1")
    for _ in range(3):
        throttle.check(keys)
        throttle.record_failure(keys)
    with pytest.raises(LoginThrottledError) as caught:
        throttle.check(keys)
    assert caught.value.retry_after == 2
    clock.advance(1.5)
    with pytest.raises(LoginThrottledError) as caught:
        throttle.check(keys)
    assert caught.value.retry_after == 1
    clock.advance(0.5)
    throttle.check(keys)
    throttle.record_failure(keys)
    clock.advance(3.9)
    with pytest.raises(LoginThrottledError):
        throttle.check(keys)
    clock.advance(0.1)
    throttle.check(keys)


def test_username_is_throttled_from_any_client(throttle: LoginThrottle) -> None:
    for n in range(3):
        throttle.record_failure(LoginThrottle.keys("Alice", f"10.0.0.{n}"))
    with pytest.raises(LoginThrottledError):
        throttle.check(LoginThrottle.keys("alice ", "192.168.1.1"))


def test_client_is_throttled_across_usernames(throttle: LoginThrottle) -> None:
    for name in ("alice", "bob", "carol"):
        throttle.record_failure(LoginThrottle.keys(name, "10.0.0.9"))
    with pytest.raises(LoginThrottledError):
        throttle.check(LoginThrottle.keys("dave", "10.0.0.9"))
    throttle.check(LoginThrottle.keys("dave", "10.0.0.10"))


def test_success_clears_the_username_but_not_the_client(throttle: LoginThrottle) -> None:
    keys = LoginThrottle.keys("alice", "10.0.0.1")
    for _ in range(3):
        throttle.record_failure(keys)
    throttle.record_success("alice")
    throttle.check(LoginThrottle.keys("alice", "10.0.0.2"))
    with pytest.raises(LoginThrottledError):
        throttle.check(keys)


def test_old_failures_are_forgotten(throttle: LoginThrottle, clock: FakeClock) -> None:
    keys = LoginThrottle.keys("alice", None)
    for _ in range(5):
        throttle.record_failure(keys)
    clock.advance(3599)
    throttle.record_failure(keys)
    with pytest.raises(LoginThrottledError):  # not forgotten yet: the sixth failure waits 16 s
        throttle.check(keys)
    clock.advance(3601)
    throttle.check(keys)
    throttle.record_failure(keys)
    throttle.check(keys)  # forgotten: this failure counts as the first, a free attempt


def test_stale_keys_are_swept_when_many_pile_up(throttle: LoginThrottle, clock: FakeClock,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from trialdesk.api import throttle as module

    monkeypatch.setattr(module, "MAX_TRACKED_KEYS", 5)
    for n in range(6):
        throttle.record_failure(LoginThrottle.keys(f"user{n}", None))
    clock.advance(3601)
    throttle.record_failure(LoginThrottle.keys("fresh", None))
    assert throttle.tracked_keys() == 1
