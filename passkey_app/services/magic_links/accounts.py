"""Who a redeemed link signs in: the existing account it was issued for, or, for a
sign-up link, a new account created only now that the address has proved itself."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from passkey_app.db import session_scope
from passkey_app.models import MagicLink, WebAuthnUser
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.signup import random_password
from passkey_app.services.webauthn import credential_store

log = logging.getLogger(__name__)


def has_passkeys(engine: Engine, user_sub: str) -> bool:
    """Whether the account holds any passkey (the policy may then refuse links)."""
    with session_scope(engine) as db:
        return bool(credential_store.credential_ids(db, user_sub))


def existing_user(gateway: CognitoGateway, link: MagicLink) -> CognitoUser:
    """The account a sign-in link was issued for, still there, still the same person."""
    user = gateway.find_user(email=link.email)
    if user is None or not user.enabled or user.sub != link.user_sub:
        raise AuthError(AuthFailure.LINK_INVALID, "account changed since the link was sent")
    return user


def create_user(
    engine: Engine, gateway: CognitoGateway, link: MagicLink, *, at: datetime
) -> CognitoUser:
    """A new account for a redeemed sign-up link: the address is verified by the link,
    the password random and never shown (the person adds a passkey or uses links)."""
    try:
        user = gateway.create_passkey_user(
            email=link.email, password=random_password(), email_verified=True
        )
    except AuthError as error:
        if error.failure is AuthFailure.ACCOUNT_EXISTS:
            raise AuthError(AuthFailure.LINK_INVALID, "account exists") from error
        raise
    try:
        with session_scope(engine) as db:
            credential_store.ensure_user(
                db,
                user_sub=user.sub,
                username=user.username,
                created_by_passkey=True,
                at=at,
            )
    except Exception:
        undo_user(engine, gateway, user)
        raise
    return user


def undo_user(engine: Engine, gateway: CognitoGateway, user: CognitoUser) -> None:
    """Remove an account whose sign-up could not finish, so no half-made account stays."""
    try:
        with session_scope(engine) as db:
            db.execute(delete(WebAuthnUser).where(WebAuthnUser.user_sub == user.sub))  # type: ignore[arg-type]
    except Exception:
        log.exception("link sign-up undo: could not remove the relying-party row")
    try:
        gateway.delete_user(username=user.username)
    except AuthError as error:
        log.error("link sign-up undo: could not delete the Cognito user: %s", error.failure.value)
