"""Proof tokens: the wire format, every rejection reason, and the key ring."""

import base64
import dataclasses
import hashlib
import hmac
import json
import traceback
from typing import Any

import pytest

from lambdas.proof import (
    MAX_PROOF_TOKEN_LENGTH,
    KeyRing,
    KeyRingError,
    ProofClaims,
    ProofError,
    ProofFailure,
    ProofMethod,
    key_ring_from_environ,
    new_claims,
    parse_key_ring,
    sign_proof,
    verify_proof,
)

POOL = "us-east-1_Ab12Cd34E"
CLIENT = "1a2b3c4d5e6f7g8h9i0j1k2l3m"
SUB = "0b5e8f2a-6c1d-4e3f-9a7b-2c4d6e8f0a1b"
NONCE = "c2VydmVyLWlzc3VlZC1ub25jZS1mb3ItdGhpcy1yb3VuZA"
NOW = 1_750_000_000

KEY_A = hashlib.sha256(b"proof key a").digest()
KEY_B = hashlib.sha256(b"proof key b").digest()
RING_A = KeyRing(active_key_id="a", keys={"a": KEY_A})
BOTH_METHODS = frozenset(ProofMethod)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def claims(**changes: Any) -> ProofClaims:
    base = new_claims(
        pool_id=POOL,
        client_id=CLIENT,
        sub=SUB,
        nonce=NONCE,
        method=ProofMethod.PASSKEY,
        credential_id="Y3JlZA",
        now=NOW,
    )
    return dataclasses.replace(base, **changes)


def token(*, ring: KeyRing = RING_A, **changes: Any) -> str:
    return sign_proof(claims=claims(**changes), key_ring=ring)


def verify(proof_token: object, **overrides: Any) -> ProofClaims:
    arguments: dict[str, Any] = {
        "key_ring": RING_A,
        "expected_pool_id": POOL,
        "expected_client_id": CLIENT,
        "expected_sub": SUB,
        "expected_nonce": NONCE,
        "allowed_methods": BOTH_METHODS,
        "now": NOW,
    }
    return verify_proof(proof_token, **{**arguments, **overrides})  # type: ignore[arg-type]


def rejection(proof_token: object, **overrides: Any) -> ProofFailure:
    with pytest.raises(ProofError) as caught:
        verify(proof_token, **overrides)
    return caught.value.reason


def payload(**changes: Any) -> dict[str, Any]:
    """Valid claims as JSON data; a change to ``...`` drops the field."""
    data = {**dataclasses.asdict(claims()), "method": "passkey", **changes}
    return {name: value for name, value in data.items() if value is not ...}


