"""Passkeys (WebAuthn) for the app: the relying party, single-use challenges, the
registration and authentication ceremonies, and the passkey repository.

Pure Python (no reflex import). py_webauthn parses and verifies; this package adds the
rules py_webauthn leaves to the caller (see DESIGN.md, "WebAuthn rules").
"""

from passkey_app.services.webauthn.aaguid import authenticator_model
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.challenges import (
    ChallengePurpose,
    ChallengeStore,
    IssuedChallenge,
    StoredChallenge,
)
from passkey_app.services.webauthn.credential_store import PasskeySummary
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.relying_party import RelyingParty, relying_party
from passkey_app.services.webauthn.results import CeremonyStart, NewPasskey, VerifiedLogin

__all__ = [
    "CeremonyStart",
    "ChallengePurpose",
    "ChallengeStore",
    "IssuedChallenge",
    "NewPasskey",
    "PasskeyCeremonies",
    "PasskeyRejectedError",
    "PasskeySummary",
    "RejectReason",
    "RelyingParty",
    "StoredChallenge",
    "VerifiedLogin",
    "authenticator_model",
    "relying_party",
]
