"""Registration input py_webauthn lets through: bytes after the attestationObject, and
credential keys that do not fit their algorithm. Each attack is built by the software
authenticator, refused with its exact reason, and leaves nothing behind."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from passkey_app.db import session_scope
from passkey_app.services.container import Services
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.relying_party import RelyingParty
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, audit_trail, session_of
from tests.services.webauthn.conftest import ALICE, PasskeyWorld
from tests.support.authenticator import SoftAuthenticator
from tests.support.keys import EDDSA, ES256, RS256, PrivateKey, cose_key_map, new_key

ES512 = -36


def _rejected(world: PasskeyWorld, **knobs: Any) -> RejectReason:
    """Register for Alice with the given authenticator knobs; the reason it was refused."""
    start = world.start_registration(ALICE)
    _, response = world.authenticator.create(start.options, **knobs)
    with pytest.raises(PasskeyRejectedError) as caught:
        world.ceremonies.verify_registration(
            handle=start.handle, response=response, expected_user_sub=ALICE
        )
    return caught.value.reason


def _p256() -> PrivateKey:
    return new_key(ES256)


def _mislabelled(key: PrivateKey, algorithm: int, **entries: Any) -> dict[str, Any]:
    """Authenticator knobs for ``key`` labelled ``algorithm``, with COSE entries changed
    (``crv=...``, ``kty=...``; ``x=None`` leaves x out)."""
    labels = {"kty": 1, "alg": 3, "crv": -1, "x": -2, "y": -3}
    cose = cose_key_map(key, algorithm)
    for name, value in entries.items():
        cose.pop(labels[name], None)
        if value is not None:
            cose[labels[name]] = value
    return {"key": key, "algorithm": algorithm, "cose_key": cose}


@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param(b"\x00", id="one-zero-byte"),
        pytest.param(b"\xa0", id="an-empty-map"),
        pytest.param(cbor2.dumps({"fmt": "packed", "attStmt": {}}), id="a-second-attestation"),
        pytest.param(b"\xff" * 64, id="garbage"),
    ],
)
def test_bytes_after_the_attestation_object_are_refused(world: PasskeyWorld, suffix: bytes) -> None:
    assert _rejected(world, attestation_suffix=suffix) is RejectReason.MALFORMED


@pytest.mark.parametrize(
    ("key", "label"),
    [
        pytest.param(new_key(ES256), RS256, id="ec2-labelled-rs256"),
        pytest.param(new_key(ES256), EDDSA, id="ec2-labelled-eddsa"),
        pytest.param(new_key(EDDSA), ES256, id="okp-labelled-es256"),
        pytest.param(new_key(EDDSA), RS256, id="okp-labelled-rs256"),
        pytest.param(new_key(RS256), ES256, id="rsa-labelled-es256"),
        pytest.param(new_key(RS256), EDDSA, id="rsa-labelled-eddsa"),
        pytest.param(ec.generate_private_key(ec.SECP384R1()), ES256, id="p384-labelled-es256"),
        pytest.param(ec.generate_private_key(ec.SECP521R1()), ES256, id="p521-labelled-es256"),
    ],
)
def test_a_key_of_another_type_than_its_algorithm_is_refused(
    world: PasskeyWorld, key: PrivateKey, label: int
) -> None:
    reason = _rejected(world, key=key, algorithm=label)
    assert reason is RejectReason.KEY_ALGORITHM_MISMATCH


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param(_mislabelled(_p256(), ES256, crv=6), id="p256-key-claiming-ed25519"),
        pytest.param(_mislabelled(new_key(EDDSA), EDDSA, crv=4), id="okp-claiming-x25519"),
        pytest.param(_mislabelled(new_key(EDDSA), EDDSA, crv=None), id="okp-without-curve"),
        pytest.param(_mislabelled(_p256(), ES256, kty=True), id="kty-true-is-not-1"),
        pytest.param(_mislabelled(_p256(), ES256, kty="EC2"), id="kty-as-text"),
        pytest.param(_mislabelled(_p256(), ES256, crv=True), id="crv-true-is-not-1"),
    ],
)
def test_a_key_whose_type_or_curve_says_otherwise_is_refused(
    world: PasskeyWorld, knobs: dict[str, Any]
) -> None:
    assert _rejected(world, **knobs) is RejectReason.KEY_ALGORITHM_MISMATCH


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param(_mislabelled(_p256(), ES256, alg=None), id="no-algorithm"),
        pytest.param(_mislabelled(_p256(), ES256, alg="ES256"), id="algorithm-as-text"),
        pytest.param(_mislabelled(_p256(), ES256, y=bytes(32)), id="point-off-the-curve"),
        pytest.param(_mislabelled(_p256(), ES256, y=None), id="no-y"),
        pytest.param(_mislabelled(new_key(EDDSA), EDDSA, x=bytes(31)), id="short-ed25519-key"),
    ],
)
def test_a_key_that_cannot_be_loaded_is_malformed(
    world: PasskeyWorld, knobs: dict[str, Any]
) -> None:
    assert _rejected(world, **knobs) is RejectReason.MALFORMED


def test_an_algorithm_with_no_known_key_shape_is_not_allowed(
    world: PasskeyWorld, rp: RelyingParty
) -> None:
    wide = RelyingParty(
        rp_id=rp.rp_id, rp_name=rp.rp_name, origins=rp.origins, algorithms=(-7, ES512)
    )
    world.ceremonies = PasskeyCeremonies(
        engine=world.engine, rp=wide, challenges=world.challenges, clock=world.clock
    )
    p521 = ec.generate_private_key(ec.SECP521R1())
    assert _rejected(world, key=p521, algorithm=ES512) is RejectReason.ALGORITHM_NOT_ALLOWED


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param({"attestation_suffix": b"\x00"}, id="trailing-bytes"),
        pytest.param({"key": _p256(), "algorithm": RS256}, id="mislabelled-key"),
    ],
)
def test_a_refused_attestation_stores_nothing_and_uses_up_the_challenge(
    world: PasskeyWorld, attack: dict[str, Any]
) -> None:
    start = world.start_registration(ALICE)
    _, bad = world.authenticator.create(start.options, **attack)
    with pytest.raises(PasskeyRejectedError):
        world.ceremonies.verify_registration(
            handle=start.handle, response=bad, expected_user_sub=ALICE
        )
    _, good = SoftAuthenticator().create(start.options)
    with pytest.raises(PasskeyRejectedError) as again:
        world.ceremonies.verify_registration(
            handle=start.handle, response=good, expected_user_sub=ALICE
        )
    assert again.value.reason is RejectReason.CHALLENGE_INVALID
    with session_scope(world.engine) as db:
        assert credential_store.list_passkeys(db, ALICE) == []


def test_adding_a_mislabelled_passkey_on_the_account_page_stores_nothing(
    services: Services, cognito: CognitoFixture
) -> None:
    email = "alice@example.com"
    login = services.password_login.login(
        email=email, password=cognito.user(email).password, client=CLIENT
    )
    assert not isinstance(login, NewPasswordNeeded)
    _, user = session_of(services, login)
    ceremony = services.passkey_account.begin_add(user=user, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options, key=new_key(EDDSA), algorithm=ES256)
    with pytest.raises(PasskeyRejectedError) as refused:
        services.passkey_account.finish_add(
            user=user, handle=ceremony.handle, response=response, client=CLIENT
        )
    assert refused.value.reason is RejectReason.KEY_ALGORITHM_MISMATCH
    assert services.passkey_account.overview(user=user).passkeys == ()
    assert audit_trail(services, "passkey.register") == [("failure", "key_algorithm_mismatch")]