def canonical(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def sign_raw(payload_bytes: bytes, key_id: str = "a", key: bytes = KEY_A) -> str:
    """Sign arbitrary payload bytes exactly as the format prescribes."""
    signed = f"v1.{key_id}.{b64url(payload_bytes)}"
    return f"{signed}.{b64url(hmac.new(key, signed.encode(), hashlib.sha256).digest())}"


# --- the format ---------------------------------------------------------------


def test_token_is_version_key_id_payload_and_hmac_over_the_first_three() -> None:
    expected_payload = (
        b'{"client_id":"1a2b3c4d5e6f7g8h9i0j1k2l3m","credential_id":"Y3JlZA",'
        b'"expires_at":1750000030,"issued_at":1750000000,"method":"passkey",'
        b'"nonce":"c2VydmVyLWlzc3VlZC1ub25jZS1mb3ItdGhpcy1yb3VuZA",'
        b'"pool_id":"us-east-1_Ab12Cd34E","sub":"0b5e8f2a-6c1d-4e3f-9a7b-2c4d6e8f0a1b"}'
    )
    assert token() == sign_raw(expected_payload)


def test_valid_proof_returns_its_claims() -> None:
    assert verify(token()) == claims()


def test_magic_link_proof_without_credential_is_accepted() -> None:
    proof_token = token(method=ProofMethod.MAGIC_LINK, credential_id=None)
    assert verify(proof_token) == claims(method=ProofMethod.MAGIC_LINK, credential_id=None)


@pytest.mark.parametrize(
    ("changes", "now"),
    [
        ({"issued_at": NOW, "expires_at": NOW + 1}, NOW),  # last valid second
        ({"issued_at": NOW + 5, "expires_at": NOW + 30}, NOW),  # clock skew allowance
        ({"issued_at": NOW, "expires_at": NOW + 60}, NOW + 59),  # longest lifetime
    ],
)
def test_validity_boundaries_are_accepted(changes: dict[str, Any], now: int) -> None:
    assert verify(token(**changes), now=now) == claims(**changes)


# --- authenticity -------------------------------------------------------------


def test_proof_signed_with_another_key_under_the_same_id_is_forged() -> None:
    forged = token(ring=KeyRing(active_key_id="a", keys={"a": KEY_B}))
    assert rejection(forged) is ProofFailure.BAD_SIGNATURE


def test_signature_is_checked_before_the_claims_are_read() -> None:
    assert rejection(sign_raw(b"not json", key=KEY_B)) is ProofFailure.BAD_SIGNATURE


def test_unknown_key_id_is_rejected() -> None:
    other = token(ring=KeyRing(active_key_id="b", keys={"b": KEY_B}))
    assert rejection(other) is ProofFailure.UNKNOWN_KEY


def test_rotation_keeps_old_proofs_valid_until_the_old_key_is_removed() -> None:
    old_token = token(ring=RING_A)
    rotated = KeyRing(active_key_id="b", keys={"a": KEY_A, "b": KEY_B})
    retired = KeyRing(active_key_id="b", keys={"b": KEY_B})

    assert token(ring=rotated).split(".")[1] == "b"
    assert verify(old_token, key_ring=rotated) == claims()
    assert verify(token(ring=rotated), key_ring=retired) == claims()
    assert rejection(old_token, key_ring=retired) is ProofFailure.UNKNOWN_KEY


@pytest.mark.parametrize("position", [0, 3, 17, -60])
def test_payload_changed_by_one_character_is_rejected(position: int) -> None:
    head, key_id, body, signature = token().split(".")
    index = position % len(body)
    flipped = "B" if body[index] == "A" else "A"
    tampered = ".".join((head, key_id, body[:index] + flipped + body[index + 1 :], signature))
    assert rejection(tampered) is ProofFailure.BAD_SIGNATURE


def test_signature_changed_by_one_character_is_rejected() -> None:
    proof_token = token()
    flipped = "B" if proof_token[-43] == "A" else "A"
    tampered = proof_token[:-43] + flipped + proof_token[-42:]
    assert rejection(tampered) is ProofFailure.BAD_SIGNATURE


# --- binding to this login ----------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "reason"),
    [
        ({"expected_pool_id": "us-east-1_Other0000"}, ProofFailure.WRONG_POOL),
        ({"expected_client_id": "9other9client9id9"}, ProofFailure.WRONG_CLIENT),
        ({"expected_sub": "11111111-2222-4333-8444-555555555555"}, ProofFailure.WRONG_USER),
        ({"expected_nonce": "bmV4dC1yb3VuZC1ub25jZQ"}, ProofFailure.WRONG_NONCE),
    ],
)
def test_proof_for_another_login_is_rejected(
    expected: dict[str, str], reason: ProofFailure
) -> None:
    assert rejection(token(), **expected) is reason


def test_replayed_proof_for_an_earlier_nonce_is_rejected() -> None:
    earlier = token(nonce="ZWFybGllci1yb3VuZC1ub25jZQ")
    assert rejection(earlier) is ProofFailure.WRONG_NONCE


@pytest.mark.parametrize("echo", [NONCE, json.dumps({"nonce": NONCE})])
def test_echoed_challenge_is_not_a_proof(echo: str) -> None:
    assert rejection(echo) is ProofFailure.MALFORMED


def test_method_outside_the_allowed_set_is_rejected() -> None:
    magic = token(method=ProofMethod.MAGIC_LINK)
    assert (
        rejection(magic, allowed_methods={ProofMethod.PASSKEY}) is ProofFailure.METHOD_NOT_ALLOWED
    )


@pytest.mark.parametrize("field", ["expected_pool_id", "expected_sub", "expected_nonce"])
def test_empty_expectation_is_a_caller_error(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        verify(token(), **{field: ""})


# --- time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"issued_at": NOW - 30, "expires_at": NOW}, ProofFailure.EXPIRED),
        ({"issued_at": NOW - 90, "expires_at": NOW - 60}, ProofFailure.EXPIRED),
        ({"issued_at": NOW - 10, "expires_at": NOW + 51}, ProofFailure.LIFETIME_TOO_LONG),
        ({"issued_at": NOW, "expires_at": NOW + 3600}, ProofFailure.LIFETIME_TOO_LONG),
        ({"issued_at": NOW + 6, "expires_at": NOW + 30}, ProofFailure.NOT_YET_VALID),
    ],
)
def test_proof_outside_its_validity_window_is_rejected(
    changes: dict[str, Any], reason: ProofFailure
) -> None:
    assert rejection(token(**changes)) is reason


