"""A browser's user agent in words: "Chrome on Linux", "Safari on iPhone".

The parsing is ua-parser's (the uap-core regexes, kept up to date by their project);
this module only names what it finds the way people say it, and caches the result,
since every session row and every sign-in asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ua_parser

from passkey_app.models import USER_AGENT_LENGTH

UNKNOWN_BROWSER = "Unknown browser"

# ua-parser's family names, as people know them.
_BROWSERS = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Android WebView",
    "HeadlessChrome": "Chrome",
    "Chromium": "Chromium",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
}
_SYSTEMS = {
    "Mac OS X": "macOS",
    "Ubuntu": "Linux",
    "Fedora": "Linux",
    "Debian": "Linux",
}
_APPLE_DEVICES = ("iPhone", "iPad", "iPod")


@dataclass(frozen=True)
class Device:
    """What a user agent says about the browser: each part "" when unknown."""

    browser: str
    os: str
    label: str
    """For people: "Chrome on Linux", "Safari on iPhone", "Unknown browser"."""


def _known(family: str | None) -> str:
    return "" if family in (None, "", "Other") else str(family)


@lru_cache(maxsize=2048)
def _describe(user_agent: str) -> Device:
    parsed = ua_parser.parse(user_agent)
    browser = _known(parsed.user_agent.family if parsed.user_agent else None)
    browser = _BROWSERS.get(browser, browser)
    system = _known(parsed.os.family if parsed.os else None)
    system = _SYSTEMS.get(system, system)
    device = _known(parsed.device.family if parsed.device else None)
    if system == "iOS" and device in _APPLE_DEVICES:
        system = device  # "Safari on iPhone" says more than "Safari on iOS"
    if browser and system:
        label = f"{browser} on {system}"
    elif browser:
        label = browser
    elif system:
        label = f"{UNKNOWN_BROWSER} on {system}"
    else:
        label = UNKNOWN_BROWSER
    return Device(browser=browser, os=system, label=label)


def describe(user_agent: str) -> Device:
    """The browser and system a user agent names (cached: session lists and every
    sign-in ask; only the stored length is read, so a huge header costs no more)."""
    return _describe(user_agent[:USER_AGENT_LENGTH])
