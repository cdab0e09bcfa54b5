"""The pool's password rules as a list to show beside a new-password field, each marked
once the server has checked a password against it (never keystroke by keystroke: a
password crosses to the server only when the form is sent)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from passkey_app.services.cognito.gateway import PasswordPolicy
from passkey_app.services.password.policy import rules_of

RULE_UNCHECKED = ""
RULE_MET = "met"
RULE_UNMET = "unmet"


@dataclass
class RuleItem:
    """One rule as the page shows it."""

    text: str
    state: str = RULE_UNCHECKED


def rule_items(policy: PasswordPolicy, unmet: Iterable[str] | None = None) -> list[RuleItem]:
    """The rules of ``policy``; with ``unmet`` (the texts a password missed), each marked."""
    if unmet is None:
        return [RuleItem(rule.text) for rule in rules_of(policy)]
    missed = set(unmet)
    return [
        RuleItem(rule.text, RULE_UNMET if rule.text in missed else RULE_MET)
        for rule in rules_of(policy)
    ]
