"""The account tests' services: mail that moto's SES accepts, sent at once, and links
that point at the test's API URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from passkey_app.services.background import run_now
from passkey_app.services.container import Services, build_services
from passkey_app.settings import Settings
from tests.services.magic_links.support import API_URL, verify_sender


@pytest.fixture
def svc(settings: Settings, services: Services) -> Iterator[Services]:
    """The services with links to the test's API URL, mail sent at once."""
    verify_sender()
    built = build_services(
        settings.model_copy(update={"api_url": API_URL}), gateway=services.gateway, runner=run_now
    )
    yield built
    built.engine.dispose()
