"""Flow 3 for new people on devices without passkeys: sign up by email link. The
account is created only when the link is redeemed, so an unproved address never
gets one."""

from __future__ import annotations

import pytest

from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.flows import LinkRequested, MagicLinks
from passkey_app.services.magic_links.store import LinkPurpose
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, audit_trail, session_of
from tests.services.magic_links.support import (
    MovableClock,
    build_links,
    sent_mail,
    verify_sender,
)

NEW = "newcomer@example.com"
BINDING = "signup-browser-binding-value-0123456789"


@pytest.fixture
def links(services: Services) -> MagicLinks:
    """The link service, run synchronously, against moto SES with a verified sender."""
    verify_sender()
    return build_links(services, MovableClock())


def _ask(links: MagicLinks, email: str) -> LinkRequested:
    return links.request(email=email, purpose=LinkPurpose.SIGNUP, binding=BINDING, client=CLIENT)


def test_the_account_exists_only_once_the_link_is_used(
    services: Services, links: MagicLinks, cognito: CognitoFixture
) -> None:
    assert _ask(links, NEW) == LinkRequested()
    [mail] = sent_mail()
    assert mail.to == [NEW] and mail.subject == "Finish creating your account"
    assert services.gateway.find_user(email=NEW) is None

    login = links.redeem(token=mail.token, binding=BINDING, confirmed=False, client=CLIENT)
    _, user = session_of(services, login)
    assert user.email == NEW and user.auth_method == "magic_link"
    created = services.gateway.find_user(email=NEW)
    assert created is not None
    assert created.attributes["email_verified"] == "true"
    assert created.attributes["custom:createdByPasskey"] == "true"
    assert audit_trail(services, "magic_link.redeem") == [("success", "signup")]


def test_an_existing_account_gets_a_sign_in_link_instead(links: MagicLinks) -> None:
    assert _ask(links, "alice@example.com") == LinkRequested()
    [mail] = sent_mail()
    assert mail.subject == "Your sign-in link"


def test_a_sign_up_link_for_an_address_taken_meanwhile_creates_nothing(
    services: Services, links: MagicLinks, cognito: CognitoFixture
) -> None:
    _ask(links, NEW)
    cognito.client.admin_create_user(
        UserPoolId=cognito.pool.user_pool_id, Username=NEW, MessageAction="SUPPRESS"
    )
    with pytest.raises(AuthError) as raised:
        links.redeem(token=sent_mail()[0].token, binding=BINDING, confirmed=False, client=CLIENT)
    assert raised.value.failure is AuthFailure.LINK_INVALID
    assert audit_trail(services, "magic_link.redeem") == [("failure", "account exists")]
