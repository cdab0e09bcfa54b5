"""The emails: the sign-in and sign-up links (with the sign-in code for the device that
asked), and the security notices. Each is plain
text and a single-column HTML part that reads well on a phone; every value put into the
HTML is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from passkey_app.services.clock import duration_words


@dataclass(frozen=True)
class Mail:
    """One message, ready for the mailer."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Wording:
    subject: str
    heading: str
    intro: str
    button: str


_SIGN_IN = _Wording(
    subject="Your sign-in link",
    heading="Sign in",
    intro="Tap the button to sign in. You can then add a passkey on this device.",
    button="Sign in",
)
_SIGN_UP = _Wording(
    subject="Finish creating your account",
    heading="Create your account",
    intro="Tap the button to confirm this address and create your account.",
    button="Create my account",
)
_CONFIRM = _Wording(
    subject="Confirm your email",
    heading="Confirm your email",
    intro=(
        "You created an account with a passkey. Tap the button to confirm this address is "
        "yours. If you didn't create it, tap the button anyway: the account becomes yours "
        "and whatever someone else set up is removed."
    ),
    button="Confirm my email",
)
_INVITE = _Wording(
    subject="You're invited: set up your sign-in",
    heading="You're invited",
    intro=(
        "An administrator made an account for you with this address. Tap the button to sign "
        "in, then create a passkey: your fingerprint, face or screen lock, no password."
    ),
    button="Accept invitation",
)
WORDINGS = {"login": _SIGN_IN, "signup": _SIGN_UP, "confirm": _CONFIRM, "invite": _INVITE}

_FRAME_TOP = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f7;font-family:-apple-system,\
BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1c2024;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f4f4f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="max-width:480px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 24px;">
<p style="margin:0 0 4px;font-size:13px;color:#60646c;">{product}</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;">{heading}</h1>
"""
"""The top of every HTML mail: the page, the card, the product and the heading."""
_FRAME_BOTTOM = """</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""

_HTML = (
    _FRAME_TOP
    + """<p style="margin:0 0 24px;font-size:16px;line-height:1.5;">{intro}</p>
<a href="{url}" style="display:block;text-align:center;background:#3e63dd;color:#ffffff;\
text-decoration:none;font-size:17px;font-weight:600;padding:14px 20px;border-radius:8px;">\
{button}</a>
{code_block}<p style="margin:24px 0 8px;font-size:14px;line-height:1.5;color:#60646c;">\
{validity} If you didn't ask for it, ignore this \
email: nothing happens without {what}.</p>
<p style="margin:0;font-size:12px;line-height:1.5;color:#80838d;word-break:break-all;">\
Button not working? Paste this into your browser:<br>{url}</p>
"""
    + _FRAME_BOTTOM
)

_CODE_HTML = """<p style="margin:24px 0 8px;font-size:16px;line-height:1.5;">{code_intro}</p>
<p style="margin:0;text-align:center;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\
monospace;font-size:28px;font-weight:700;letter-spacing:4px;white-space:nowrap;\
background:#f4f4f7;border-radius:8px;padding:12px 8px;">{code}</p>
"""

_TEXT = """{heading}

{intro}

{url}
{code_block}
{validity} If you didn't ask for it, ignore this
email: nothing happens without {what}.

{product}
"""

_CODE_TEXT = """
{code_intro}

    {code}
"""

CODE_INTRO = {
    "login": "Or sign in on the device where you asked for this email: type this code there.",
    "signup": ("Or finish on the device where you asked for this email: type this code there."),
}
"""What the code is for, by purpose (a confirmation mail has no code)."""


