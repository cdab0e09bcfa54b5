"""Security notices: one adapter the flows call when something happens to an account.

Each call returns at once; building and sending the mail runs in the background, so no
answer waits on SES and a mail that fails is logged (its SES error code only), never
raised into the change that caused it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from passkey_app.services.audit import ClientInfo
from passkey_app.services.background import Runner, run_now
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.mail import templates
from passkey_app.services.mail.mailer import MailNotSentError, SesMailer
from passkey_app.services.mail.templates import Circumstances, Mail
from passkey_app.services.user_agent import describe

log = logging.getLogger(__name__)

BY_ADMIN = ClientInfo()
"""An administrator's action: the notice names no browser or address of theirs."""


class SecurityNotices:
    """Mails the account's owner about each security-relevant change."""

    def __init__(
        self,
        *,
        mailer: SesMailer,
        account_url: str,
        product: str,
        runner: Runner = run_now,
        clock: Clock = system_clock,
    ) -> None:
        self._mailer = mailer
        self._account_url = account_url
        self._product = product
        self._runner = runner
        self._clock = clock

    @property
    def runner(self) -> Runner:
        """Where the notices' work runs (the sign-in watch shares it)."""
        return self._runner

    def _where(self, client: ClientInfo, at: datetime | None) -> Circumstances:
        admin = client is BY_ADMIN
        return Circumstances(
            at=at or self._clock(),
            device="" if admin else describe(client.user_agent).label,
            ip_address="" if admin else client.ip_address,
            account_url=self._account_url,
            product=self._product,
        )

    def _send(self, mail: Mail, event: str) -> None:
        try:
            self._mailer.send(mail)
        except MailNotSentError as error:
            log.warning("security notice %s not sent: %s", event, error)

    def _queue(self, mail: Mail, event: str) -> None:
        self._runner(partial(self._send, mail, event))

    def passkey_added(self, *, to: str, passkey_name: str, client: ClientInfo) -> None:
        """A passkey was added to the account."""
        where = self._where(client, None)
        self._queue(
            templates.passkey_added_mail(to=to, passkey_name=passkey_name, where=where),
            "passkey_added",
        )

    def passkey_removed(
        self, *, to: str, passkey_name: str, client: ClientInfo, sessions_ended: int = 0
    ) -> None:
        """A passkey was removed (``sessions_ended``: the sessions it had signed in)."""
        mail = templates.passkey_removed_mail(
            to=to,
            passkey_name=passkey_name,
            sessions_ended=sessions_ended,
            where=self._where(client, None),
        )
        self._queue(mail, "passkey_removed")

    def password_changed(self, *, to: str, client: ClientInfo, removed: bool = False) -> None:
        """The password was changed (or ``removed``)."""
        mail = templates.password_changed_mail(
            to=to, removed=removed, where=self._where(client, None)
        )
        self._queue(mail, "password_changed")

    def email_confirmed(self, *, to: str, client: ClientInfo) -> None:
        """The account's address was proven."""
        self._queue(
            templates.email_confirmed_mail(to=to, where=self._where(client, None)),
            "email_confirmed",
        )

    def email_sign_in(
        self,
        *,
        to: str,
        method: str,
        client: ClientInfo,
        at: datetime | None = None,
        new_browser: bool = False,
    ) -> None:
        """A sign-in with an email ``method``: "link" or "code"."""
        mail = templates.email_sign_in_mail(
            to=to, method=method, new_browser=new_browser, where=self._where(client, at)
        )
        self._queue(mail, f"email_{method}_sign_in")

    def new_browser(self, *, to: str, client: ClientInfo, at: datetime | None = None) -> None:
        """A sign-in from a browser the account had not used."""
        self._queue(templates.new_browser_mail(to=to, where=self._where(client, at)), "new_browser")

    def sessions_ended_by_admin(self, *, to: str, sessions_ended: int) -> None:
        """An administrator signed the person out everywhere."""
        mail = templates.sessions_ended_by_admin_mail(
            to=to, sessions_ended=sessions_ended, where=self._where(BY_ADMIN, None)
        )
        self._queue(mail, "sessions_ended_by_admin")


def notify_password_changed(
    notices: SecurityNotices, *, to: str, client: ClientInfo, removed: bool = False
) -> None:
    """The hook for the password change (and removal) still to come: call it once the
    change is made, with the client that made it."""
    notices.password_changed(to=to, client=client, removed=removed)
