"""Cognito's request-rate quotas, for the stand-in: a token bucket per category.

AWS groups the user-pool API into categories and caps each at a rate per account and
region (the developer guide's "Quotas in Amazon Cognito"); a request over it is answered
with ``TooManyRequestsException`` (HTTP 400, ``Rate exceeded``), which botocore's retry
modes treat as throttling. The defaults below are AWS's; the responses to auth
challenges get their own bucket at three times UserAuthentication's rate and spill over
into UserAuthentication beyond that, as AWS documents. Each bucket holds one second of
requests, so a burst of up to the rate passes at once.

Off unless switched on: ``install()`` leaves the limiter off (the unit tests' fixtures),
the local server switches it on from the environment (``from_environment``):

- ``PASSKEY_LOCAL_COGNITO_QUOTAS``: ``on`` (default) or ``off``;
- ``PASSKEY_LOCAL_COGNITO_QUOTA_SCALE``: a factor for every rate (``0.5`` halves them);
- ``PASSKEY_LOCAL_COGNITO_QUOTA_RATES``: JSON of rates by category, applied after the
  scale, e.g. ``{"UserAuthentication": 10, "UserCreation": 2}``.

A bulk load into the stand-in (``passkey-app seed``, demo data) marks its requests with
the ``X-Local-Cognito-Bulk-Load`` header and is not counted, as AWS's own bulk path (a
user import job) does not count against UserCreation. Only the stand-in reads it: the
app never sends it, and real Cognito would ignore it.

Not emulated: the per-user limits (10 reads and 10 writes per second per user) and the
5 requests per second per pool of the pool-resource and app-client categories.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from passkey_app.local_cognito.errors import CognitoError

RATE_EXCEEDED = "Rate exceeded"
ENV_SWITCH = "PASSKEY_LOCAL_COGNITO_QUOTAS"
ENV_SCALE = "PASSKEY_LOCAL_COGNITO_QUOTA_SCALE"
ENV_RATES = "PASSKEY_LOCAL_COGNITO_QUOTA_RATES"
CHALLENGE_RESPONSE_FACTOR = 3
BULK_LOAD_HEADER = "X-Local-Cognito-Bulk-Load"


class TooManyRequestsException(CognitoError):
    """A quota's rate is exceeded: Cognito's throttling answer, retried by botocore."""


class QuotaCategory(StrEnum):
    """Cognito's user-pool API categories, plus the challenge responses' own bucket."""

    USER_AUTHENTICATION = "UserAuthentication"
    CHALLENGE_RESPONSE = "RespondToAuthChallenge"
    USER_CREATION = "UserCreation"
    USER_ACCOUNT_RECOVERY = "UserAccountRecovery"
    USER_READ = "UserRead"
    USER_UPDATE = "UserUpdate"
    USER_RESOURCE_READ = "UserResourceRead"
    USER_RESOURCE_UPDATE = "UserResourceUpdate"
    USER_LIST = "UserList"
    USER_TOKEN = "UserToken"  # noqa: S105 (a category's name, not a secret)
    USER_POOL_READ = "UserPoolRead"
    USER_POOL_UPDATE = "UserPoolUpdate"
    USER_POOL_RESOURCE_READ = "UserPoolResourceRead"
    USER_POOL_RESOURCE_UPDATE = "UserPoolResourceUpdate"
    USER_POOL_CLIENT_READ = "UserPoolClientRead"
    USER_POOL_CLIENT_UPDATE = "UserPoolClientUpdate"


_AUTHENTICATION_RATE = 120.0

DEFAULT_RATES: Mapping[QuotaCategory, float] = MappingProxyType(
    {
        QuotaCategory.USER_AUTHENTICATION: _AUTHENTICATION_RATE,
        QuotaCategory.CHALLENGE_RESPONSE: _AUTHENTICATION_RATE * CHALLENGE_RESPONSE_FACTOR,
        QuotaCategory.USER_CREATION: 50.0,
        QuotaCategory.USER_ACCOUNT_RECOVERY: 30.0,
        QuotaCategory.USER_READ: 120.0,
        QuotaCategory.USER_UPDATE: 25.0,
        QuotaCategory.USER_RESOURCE_READ: 50.0,
        QuotaCategory.USER_RESOURCE_UPDATE: 25.0,
        QuotaCategory.USER_LIST: 30.0,
        QuotaCategory.USER_TOKEN: 120.0,
        QuotaCategory.USER_POOL_READ: 15.0,
        QuotaCategory.USER_POOL_UPDATE: 15.0,
        QuotaCategory.USER_POOL_RESOURCE_READ: 20.0,
        QuotaCategory.USER_POOL_RESOURCE_UPDATE: 15.0,
        QuotaCategory.USER_POOL_CLIENT_READ: 15.0,
        QuotaCategory.USER_POOL_CLIENT_UPDATE: 15.0,
    }
)
"""Requests per second per category: AWS's default quotas."""

