"""The one step every way in ends with, once its own package has verified the factor.

Password, passkey (email first, button, autofill), passkey sign-up, email link and the
email's sign-in code all
finish the same way: a Cognito session (minted through CUSTOM_AUTH with the method in
the signed proof, except for a password, which Cognito checks itself), then the
browser session, then one audit row. A new method verifies its factor in its own
package and hands the result to ``SignInStep.complete``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from lambdas.proof import KeyRing, ProofMethod
from passkey_app.services.audit import AuditEventType, ClientInfo
from passkey_app.services.cognito.custom_auth import mint_cognito_session
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoTokens
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore, SignInRecord


class SignInMethod(StrEnum):
    """How a person proved who they are; stored on the browser session as its value."""

    PASSWORD = "password"  # noqa: S105 (a name, not a secret)
    PASSKEY = "passkey"
    MAGIC_LINK = "magic_link"
    EMAIL_CODE = "email_code"
    """The code in the link mail, typed in the browser that asked for the mail."""

    @property
    def label(self) -> str:
        """The method in words, for people."""
        return METHOD_LABELS[self.value]

    @property
    def proof_method(self) -> ProofMethod | None:
        """The method as the signed proof names it; None when Cognito checks the factor
        itself (a password), so no proof is minted."""
        return _PROOF_METHODS.get(self)


METHOD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        SignInMethod.PASSWORD.value: "Password",
        SignInMethod.PASSKEY.value: "Passkey",
        SignInMethod.MAGIC_LINK.value: "Email link",
        SignInMethod.EMAIL_CODE.value: "Email code",
    }
)
"""Each method's label, by its stored value (what a session or an audit row holds)."""

_PROOF_METHODS: Mapping[SignInMethod, ProofMethod] = MappingProxyType(
    {
        SignInMethod.PASSKEY: ProofMethod.PASSKEY,
        SignInMethod.MAGIC_LINK: ProofMethod.MAGIC_LINK,
        SignInMethod.EMAIL_CODE: ProofMethod.EMAIL_CODE,
    }
)


@dataclass(frozen=True)
class VerifiedByApp:
    """A factor the app verified itself: Cognito is told so through a signed proof."""

    method: SignInMethod
    username: str
    user_sub: str
    credential_id: str | None = None
    """The passkey's credential id, bound into the proof (None for other methods)."""
    passkey_id: int | None = None
    """The passkey's row, kept on the session so removing the passkey can end it."""


@dataclass(frozen=True)
class VerifiedByCognito:
    """A factor Cognito checked itself (a password): its tokens are already issued."""

    method: SignInMethod
    tokens: CognitoTokens


VerifiedFactor = VerifiedByApp | VerifiedByCognito


class SignInStep:
    """Cognito session, browser session, audit row: the tail every sign-in shares (the
    session and its audit row in one transaction)."""

    def __init__(
        self,
        *,
        gateway: CognitoGateway,
        sessions: SessionStore,
        key_ring: KeyRing | None = None,
    ) -> None:
        """``key_ring`` signs the proofs; a flow whose factors Cognito checks itself
        (password) has none."""
        self._gateway = gateway
        self._sessions = sessions
        self._key_ring = key_ring

    def complete(
        self,
        *,
        factor: VerifiedFactor,
        client: ClientInfo,
        event_type: AuditEventType,
        email: str | None = None,
        detail: str = "",
        notice: str = "",
        new_account: bool = False,
    ) -> LoginSucceeded:
        """Sign the person in on the strength of ``factor`` and record ``event_type`` as a
        success. A failure (AuthError) is left to the caller, which knows what to undo
        and how to record it; ``notice`` is shown once on the first page after;
        ``new_account`` marks a sign-up (no "new browser" mail for it)."""
        tokens = self._cognito_tokens(factor, client)
        return self._sessions.open(
            tokens=tokens,
            method=factor.method.value,
            client=client,
            notice=notice,
            record=SignInRecord(
                event_type=event_type,
                email=email,
                user_sub=factor.user_sub if isinstance(factor, VerifiedByApp) else None,
                detail=detail,
            ),
            passkey_id=factor.passkey_id if isinstance(factor, VerifiedByApp) else None,
            new_account=new_account,
        )

    def _cognito_tokens(self, factor: VerifiedFactor, client: ClientInfo) -> CognitoTokens:
        if isinstance(factor, VerifiedByCognito):
            return factor.tokens
        proof_method = factor.method.proof_method
        if proof_method is None or self._key_ring is None:
            raise ValueError(f"no signed proof for {factor.method.value} in this flow")
        return mint_cognito_session(
            gateway=self._gateway,
            key_ring=self._key_ring,
            username=factor.username,
            sub=factor.user_sub,
            method=proof_method,
            credential_id=factor.credential_id,
            client=client,
        )
