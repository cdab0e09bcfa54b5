"""User agents in words, from real browsers' headers."""

from __future__ import annotations

import pytest

from passkey_app.services.user_agent import UNKNOWN_BROWSER, Device, describe
from tests.support.user_agents import CHROME_LINUX, SAFARI_IPHONE


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/156.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
    ],
)
def test_real_browsers_read_as_people_name_them(user_agent: str, label: str) -> None:
    assert describe(user_agent).label == label


def test_the_parts_are_kept_apart() -> None:
    assert describe(SAFARI_IPHONE) == Device(
        browser="Safari", os="iPhone", label="Safari on iPhone"
    )


@pytest.mark.parametrize("user_agent", ["", "pytest", "x" * 100_000, "<script>"])
def test_anything_unrecognised_is_an_unknown_browser(user_agent: str) -> None:
    assert describe(user_agent) == Device(browser="", os="", label=UNKNOWN_BROWSER)


def test_a_known_system_with_an_unknown_browser_still_names_the_system() -> None:
    assert describe("SomeApp/1.0 (Windows NT 10.0; Win64; x64)") == Device(
        browser="", os="Windows", label=f"{UNKNOWN_BROWSER} on Windows"
    )