# --- shape --------------------------------------------------------------------


@pytest.mark.parametrize("size", [MAX_PROOF_TOKEN_LENGTH + 1, 5000, 1_000_000])
def test_oversized_input_is_rejected_before_parsing(size: int) -> None:
    assert rejection("v1." + "a" * (size - 3)) is ProofFailure.TOO_LARGE


def test_input_at_the_size_cap_is_parsed() -> None:
    assert rejection("a" * MAX_PROOF_TOKEN_LENGTH) is ProofFailure.MALFORMED


@pytest.mark.parametrize("value", [None, 42, b"v1.a.b.c", ["v1", "a", "b", "c"]])
def test_non_string_input_is_malformed(value: object) -> None:
    assert rejection(value) is ProofFailure.MALFORMED


def _with_part(index: int, value: str) -> str:
    parts = token().split(".")
    parts[index] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    "malformed",
    [
        pytest.param("", id="empty"),
        pytest.param(".".join(token().split(".")[:3]), id="three-parts"),
        pytest.param(token() + ".extra", id="five-parts"),
        pytest.param(_with_part(0, "v2"), id="other-version"),
        pytest.param(_with_part(1, "a b"), id="key-id-with-space"),
        pytest.param(_with_part(1, ""), id="empty-key-id"),
        pytest.param(_with_part(2, token().split(".")[2] + "="), id="padded-payload"),
        pytest.param(_with_part(3, token().split(".")[3] + "="), id="padded-signature"),
        pytest.param(_with_part(2, "eyJ+" + token().split(".")[2][4:]), id="plus-in-payload"),
        pytest.param(_with_part(3, "/" + token().split(".")[3][1:]), id="slash-in-signature"),
        pytest.param(_with_part(2, "é" + token().split(".")[2][1:]), id="non-ascii"),
        pytest.param(_with_part(3, token().split(".")[3][:-1] + "B"), id="slack-bits-set"),
        pytest.param(_with_part(3, token().split(".")[3][:-2]), id="truncated-base64"),
    ],
)
def test_malformed_token_is_rejected(malformed: str) -> None:
    assert rejection(malformed) is ProofFailure.MALFORMED


@pytest.mark.parametrize(
    "payload_bytes",
    [
        pytest.param(canonical(payload(extra="x")), id="extra-field"),
        pytest.param(canonical(payload(credential_id=...)), id="missing-field"),
        pytest.param(canonical(payload(issued_at=True)), id="bool-issued-at"),
        pytest.param(canonical(payload(expires_at=str(NOW + 30))), id="string-expires-at"),
        pytest.param(canonical(payload(expires_at=NOW + 30.0)), id="float-expires-at"),
        pytest.param(canonical(payload(sub=7)), id="integer-sub"),
        pytest.param(canonical(payload(nonce=None)), id="null-nonce"),
        pytest.param(canonical(payload(credential_id=["x"])), id="list-credential"),
        pytest.param(canonical(payload(method="password")), id="unknown-method"),
        pytest.param(canonical(payload(method=["passkey"])), id="list-method"),
        pytest.param(canonical(payload(expires_at=NOW)), id="expires-at-issue"),
        pytest.param(json.dumps(payload()).encode(), id="not-compact"),
        pytest.param(canonical(payload())[:-1] + b',"sub":"x"}', id="duplicate-field"),
        pytest.param(canonical([payload()]), id="not-an-object"),
        pytest.param(b'{"pool_id":', id="invalid-json"),
        pytest.param(b"\xff\xfe", id="invalid-utf8"),
        pytest.param(b"[" * 3000, id="deep-nesting"),
        pytest.param(b"", id="empty-payload"),
    ],
)
def test_signed_but_malformed_claims_are_rejected(payload_bytes: bytes) -> None:
    assert rejection(sign_raw(payload_bytes)) is ProofFailure.MALFORMED


# --- signing ------------------------------------------------------------------


@pytest.mark.parametrize("lifetime", [0, -1, 61, 3600])
def test_new_claims_refuses_a_lifetime_outside_one_to_sixty_seconds(lifetime: int) -> None:
    with pytest.raises(ValueError, match="lifetime_seconds"):
        new_claims(
            pool_id=POOL,
            client_id=CLIENT,
            sub=SUB,
            nonce=NONCE,
            method=ProofMethod.PASSKEY,
            now=NOW,
            lifetime_seconds=lifetime,
        )


