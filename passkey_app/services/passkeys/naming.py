"""The name a new passkey gets: the authenticator's model, or else the browser that made
it ("Chrome on Linux"), told apart from the person's other passkeys by the date."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from passkey_app.models import PASSKEY_NAME_LENGTH
from passkey_app.services.user_agent import describe
from passkey_app.services.webauthn.aaguid import authenticator_model

DEFAULT_PASSKEY_NAME = "Passkey"


def default_passkey_name(
    aaguid: str, *, user_agent: str = "", taken: Collection[str] = (), today: date | None = None
) -> str:
    """ "iCloud Keychain", "YubiKey 5 Series"; for a model nobody has named, the browser
    and system it was made in ("Chrome on Linux", or "Passkey" when the user agent says
    nothing). A name the person already has gets the date ("Chrome on Linux,
    28 Nov 2026"), then a number, so no two rows of their list read the same. The date
    only when needed: each row already says when it was added."""
    base = authenticator_model(aaguid) or _browser_name(user_agent)
    candidates = [base]
    if today is not None:
        dated = f"{base}, {today.day} {today:%b %Y}"
        candidates += [dated] + [f"{dated} ({n})" for n in range(2, len(taken) + 3)]
    else:
        candidates += [f"{base} ({n})" for n in range(2, len(taken) + 3)]
    names = {name.casefold() for name in taken}
    for candidate in candidates:
        fitted = _fit(candidate)
        if fitted.casefold() not in names:
            return fitted
    return _fit(base)


def _browser_name(user_agent: str) -> str:
    device = describe(user_agent)
    return device.label if device.browser else DEFAULT_PASSKEY_NAME


def _fit(name: str) -> str:
    """Within the column; a long model name keeps its suffix (the date, the number)."""
    if len(name) <= PASSKEY_NAME_LENGTH:
        return name
    head, sep, tail = name.rpartition(", ")
    if sep and len(tail) < PASSKEY_NAME_LENGTH - 2:
        return head[: PASSKEY_NAME_LENGTH - len(tail) - 2] + sep + tail
    return name[:PASSKEY_NAME_LENGTH]
