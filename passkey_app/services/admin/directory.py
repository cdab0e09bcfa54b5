"""The admin's calls into the user pool: ListUsers pages, lookups by sub, disable/enable,
global sign-out. It shares the app's boto3 client (see CognitoGateway.boto_client)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.clock import as_utc
from passkey_app.services.cognito.gateway import CREATED_BY_PASSKEY_ATTRIBUTE
from passkey_app.settings import PoolSettings

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 60  # Cognito's own ListUsers limit
MAX_PREFIX_LENGTH = 128
MAX_TOKEN_LENGTH = 4096
_SUB_PATTERN = re.compile(r"^[0-9A-Za-z-]{1,64}$")
_FILTER_UNSAFE = re.compile(r'["\\\x00-\x1f]')


@dataclass(frozen=True)
class DirectoryUser:
    """One user as ListUsers / AdminGetUser describe them."""

    username: str
    sub: str
    email: str
    status: str
    enabled: bool
    created_at: datetime | None
    created_by_passkey: bool
    email_verified: bool = False


@dataclass(frozen=True)
class DirectoryPage:
    """One page of ListUsers and the token of the next (None on the last page)."""

    users: tuple[DirectoryUser, ...]
    next_token: str | None


def clean_prefix(prefix: str) -> str:
    """An email prefix safe to put inside a ListUsers filter string (quotes dropped)."""
    return _FILTER_UNSAFE.sub("", prefix.strip().lower())[:MAX_PREFIX_LENGTH]


def valid_sub(sub: str) -> bool:
    """Whether ``sub`` looks like a Cognito sub (never put anything else into a filter)."""
    return bool(_SUB_PATTERN.match(sub))


def _user(item: dict[str, Any]) -> DirectoryUser:
    attributes = {a["Name"]: a["Value"] for a in item.get("Attributes", [])}
    created = item.get("UserCreateDate")
    return DirectoryUser(
        username=item["Username"],
        sub=attributes.get("sub", item["Username"]),
        email=attributes.get("email", ""),
        status=item.get("UserStatus", ""),
        enabled=bool(item.get("Enabled", True)),
        created_at=as_utc(created) if isinstance(created, datetime) else None,
        created_by_passkey=attributes.get(f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}") == "true",
        email_verified=attributes.get("email_verified") == "true",
    )


class UserDirectory:
    """Admin API calls on one pool; every botocore failure becomes an AdminError."""

    def __init__(self, *, client: Any, pool: PoolSettings) -> None:
        self._client = client
        self._pool = pool

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(
                UserPoolId=self._pool.user_pool_id, **kwargs
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            log.info("cognito %s failed: %s", operation, code)
            if code == "UserNotFoundException":
                raise AdminError(AdminFailure.USER_NOT_FOUND, code) from error
            if code in {"InvalidParameterException", "ValidationException"}:
                raise AdminError(AdminFailure.INVALID_INPUT, code) from error
            raise AdminError(AdminFailure.UNAVAILABLE, code) from error
        except BotoCoreError as error:
            log.warning("cognito %s unreachable: %s", operation, type(error).__name__)
            raise AdminError(AdminFailure.UNAVAILABLE, type(error).__name__) from error
        return response

    def list_page(
        self, *, email_prefix: str = "", token: str | None = None, limit: int = MAX_PAGE_SIZE
    ) -> DirectoryPage:
        """One ListUsers page, optionally only emails starting with ``email_prefix``."""
        kwargs: dict[str, Any] = {"Limit": max(1, min(limit, MAX_PAGE_SIZE))}
        prefix = clean_prefix(email_prefix)
        if prefix:
            kwargs["Filter"] = f'email ^= "{prefix}"'
        if token:
            if len(token) > MAX_TOKEN_LENGTH:
                raise AdminError(AdminFailure.INVALID_INPUT, "pagination token too long")
            kwargs["PaginationToken"] = token
        response = self._call("list_users", **kwargs)
        return DirectoryPage(
            users=tuple(_user(item) for item in response.get("Users", [])),
            next_token=response.get("PaginationToken") or None,
        )

    def by_sub(self, sub: str) -> DirectoryUser:
        """The user with this sub (ListUsers on ``sub``, as AdminGetUser wants a username)."""
        if not valid_sub(sub):
            raise AdminError(AdminFailure.USER_NOT_FOUND, "malformed sub")
        users = self._call("list_users", Filter=f'sub = "{sub}"', Limit=1).get("Users", [])
        if not users:
            raise AdminError(AdminFailure.USER_NOT_FOUND, "no such sub")
        return _user(users[0])

    def by_email(self, email: str) -> DirectoryUser | None:
        """The user with exactly this email, or None."""
        cleaned = clean_prefix(email)
        if not cleaned:
            return None
        users = self._call("list_users", Filter=f'email = "{cleaned}"', Limit=1).get("Users", [])
        return _user(users[0]) if users else None

    def set_enabled(self, *, username: str, enabled: bool) -> None:
        """AdminEnableUser / AdminDisableUser."""
        operation = "admin_enable_user" if enabled else "admin_disable_user"
        self._call(operation, Username=username)

    def global_sign_out(self, *, username: str) -> None:
        """AdminUserGlobalSignOut: every refresh token of the user stops working."""
        self._call("admin_user_global_sign_out", Username=username)
