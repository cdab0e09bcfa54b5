"""The one place that talks to Cognito: password, custom and refresh flows, revocation.

Every botocore failure is turned into an :class:`AuthError` with a generic message;
nothing here logs a password, token, session string or challenge answer.

Cognito caps each category of calls at a rate per account and region and answers
``TooManyRequestsException`` beyond it. botocore's "standard" retry mode retries that
itself (jittered exponential backoff, at most ``max_attempts`` tries, and a retry budget
per client that stops retry storms); when it gives up, the call raises
:class:`CognitoBusyError`, shown as "busy, try again". Standard rather than "adaptive":
adaptive also rate-limits the client before sending, one bucket for every operation, so
a throttled sign-in would slow unrelated calls, and botocore marks it experimental. Sign-in calls
carry the person's address and user agent (ContextData), so Cognito's own protections
judge the real client rather than the app's server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import parse_address
from passkey_app.services.cognito.secret_hash import secret_hash
from passkey_app.services.errors import AuthError, AuthFailure, CognitoBusyError
from passkey_app.settings import PoolSettings

log = logging.getLogger(__name__)

CREATED_BY_PASSKEY_ATTRIBUTE = "createdByPasskey"
DEFAULT_MAX_ATTEMPTS = 3
"""Tries per call, the first included (botocore's standard-mode default)."""

_QUOTA_CODE = "TooManyRequestsException"
# Limits on one person's attempts, not the pool's request rate: "too many attempts".
_THROTTLE_CODES = {
    "LimitExceededException",
    "TooManyFailedAttemptsException",
}
_CHALLENGE_EXPIRED_CODES = {"CodeMismatchException", "ExpiredCodeException"}
# ConfirmForgotPassword: the code itself was wrong, or is no longer live.
_RECOVERY_CODES: Mapping[str, AuthFailure] = {
    "CodeMismatchException": AuthFailure.CODE_INVALID,
    "ExpiredCodeException": AuthFailure.CODE_EXPIRED,
}


@dataclass(frozen=True)
class CognitoTokens:
    """The tokens Cognito issued. They stay on the server."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class NewPasswordChallenge:
    """Cognito wants a new password before it issues tokens."""

    username: str
    session: str


@dataclass(frozen=True)
class CustomChallenge:
    """A CUSTOM_AUTH round: the nonce must be bound into the proof that answers it."""

    username: str
    session: str
    nonce: str


@dataclass(frozen=True)
class CognitoUser:
    """The directory's view of one user."""

    username: str
    sub: str
    email: str
    enabled: bool
    status: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class PasswordPolicy:
    """The pool's password rules (DescribeUserPool, Policies.PasswordPolicy)."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True


def _policy(response: dict[str, Any]) -> PasswordPolicy:
    """The policy in a DescribeUserPool answer; Cognito's defaults for what it leaves out."""
    raw = response.get("UserPool", {}).get("Policies", {}).get("PasswordPolicy", {})
    default = PasswordPolicy()
    return PasswordPolicy(
        minimum_length=int(raw.get("MinimumLength", default.minimum_length)),
        require_uppercase=bool(raw.get("RequireUppercase", default.require_uppercase)),
        require_lowercase=bool(raw.get("RequireLowercase", default.require_lowercase)),
        require_numbers=bool(raw.get("RequireNumbers", default.require_numbers)),
        require_symbols=bool(raw.get("RequireSymbols", default.require_symbols)),
    )


def user_context_data(client: ClientInfo | None) -> dict[str, Any]:
    """``UserContextData`` for the public recovery calls (ForgotPassword,
    ConfirmForgotPassword): the person's address, or nothing when it is unknown."""
    if client is None or parse_address(client.ip_address) is None:
        return {}
    return {"UserContextData": {"IpAddress": client.ip_address}}


def context_data(client: ClientInfo | None, *, server_name: str) -> dict[str, Any]:
    """``ContextData`` for AdminInitiateAuth / AdminRespondToAuthChallenge (the admin calls'
    form of UserContextData), or nothing when the client's address is unknown."""
    if client is None or parse_address(client.ip_address) is None:
        return {}
    headers = [{"headerName": "User-Agent", "headerValue": client.user_agent}]
    return {
        "ContextData": {
            "IpAddress": client.ip_address,
            "ServerName": server_name,
            "ServerPath": client.path or "/",
            "HttpHeaders": headers if client.user_agent else [],
        }
    }


def _classify(error: ClientError) -> AuthError:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code == "NotAuthorizedException":
        if "attempts exceeded" in message.lower():
            return AuthError(AuthFailure.THROTTLED, code)
        if "session" in message.lower():
            return AuthError(AuthFailure.CHALLENGE_EXPIRED, code)
        return AuthError(AuthFailure.INVALID_CREDENTIALS, code)
    if code == "UserNotFoundException":
        return AuthError(AuthFailure.INVALID_CREDENTIALS, code)
    if code == "PasswordResetRequiredException":
        return AuthError(AuthFailure.PASSWORD_RESET_REQUIRED, code)
    if code == "UserNotConfirmedException":
        return AuthError(AuthFailure.USER_NOT_CONFIRMED, code)
    if code == _QUOTA_CODE:
        return CognitoBusyError(code)
    if code in _THROTTLE_CODES:
        return AuthError(AuthFailure.THROTTLED, code)
    if code == "InvalidPasswordException":
        return AuthError(AuthFailure.INVALID_NEW_PASSWORD, code)
    if code in _CHALLENGE_EXPIRED_CODES:
        return AuthError(AuthFailure.CHALLENGE_EXPIRED, code)
    if code in {"UsernameExistsException", "AliasExistsException"}:
        return AuthError(AuthFailure.ACCOUNT_EXISTS, code)
    return AuthError(AuthFailure.UNEXPECTED, code)


def client_config(*, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Config:
    """The botocore configuration of the app's Cognito client: short timeouts, and the
    standard retry mode with ``max_attempts`` tries (1: no retry)."""
    return Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )


def _created_user(response: dict[str, Any], *, email: str) -> CognitoUser:
    """The user AdminCreateUser answered with (its sub included): no second lookup."""
    user = response.get("User") or {}
    attributes = {item["Name"]: item["Value"] for item in user.get("Attributes", [])}
    username = user.get("Username")
    if not username or "sub" not in attributes:
        raise AuthError(AuthFailure.UNEXPECTED, "created user without a sub")
    return CognitoUser(
        username=username,
        sub=attributes["sub"],
        email=attributes.get("email", email),
        enabled=bool(user.get("Enabled", True)),
        status="CONFIRMED",
        attributes=attributes,
    )


class CognitoGateway:
    """Typed calls into one user pool with its confidential app client."""

    def __init__(self, *, client: Any, pool: PoolSettings, server_name: str = "") -> None:
        self._client = client
        self._pool = pool
        self._server_name = server_name
        self._policy: PasswordPolicy | None = None
        self._policy_lock = threading.Lock()

    @classmethod
    def connect(
        cls,
        pool: PoolSettings,
        *,
        server_name: str = "",
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> CognitoGateway:
        """A gateway with short timeouts, so an unreachable Cognito fails fast, and
        botocore's standard retries (``max_attempts`` tries) for throttling."""
        return cls(
            client=boto3.client(
                "cognito-idp",
                region_name=pool.region,
                endpoint_url=pool.endpoint_url,
                config=client_config(max_attempts=max_attempts),
            ),
            pool=pool,
            server_name=server_name,
        )

    @property
    def pool(self) -> PoolSettings:
        """The pool this gateway talks to."""
        return self._pool

    @property
    def boto_client(self) -> Any:
        """The boto3 client, shared with the admin dashboard's directory calls."""
        return self._client

    def _hash(self, username: str) -> str:
        return secret_hash(
            username=username,
            client_id=self._pool.client_id,
            client_secret=self._pool.client_secret,
        )

    def _context(self, client: ClientInfo | None) -> dict[str, Any]:
        return context_data(client, server_name=self._server_name)

    def _call(
        self, operation: str, *, codes: Mapping[str, AuthFailure] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """One call; a Cognito error becomes an AuthError (``codes`` names the failure of
        error codes whose meaning depends on the operation)."""
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            failure = AuthError(codes[code], code) if codes and code in codes else _classify(error)
            if isinstance(failure, CognitoBusyError):
                log.warning("cognito %s refused for its rate quota after retries", operation)
            else:
                log.info("cognito %s failed: %s", operation, failure.detail)
            raise failure from error
        except BotoCoreError as error:
            log.warning("cognito %s unreachable: %s", operation, type(error).__name__)
            raise AuthError(AuthFailure.UNAVAILABLE, type(error).__name__) from error
        return response

    @staticmethod
    def _tokens(response: dict[str, Any], *, refresh_token: str | None = None) -> CognitoTokens:
        result = response["AuthenticationResult"]
        return CognitoTokens(
            id_token=result["IdToken"],
            access_token=result["AccessToken"],
            refresh_token=result.get("RefreshToken", refresh_token),
            expires_in=int(result.get("ExpiresIn", 3600)),
        )

    def password_auth(
        self, *, email: str, password: str, client: ClientInfo | None = None
    ) -> CognitoTokens | NewPasswordChallenge:
        """ADMIN_USER_PASSWORD_AUTH with SECRET_HASH."""
        response = self._call(
            "admin_initiate_auth",
            UserPoolId=self._pool.user_pool_id,
            ClientId=self._pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": email,
                "PASSWORD": password,
                "SECRET_HASH": self._hash(email),
            },
            **self._context(client),
        )
        if response.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            parameters = response.get("ChallengeParameters", {})
            return NewPasswordChallenge(
                username=parameters.get("USER_ID_FOR_SRP", email), session=response["Session"]
            )
        if "AuthenticationResult" not in response:
            raise AuthError(AuthFailure.UNEXPECTED, str(response.get("ChallengeName")))
        return self._tokens(response)

    def set_new_password(
        self,
        *,
        challenge: NewPasswordChallenge,
        new_password: str,
        client: ClientInfo | None = None,
    ) -> CognitoTokens:
        """Answer NEW_PASSWORD_REQUIRED."""
        response = self._call(
            "admin_respond_to_auth_challenge",
            UserPoolId=self._pool.user_pool_id,
            ClientId=self._pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge.session,
            ChallengeResponses={
                "USERNAME": challenge.username,
                "NEW_PASSWORD": new_password,
                "SECRET_HASH": self._hash(challenge.username),
            },
            **self._context(client),
        )
        if "AuthenticationResult" not in response:
            raise AuthError(AuthFailure.UNEXPECTED, str(response.get("ChallengeName")))
        return self._tokens(response)

    def start_custom_auth(
        self, *, username: str, client: ClientInfo | None = None
    ) -> CustomChallenge:
        """Open a CUSTOM_AUTH round; the create trigger's nonce comes back."""
        response = self._call(
            "admin_initiate_auth",
            UserPoolId=self._pool.user_pool_id,
            ClientId=self._pool.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": username, "SECRET_HASH": self._hash(username)},
            **self._context(client),
        )
        nonce = response.get("ChallengeParameters", {}).get("nonce")
        if response.get("ChallengeName") != "CUSTOM_CHALLENGE" or not nonce:
            raise AuthError(AuthFailure.UNEXPECTED, "no custom challenge")
        return CustomChallenge(username=username, session=response["Session"], nonce=nonce)

    def answer_custom_challenge(
        self, *, challenge: CustomChallenge, answer: str, client: ClientInfo | None = None
    ) -> CognitoTokens:
        """Answer the round with a signed proof; tokens only when the verify trigger agrees."""
        response = self._call(
            "admin_respond_to_auth_challenge",
            UserPoolId=self._pool.user_pool_id,
            ClientId=self._pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge.session,
            ChallengeResponses={
                "USERNAME": challenge.username,
                "ANSWER": answer,
                "SECRET_HASH": self._hash(challenge.username),
            },
            **self._context(client),
        )
        if "AuthenticationResult" not in response:
            raise AuthError(AuthFailure.INVALID_CREDENTIALS, "challenge not accepted")
        return self._tokens(response)

    def refresh(self, *, username: str, refresh_token: str) -> CognitoTokens:
        """New ID and access tokens from the refresh token (which Cognito may rotate)."""
        response = self._call(
            "admin_initiate_auth",
            UserPoolId=self._pool.user_pool_id,
            ClientId=self._pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": self._hash(username)},
        )
        return self._tokens(response, refresh_token=refresh_token)

    def revoke(self, *, refresh_token: str) -> None:
        """Revoke the refresh token and the access tokens issued from it."""
        self._call(
            "revoke_token",
            Token=refresh_token,
            ClientId=self._pool.client_id,
            ClientSecret=self._pool.client_secret,
        )

    def find_user(self, *, email: str) -> CognitoUser | None:
        """The user signing in with ``email``, or None."""
        try:
            response = self._call(
                "admin_get_user", UserPoolId=self._pool.user_pool_id, Username=email
            )
        except AuthError as error:
            if error.failure is AuthFailure.INVALID_CREDENTIALS:
                return None
            raise
        attributes = {item["Name"]: item["Value"] for item in response.get("UserAttributes", [])}
        return CognitoUser(
            username=response["Username"],
            sub=attributes.get("sub", response["Username"]),
            email=attributes.get("email", email),
            enabled=bool(response.get("Enabled", True)),
            status=response.get("UserStatus", ""),
            attributes=attributes,
        )

    def create_passkey_user(
        self, *, email: str, password: str, email_verified: bool
    ) -> CognitoUser:
        """AdminCreateUser without a welcome message, then a permanent random password.

        The password is never shown to anyone: it only makes the account CONFIRMED, so
        Cognito lets the CUSTOM_AUTH flow sign the person in with their passkey. When
        setting it fails (Cognito busy, say), the new user is deleted again before the
        error is raised, so no half-made account stays behind.
        """
        return self._create_confirmed_user(
            email=email,
            password=password,
            attributes=[
                {"Name": "email_verified", "Value": "true" if email_verified else "false"},
                {"Name": f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}", "Value": "true"},
            ],
        )

    def _create_confirmed_user(
        self, *, email: str, password: str, attributes: list[dict[str, str]]
    ) -> CognitoUser:
        """AdminCreateUser with no Cognito message and ``attributes`` beside the email,
        then ``password`` made permanent (the account CONFIRMED); a failure after the
        create deletes the user again, so no half-made account stays behind."""
        created = self._call(
            "admin_create_user",
            UserPoolId=self._pool.user_pool_id,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, *attributes],
        )
        user = _created_user(created, email=email)
        try:
            self.set_permanent_password(username=user.username, password=password)
        except AuthError:
            self._delete_quietly(user.username)
            raise
        return user

    def _delete_quietly(self, username: str) -> None:
        try:
            self.delete_user(username=username)
        except AuthError as error:
            log.error("could not delete a half-made Cognito user: %s", error.failure.value)

    def mark_email_verified(self, *, username: str) -> None:
        """AdminUpdateUserAttributes: the person has proven they read this address."""
        self._call(
            "admin_update_user_attributes",
            UserPoolId=self._pool.user_pool_id,
            Username=username,
            UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        )

    def global_sign_out(self, *, username: str) -> None:
        """AdminUserGlobalSignOut: every refresh token of the user stops working."""
        self._call(
            "admin_user_global_sign_out", UserPoolId=self._pool.user_pool_id, Username=username
        )

    def describe_pool(self) -> None:
        """DescribeUserPool: raises AuthError when Cognito cannot be reached (health)."""
        self._call("describe_user_pool", UserPoolId=self._pool.user_pool_id)

    def delete_user(self, *, username: str) -> None:
        """AdminDeleteUser: undoes a sign-up whose later steps failed."""
        self._call("admin_delete_user", UserPoolId=self._pool.user_pool_id, Username=username)

    def set_permanent_password(self, *, username: str, password: str) -> None:
        """AdminSetUserPassword (Permanent): the account's password becomes ``password``.
        The caller has checked who is asking (a sign-in younger than five minutes); going
        passwordless passes a random one nobody keeps. Nothing here logs it."""
        self._call(
            "admin_set_user_password",
            UserPoolId=self._pool.user_pool_id,
            Username=username,
            Password=password,
            Permanent=True,
        )

    def forgot_password(self, *, email: str, client: ClientInfo | None = None) -> None:
        """ForgotPassword: Cognito mails a code to the account's verified address. With
        PreventUserExistenceErrors it answers alike for addresses it will not mail."""
        self._call(
            "forgot_password",
            ClientId=self._pool.client_id,
            Username=email,
            SecretHash=self._hash(email),
            **user_context_data(client),
        )

    def confirm_forgot_password(
        self, *, email: str, code: str, new_password: str, client: ClientInfo | None = None
    ) -> None:
        """ConfirmForgotPassword: the mailed code sets the new password (CODE_INVALID,
        CODE_EXPIRED, THROTTLED after too many wrong codes, INVALID_NEW_PASSWORD)."""
        self._call(
            "confirm_forgot_password",
            codes=_RECOVERY_CODES,
            ClientId=self._pool.client_id,
            Username=email,
            SecretHash=self._hash(email),
            ConfirmationCode=code,
            Password=new_password,
            **user_context_data(client),
        )

    def create_invited_user(self, *, email: str, password: str) -> CognitoUser:
        """AdminCreateUser for an admin's invitation: no Cognito message (the app mails its
        own link), the address marked verified (the link proves it), then a permanent random
        password so the account is CONFIRMED and CUSTOM_AUTH can sign the person in. A
        failure after the create deletes the user again, as for a passkey sign-up."""
        return self._create_confirmed_user(
            email=email,
            password=password,
            attributes=[{"Name": "email_verified", "Value": "true"}],
        )

    def password_policy(self) -> PasswordPolicy:
        """The pool's password rules, read once (DescribeUserPool) and kept; a failed
        read is not kept, so the next call tries again."""
        with self._policy_lock:
            if self._policy is None:
                response = self._call("describe_user_pool", UserPoolId=self._pool.user_pool_id)
                self._policy = _policy(response)
            return self._policy
