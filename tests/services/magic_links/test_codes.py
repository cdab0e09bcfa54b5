"""Sign-in codes against a moto pool and moto SES: every rule, each performed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links import codes
from passkey_app.services.magic_links.flows import EmailConfirmed, MagicLinks
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.sessions.store import LoginSucceeded
from tests.services.flows import CLIENT, audit_trail, session_of
from tests.services.magic_links.support import (
    MovableClock,
    sent_mail,
)

ALICE = "alice@example.com"
NOBODY = "nobody@example.com"
BINDING = "this-browser-binding-value-0123456789"
OTHER_BROWSER = "another-browser-binding-value-98765"


def _ask(links: MagicLinks, email: str = ALICE, binding: str = BINDING, **changes: Any) -> None:
    arguments: dict[str, Any] = {
        "email": email,
        "purpose": LinkPurpose.LOGIN,
        "binding": binding,
        "client": CLIENT,
    }
    links.request(**{**arguments, **changes})


def _type(
    links: MagicLinks, code: str, *, binding: str = BINDING, client: ClientInfo = CLIENT
) -> LoginSucceeded:
    result = links.redeem_code(code=code, binding=binding, client=client)
    assert isinstance(result, LoginSucceeded)
    return result


def _refused(
    links: MagicLinks, code: str, *, binding: str = BINDING, client: ClientInfo = CLIENT
) -> AuthError:
    with pytest.raises(AuthError) as raised:
        links.redeem_code(code=code, binding=binding, client=client)
    return raised.value


def _wrong(code: str) -> str:
    """The same code with its last character changed."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def _rows(services: Services) -> list[dict[str, Any]]:
    with services.engine.connect() as connection:
        result = connection.execute(text("SELECT * FROM email_code ORDER BY id"))
        return [dict(row) for row in result.mappings()]


def test_the_mail_carries_the_link_and_a_grouped_code_for_the_device_that_asked(
    links: MagicLinks,
) -> None:
    _ask(links)
    [mail] = sent_mail()
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", mail.code)
    assert mail.link  # the link is still there, once
    assert "Or sign in on the device where you asked for this email: type this code" in (mail.body)
    assert "the code for 10 minutes and only on the device that asked" in mail.body