_Q = QuotaCategory
OPERATIONS: Mapping[str, QuotaCategory] = MappingProxyType(
    {
        # Sign-in; a refresh is InitiateAuth / AdminInitiateAuth too.
        "InitiateAuth": _Q.USER_AUTHENTICATION,
        "AdminInitiateAuth": _Q.USER_AUTHENTICATION,
        "GetTokensFromRefreshToken": _Q.USER_AUTHENTICATION,
        "RespondToAuthChallenge": _Q.CHALLENGE_RESPONSE,
        "AdminRespondToAuthChallenge": _Q.CHALLENGE_RESPONSE,
        "SignUp": _Q.USER_CREATION,
        "ConfirmSignUp": _Q.USER_CREATION,
        "AdminCreateUser": _Q.USER_CREATION,
        "AdminConfirmSignUp": _Q.USER_CREATION,
        "ForgotPassword": _Q.USER_ACCOUNT_RECOVERY,
        "ConfirmForgotPassword": _Q.USER_ACCOUNT_RECOVERY,
        "ChangePassword": _Q.USER_ACCOUNT_RECOVERY,
        "AdminResetUserPassword": _Q.USER_ACCOUNT_RECOVERY,
        "AdminSetUserPassword": _Q.USER_ACCOUNT_RECOVERY,
        "AdminGetUser": _Q.USER_READ,
        "GetUser": _Q.USER_READ,
        "AdminUpdateUserAttributes": _Q.USER_UPDATE,
        "UpdateUserAttributes": _Q.USER_UPDATE,
        "AdminDeleteUserAttributes": _Q.USER_UPDATE,
        "DeleteUserAttributes": _Q.USER_UPDATE,
        "AdminDeleteUser": _Q.USER_UPDATE,
        "DeleteUser": _Q.USER_UPDATE,
        "AdminDisableUser": _Q.USER_UPDATE,
        "AdminEnableUser": _Q.USER_UPDATE,
        "AdminUserGlobalSignOut": _Q.USER_UPDATE,
        "GlobalSignOut": _Q.USER_UPDATE,
        "AdminSetUserMFAPreference": _Q.USER_UPDATE,
        "SetUserMFAPreference": _Q.USER_UPDATE,
        "AdminSetUserSettings": _Q.USER_UPDATE,
        "SetUserSettings": _Q.USER_UPDATE,
        "VerifyUserAttribute": _Q.USER_UPDATE,
        "GetUserAttributeVerificationCode": _Q.USER_UPDATE,
        "ResendConfirmationCode": _Q.USER_UPDATE,
        "AdminListGroupsForUser": _Q.USER_RESOURCE_READ,
        "AdminListDevices": _Q.USER_RESOURCE_READ,
        "AdminGetDevice": _Q.USER_RESOURCE_READ,
        "ListDevices": _Q.USER_RESOURCE_READ,
        "GetDevice": _Q.USER_RESOURCE_READ,
        "AdminListUserAuthEvents": _Q.USER_RESOURCE_READ,
        "AdminAddUserToGroup": _Q.USER_RESOURCE_UPDATE,
        "AdminRemoveUserFromGroup": _Q.USER_RESOURCE_UPDATE,
        "AdminForgetDevice": _Q.USER_RESOURCE_UPDATE,
        "ForgetDevice": _Q.USER_RESOURCE_UPDATE,
        "ListUsers": _Q.USER_LIST,
        "ListUsersInGroup": _Q.USER_LIST,
        "RevokeToken": _Q.USER_TOKEN,
        "DescribeUserPool": _Q.USER_POOL_READ,
        "ListUserPools": _Q.USER_POOL_READ,
        "GetUserPoolMfaConfig": _Q.USER_POOL_READ,
        "CreateUserPool": _Q.USER_POOL_UPDATE,
        "UpdateUserPool": _Q.USER_POOL_UPDATE,
        "DeleteUserPool": _Q.USER_POOL_UPDATE,
        "AddCustomAttributes": _Q.USER_POOL_UPDATE,
        "SetUserPoolMfaConfig": _Q.USER_POOL_UPDATE,
        "GetGroup": _Q.USER_POOL_RESOURCE_READ,
        "ListGroups": _Q.USER_POOL_RESOURCE_READ,
        "DescribeUserPoolDomain": _Q.USER_POOL_RESOURCE_READ,
        "ListTagsForResource": _Q.USER_POOL_RESOURCE_READ,
        "CreateGroup": _Q.USER_POOL_RESOURCE_UPDATE,
        "UpdateGroup": _Q.USER_POOL_RESOURCE_UPDATE,
        "DeleteGroup": _Q.USER_POOL_RESOURCE_UPDATE,
        "CreateUserPoolDomain": _Q.USER_POOL_RESOURCE_UPDATE,
        "DeleteUserPoolDomain": _Q.USER_POOL_RESOURCE_UPDATE,
        "TagResource": _Q.USER_POOL_RESOURCE_UPDATE,
        "UntagResource": _Q.USER_POOL_RESOURCE_UPDATE,
        "DescribeUserPoolClient": _Q.USER_POOL_CLIENT_READ,
        "ListUserPoolClients": _Q.USER_POOL_CLIENT_READ,
        "CreateUserPoolClient": _Q.USER_POOL_CLIENT_UPDATE,
        "UpdateUserPoolClient": _Q.USER_POOL_CLIENT_UPDATE,
        "DeleteUserPoolClient": _Q.USER_POOL_CLIENT_UPDATE,
    }
)
"""The category each operation counts against; an operation not listed is not limited."""


