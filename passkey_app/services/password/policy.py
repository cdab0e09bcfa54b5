"""The pool's password rules, in words for people and as checks the app runs before asking
Cognito, so a refused password costs no code attempt and says which rule it missed.

The checks follow Cognito's documented definitions: upper and lower case are the basic
Latin letters, a number is 0-9, and a symbol is one of ``SYMBOLS`` (a space counts when it
is neither first nor last; Cognito refuses a password that starts or ends with one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from passkey_app.services.cognito.gateway import PasswordPolicy
from passkey_app.services.errors import UserFacingError
from passkey_app.services.identity import MAX_PASSWORD_LENGTH

SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
EDGE_SPACE = "A password can't start or end with a space."
TOO_LONG = f"Use at most {MAX_PASSWORD_LENGTH} characters."
BREAKS_RULES = "Choose a password that meets every rule."
MISMATCH = "The two passwords don't match."


@dataclass(frozen=True)
class PasswordRule:
    """One rule: how it reads, and its check."""

    text: str
    check: Callable[[str], bool] = field(compare=False, repr=False)


def rules_of(policy: PasswordPolicy) -> tuple[PasswordRule, ...]:
    """The rules of ``policy``, in the order people read them."""
    rules = [
        PasswordRule(
            f"At least {policy.minimum_length} characters",
            lambda password: len(password) >= policy.minimum_length,
        )
    ]
    if policy.require_uppercase:
        rules.append(PasswordRule("An upper-case letter (A-Z)", _has(str.isupper)))
    if policy.require_lowercase:
        rules.append(PasswordRule("A lower-case letter (a-z)", _has(str.islower)))
    if policy.require_numbers:
        rules.append(PasswordRule("A number (0-9)", _has(str.isdigit)))
    if policy.require_symbols:
        rules.append(
            PasswordRule(
                "A symbol, such as ! ? # - or a space",
                lambda password: any(c in SYMBOLS for c in password.strip(" ")),
            )
        )
    return tuple(rules)


def _has(kind: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda password: any(c.isascii() and kind(c) for c in password)


class PasswordRulesError(UserFacingError):
    """A new password the app refuses before asking Cognito: it misses rules (``unmet``,
    their texts), has a space at either end, or is too long."""

    def __init__(self, message: str, unmet: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.unmet = unmet

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        return self.message


def check_password(policy: PasswordPolicy, password: str) -> None:
    """Raise PasswordRulesError unless ``password`` meets every rule of ``policy``."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRulesError(TOO_LONG)
    if password != password.strip(" "):
        raise PasswordRulesError(EDGE_SPACE)
    unmet = tuple(rule.text for rule in rules_of(policy) if not rule.check(password))
    if unmet:
        raise PasswordRulesError(BREAKS_RULES, unmet)
