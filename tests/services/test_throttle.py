"""The limits' machinery: hits given back, the wait a refusal announces, and concurrent
attempts that cannot pass a limit together (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from passkey_app import migrations
from passkey_app.db import make_engine
from passkey_app.services.audit import ClientInfo
from passkey_app.services.errors import AuthError, AuthFailure, throttled_message
from passkey_app.services.rate_limit import RateLimit, give_back, seconds_left, take
from passkey_app.services.throttle import Throttle

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RULE = RateLimit("test", limit=3, window=timedelta(minutes=15))
GUESSER = ClientInfo(ip_address="198.51.100.66")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    migrations.upgrade(url)
    built = make_engine(url)
    yield built
    built.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    migrations.upgrade(postgres_url)
    built = make_engine(postgres_url)
    yield built
    built.dispose()


def test_a_hit_given_back_frees_its_slot(engine: Engine) -> None:
    assert [take(engine, RULE, subject="a", now=NOW) for _ in range(4)] == [True] * 3 + [False]
    give_back(engine, RULE, subject="a", taken_at=NOW)
    assert take(engine, RULE, subject="a", now=NOW) is True
    assert take(engine, RULE, subject="a", now=NOW) is False


def test_a_hit_is_never_given_back_to_a_later_window(engine: Engine) -> None:
    take(engine, RULE, subject="a", now=NOW)
    later = NOW + timedelta(minutes=16)
    assert [take(engine, RULE, subject="a", now=later) for _ in range(4)] == [True] * 3 + [False]
    give_back(engine, RULE, subject="a", taken_at=NOW)
    assert take(engine, RULE, subject="a", now=later) is False


def test_a_refusal_waits_for_what_is_left_of_the_window(engine: Engine) -> None:
    throttle = Throttle(engine, clock=lambda: NOW + timedelta(minutes=11, seconds=1))
    for _ in range(3):
        take(engine, RULE, subject="a", now=NOW)
    with pytest.raises(AuthError) as refused:
        throttle.reserve((RULE, "a"))
    assert (refused.value.failure, refused.value.detail) == (AuthFailure.THROTTLED, "test")
    assert refused.value.retry_after == 4 * 60 - 1
    assert refused.value.user_message == "Too many attempts. Try again in 4 minutes."
    assert seconds_left(engine, RULE, subject="never-seen", now=NOW) == 15 * 60


def test_a_refusal_gives_back_the_hits_taken_before_it(engine: Engine) -> None:
    full = RateLimit("full", limit=1, window=timedelta(minutes=1))
    take(engine, full, subject="x", now=NOW)
    throttle = Throttle(engine, clock=lambda: NOW)
    for _ in range(5):
        with pytest.raises(AuthError):
            throttle.reserve((RULE, "a"), (full, "x"))
    assert [take(engine, RULE, subject="a", now=NOW) for _ in range(4)] == [True] * 3 + [False]


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (1, "Too many attempts. Try again in 1 second."),
        (45, "Too many attempts. Try again in 45 seconds."),
        (60, "Too many attempts. Try again in 1 minute."),
        (61, "Too many attempts. Try again in 2 minutes."),
        (3600, "Too many attempts. Try again in 60 minutes."),
    ],
)
def test_the_refusal_says_when_rounding_up(seconds: int, message: str) -> None:
    assert throttled_message(seconds) == message
    assert AuthError(AuthFailure.THROTTLED, retry_after=seconds).user_message == message


def _wrong_password_race(engine: Engine, attempts: int) -> tuple[int, list[object]]:
    """``attempts`` wrong passwords for one account at once; how many reached the check."""
    throttle = Throttle(engine)
    checked = 0
    lock = threading.Lock()

    def wrong_password() -> None:
        nonlocal checked
        with lock:
            checked += 1
        time.sleep(0.2)  # the password check is slow: every guess is in flight at once
        raise AuthError(AuthFailure.INVALID_CREDENTIALS, "wrong")

    def guess(_: int) -> object:
        try:
            throttle.password_attempt(
                email="alice@example.com", client=GUESSER, attempt=wrong_password
            )
        except AuthError as error:
            return error.failure
        return "signed in"

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        outcomes = list(pool.map(guess, range(attempts)))
    return checked, outcomes


def test_concurrent_wrong_passwords_cannot_pass_the_account_limit(engine: Engine) -> None:
    checked, outcomes = _wrong_password_race(engine, 30)
    assert checked == 10
    assert sorted(map(str, outcomes)) == ["invalid_credentials"] * 10 + ["throttled"] * 20


@pytest.mark.postgres
def test_concurrent_wrong_passwords_cannot_pass_the_account_limit_on_postgres(
    postgres_engine: Engine,
) -> None:
    checked, outcomes = _wrong_password_race(postgres_engine, 30)
    assert checked == 10
    assert sorted(map(str, outcomes)) == ["invalid_credentials"] * 10 + ["throttled"] * 20


@pytest.mark.postgres
def test_concurrent_first_hits_on_postgres_are_all_counted(postgres_engine: Engine) -> None:
    rule = RateLimit("race", limit=100, window=timedelta(minutes=1))
    with ThreadPoolExecutor(max_workers=10) as pool:
        taken = list(
            pool.map(lambda _: take(postgres_engine, rule, subject="new", now=NOW), range(10))
        )
    assert taken == [True] * 10
    assert [take(postgres_engine, rule, subject="new", now=NOW) for _ in range(91)] == [
        True
    ] * 90 + [False]


def test_finished_windows_are_swept_by_the_throttle_itself(engine: Engine) -> None:
    moments = iter([NOW, NOW + timedelta(minutes=5), NOW + timedelta(minutes=70)])
    throttle = Throttle(engine, clock=lambda: next(moments))
    throttle.reserve((RULE, "first"))
    throttle.reserve((RULE, "second"))  # 5 minutes on: no sweep yet, both kept
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM rate_limit_bucket").scalar() == 2
    throttle.reserve((RULE, "third"))  # 70 minutes on: both finished windows go
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM rate_limit_bucket").scalar() == 1
