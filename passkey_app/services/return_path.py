"""Where a person goes after signing in: back to the page that sent them to sign in.

A guarded page sends a signed-out person to ``/login?next=<path>``; every sign-in method
brings them back there. The value comes from the address bar, so anyone can put anything
in it: only a same-origin relative path is followed. Anything else (another host written
as ``//host`` or ``/\\host``, a scheme, the same tricks percent-encoded, control
characters, an over-long value, or the sign-in pages themselves) goes to the account page.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from passkey_app import routes

MAX_RETURN_PATH_LENGTH = 2048
_DECODE_ROUNDS = 3
_NOT_A_DESTINATION = (routes.LOGIN, routes.SIGNUP, routes.MAGIC_LINK_LANDING)


def _plain_path(value: str) -> bool:
    """A path that starts at this origin's root and says nothing else."""
    return (
        value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)
    )


def safe_return_path(raw: object, *, default: str = routes.ACCOUNT) -> str:
    """``raw`` when it is a same-origin relative path worth returning to, else ``default``.

    Every percent-decoding of the value (a few rounds deep) must pass as well, so an
    encoded ``//`` or backslash is refused like a plain one."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_RETURN_PATH_LENGTH:
        return default
    value = raw
    for _ in range(_DECODE_ROUNDS + 1):
        if not _plain_path(value):
            return default
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    else:
        return default  # still changing after several rounds: no honest link does that
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    path = parts.path.rstrip("/") or "/"
    if path in _NOT_A_DESTINATION or path.startswith(("/api/", "/_")):
        return default
    return raw


def login_url(next_path: str) -> str:
    """The sign-in page, asked to bring the person back to ``next_path`` afterwards."""
    safe = safe_return_path(next_path, default="")
    return f"{routes.LOGIN}?next={quote(safe, safe='/')}" if safe else routes.LOGIN
