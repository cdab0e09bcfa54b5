"""Authentication: options, a good login and what it saves, and the exact reason each bad
assertion is refused for."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.relying_party import RelyingParty
from tests.services.webauthn.conftest import ALICE, BOB, PasskeyWorld
from tests.support.authenticator import SoftCredential, b64url, unb64url
from tests.support.keys import EDDSA, ES256, RS256, new_key


def _rejected(
    world: PasskeyWorld, credential: SoftCredential, user_sub: str | None = None, **knobs: Any
) -> RejectReason:
    with pytest.raises(PasskeyRejectedError) as caught:
        world.login(credential, user_sub, **knobs)
    return caught.value.reason


def test_usernameless_options_allow_any_discoverable_passkey(world: PasskeyWorld) -> None:
    options = world.ceremonies.authentication_options(user_sub=None).options
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "required"
    assert options["timeout"] == 300_000
    assert options.get("allowCredentials", []) == []
    assert len(options["challenge"]) == 43


def test_email_first_options_list_the_users_passkeys(world: PasskeyWorld) -> None:
    options = world.ceremonies.authentication_options(
        user_sub=ALICE, allow_credential_ids=["AAEC"]
    ).options
    assert options["allowCredentials"] == [{"id": "AAEC", "type": "public-key"}]


@pytest.mark.parametrize("algorithm", [ES256, EDDSA, RS256])
def test_a_good_login_saves_counter_and_time(world: PasskeyWorld, algorithm: int) -> None:
    credential = world.register(algorithm=algorithm, sign_count=3)
    world.clock.advance(timedelta(hours=1))
    login = world.login(credential)
    row = world.stored(credential)
    assert (login.user_sub, login.username, login.credential_id) == (ALICE, "alice", credential.id)
    assert (login.passkey_id, login.new_sign_count) == (row.id, 4)
    assert row.sign_count == 4
    assert row.last_used_at is not None
    assert row.last_used_at.replace(tzinfo=world.clock.now.tzinfo) == world.clock.now


def test_email_first_login_needs_no_user_handle(world: PasskeyWorld) -> None:
    credential = world.register()
    assert world.login(credential, ALICE, omit_user_handle=True).user_sub == ALICE


def test_backup_state_is_saved(world: PasskeyWorld) -> None:
    credential = world.register(be=True, bs=False)
    world.login(credential, bs=True)
    assert world.stored(credential).backup_state is True
    world.login(credential, bs=False)
    assert world.stored(credential).backup_state is False


def test_a_counter_that_stays_zero_is_fine(world: PasskeyWorld) -> None:
    credential = world.register()
    for _ in range(3):
        assert world.login(credential, sign_count=0).new_sign_count == 0
    assert world.stored(credential).sign_count == 0


@pytest.mark.parametrize("counter", [5, 4, 0])
def test_a_counter_that_does_not_increase_is_refused(world: PasskeyWorld, counter: int) -> None:
    credential = world.register()
    world.login(credential, sign_count=5)
    assert _rejected(world, credential, sign_count=counter) is RejectReason.COUNTER_REGRESSION
    assert world.stored(credential).sign_count == 5


def test_a_replayed_assertion_is_refused(world: PasskeyWorld) -> None:
    credential = world.register()
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential)
    world.ceremonies.verify_authentication(handle=start.handle, response=response)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle, response=response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID
    fresh = world.ceremonies.authentication_options(user_sub=None)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=fresh.handle, response=response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_an_expired_challenge_is_refused(world: PasskeyWorld) -> None:
    credential = world.register()
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential)
    world.clock.advance(timedelta(minutes=5, seconds=1))
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle, response=response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_a_registration_challenge_cannot_log_in(world: PasskeyWorld) -> None:
    credential = world.register()
    start = world.start_registration(ALICE)
    response = world.authenticator.get(
        {"challenge": start.options["challenge"], "rpId": "localhost"}, credential
    )
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle, response=response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_an_unknown_handle_is_refused(world: PasskeyWorld) -> None:
    credential = world.register()
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle + "x", response=response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


@pytest.mark.parametrize(
    ("knobs", "reason"),
    [
        ({"challenge": b64url(bytes(32))}, RejectReason.CHALLENGE_INVALID),
        ({"origin": "https://evil.example"}, RejectReason.WRONG_ORIGIN),
        ({"origin": "https://localhost:3000"}, RejectReason.WRONG_ORIGIN),
        ({"rp_id": "evil.example"}, RejectReason.WRONG_RP_ID),
        ({"type": "webauthn.create"}, RejectReason.WRONG_TYPE),
        ({"cross_origin": True}, RejectReason.CROSS_ORIGIN),
        ({"top_origin": "https://evil.example"}, RejectReason.CROSS_ORIGIN),
        ({"uv": False}, RejectReason.USER_NOT_VERIFIED),
        ({"up": False}, RejectReason.USER_NOT_PRESENT),
        ({"signing_key": new_key(ES256)}, RejectReason.BAD_SIGNATURE),
        ({"bs": True}, RejectReason.BACKUP_STATE_CHANGED),
        ({"be": True}, RejectReason.BACKUP_STATE_CHANGED),
        ({"user_handle": b"\x00" * 32}, RejectReason.USER_HANDLE_MISMATCH),
        ({"omit_user_handle": True}, RejectReason.USER_HANDLE_MISMATCH),
        ({"credential_id": b"\x07" * 16}, RejectReason.UNKNOWN_CREDENTIAL),
        ({"credential_id": b"\x07" * 1024}, RejectReason.CREDENTIAL_ID_TOO_LONG),
    ],
)
def test_each_rule_has_its_reason(
    world: PasskeyWorld, knobs: dict[str, Any], reason: RejectReason
) -> None:
    credential = world.register()
    assert _rejected(world, credential, **knobs) is reason
    assert world.stored(credential).last_used_at is None


def test_backup_eligibility_cannot_be_dropped(world: PasskeyWorld) -> None:
    credential = world.register(be=True, bs=True)
    assert _rejected(world, credential, be=False, bs=False) is RejectReason.BACKUP_STATE_CHANGED


def test_a_tampered_client_data_is_refused(world: PasskeyWorld) -> None:
    credential = world.register()
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential)
    client_data = unb64url(response["response"]["clientDataJSON"])
    tampered = client_data.replace(b'"crossOrigin":false', b'"crossOrigin":false,"x":1')
    response["response"]["clientDataJSON"] = b64url(tampered)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle, response=response)
    assert caught.value.reason is RejectReason.BAD_SIGNATURE


def test_another_users_passkey_is_refused(world: PasskeyWorld) -> None:
    world.register(ALICE)
    bobs = world.register(BOB)
    assert _rejected(world, bobs, ALICE) is RejectReason.WRONG_USER
    assert world.login(bobs, BOB).user_sub == BOB


def test_the_user_handle_must_be_the_owners(world: PasskeyWorld) -> None:
    alices = world.register(ALICE)
    bobs = world.register(BOB)
    assert (
        _rejected(world, bobs, user_handle=alices.user_handle) is RejectReason.USER_HANDLE_MISMATCH
    )


def test_an_algorithm_dropped_from_the_list_can_no_longer_log_in(
    world: PasskeyWorld, rp: RelyingParty
) -> None:
    credential = world.register(algorithm=EDDSA)
    narrow = RelyingParty(rp_id=rp.rp_id, rp_name=rp.rp_name, origins=rp.origins, algorithms=(-7,))
    world.ceremonies = PasskeyCeremonies(
        engine=world.engine, rp=narrow, challenges=world.challenges, clock=world.clock
    )
    assert _rejected(world, credential) is RejectReason.ALGORITHM_NOT_ALLOWED


def test_rejections_log_the_reason_and_no_secret(
    world: PasskeyWorld, caplog: pytest.LogCaptureFixture
) -> None:
    credential = world.register(be=True)
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential, be=False, bs=False)
    with caplog.at_level(logging.INFO, logger="passkey_app"), pytest.raises(PasskeyRejectedError):
        world.ceremonies.verify_authentication(handle=start.handle, response=response)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "passkey authentication rejected: backup_state_changed")
    ]
    for secret in (start.handle, start.options["challenge"], response["response"]["signature"]):
        assert secret not in caplog.text
