"""The sign-in card: the email step, which method comes next, and what the card says.

Each method is a sibling state under ``LoginState`` (password.py, passkey.py, and the
email-link offer in email_link.py): it reads and sets the card's fields (step, email,
error, status) and ends in ``_signed_in``, so a new method is its own state plus one
step on the page."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.auth import AuthState
from passkey_app.services.return_path import safe_return_path
from passkey_app.services.sessions.store import LoginSucceeded

STEP_EMAIL = "email"
STEP_PASSWORD = "password"  # noqa: S105 (a step name)
STEP_NEW_PASSWORD = "new_password"  # noqa: S105 (a step name)
STEP_PASSKEY = "passkey"
STEP_RESET = "reset"

# What the card's status line says (a polite live region: screen readers hear each).
SAY_EMAIL = "Welcome back. Enter your email to continue."
SAY_PASSKEY = "Sign in with the passkey saved for this account."
SAY_PASSWORD = "Enter your password."  # noqa: S105 (a sentence)
SAY_NEW_PASSWORD = "Choose your own password to continue."  # noqa: S105 (a sentence)
SAY_DEVICE = "Confirm with your device: fingerprint, face or screen lock…"
SAY_CHECKING = "Checking…"
SAY_SIGNED_IN = "Signed in. Taking you on…"
SAY_SENDING_CODE = "Sending a code…"
SAY_RESET = "If this address has an account, we've emailed it a code. Enter it with a new password."

# Where an error is shown: next to the control that led to it.
AT_FORM = "form"
AT_PASSKEY_BUTTON = "passkey_button"

_STEP_SAYS = {
    STEP_EMAIL: SAY_EMAIL,
    STEP_PASSKEY: SAY_PASSKEY,
    STEP_PASSWORD: SAY_PASSWORD,
    STEP_NEW_PASSWORD: SAY_NEW_PASSWORD,
    STEP_RESET: SAY_RESET,
}


class LoginState(AuthState):
    """The card's own fields, shared by its method states."""

    step: str = STEP_EMAIL
    email: str = ""
    error: str = ""
    error_at: str = AT_FORM
    notice: str = ""
    status: str = SAY_EMAIL
    busy: bool = False
    next_path: str = ""
    signed_out: bool = False

    def _reset_card(self) -> None:
        """Back to a clean email step, with the reason the person is here, if any, and
        where to return afterwards (``?next=``, followed only when it is safe)."""
        self._go(STEP_EMAIL)
        query = self.router.url.query_parameters
        self.next_path = safe_return_path(query.get("next"), default="")
        self.signed_out = bool(query.get("signed_out"))
        self.notice = (
            "You have signed out."
            if self.signed_out
            else "That sign-in didn't finish in time. Sign in again."
            if query.get("expired")
            else ""
        )

    def _go(self, step: str) -> None:
        """Show ``step``, idle, with its own status line and no error."""
        self.step, self.busy, self.error, self.error_at = step, False, "", AT_FORM
        self.status = _STEP_SAYS[step]

    def _working(self, status: str) -> None:
        """Something is under way: say what, clear the last error."""
        self.busy, self.error, self.status = True, "", status

    def _failed(self, message: str, at: str = AT_FORM) -> None:
        """Show ``message`` next to the control at ``at``; the card is usable again."""
        self.busy, self.error, self.error_at = False, message, at
        self.status = _STEP_SAYS.get(self.step, SAY_EMAIL)

    def _signed_in(self, login: LoginSucceeded) -> EventSpec:
        """The end of every method: open the browser session, go where the person was
        going. The card forgets the address typed: the tab's state outlives this person's
        session, and a page's stored state shows before its on_load runs."""
        self.busy, self.error, self.status = True, "", SAY_SIGNED_IN
        self.email = ""
        return self._open_session(login, self.next_path)

    @rx.event
    async def on_load(self) -> EventSpec | None:
        """Signed-in people go on (to ``?next=`` or their account); others get the card."""
        self._reset_card()
        if await self.signed_in_user() is not None:
            return rx.redirect(self.next_path or routes.ACCOUNT)
        return None

    @rx.event
    def change_email(self) -> None:
        """Back to step one."""
        self._go(STEP_EMAIL)

    @rx.event
    def use_password(self) -> None:
        """A password user whose passkey is not at hand."""
        self._go(STEP_PASSWORD)
