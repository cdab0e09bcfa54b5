"""The sign-in and sign-up link emails: plain text and a single-column HTML part that
reads well on a phone (one big button, the link spelled out below it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
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
WORDINGS = {"login": _SIGN_IN, "signup": _SIGN_UP, "confirm": _CONFIRM}

_HTML = """<!doctype html>
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
<p style="margin:0 0 24px;font-size:16px;line-height:1.5;">{intro}</p>
<a href="{url}" style="display:block;text-align:center;background:#3e63dd;color:#ffffff;\
text-decoration:none;font-size:17px;font-weight:600;padding:14px 20px;border-radius:8px;">\
{button}</a>
<p style="margin:24px 0 8px;font-size:14px;line-height:1.5;color:#60646c;">\
This link works once, for {lifetime}. If you didn't ask for it, ignore this \
email: nothing happens without the link.</p>
<p style="margin:0;font-size:12px;line-height:1.5;color:#80838d;word-break:break-all;">\
Button not working? Paste this into your browser:<br>{url}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""

_TEXT = """{heading}

{intro}

{url}

This link works once, for {lifetime}. If you didn't ask for it, ignore this
email: nothing happens without the link.

{product}
"""


def link_mail(*, to: str, url: str, purpose: str, lifetime: timedelta, product: str) -> Mail:
    """The email carrying one link; ``purpose`` (login, signup, confirm) picks the words."""
    wording = WORDINGS[purpose]
    fields = {
        "heading": wording.heading,
        "intro": wording.intro,
        "lifetime": duration_words(lifetime),
    }
    text = _TEXT.format(url=url, product=product, **fields)
    html = _HTML.format(
        subject=escape(wording.subject),
        product=escape(product),
        button=escape(wording.button),
        url=escape(url, quote=True),
        **{name: escape(str(value)) for name, value in fields.items()},
    )
    return Mail(to=to, subject=wording.subject, text=text, html=html)
