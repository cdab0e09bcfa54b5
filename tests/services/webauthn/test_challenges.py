"""The challenge store: single use, expiry, purpose, purge, and only a hash of the handle."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session, select

from passkey_app.models import WebAuthnChallenge
from passkey_app.services.webauthn.challenges import ChallengePurpose, ChallengeStore
from tests.services.webauthn.conftest import ALICE, PasskeyWorld

REGISTER, AUTHENTICATE = ChallengePurpose.REGISTER, ChallengePurpose.AUTHENTICATE


def test_a_challenge_is_consumed_once_with_what_it_was_bound_to(world: PasskeyWorld) -> None:
    store = world.challenges
    issued = store.issue(purpose=REGISTER, user_sub=ALICE, user_handle="h", email="a@example.com")
    assert len(issued.challenge) == 32
    stored = store.consume(handle=issued.handle, purpose=REGISTER)
    assert stored is not None
    assert (stored.challenge, stored.purpose) == (issued.challenge, REGISTER)
    assert (stored.user_sub, stored.user_handle, stored.email) == (ALICE, "h", "a@example.com")
    assert stored.expires_at - stored.created_at == timedelta(minutes=5)
    assert store.consume(handle=issued.handle, purpose=REGISTER) is None


def test_only_the_hash_of_the_handle_is_stored(world: PasskeyWorld) -> None:
    issued = world.challenges.issue(purpose=AUTHENTICATE)
    with Session(world.engine) as db:
        row = db.exec(select(WebAuthnChallenge)).one()
    assert row.handle_hash == hashlib.sha256(issued.handle.encode()).hexdigest()
    assert issued.handle not in repr(row.model_dump())


def test_a_challenge_expires_after_five_minutes(world: PasskeyWorld) -> None:
    early = world.challenges.issue(purpose=AUTHENTICATE)
    late = world.challenges.issue(purpose=AUTHENTICATE)
    world.clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert world.challenges.consume(handle=early.handle, purpose=AUTHENTICATE) is not None
    world.clock.advance(timedelta(seconds=1))
    assert world.challenges.consume(handle=late.handle, purpose=AUTHENTICATE) is None


def test_the_lifetime_is_configurable(world: PasskeyWorld) -> None:
    store = ChallengeStore(world.engine, clock=world.clock, lifetime=timedelta(seconds=30))
    issued = store.issue(purpose=AUTHENTICATE)
    world.clock.advance(timedelta(seconds=30))
    assert store.consume(handle=issued.handle, purpose=AUTHENTICATE) is None


def test_a_challenge_serves_only_its_purpose(world: PasskeyWorld) -> None:
    issued = world.challenges.issue(purpose=REGISTER)
    assert world.challenges.consume(handle=issued.handle, purpose=AUTHENTICATE) is None
    assert world.challenges.consume(handle=issued.handle, purpose=REGISTER) is not None


def test_unknown_empty_and_oversized_handles_find_nothing(world: PasskeyWorld) -> None:
    world.challenges.issue(purpose=AUTHENTICATE)
    for handle in ["", "nope", "x" * 129]:
        assert world.challenges.consume(handle=handle, purpose=AUTHENTICATE) is None


def test_concurrent_consumers_get_it_once(world: PasskeyWorld) -> None:
    issued = world.challenges.issue(purpose=AUTHENTICATE)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda _: world.challenges.consume(handle=issued.handle, purpose=AUTHENTICATE),
                range(8),
            )
        )
    assert sum(result is not None for result in results) == 1


def test_purge_deletes_only_expired_challenges(world: PasskeyWorld) -> None:
    used = world.challenges.issue(purpose=AUTHENTICATE)
    world.challenges.consume(handle=used.handle, purpose=AUTHENTICATE)
    world.challenges.issue(purpose=REGISTER)
    world.clock.advance(timedelta(minutes=3))
    fresh = world.challenges.issue(purpose=AUTHENTICATE)
    assert world.challenges.purge_expired() == 0
    world.clock.advance(timedelta(minutes=2))
    assert world.challenges.purge_expired() == 2
    assert world.challenges.consume(handle=fresh.handle, purpose=AUTHENTICATE) is not None


def _stored(world: PasskeyWorld) -> int:
    with Session(world.engine) as db:
        return len(db.exec(select(WebAuthnChallenge)).all())


def test_issuing_sweeps_expired_challenges_at_most_once_a_minute(world: PasskeyWorld) -> None:
    world.challenges.issue(purpose=AUTHENTICATE)  # t=0:00, expires at 5:00; sweep ran
    world.clock.advance(timedelta(minutes=4, seconds=30))
    world.challenges.issue(purpose=AUTHENTICATE)  # 4:30: sweep ran, nothing expired yet
    world.clock.advance(timedelta(seconds=40))
    world.challenges.issue(purpose=AUTHENTICATE)  # 5:10: 40 s since the sweep, none now
    assert _stored(world) == 3
    world.clock.advance(timedelta(seconds=30))
    world.challenges.issue(purpose=AUTHENTICATE)  # 5:40: sweep removes the first one
    assert _stored(world) == 3


def test_a_tab_keeps_only_its_five_newest_live_challenges(world: PasskeyWorld) -> None:
    store = world.challenges
    tab = [store.issue(purpose=AUTHENTICATE, client_key="tab-a") for _ in range(6)]
    other = store.issue(purpose=AUTHENTICATE, client_key="tab-b")
    untracked = store.issue(purpose=AUTHENTICATE)
    with Session(world.engine) as db:
        assert len(db.exec(select(WebAuthnChallenge)).all()) == 7
    assert store.consume(handle=tab[0].handle, purpose=AUTHENTICATE) is None
    for kept in (*tab[1:], other, untracked):
        assert store.consume(handle=kept.handle, purpose=AUTHENTICATE) is not None


def test_used_and_expired_challenges_do_not_count_against_the_tab(world: PasskeyWorld) -> None:
    store = world.challenges
    for _ in range(5):
        used = store.issue(purpose=REGISTER, client_key="tab-a")
        assert store.consume(handle=used.handle, purpose=REGISTER) is not None
    store.issue(purpose=REGISTER, client_key="tab-a")
    world.clock.advance(timedelta(minutes=5))
    fresh = [store.issue(purpose=REGISTER, client_key="tab-a") for _ in range(5)]
    for live in fresh:
        assert store.consume(handle=live.handle, purpose=REGISTER) is not None