def test_new_claims_issues_now_for_thirty_seconds_by_default() -> None:
    made = new_claims(
        pool_id=POOL, client_id=CLIENT, sub=SUB, nonce=NONCE, method=ProofMethod.PASSKEY, now=NOW
    )
    assert (made.issued_at, made.expires_at, made.credential_id) == (NOW, NOW + 30, None)


def test_sign_refuses_claims_too_large_for_a_token() -> None:
    with pytest.raises(ValueError, match="4096"):
        token(credential_id="x" * MAX_PROOF_TOKEN_LENGTH)


# --- key ring -----------------------------------------------------------------

KEY_A_TEXT = b64url(KEY_A)
SHORT_KEY_TEXT = b64url(b"sixteen byte key")


def test_parse_key_ring_decodes_every_key() -> None:
    ring = parse_key_ring(
        keys_json=json.dumps({"a": KEY_A_TEXT, "b": b64url(KEY_B) + "="}), active_key_id="b"
    )
    assert (ring.active_key_id, dict(ring.keys)) == ("b", {"a": KEY_A, "b": KEY_B})


@pytest.mark.parametrize(
    ("keys_json", "active_key_id", "message"),
    [
        (json.dumps({"a": SHORT_KEY_TEXT}), "a", "key 'a' has 16 bytes; at least 32"),
        (json.dumps({"a": KEY_A_TEXT}), "b", "active key id 'b' is not in the key ring"),
        (json.dumps({"a": KEY_A_TEXT}), "a.b", "active key id must be"),
        (json.dumps({"a.b": KEY_A_TEXT}), "a.b", "key ids must be"),
        (json.dumps({"": KEY_A_TEXT}), "a", "key ids must be"),
        (json.dumps({"k" * 65: KEY_A_TEXT}), "a", "key ids must be"),
        (json.dumps({"a": KEY_A_TEXT + "+"}), "a", "key 'a' is not valid base64url"),
        (json.dumps({"a": list(KEY_A)}), "a", "key 'a' must be a base64url string"),
        (f'{{"a":"{KEY_A_TEXT}","a":"{KEY_A_TEXT}"}}', "a", "key id 'a' appears twice"),
        (json.dumps([KEY_A_TEXT]), "a", "must be a JSON object"),
        ("{}", "a", "holds no keys"),
        (KEY_A_TEXT, "a", "not valid JSON"),
        (f'{{"a": "{KEY_A_TEXT}"', "a", "not valid JSON"),
    ],
)
def test_bad_key_configuration_is_named_without_key_material(
    keys_json: str, active_key_id: str, message: str
) -> None:
    with pytest.raises(KeyRingError, match=message) as caught:
        parse_key_ring(keys_json=keys_json, active_key_id=active_key_id)
    shown = "".join(traceback.format_exception(caught.value))
    for secret in (KEY_A_TEXT, SHORT_KEY_TEXT, KEY_A.hex(), repr(KEY_A)):
        assert secret not in shown


def test_key_ring_hides_and_freezes_its_keys() -> None:
    assert "keys" not in repr(RING_A)
    with pytest.raises(TypeError):
        RING_A.keys["b"] = KEY_B  # type: ignore[index]


def test_key_ring_from_environ_reads_both_variables() -> None:
    environ = {"PROOF_KEYS": json.dumps({"a": KEY_A_TEXT}), "PROOF_ACTIVE_KEY_ID": "a"}
    assert key_ring_from_environ(environ) == RING_A


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PROOF_ACTIVE_KEY_ID": "a"}, "^PROOF_KEYS is not set$"),
        ({"PROOF_KEYS": json.dumps({"a": KEY_A_TEXT})}, "^PROOF_ACTIVE_KEY_ID is not set$"),
        ({"PROOF_KEYS": " ", "PROOF_ACTIVE_KEY_ID": "a"}, "^PROOF_KEYS is not set$"),
        ({"PROOF_KEYS": "{}", "PROOF_ACTIVE_KEY_ID": "a"}, "^PROOF_KEYS: "),
        (
            {"PROOF_KEYS": json.dumps({"a": SHORT_KEY_TEXT}), "PROOF_ACTIVE_KEY_ID": "a"},
            "^PROOF_KEYS: ",
        ),
        (
            {"PROOF_KEYS": json.dumps({"a": KEY_A_TEXT}), "PROOF_ACTIVE_KEY_ID": "b"},
            "^PROOF_ACTIVE_KEY_ID: ",
        ),
    ],
)
def test_key_ring_from_environ_names_the_bad_variable(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(KeyRingError, match=message):
        key_ring_from_environ(environ)
