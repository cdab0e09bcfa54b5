"""Whatever arrives over the websocket, bad input ends as PasskeyRejectedError with a precise
reason: shape, size and strict base64url are checked before py_webauthn sees anything."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from passkey_app.services.webauthn.encoding import b64url_decode, b64url_encode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from tests.services.webauthn.conftest import ALICE, PasskeyWorld
from tests.support.authenticator import b64url, unb64url

Mutation = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Mutation:
    """Set (or with ``...``, delete) a member by dotted path in a copy of the response."""

    def mutate(response: dict[str, Any]) -> object:
        changed = copy.deepcopy(response)
        *parents, last = path.split(".")
        target = changed
        for name in parents:
            target = target[name]
        if value is ...:
            del target[last]
        else:
            target[last] = value
        return changed

    return mutate


def _edit(path: str, edit: Callable[[str], str]) -> Mutation:
    """Rewrite one string member of the response."""

    def mutate(response: dict[str, Any]) -> object:
        *parents, last = path.split(".")
        target: Any = response
        for name in parents:
            target = target[name]
        return _set(path, edit(target[last]))(response)

    return mutate


def _same_id(edit: Callable[[str], str]) -> Mutation:
    """Rewrite id and rawId alike (so only the encoding is at fault)."""

    def mutate(response: dict[str, Any]) -> object:
        changed = copy.deepcopy(response)
        changed["id"], changed["rawId"] = edit(response["id"]), edit(response["rawId"])
        return changed

    return mutate


def _client_data(raw: bytes) -> Mutation:
    return _set("response.clientDataJSON", b64url(raw))


COMMON: list[tuple[str, Mutation, RejectReason]] = [
    ("none", lambda r: None, RejectReason.MALFORMED),
    ("a list", lambda r: [r], RejectReason.MALFORMED),
    ("a number", lambda r: 42, RejectReason.MALFORMED),
    ("a JSON string", json.dumps, RejectReason.MALFORMED),
    ("not JSON-serialisable", _set("clientExtensionResults", {1, 2}), RejectReason.MALFORMED),
    ("bytes inside", _set("response.clientDataJSON", b"{}"), RejectReason.MALFORMED),
    ("over 56 KiB", _set("clientExtensionResults", {"x": "a" * 57344}), RejectReason.TOO_LARGE),
    ("no id", _set("id", ...), RejectReason.MALFORMED),
    ("no rawId", _set("rawId", ...), RejectReason.MALFORMED),
    ("no type", _set("type", ...), RejectReason.MALFORMED),
    ("no response", _set("response", ...), RejectReason.MALFORMED),
    ("response not a dict", _set("response", "x"), RejectReason.MALFORMED),
    ("no clientDataJSON", _set("response.clientDataJSON", ...), RejectReason.MALFORMED),
    ("numeric rawId", _set("rawId", 12), RejectReason.MALFORMED),
    ("id differs from rawId", _set("id", "AAAA"), RejectReason.MALFORMED),
    ("empty credential id", _same_id(lambda v: ""), RejectReason.MALFORMED),
    ("padded id", _same_id(lambda v: v + "=="), RejectReason.MALFORMED),
    ("standard base64 id", _same_id(lambda v: v + "+/"), RejectReason.MALFORMED),
    ("stray bits", _same_id(lambda v: "AB"), RejectReason.MALFORMED),
    ("impossible length", _same_id(lambda v: "AAAAA"), RejectReason.MALFORMED),
    (
        "padded client data",
        _edit("response.clientDataJSON", lambda v: v + "="),
        RejectReason.MALFORMED,
    ),
    (
        "spaces in client data",
        _edit("response.clientDataJSON", lambda v: v[:8] + " " + v[8:]),
        RejectReason.MALFORMED,
    ),
    ("other credential type", _set("type", "password"), RejectReason.WRONG_TYPE),
    ("client data not JSON", _client_data(b"\xff\xfe"), RejectReason.MALFORMED),
    ("client data a list", _client_data(b"[]"), RejectReason.MALFORMED),
    (
        "client data without origin",
        _client_data(b'{"type":"webauthn.get","challenge":"x"}'),
        RejectReason.MALFORMED,
    ),
]

REGISTRATION: list[tuple[str, Mutation, RejectReason]] = [
    ("no attestationObject", _set("response.attestationObject", ...), RejectReason.MALFORMED),
    ("attestation not CBOR", _set("response.attestationObject", "AAAA"), RejectReason.MALFORMED),
    ("transports not a list", _set("response.transports", "usb"), RejectReason.MALFORMED),
    ("transports of numbers", _set("response.transports", [1]), RejectReason.MALFORMED),
    ("rawId not the attested id", _same_id(lambda v: b64url(b"other")), RejectReason.MALFORMED),
]

AUTHENTICATION: list[tuple[str, Mutation, RejectReason]] = [
    ("no authenticatorData", _set("response.authenticatorData", ...), RejectReason.MALFORMED),
    ("no signature", _set("response.signature", ...), RejectReason.MALFORMED),
    ("short authenticatorData", _set("response.authenticatorData", "AAAA"), RejectReason.MALFORMED),
    ("numeric userHandle", _set("response.userHandle", 7), RejectReason.MALFORMED),
    ("padded userHandle", _edit("response.userHandle", lambda v: v + "="), RejectReason.MALFORMED),
    ("padded signature", _edit("response.signature", lambda v: v + "="), RejectReason.MALFORMED),
    (
        "truncated signature",
        _edit("response.signature", lambda v: b64url(unb64url(v)[:-3])),
        RejectReason.BAD_SIGNATURE,
    ),
]


def _ids(cases: list[tuple[str, Mutation, RejectReason]]) -> list[str]:
    return [name for name, _, _ in cases]


@pytest.mark.parametrize(
    ("name", "mutate", "reason"), COMMON + REGISTRATION, ids=_ids(COMMON + REGISTRATION)
)
def test_bad_registration_payloads(
    world: PasskeyWorld, name: str, mutate: Mutation, reason: RejectReason
) -> None:
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_registration(
            handle=start.handle, response=mutate(response), expected_user_sub=ALICE
        )
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("name", "mutate", "reason"), COMMON + AUTHENTICATION, ids=_ids(COMMON + AUTHENTICATION)
)
def test_bad_authentication_payloads(
    world: PasskeyWorld, name: str, mutate: Mutation, reason: RejectReason
) -> None:
    credential = world.register()
    start = world.ceremonies.authentication_options(user_sub=None)
    response = world.authenticator.get(start.options, credential)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_authentication(handle=start.handle, response=mutate(response))
    assert caught.value.reason is reason


def test_truncated_or_padded_authenticator_data_is_malformed(world: PasskeyWorld) -> None:
    """py_webauthn's parser raises assorted errors on odd input; none may escape."""
    credential = world.register()
    for length in [*range(0, 37), 38, 40, 64]:
        start = world.ceremonies.authentication_options(user_sub=None)
        response = world.authenticator.get(start.options, credential)
        raw = unb64url(response["response"]["authenticatorData"])
        response["response"]["authenticatorData"] = b64url((raw + bytes(64))[:length])
        with pytest.raises(PasskeyRejectedError) as caught:
            world.ceremonies.verify_authentication(handle=start.handle, response=response)
        assert caught.value.reason is RejectReason.MALFORMED, length


def test_truncated_attestation_objects_are_malformed(world: PasskeyWorld) -> None:
    for cut in range(0, 160, 9):
        start = world.start_registration(ALICE)
        _, response = world.authenticator.create(start.options)
        raw = unb64url(response["response"]["attestationObject"])
        response["response"]["attestationObject"] = b64url(raw[:cut])
        with pytest.raises(PasskeyRejectedError) as caught:
            world.ceremonies.verify_registration(
                handle=start.handle, response=response, expected_user_sub=ALICE
            )
        assert caught.value.reason is RejectReason.MALFORMED, cut


@pytest.mark.parametrize("value", ["", "AA", "AAA", "AAAA", "_-_-", b64url(bytes(range(256)))])
def test_canonical_base64url_round_trips(value: str) -> None:
    assert b64url_encode(b64url_decode(value)) == value


@pytest.mark.parametrize("value", ["A", "AB", "AAA=", "AA==", "a+b/", "AA AA", "ÄÄÄÄ", "AAF"])
def test_anything_else_is_not_base64url(value: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(value)