def test_the_right_code_signs_in_once_through_custom_auth_and_uses_the_link(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    [mail] = sent_mail()
    _, user = session_of(services, _type(links, mail.code))
    assert user.email == ALICE and user.auth_method == "email_code"
    assert _refused(links, mail.code).failure is AuthFailure.CODE_EXPIRED
    with pytest.raises(AuthError) as raised:
        links.redeem(token=mail.token, binding=BINDING, confirmed=False, client=CLIENT)
    assert raised.value.failure is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [
        ("success", "code: login"),
        ("failure", "code: used"),
        ("failure", "used"),
    ]


def test_a_used_link_kills_its_code(services: Services, links: MagicLinks) -> None:
    _ask(links)
    [mail] = sent_mail()
    links.redeem(token=mail.token, binding=BINDING, confirmed=False, client=CLIENT)
    assert _refused(links, mail.code).failure is AuthFailure.CODE_EXPIRED
    assert audit_trail(services, "magic_link.redeem")[-1] == (
        "failure",
        "code: link used or superseded",
    )


def test_the_code_is_typed_forgivingly(services: Services, links: MagicLinks) -> None:
    _ask(links)
    code = sent_mail()[0].code.replace("-", "")
    typed = f"  {code[:2].lower()} {code[2:5]}\u2013{code[5:].lower()} "
    assert session_of(services, _type(links, typed))[1].email == ALICE


def test_malformed_input_is_refused_before_any_try_is_counted(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    code = sent_mail()[0].code
    for typed in ("", "1234567", "K7QM-3XPD-9", "ILO01UUU", "x" * 65, code + "2"):
        assert _refused(links, typed).failure is AuthFailure.CODE_INVALID
    assert _rows(services)[0]["tries"] == 0
    assert session_of(services, _type(links, code))[1].email == ALICE


def test_the_code_is_stored_as_a_keyed_hash_only(services: Services, links: MagicLinks) -> None:
    _ask(links)
    code = sent_mail()[0].code.replace("-", "")
    [row] = _rows(services)
    stored = {str(value) for value in row.values()}
    assert not any(code in value for value in stored)
    assert re.fullmatch(r"[0-9a-f]{64}", row["code_hash"])
    unkeyed = {hashlib.sha256(f"{row['binding_hash']}:{code}".encode()).hexdigest()}
    unkeyed.add(hashlib.sha256(code.encode()).hexdigest())
    assert row["code_hash"] not in unkeyed
    assert row["binding_hash"] == hashlib.sha256(BINDING.encode()).hexdigest()


def test_four_wrong_tries_leave_the_code_usable(services: Services, links: MagicLinks) -> None:
    _ask(links)
    code = sent_mail()[0].code
    for _ in range(4):
        assert _refused(links, _wrong(code)).failure is AuthFailure.CODE_INVALID
    assert session_of(services, _type(links, code))[1].email == ALICE


def test_five_wrong_tries_kill_the_code(services: Services, links: MagicLinks) -> None:
    _ask(links)
    [mail] = sent_mail()
    failures = [_refused(links, _wrong(mail.code)).failure for _ in range(5)]
    assert failures == [AuthFailure.CODE_INVALID] * 5
    refused = _refused(links, mail.code)
    assert refused.failure is AuthFailure.CODE_EXPIRED
    assert refused.user_message == ("That code has expired or was already used. Ask for a new one.")
    assert _rows(services)[0]["tries"] == 5
    assert audit_trail(services, "magic_link.redeem")[-2:] == [
        ("failure", "code: wrong (try 5)"),
        ("failure", "code: too many wrong tries"),
    ]
    # The link itself still works: only the code died.
    links.redeem(token=mail.token, binding=BINDING, confirmed=False, client=CLIENT)


def test_the_code_expires_after_ten_minutes(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    code = sent_mail()[0].code
    clock.advance(minutes=10)
    assert _refused(links, code).failure is AuthFailure.CODE_EXPIRED
    assert audit_trail(services, "magic_link.redeem") == [("failure", "code: expired")]


def test_the_code_works_until_its_tenth_minute_ends(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    code = sent_mail()[0].code
    clock.advance(minutes=9, seconds=59)
    assert session_of(services, _type(links, code))[1].email == ALICE


def test_the_code_typed_in_another_browser_does_nothing(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    code = sent_mail()[0].code
    for binding in (OTHER_BROWSER, "", "x" * 200):
        assert _refused(links, code, binding=binding).failure is AuthFailure.CODE_INVALID
    assert _rows(services)[0]["tries"] == 0
    assert (
        audit_trail(services, "magic_link.redeem")
        == [("failure", "code: no request from this browser")] * 3
    )
    assert session_of(services, _type(links, code))[1].email == ALICE


def test_a_newer_request_supersedes_the_older_code(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    clock.advance(seconds=61)
    _ask(links, binding=OTHER_BROWSER)
    older, newer = (mail.code for mail in sent_mail())
    assert _refused(links, older).failure is AuthFailure.CODE_EXPIRED
    assert session_of(services, _type(links, newer, binding=OTHER_BROWSER))[1].email == ALICE


def test_asking_again_within_the_minute_keeps_the_code_on_its_way(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    _ask(links)  # the same browser asks again: no second mail (one a minute)
    [mail] = sent_mail()
    assert session_of(services, _type(links, mail.code))[1].email == ALICE


def test_wrong_codes_are_limited_per_account_with_a_retry_time(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    for number in range(2):
        _ask(
            links,
            binding=f"{BINDING}-{number}",
            client=ClientInfo(ip_address=f"198.51.100.{number}"),
        )
        code = sent_mail()[number].code
        for _ in range(5):
            error = _refused(
                links,
                _wrong(code),
                binding=f"{BINDING}-{number}",
                client=ClientInfo(ip_address=f"192.0.2.{number}"),
            )
            assert error.failure is AuthFailure.CODE_INVALID
        clock.advance(seconds=61)
    _ask(links)
    code = sent_mail()[2].code
    refused = _refused(links, code, client=ClientInfo(ip_address="192.0.2.99"))
    assert refused.failure is AuthFailure.THROTTLED
    assert refused.retry_after == 3600 - 2 * 61
    assert refused.user_message == "Too many attempts. Try again in 58 minutes."
    assert audit_trail(services, "magic_link.redeem")[-1] == (
        "throttled",
        "code: email-code-account",
    )
    assert _rows(services)[-1]["tries"] == 0  # not even compared
    clock.advance(seconds=refused.retry_after)
    _ask(links)
    code = sent_mail()[3].code
    assert session_of(services, _type(links, code))[1].email == ALICE


def test_wrong_codes_are_limited_per_ip_with_a_retry_time(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    code = sent_mail()[0].code
    for number in range(30):
        error = _refused(links, "ABCD-EFGH", binding=f"guessing-browser-{number:02d}-xxxxxxxxxx")
        assert error.failure is AuthFailure.CODE_INVALID
    refused = _refused(links, code)
    assert (refused.failure, refused.retry_after) == (AuthFailure.THROTTLED, 900)
    assert audit_trail(services, "magic_link.redeem")[-1] == ("throttled", "code: email-code-ip")
    assert (
        session_of(services, _type(links, code, client=ClientInfo(ip_address="198.51.100.9")))[
            1
        ].email
        == ALICE
    )


def test_an_unknown_address_gets_the_same_answers_and_limits(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    _ask(links, email=NOBODY, binding=OTHER_BROWSER)
    [mail] = sent_mail()
    guess = _wrong(mail.code)

    def answers(binding: str) -> list[AuthFailure]:
        return [_refused(links, guess, binding=binding).failure for _ in range(6)]

    assert (
        answers(BINDING)
        == answers(OTHER_BROWSER)
        == [
            *[AuthFailure.CODE_INVALID] * 5,
            AuthFailure.CODE_EXPIRED,
        ]
    )
    kept = {str(value) for row in _rows(services) for value in row.values()}
    assert NOBODY not in kept and ALICE not in kept  # addresses only as hashes
    assert [(row["email_hash"], row["tries"]) for row in _rows(services)] == [
        (hashlib.sha256(ALICE.encode()).hexdigest(), 5),
        (hashlib.sha256(NOBODY.encode()).hexdigest(), 5),
    ]


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    """The SQL the engine runs (statements only, never parameters), while collected."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(services.engine, "before_cursor_execute", record)
    yield seen
    event.remove(services.engine, "before_cursor_execute", record)


def test_a_wrong_code_for_an_unknown_address_does_the_same_work(
    links: MagicLinks, statements: list[str]
) -> None:
    _ask(links)
    _ask(links, email=NOBODY, binding=OTHER_BROWSER)
    guess = _wrong(sent_mail()[0].code)
    _refused(links, guess, binding="warm-up-browser-binding-xxxxxxxx")  # the limits' sweep
    work = []
    for number, binding in enumerate((BINDING, OTHER_BROWSER)):
        statements.clear()
        client = ClientInfo(ip_address=f"192.0.2.{number + 1}")
        assert _refused(links, guess, binding=binding, client=client).failure is (
            AuthFailure.CODE_INVALID
        )
        work.append(list(statements))
    known, unknown = work
    assert known == unknown
    assert any("UPDATE email_code SET tries" in statement for statement in known)


def test_a_sign_up_request_gets_a_code_that_creates_the_account(
    services: Services, links: MagicLinks
) -> None:
    _ask(links, email="new@example.com", purpose=LinkPurpose.SIGNUP)
    [mail] = sent_mail()
    assert "Or finish on the device where you asked for this email" in mail.body
    login = links.redeem_code(code=mail.code, binding=BINDING, client=CLIENT)
    assert not isinstance(login, EmailConfirmed)
    _, user = session_of(services, login)
    assert user.email == "new@example.com" and user.auth_method == "email_code"
    assert audit_trail(services, "magic_link.redeem") == [("success", "code: signup")]


def test_a_confirmation_mail_carries_no_code(services: Services, links: MagicLinks) -> None:
    user = services.gateway.find_user(email=ALICE)
    assert user is not None
    links.send_confirmation(email=ALICE, user_sub=user.sub, client=CLIENT)
    [mail] = sent_mail()
    assert mail.subject == "Confirm your email"
    assert re.search(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", mail.body) is None
    assert "type this code" not in mail.body
    assert _rows(services) == []


def test_code_rows_are_swept_with_old_links(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    clock.advance(hours=25)
    _ask(links, email="bob@example.com", binding=OTHER_BROWSER)
    bob = hashlib.sha256(b"bob@example.com").hexdigest()
    assert [row["email_hash"] for row in _rows(services)] == [bob]


def test_parse_and_grouped_round_trip() -> None:
    code = codes.new_code()
    assert len(code) == 8 and set(code) <= set(codes.ALPHABET)
    assert codes.parse(codes.grouped(code)) == code
    assert codes.parse(codes.grouped(code).lower()) == code
    assert len(set(codes.ALPHABET)) == 30 and not set("01ILOU") & set(codes.ALPHABET)
