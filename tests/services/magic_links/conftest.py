"""Fixtures of the link and code tests: a clock the test moves, and the link service on it."""

from __future__ import annotations

import pytest

from passkey_app.services.container import Services
from passkey_app.services.magic_links.flows import MagicLinks
from tests.services.magic_links.support import MovableClock, build_links, verify_sender


@pytest.fixture
def clock() -> MovableClock:
    """A clock the test moves."""
    return MovableClock()


@pytest.fixture
def links(services: Services, clock: MovableClock) -> MagicLinks:
    """The link service, run synchronously, against moto SES with a verified sender."""
    verify_sender()
    return build_links(services, clock)
