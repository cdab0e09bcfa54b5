"""Shared by the password tests: the code Cognito (the stand-in) mailed, read from the
local outbox as a person would read it."""

from __future__ import annotations

import re

from passkey_app.local_cognito.recovery import COGNITO_SENDER
from tests.services.magic_links.support import SentMail, sent_mail

_CODE = re.compile(r"Your verification code is (\d{6})\.")


def codes_mailed_to(email: str) -> list[str]:
    """Every reset code the stand-in mailed to ``email``, oldest first."""
    return [
        found.group(1)
        for mail in sent_mail()
        if mail.to == [email] and mail.source == COGNITO_SENDER
        for found in [_CODE.search(mail.body)]
        if found
    ]


def newest_code(email: str) -> str:
    """The code in the newest reset mail to ``email``."""
    codes = codes_mailed_to(email)
    assert codes, f"no code mailed to {email}"
    return codes[-1]


def other_than(code: str) -> str:
    """A well-formed code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def notices_to(email: str) -> list[SentMail]:
    """The app's security notices to ``email``."""
    return [mail for mail in sent_mail() if mail.to == [email] and mail.source != COGNITO_SENDER]
