"""Default passkey names: the model when it is known, else the browser, told apart."""

from __future__ import annotations

from datetime import date

import pytest

from passkey_app.models import PASSKEY_NAME_LENGTH
from passkey_app.services.passkeys.naming import DEFAULT_PASSKEY_NAME, default_passkey_name
from tests.support.user_agents import CHROME_LINUX, SAFARI_IPHONE

UNKNOWN_MODEL = "00000000-0000-0000-0000-000000000000"
APPLE = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd"
TODAY = date(2026, 11, 28)


def test_a_known_model_keeps_its_name() -> None:
    assert default_passkey_name(APPLE, user_agent=CHROME_LINUX, today=TODAY) == "Apple Passwords"


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [(CHROME_LINUX, "Chrome on Linux"), (SAFARI_IPHONE, "Safari on iPhone"), ("", "Passkey")],
)
def test_an_unknown_model_is_named_for_the_browser_that_made_it(user_agent: str, name: str) -> None:
    assert default_passkey_name(UNKNOWN_MODEL, user_agent=user_agent, today=TODAY) == name


def test_a_name_the_person_already_has_gets_the_date_then_a_number() -> None:
    taken: list[str] = []
    for _ in range(4):
        taken.append(
            default_passkey_name(UNKNOWN_MODEL, user_agent=CHROME_LINUX, taken=taken, today=TODAY)
        )
    assert taken == [
        "Chrome on Linux",
        "Chrome on Linux, 28 Nov 2026",
        "Chrome on Linux, 28 Nov 2026 (2)",
        "Chrome on Linux, 28 Nov 2026 (3)",
    ]
    assert len(set(taken)) == 4


def test_two_unknown_browsers_read_apart_too() -> None:
    first = default_passkey_name(UNKNOWN_MODEL, taken=[], today=TODAY)
    second = default_passkey_name(UNKNOWN_MODEL, taken=[first], today=TODAY)
    assert (first, second) == (DEFAULT_PASSKEY_NAME, "Passkey, 28 Nov 2026")


def test_the_comparison_ignores_case_as_people_read_it() -> None:
    name = default_passkey_name(
        UNKNOWN_MODEL, user_agent=CHROME_LINUX, taken=["chrome on linux"], today=TODAY
    )
    assert name == "Chrome on Linux, 28 Nov 2026"


def test_a_long_name_fits_the_column_and_keeps_its_date() -> None:
    long_model = "x" * 80
    name = default_passkey_name(UNKNOWN_MODEL, user_agent=f"{long_model}/1.0", today=TODAY)
    assert len(name) <= PASSKEY_NAME_LENGTH
    dated = default_passkey_name(
        UNKNOWN_MODEL, user_agent=f"{long_model}/1.0", taken=[name], today=TODAY
    )
    assert len(dated) <= PASSKEY_NAME_LENGTH and dated.endswith(", 28 Nov 2026")