class QuotaSettingsError(ValueError):
    """A quota variable of the environment cannot be used; the message names it."""


@dataclass
class _Bucket:
    """Tokens refill at ``rate`` per second up to one second's worth (at least one)."""

    rate: float
    tokens: float
    updated: float

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate)

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class QuotaLimiter:
    """The buckets of every category, shared by all the stand-in's request threads.
    ``clock`` (seconds, monotonic) is there for tests, which move it by hand."""

    def __init__(
        self,
        rates: Mapping[QuotaCategory, float] = DEFAULT_RATES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rates = MappingProxyType(dict(rates))
        self._clock = clock
        self._buckets: dict[QuotaCategory, _Bucket] = {}
        self._lock = threading.Lock()

    def admit(self, operation: str) -> bool:
        """Take one request of ``operation`` from its category; False when over quota.

        A challenge response beyond its own bucket counts against UserAuthentication."""
        category = OPERATIONS.get(operation)
        if category is None:
            return True
        with self._lock:
            now = self._clock()
            if self._bucket(category, now).take(now):
                return True
            if category is QuotaCategory.CHALLENGE_RESPONSE:
                return self._bucket(QuotaCategory.USER_AUTHENTICATION, now).take(now)
            return False

    def _bucket(self, category: QuotaCategory, now: float) -> _Bucket:
        bucket = self._buckets.get(category)
        if bucket is None:
            rate = self.rates.get(category, DEFAULT_RATES[category])
            bucket = _Bucket(rate=rate, tokens=max(1.0, rate), updated=now)
            self._buckets[category] = bucket
        return bucket


def scaled_rates(
    scale: float = 1.0, overrides: Mapping[str, float] | None = None
) -> dict[QuotaCategory, float]:
    """AWS's rates times ``scale``, then ``overrides`` by category name. The challenge
    responses follow UserAuthentication (three times) unless named themselves."""
    if scale <= 0:
        raise QuotaSettingsError(f"{ENV_SCALE} must be a positive number")
    rates = {category: rate * scale for category, rate in DEFAULT_RATES.items()}
    named = dict(overrides or {})
    for name, rate in named.items():
        try:
            category = QuotaCategory(name)
        except ValueError:
            raise QuotaSettingsError(f"{ENV_RATES}: unknown category {name!r}") from None
        if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
            raise QuotaSettingsError(f"{ENV_RATES}: {name} must be a positive number")
        rates[category] = float(rate)
    if (
        QuotaCategory.USER_AUTHENTICATION.value in named
        and QuotaCategory.CHALLENGE_RESPONSE.value not in named
    ):
        rates[QuotaCategory.CHALLENGE_RESPONSE] = (
            rates[QuotaCategory.USER_AUTHENTICATION] * CHALLENGE_RESPONSE_FACTOR
        )
    return rates


def from_environment(environ: Mapping[str, str]) -> QuotaLimiter | None:
    """The limiter the environment asks for, or None when quotas are switched off."""
    switch = environ.get(ENV_SWITCH, "on").strip().lower()
    if switch in {"off", "0", "false", "no"}:
        return None
    if switch not in {"on", "1", "true", "yes"}:
        raise QuotaSettingsError(f"{ENV_SWITCH} must be on or off")
    try:
        scale = float(environ.get(ENV_SCALE, "1") or "1")
    except ValueError:
        raise QuotaSettingsError(f"{ENV_SCALE} must be a positive number") from None
    raw = environ.get(ENV_RATES, "").strip()
    try:
        overrides = json.loads(raw) if raw else {}
    except ValueError:
        raise QuotaSettingsError(f"{ENV_RATES} must be a JSON object") from None
    if not isinstance(overrides, dict):
        raise QuotaSettingsError(f"{ENV_RATES} must be a JSON object")
    return QuotaLimiter(rates=scaled_rates(scale, overrides))


_state: dict[str, QuotaLimiter | None] = {"limiter": None}


def is_bulk_load(headers: Mapping[str, str]) -> bool:
    """Whether a request's headers mark it as a bulk load into the stand-in."""
    return str(headers.get(BULK_LOAD_HEADER, "")).strip() == "1"


def mark_bulk_load(client: Any) -> None:
    """Send ``BULK_LOAD_HEADER`` with every request of this boto3 client."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers[BULK_LOAD_HEADER] = "1"

    client.meta.events.register("before-sign.cognito-idp.*", add_header)


def enable(limiter: QuotaLimiter | None) -> None:
    """Apply ``limiter`` to every cognito-idp request of this process (None: no quotas)."""
    _state["limiter"] = limiter


def current() -> QuotaLimiter | None:
    """The limiter in effect, if any."""
    return _state["limiter"]


def describe(limiter: QuotaLimiter | None) -> str:
    """One line for the server's banner."""
    if limiter is None:
        return f"Cognito quotas: off ({ENV_SWITCH}=off)"
    rates = limiter.rates
    main = (
        QuotaCategory.USER_AUTHENTICATION,
        QuotaCategory.CHALLENGE_RESPONSE,
        QuotaCategory.USER_CREATION,
    )
    shown = ", ".join(f"{category.value} {rates[category]:g}/s" for category in main)
    return f"Cognito quotas: {shown}, ... (AWS's defaults unless {ENV_SCALE} / {ENV_RATES})"


def check(operation: str, *, bulk_load: bool = False) -> None:
    """Raise Cognito's throttling error when ``operation`` is over its quota now; a
    bulk load's request (``BULK_LOAD_HEADER``) is never counted."""
    limiter = _state["limiter"]
    if limiter is not None and not bulk_load and not limiter.admit(operation):
        raise TooManyRequestsException(RATE_EXCEEDED)
