"""Registration: the options we send, what a good response yields, and the exact reason
each bad one is refused for."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.relying_party import RelyingParty
from passkey_app.services.webauthn.results import CeremonyStart, NewPasskey
from tests.services.webauthn.conftest import ALICE, BOB, PasskeyWorld
from tests.support.authenticator import b64url
from tests.support.keys import EDDSA, ES256, RS256


def _verify(
    world: PasskeyWorld, start: CeremonyStart, response: Any, user_sub: str | None = ALICE
) -> NewPasskey:
    return world.ceremonies.verify_registration(
        handle=start.handle, response=response, expected_user_sub=user_sub
    )


def _rejected(world: PasskeyWorld, **knobs: Any) -> RejectReason:
    """Register for Alice with the given authenticator knobs; the reason it was refused."""
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, **knobs)
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response)
    return caught.value.reason


def test_options_ask_for_a_discoverable_user_verified_passkey(world: PasskeyWorld) -> None:
    handle = world.user_handle(ALICE)
    start = world.ceremonies.registration_options(
        user_handle=handle,
        user_name="alice@example.com",
        display_name="Alice",
        user_sub=ALICE,
        email="alice@example.com",
        exclude_credential_ids=["AAEC", "AwQF"],
    )
    options = start.options
    assert options["rp"] == {"name": "Passkeys for Cognito", "id": "localhost"}
    assert options["user"] == {"id": handle, "name": "alice@example.com", "displayName": "Alice"}
    assert options["authenticatorSelection"] == {
        "residentKey": "required",
        "requireResidentKey": True,
        "userVerification": "required",
    }
    assert options["attestation"] == "none"
    assert options["timeout"] == 300_000
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [EDDSA, ES256, RS256]
    assert {p["type"] for p in options["pubKeyCredParams"]} == {"public-key"}
    assert options["excludeCredentials"] == [
        {"id": "AAEC", "type": "public-key"},
        {"id": "AwQF", "type": "public-key"},
    ]
    assert len(options["challenge"]) == 43  # 32 random bytes
    assert start.handle and start.handle != options["challenge"]


def test_options_are_json_ready(world: PasskeyWorld) -> None:
    options = world.start_registration(ALICE).options
    assert json.loads(json.dumps(options)) == options
    assert world.start_registration(ALICE).options["excludeCredentials"] == []


@pytest.mark.parametrize("algorithm", [ES256, EDDSA, RS256])
def test_a_good_registration_yields_the_new_passkey(world: PasskeyWorld, algorithm: int) -> None:
    start = world.start_registration(ALICE)
    credential, response = world.authenticator.create(
        start.options, algorithm=algorithm, be=True, bs=True
    )
    new = _verify(world, start, response)
    assert new.credential_id == credential.id
    assert new.algorithm == algorithm
    assert new.sign_count == 0
    assert new.aaguid == "00000000-0000-0000-0000-000000000000"
    assert (new.backup_eligible, new.backup_state) == (True, True)
    assert new.transports == ("hybrid", "internal")
    assert new.user_handle == start.options["user"]["id"] == world.user_handle(ALICE)
    assert (new.user_sub, new.email) == (ALICE, "sub-alice@example.com")
    assert new.public_key


def test_sign_up_registers_without_a_user_yet(world: PasskeyWorld) -> None:
    start = world.start_registration(None)
    _, response = world.authenticator.create(start.options)
    new = _verify(world, start, response, user_sub=None)
    assert (new.user_sub, new.email) == (None, "new@example.com")


def test_a_device_bound_passkey_and_unknown_transports(world: PasskeyWorld) -> None:
    world.authenticator.transports = ("usb", "carrier-pigeon", "usb", "nfc")
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, sign_count=7)
    new = _verify(world, start, response)
    assert (new.backup_eligible, new.backup_state, new.sign_count) == (False, False, 7)
    assert new.transports == ("usb", "nfc")


def test_a_reused_challenge_is_refused(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options)
    _verify(world, start, response)
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_an_expired_challenge_is_refused(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options)
    world.clock.advance(timedelta(minutes=5))
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_an_authentication_challenge_cannot_register(world: PasskeyWorld) -> None:
    login = world.ceremonies.authentication_options(user_sub=ALICE)
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, challenge=login.options["challenge"])
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, login, response)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


@pytest.mark.parametrize("handle", ["", "no-such-handle", "x" * 5000])
def test_an_unknown_handle_is_refused(world: PasskeyWorld, handle: str) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_registration(
            handle=handle, response=response, expected_user_sub=ALICE
        )
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_a_challenge_issued_for_another_user_is_refused(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options)
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response, user_sub=BOB)
    assert caught.value.reason is RejectReason.CHALLENGE_INVALID


def test_a_response_to_another_challenge_is_refused(world: PasskeyWorld) -> None:
    assert _rejected(world, challenge=b64url(b"\x01" * 32)) is RejectReason.CHALLENGE_INVALID


@pytest.mark.parametrize(
    ("knobs", "reason"),
    [
        ({"origin": "https://evil.example"}, RejectReason.WRONG_ORIGIN),
        ({"origin": "http://localhost:3001"}, RejectReason.WRONG_ORIGIN),
        ({"origin": "http://localhost:3000/"}, RejectReason.WRONG_ORIGIN),
        ({"rp_id": "evil.example"}, RejectReason.WRONG_RP_ID),
        ({"type": "webauthn.get"}, RejectReason.WRONG_TYPE),
        ({"cross_origin": True}, RejectReason.CROSS_ORIGIN),
        ({"cross_origin": None, "top_origin": "https://evil.example"}, RejectReason.CROSS_ORIGIN),
        ({"top_origin": "http://localhost:3000"}, RejectReason.CROSS_ORIGIN),
        ({"uv": False}, RejectReason.USER_NOT_VERIFIED),
        ({"up": False}, RejectReason.USER_NOT_PRESENT),
        ({"be": False, "bs": True}, RejectReason.BACKUP_STATE_CHANGED),
        ({"credential_id": bytes(1024)}, RejectReason.CREDENTIAL_ID_TOO_LONG),
    ],
)
def test_each_rule_has_its_reason(
    world: PasskeyWorld, knobs: dict[str, Any], reason: RejectReason
) -> None:
    assert _rejected(world, **knobs) is reason


def test_a_missing_cross_origin_member_is_fine(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, cross_origin=None)
    assert _verify(world, start, response).credential_id


def test_a_credential_id_of_1023_bytes_is_the_longest_accepted(world: PasskeyWorld) -> None:
    credential = world.register(credential_id=b"\xff" * 1023)
    assert len(world.stored(credential).credential_id) == 1364


def test_an_algorithm_outside_the_list_is_refused(world: PasskeyWorld, rp: RelyingParty) -> None:
    narrow = RelyingParty(rp_id=rp.rp_id, rp_name=rp.rp_name, origins=rp.origins, algorithms=(-7,))
    world.ceremonies = PasskeyCeremonies(
        engine=world.engine, rp=narrow, challenges=world.challenges, clock=world.clock
    )
    assert [p["alg"] for p in world.start_registration(ALICE).options["pubKeyCredParams"]] == [-7]
    assert _rejected(world, algorithm=EDDSA) is RejectReason.ALGORITHM_NOT_ALLOWED


def test_the_same_credential_cannot_be_stored_twice(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    credential, response = world.authenticator.create(start.options)
    new = _verify(world, start, response)
    world.save(new, ALICE)
    again = world.start_registration(BOB)
    _, response = world.authenticator.create(again.options, credential_id=credential.credential_id)
    duplicate = _verify(world, again, response, user_sub=BOB)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.save(duplicate, BOB)
    assert caught.value.reason is RejectReason.CREDENTIAL_EXISTS
    assert caught.value.user_message == "That passkey is already registered."


def test_a_rejection_maps_to_a_short_generic_message(world: PasskeyWorld) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, origin="https://evil.example")
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response)
    assert caught.value.user_message == (
        "That passkey couldn't be verified. Try again or use another way to sign in."
    )
    with pytest.raises(PasskeyRejectedError) as caught:
        _verify(world, start, response)
    assert caught.value.user_message == "That took too long. Start again."
