"""Fixtures for the custom-auth triggers: the environment, key rings and trigger events.

The events follow the shapes AWS documents for the DefineAuthChallenge,
CreateAuthChallenge and VerifyAuthChallengeResponse triggers.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lambdas.config import get_config
from lambdas.proof import KeyRing, ProofClaims, ProofMethod, sign_proof

POOL_ID = "eu-west-1_Ex4mpleP0"
CLIENT_ID = "5ex4mple1clientid2abc3def4g"
SECOND_CLIENT_ID = "6second7clientid8abc9def0hi"
USER_SUB = "7f9c2b1e-3d4a-4c5b-8e6f-0a1b2c3d4e5f"
NONCE = "dGhpcy1pcy1hLWZpeGVkLXRlc3Qtbm9uY2UtMzItYnl0ZXM"

CURRENT_KEY_ID = "k2025-06"
OLD_KEY_ID = "k2025-01"
CURRENT_KEY = hashlib.sha256(b"current test proof key").digest()
OLD_KEY = hashlib.sha256(b"old test proof key").digest()

Event = dict[str, Any]


def b64url(raw: bytes) -> str:
    """Unpadded base64url, the encoding of keys in PROOF_KEYS and of token parts."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ProofKeys:
    """The test keys: ``current`` signs now, ``old`` signed before the last rotation."""

    current_id: str = CURRENT_KEY_ID
    current: bytes = CURRENT_KEY
    old_id: str = OLD_KEY_ID
    old: bytes = OLD_KEY

    def env_json(self, *key_ids: str) -> str:
        """A PROOF_KEYS value holding the named keys."""
        material = {self.current_id: self.current, self.old_id: self.old}
        return json.dumps({key_id: b64url(material[key_id]) for key_id in key_ids})


@pytest.fixture
def proof_keys() -> ProofKeys:
    """The keys the triggers are configured with."""
    return ProofKeys()


@pytest.fixture
def key_ring(proof_keys: ProofKeys) -> KeyRing:
    """The ring the app signs with: the current key active, the old one still present."""
    return KeyRing(
        active_key_id=proof_keys.current_id,
        keys={proof_keys.current_id: proof_keys.current, proof_keys.old_id: proof_keys.old},
    )


@pytest.fixture
def trigger_env(monkeypatch: pytest.MonkeyPatch, proof_keys: ProofKeys) -> Iterator[None]:
    """Configure the triggers through the environment, with a fresh get_config cache."""
    monkeypatch.setenv("PROOF_KEYS", proof_keys.env_json(proof_keys.current_id, proof_keys.old_id))
    monkeypatch.setenv("PROOF_ACTIVE_KEY_ID", CURRENT_KEY_ID)
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", f"{CLIENT_ID}, {SECOND_CLIENT_ID}")
    monkeypatch.delenv("ALLOWED_METHODS", raising=False)
    get_config.cache_clear()
    yield
    get_config.cache_clear()


@pytest.fixture
def reload_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Change trigger variables after ``trigger_env``: name=value sets, name=None unsets."""

    def apply(**variables: str | None) -> None:
        for name, value in variables.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_config.cache_clear()

    return apply


def _base_event(trigger_source: str, request: dict[str, Any], response: Event) -> Event:
    return {
        "version": "1",
        "region": "eu-west-1",
        "userPoolId": POOL_ID,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": CLIENT_ID},
        "triggerSource": trigger_source,
        "request": {
            "userAttributes": {
                "sub": USER_SUB,
                "email": "alice@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            **request,
            "clientMetadata": {},
            "userNotFound": False,
        },
        "response": response,
    }


def as_unknown_user(event: Event) -> Event:
    """The event as Cognito sends it for a name that matches no user, when the app client
    prevents user existence errors: ``userNotFound`` and no attributes."""
    event["userName"] = "nobody@example.com"
    event["request"]["userAttributes"] = {}
    event["request"]["userNotFound"] = True
    return event


@pytest.fixture
def define_event() -> Callable[..., Event]:
    """Build a DefineAuthChallenge_Authentication event with the given session."""

    def build(*session: Event) -> Event:
        return _base_event(
            "DefineAuthChallenge_Authentication",
            {"session": list(session)},
            {"challengeName": None, "issueTokens": None, "failAuthentication": None},
        )

    return build


@pytest.fixture
def create_event() -> Callable[..., Event]:
    """Build a CreateAuthChallenge_Authentication event for ``challenge_name``."""

    def build(challenge_name: str = "CUSTOM_CHALLENGE") -> Event:
        return _base_event(
            "CreateAuthChallenge_Authentication",
            {"challengeName": challenge_name, "session": []},
            {
                "publicChallengeParameters": None,
                "privateChallengeParameters": None,
                "challengeMetadata": None,
            },
        )

    return build


@pytest.fixture
def verify_event() -> Callable[..., Event]:
    """Build a VerifyAuthChallengeResponse_Authentication event answering ``answer``."""

    def build(answer: object = "", nonce: str = NONCE) -> Event:
        return _base_event(
            "VerifyAuthChallengeResponse_Authentication",
            {"privateChallengeParameters": {"nonce": nonce}, "challengeAnswer": answer},
            {"answerCorrect": None},
        )

    return build


@pytest.fixture
def sign_for(key_ring: KeyRing) -> Callable[..., str]:
    """Sign a passkey proof binding ``event``'s pool, client, user and nonce.

    Keyword arguments replace claims (``sub=...``, ``expires_at=...``) or the signing
    ring (``ring=...``).
    """

    def sign(event: Event, *, ring: KeyRing = key_ring, **overrides: Any) -> str:
        now = int(time.time())
        request = event["request"]
        claims = ProofClaims(
            pool_id=event["userPoolId"],
            client_id=event["callerContext"]["clientId"],
            sub=request["userAttributes"]["sub"],
            nonce=request["privateChallengeParameters"]["nonce"],
            method=ProofMethod.PASSKEY,
            credential_id="Y3JlZGVudGlhbC1pZA",
            issued_at=now,
            expires_at=now + 30,
        )
        return sign_proof(claims=dataclasses.replace(claims, **overrides), key_ring=ring)

    return sign


@pytest.fixture
def sign_payload(proof_keys: ProofKeys) -> Callable[[dict[str, Any]], str]:
    """Sign arbitrary claims data with the current key, as a buggy or hostile signer might."""

    def sign(data: dict[str, Any]) -> str:
        body = b64url(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
        signed = f"v1.{proof_keys.current_id}.{body}"
        mac = hmac.new(proof_keys.current, signed.encode(), hashlib.sha256).digest()
        return f"{signed}.{b64url(mac)}"

    return sign
