"""The "check your email" page's problem line, read from an address anyone can edit, and
the binding cookie its code field reads from the websocket handshake."""

from __future__ import annotations

import pytest

from passkey_app.services.errors import MESSAGES, AuthFailure
from passkey_app.state.login.email_link import cookie_of, sent_page_problem


def test_a_refusal_by_a_limit_says_when_to_try_again() -> None:
    assert sent_page_problem({"problem": "throttled", "retry": "900"}) == (
        "Too many attempts. Try again in 15 minutes."
    )


@pytest.mark.parametrize("retry", ["", "0", "-5", "abc", "²", "9999999", "86401"])
def test_a_missing_or_odd_wait_falls_back_to_the_plain_sentence(retry: str) -> None:
    assert (
        sent_page_problem({"problem": "throttled", "retry": retry})
        == (MESSAGES[AuthFailure.THROTTLED])
    )


def test_unknown_problems_show_nothing() -> None:
    assert sent_page_problem({"problem": "<b>pwned</b>", "retry": "60"}) == ""
    assert sent_page_problem({}) == ""
    assert sent_page_problem({"problem": "invalid_email"}) == MESSAGES[AuthFailure.INVALID_EMAIL]


def test_the_binding_cookie_is_read_from_the_handshake_and_garbage_is_nothing() -> None:
    header = "session=abc; magic_link_binding=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"
    assert cookie_of(header, "magic_link_binding") == "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"
    assert cookie_of("", "magic_link_binding") == ""
    assert cookie_of('magic_link_binding="unterminated', "magic_link_binding") == ""
