"""Flow 3 against a moto pool and moto SES: every rule of the email links."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.flows import (
    ConfirmationRequiredError,
    LinkCheck,
    LinkRequested,
    LinkStatus,
    MagicLinks,
)
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.sessions.store import LoginSucceeded
from tests.services.flows import (
    CLIENT,
    audit_trail,
    confirm_from_signup_browser,
    session_of,
    sign_up,
)
from tests.services.magic_links.support import (
    LINK_PREFIX,
    SENDER,
    CapturingRunner,
    MovableClock,
    build_links,
    sent_mail,
    verify_sender,
)
from tests.support.authenticator import SoftAuthenticator

ALICE = "alice@example.com"
BINDING = "this-browser-binding-value-0123456789"


def _ask(links: MagicLinks, email: str = ALICE, **changes: object) -> LinkRequested:
    arguments: dict[str, object] = {
        "email": email,
        "purpose": LinkPurpose.LOGIN,
        "binding": BINDING,
        "client": CLIENT,
    }
    arguments.update(changes)
    return links.request(**arguments)  # type: ignore[arg-type]


def _redeem(
    links: MagicLinks, token: str, *, binding: str = BINDING, confirmed: bool = False
) -> LoginSucceeded:
    return links.redeem(token=token, binding=binding, confirmed=confirmed, client=CLIENT)


def _refused(links: MagicLinks, token: str) -> AuthFailure:
    with pytest.raises(AuthError) as raised:
        _redeem(links, token)
    return raised.value.failure


def test_a_known_user_gets_one_link_of_256_random_bits_from_the_settings_origin(
    services: Services, links: MagicLinks
) -> None:
    assert _ask(links) == LinkRequested(minutes=15)
    [mail] = sent_mail()
    assert mail.to == [ALICE] and mail.source == SENDER
    assert mail.subject == "Your sign-in link"
    assert mail.link.startswith(LINK_PREFIX)
    assert len(mail.token) == 43  # 32 bytes, base64url without padding
    with services.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM magic_link")).mappings().one()
    assert mail.token not in {str(value) for value in stored.values()}
    assert stored["token_hash"] != mail.token and len(stored["token_hash"]) == 64
    assert stored["binding_hash"] not in (None, BINDING)
    assert audit_trail(services, "magic_link.request") == [("success", "purpose=login")]


def test_the_link_signs_in_once_through_custom_auth(services: Services, links: MagicLinks) -> None:
    _ask(links)
    token = sent_mail()[0].token
    _, user = session_of(services, _redeem(links, token))
    assert user.email == ALICE and user.auth_method == "magic_link"
    assert _refused(links, token) is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [("success", "login"), ("failure", "used")]


def test_the_link_expires_after_fifteen_minutes(
    services: Services,
    links: MagicLinks,
    clock: MovableClock,
) -> None:
    _ask(links)
    clock.advance(minutes=14, seconds=59)
    assert links.check(token=sent_mail()[0].token, binding=BINDING, client=CLIENT).status is (
        LinkStatus.READY
    )
    clock.advance(seconds=1)
    assert _refused(links, sent_mail()[0].token) is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [("failure", "expired")]


def test_a_link_with_one_character_changed_is_refused(
    services: Services, links: MagicLinks
) -> None:
    _ask(links)
    token = sent_mail()[0].token
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert _refused(links, tampered) is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [("failure", "unknown")]
    assert session_of(services, _redeem(links, token))[1].email == ALICE


def test_a_newer_link_supersedes_the_older_one(
    services: Services,
    links: MagicLinks,
    clock: MovableClock,
) -> None:
    _ask(links)
    clock.advance(seconds=61)
    _ask(links)
    older, newer = (mail.token for mail in sent_mail())
    assert _refused(links, older) is AuthFailure.LINK_INVALID
    assert session_of(services, _redeem(links, newer))[1].email == ALICE
    assert audit_trail(services, "magic_link.redeem")[0] == ("failure", "superseded")


def test_one_request_per_account_per_minute_silently(
    services: Services,
    links: MagicLinks,
    clock: MovableClock,
) -> None:
    assert _ask(links) == _ask(links, email=" Alice@Example.com ") == LinkRequested()
    assert len(sent_mail()) == 1
    clock.advance(seconds=59)
    _ask(links)
    assert len(sent_mail()) == 1
    clock.advance(seconds=1)
    _ask(links)
    assert len(sent_mail()) == 2
    assert [outcome for outcome, _ in audit_trail(services, "magic_link.request")] == [
        "success",
        "throttled",
        "throttled",
        "success",
    ]


def test_ten_requests_per_address_per_fifteen_minutes(
    services: Services,
    links: MagicLinks,
    clock: MovableClock,
) -> None:
    for number in range(10):
        _ask(links, email=f"person{number}@example.com")
    with pytest.raises(AuthError) as raised:
        _ask(links)
    assert raised.value.failure is AuthFailure.THROTTLED
    assert sent_mail() == []  # none of them had an account; Alice's request never ran
    _ask(links, client=ClientInfo(ip_address="198.51.100.9"))
    assert len(sent_mail()) == 1
    clock.advance(minutes=15)
    _ask(links, email="bob@example.com")
    assert [mail.to for mail in sent_mail()] == [[ALICE], ["bob@example.com"]]
    assert ("throttled", "ip") in audit_trail(services, "magic_link.request")


def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    services: Services, links: MagicLinks
) -> None:
    assert _ask(links, email="nobody@example.com") == _ask(links) == LinkRequested()
    assert [mail.to for mail in sent_mail()] == [[ALICE]]
    assert audit_trail(services, "magic_link.request") == [
        ("refused", "no account"),
        ("success", "purpose=login"),
    ]


def test_the_answer_comes_before_any_account_work(services: Services) -> None:
    verify_sender()
    runner = CapturingRunner()
    links = build_links(services, MovableClock(), runner=runner)
    assert _ask(links, email="nobody@example.com") == _ask(links) == LinkRequested()
    assert len(runner.jobs) == 2 and sent_mail() == []
    assert audit_trail(services, "magic_link.request") == []
    runner.run_all()
    assert [mail.to for mail in sent_mail()] == [[ALICE]]


def test_another_browser_must_confirm_first(services: Services, links: MagicLinks) -> None:
    _ask(links)
    token = sent_mail()[0].token
    assert links.check(token=token, binding="", client=CLIENT) == LinkCheck(
        status=LinkStatus.CONFIRM, email=ALICE
    )
    with pytest.raises(ConfirmationRequiredError):
        _redeem(links, token, binding="another-browser-binding-value-000")
    with pytest.raises(ConfirmationRequiredError):
        _redeem(links, token, binding="")
    _, user = session_of(services, _redeem(links, token, binding="", confirmed=True))
    assert user.email == ALICE
    assert audit_trail(services, "magic_link.redeem") == [
        ("confirm", "opened in another browser"),
        ("success", "login"),
    ]


def test_the_policy_refuses_people_with_passkeys_silently(
    services: Services,
    clock: MovableClock,
) -> None:
    pat = sign_up(services, SoftAuthenticator(), "pat@example.com")
    confirm_from_signup_browser(services, pat)
    verify_sender()
    already = len(audit_trail(services, "magic_link.request"))  # the confirmation mail
    strict = build_links(services, clock, refuse_passkey_users=True)
    assert _ask(strict, email="pat@example.com") == _ask(strict) == LinkRequested()
    assert [mail.to for mail in sent_mail()] == [[ALICE]]
    assert audit_trail(services, "magic_link.request")[already] == (
        "refused",
        "policy: has passkeys",
    )
    clock.advance(seconds=60)
    _ask(build_links(services, clock), email="pat@example.com")
    assert [mail.to for mail in sent_mail()] == [[ALICE], ["pat@example.com"]]


def test_the_policy_still_mails_a_provisional_account_so_its_owner_can_claim_it(
    services: Services, clock: MovableClock
) -> None:
    sign_up(services, SoftAuthenticator(), "pat@example.com")
    verify_sender()
    strict = build_links(services, clock, refuse_passkey_users=True)
    _ask(strict, email="pat@example.com")
    assert [mail.to for mail in sent_mail()] == [["pat@example.com"]]


def test_the_policy_also_holds_when_a_passkey_is_added_after_the_mail(
    services: Services,
    clock: MovableClock,
) -> None:
    verify_sender()
    strict = build_links(services, clock, refuse_passkey_users=True)
    _ask(strict, email="bob@example.com")
    login = services.password_login.login(
        email="bob@example.com", password="Bob-demo-pass-1", client=CLIENT
    )
    assert isinstance(login, LoginSucceeded)
    _, bob = session_of(services, login)
    device = SoftAuthenticator()
    ceremony = services.passkey_account.begin_add(user=bob, client=CLIENT)
    _, response = device.create(ceremony.options)
    services.passkey_account.finish_add(
        user=bob, handle=ceremony.handle, response=response, client=CLIENT
    )
    assert _refused(strict, sent_mail()[0].token) is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [("failure", "policy: has passkeys")]


def test_a_malformed_address_is_refused_and_audited(services: Services, links: MagicLinks) -> None:
    with pytest.raises(AuthError) as raised:
        _ask(links, email="not an address")
    assert raised.value.failure is AuthFailure.INVALID_EMAIL
    assert sent_mail() == []
    assert audit_trail(services, "magic_link.request") == [("refused", "invalid email")]


def _rows(services: Services, table: str) -> int:
    with services.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_old_links_and_finished_limit_windows_are_swept(
    services: Services, links: MagicLinks, clock: MovableClock
) -> None:
    _ask(links)
    _ask(links, email="bob@example.com")
    assert (_rows(services, "magic_link"), _rows(services, "rate_limit_bucket")) == (2, 3)
    clock.advance(hours=23)
    _ask(links)  # expired, but kept a day: a late click still reads "expired"
    assert _rows(services, "magic_link") == 3
    clock.advance(hours=2)
    _ask(links, email="bob@example.com")
    # Left: the newest link of each person; the buckets of this last request only.
    assert (_rows(services, "magic_link"), _rows(services, "rate_limit_bucket")) == (2, 2)
    assert _refused(links, sent_mail()[0].token) is AuthFailure.LINK_INVALID