def link_mail(
    *,
    to: str,
    url: str,
    purpose: str,
    lifetime: timedelta,
    product: str,
    code: str | None = None,
    code_lifetime: timedelta | None = None,
) -> Mail:
    """The email carrying one link; ``purpose`` (login, signup, confirm, invite) picks the
    words. With ``code`` (as people read it, ``K7QM-3XPD``), the mail also carries the sign-in
    code that works only on the device that asked, for ``code_lifetime``."""
    wording = WORDINGS[purpose]
    with_code = code is not None and code_lifetime is not None and purpose in CODE_INTRO
    if with_code:
        assert code is not None and code_lifetime is not None
        validity = (
            f"The link and the code work once (using one uses the other): the link for "
            f"{duration_words(lifetime)}, the code for {duration_words(code_lifetime)} and "
            "only on the device that asked."
        )
    else:
        validity = f"This link works once, for {duration_words(lifetime)}."
    fields = {
        "heading": wording.heading,
        "intro": wording.intro,
        "validity": validity,
        "what": "the link or the code" if with_code else "the link",
    }
    code_fields = {"code_intro": CODE_INTRO.get(purpose, ""), "code": code or ""}
    text = _TEXT.format(
        url=url,
        product=product,
        code_block=_CODE_TEXT.format(**code_fields) if with_code else "",
        **fields,
    )
    html = _HTML.format(
        subject=escape(wording.subject),
        product=escape(product),
        button=escape(wording.button),
        url=escape(url, quote=True),
        code_block=(
            _CODE_HTML.format(**{k: escape(v) for k, v in code_fields.items()}) if with_code else ""
        ),
        **{name: escape(str(value)) for name, value in fields.items()},
    )
    return Mail(to=to, subject=wording.subject, text=text, html=html)


# Security notices: what happened to the account, when, from where, and what to do if it
# wasn't the person. They carry no secret, token or link code: only the account page's
# address, which is the same for everyone.


@dataclass(frozen=True)
class Circumstances:
    """When and from where something happened, as a security notice tells it."""

    at: datetime
    device: str
    """ "Chrome on Linux"; "" when an administrator did it (their browser is not told)."""
    ip_address: str
    account_url: str
    product: str


def readable_time(moment: datetime) -> str:
    """ "Saturday 28 November 2026, 14:05 UTC (2026-11-28T14:05:09Z)": for people, then
    exact."""
    moment = moment.astimezone(UTC)
    return f"{moment:%A %d %B %Y, %H:%M} UTC ({moment:%Y-%m-%dT%H:%M:%SZ})"


_SECURITY_TEXT = """{heading}

{summary}

{facts}

If this wasn't you: open your account page now, sign out the sessions you don't
recognise and remove any passkey you didn't add.
{account_url}

If it was you, there is nothing to do. We send these notices so that changes to your
account never go unnoticed.

{product}
"""

_SECURITY_HTML = (
    _FRAME_TOP
    + """<p style="margin:0 0 20px;font-size:16px;line-height:1.5;">{summary}</p>
<table role="presentation" cellpadding="0" cellspacing="0" \
style="margin:0 0 24px;font-size:14px;line-height:1.5;">
{facts}
</table>
<p style="margin:0 0 16px;font-size:15px;line-height:1.5;"><strong>If this wasn't you:</strong> \
open your account page now, sign out the sessions you don't recognise and remove any \
passkey you didn't add.</p>
<a href="{account_url}" style="display:block;text-align:center;background:#3e63dd;\
color:#ffffff;text-decoration:none;font-size:17px;font-weight:600;padding:14px 20px;\
border-radius:8px;">Open your account page</a>
<p style="margin:24px 0 0;font-size:13px;line-height:1.5;color:#60646c;">If it was you, \
there is nothing to do. We send these notices so that changes to your account never go \
unnoticed.</p>
"""
    + _FRAME_BOTTOM
)

_FACT_HTML = (
    '<tr><td style="padding:2px 16px 2px 0;color:#60646c;vertical-align:top;">{label}</td>'
    '<td style="padding:2px 0;">{value}</td></tr>'
)


