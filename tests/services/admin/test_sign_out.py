"""The admin's "sign out everywhere", end to end against the moto pool: the user's
refresh tokens stop working in Cognito, not only the browser sessions in our table."""

from __future__ import annotations

import pytest

from lambdas.proof import ProofMethod
from passkey_app.services.cognito.custom_auth import mint_cognito_session
from passkey_app.services.cognito.gateway import CognitoTokens
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.sessions.store import SignedInUser
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, session_of

ADMIN, ALICE, BOB = "admin@example.com", "alice@example.com", "bob@example.com"


def _browser_login(services: Services, cognito: CognitoFixture, email: str) -> SignedInUser:
    login = services.password_login.login(
        email=email, password=cognito.user(email).password, client=CLIENT
    )
    assert not isinstance(login, NewPasswordNeeded)
    return session_of(services, login)[1]


def _elsewhere(services: Services, cognito: CognitoFixture, email: str) -> list[CognitoTokens]:
    """Cognito sessions the user holds outside this browser: by password and by passkey."""
    password = services.gateway.password_auth(email=email, password=cognito.user(email).password)
    assert isinstance(password, CognitoTokens)
    user = services.gateway.find_user(email=email)
    assert user is not None
    passkey = mint_cognito_session(
        gateway=services.gateway,
        key_ring=services.key_ring,
        username=email,
        sub=user.sub,
        method=ProofMethod.PASSKEY,
        credential_id="Y3JlZGVudGlhbA",
    )
    return [password, passkey]


def test_sign_out_everywhere_revokes_the_users_refresh_tokens_in_cognito(
    services: Services, cognito: CognitoFixture
) -> None:
    admin = _browser_login(services, cognito, ADMIN)
    bob = _browser_login(services, cognito, BOB)
    bobs = _elsewhere(services, cognito, BOB)
    alices = _elsewhere(services, cognito, ALICE)
    for tokens in bobs:
        assert services.gateway.refresh(username=BOB, refresh_token=str(tokens.refresh_token))

    assert services.admin.sign_out_everywhere(admin, sub=bob.sub, client=CLIENT) == 1

    for tokens in bobs:
        with pytest.raises(AuthError) as refused:
            services.gateway.refresh(username=BOB, refresh_token=str(tokens.refresh_token))
        assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS
    for tokens in alices:
        assert services.gateway.refresh(username=ALICE, refresh_token=str(tokens.refresh_token))
