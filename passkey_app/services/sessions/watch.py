"""After every sign-in: remember the browser, and tell the owner what they should know.

One mail at most per sign-in: an email link or code always gets one (saying whether the
browser was new), any other method one only from a browser the account had not used.
A new account's first sign-in gets none, and neither does the first sign-in of an
account with no browser on record yet (every account, the day this shipped), so nobody
is mailed about the browser they have always used.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.engine import Engine

from passkey_app.services.background import Runner, run_now
from passkey_app.services.mail.security import SecurityNotices
from passkey_app.services.sessions import known_browsers
from passkey_app.services.sessions.known_browsers import Sighting
from passkey_app.services.sessions.store import SignIn
from passkey_app.services.sign_in import SignInMethod
from passkey_app.services.user_agent import describe

EMAIL_METHODS = {SignInMethod.MAGIC_LINK.value: "link", SignInMethod.EMAIL_CODE.value: "code"}
"""Sign-in methods that prove only the mailbox, and the word each mail uses."""


class SignInWatch:
    """The ``after_sign_in`` of the session store: its work runs in the background."""

    def __init__(
        self, *, engine: Engine, notices: SecurityNotices, runner: Runner = run_now
    ) -> None:
        self._engine = engine
        self._notices = notices
        self._runner = runner

    def __call__(self, sign_in: SignIn) -> None:
        """Queue the check; return at once."""
        self._runner(partial(self._check, sign_in))

    def _check(self, sign_in: SignIn) -> None:
        sighting = known_browsers.remember(
            self._engine,
            user_sub=sign_in.user_sub,
            device=describe(sign_in.client.user_agent),
            at=sign_in.at,
        )
        if sign_in.new_account or not sign_in.email:
            return
        email_method = EMAIL_METHODS.get(sign_in.method)
        if email_method is not None:
            self._notices.email_sign_in(
                to=sign_in.email,
                method=email_method,
                client=sign_in.client,
                at=sign_in.at,
                new_browser=sighting is Sighting.NEW,
            )
        elif sighting is Sighting.NEW:
            self._notices.new_browser(to=sign_in.email, client=sign_in.client, at=sign_in.at)