def _security_mail(
    *, to: str, subject: str, heading: str, summary: str, where: Circumstances
) -> Mail:
    facts = [("When", readable_time(where.at))]
    if where.device:
        facts += [("Browser", where.device), ("IP address", where.ip_address or "unknown")]
    else:
        facts += [("By", f"An administrator of {where.product}")]
    text = _SECURITY_TEXT.format(
        heading=heading,
        summary=summary,
        facts="\n".join(f"{label}: {value}" for label, value in facts),
        account_url=where.account_url,
        product=where.product,
    )
    html = _SECURITY_HTML.format(
        subject=escape(subject),
        product=escape(where.product),
        heading=escape(heading),
        summary=escape(summary),
        facts="\n".join(
            _FACT_HTML.format(label=escape(label), value=escape(value)) for label, value in facts
        ),
        account_url=escape(where.account_url, quote=True),
    )
    return Mail(to=to, subject=subject, text=text, html=html)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def passkey_added_mail(*, to: str, passkey_name: str, where: Circumstances) -> Mail:
    """A passkey was added to the account."""
    return _security_mail(
        to=to,
        subject="A passkey was added to your account",
        heading="Passkey added",
        summary=f"A passkey named \u201c{passkey_name}\u201d can now sign in to your account.",
        where=where,
    )


def passkey_removed_mail(
    *, to: str, passkey_name: str, sessions_ended: int, where: Circumstances
) -> Mail:
    """A passkey was removed (and maybe the sessions it had signed in)."""
    ended = (
        f" The {_plural(sessions_ended, 'session')} it had signed in were signed out."
        if sessions_ended
        else ""
    )
    return _security_mail(
        to=to,
        subject="A passkey was removed from your account",
        heading="Passkey removed",
        summary=(
            f"The passkey named \u201c{passkey_name}\u201d can no longer sign in to your "
            f"account.{ended}"
        ),
        where=where,
    )


def password_changed_mail(*, to: str, removed: bool, where: Circumstances) -> Mail:
    """The password was changed, or removed (the account signs in with passkeys only)."""
    if removed:
        return _security_mail(
            to=to,
            subject="Your password was removed",
            heading="Password removed",
            summary="Your account no longer has a password: it signs in with passkeys only.",
            where=where,
        )
    return _security_mail(
        to=to,
        subject="Your password was changed",
        heading="Password changed",
        summary="The password of your account was changed. The old one no longer works.",
        where=where,
    )


def email_confirmed_mail(*, to: str, where: Circumstances) -> Mail:
    """The account's email address was confirmed."""
    return _security_mail(
        to=to,
        subject="Your email address is confirmed",
        heading="Email confirmed",
        summary=f"This address ({to}) is now confirmed as the one of your account.",
        where=where,
    )


EMAIL_SIGN_IN_WORDS = {"link": "a link sent to this address", "code": "a code sent to this address"}


def email_sign_in_mail(*, to: str, method: str, new_browser: bool, where: Circumstances) -> Mail:
    """Someone signed in with an email link or code (``method``: "link" or "code")."""
    first_time = " This browser had not signed in to your account before." if new_browser else ""
    return _security_mail(
        to=to,
        subject="New sign-in to your account",
        heading=f"Signed in with an email {method}",
        summary=f"Your account was signed in with {EMAIL_SIGN_IN_WORDS[method]}.{first_time}",
        where=where,
    )


def new_browser_mail(*, to: str, where: Circumstances) -> Mail:
    """A sign-in from a browser this account had not used before."""
    return _security_mail(
        to=to,
        subject="Sign-in from a new browser",
        heading="Sign-in from a new browser",
        summary="Your account was signed in from a browser it had not used before.",
        where=where,
    )


def sessions_ended_by_admin_mail(*, to: str, sessions_ended: int, where: Circumstances) -> Mail:
    """An administrator signed the person out everywhere."""
    return _security_mail(
        to=to,
        subject="You were signed out everywhere",
        heading="Signed out by an administrator",
        summary=(
            "An administrator signed you out of every browser"
            + (f" ({_plural(sessions_ended, 'session')} ended)" if sessions_ended else "")
            + ". Sign in again to continue."
        ),
        where=where,
    )
