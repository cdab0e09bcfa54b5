"""The name a new passkey gets: the authenticator's model, or a plain word."""

from __future__ import annotations

from passkey_app.models import PASSKEY_NAME_LENGTH
from passkey_app.services.webauthn.aaguid import authenticator_model

DEFAULT_PASSKEY_NAME = "Passkey"


def default_passkey_name(aaguid: str) -> str:
    """ "iCloud Keychain", "YubiKey 5 Series", ...; "Passkey" when the model is unknown."""
    return (authenticator_model(aaguid) or DEFAULT_PASSKEY_NAME)[:PASSKEY_NAME_LENGTH]
