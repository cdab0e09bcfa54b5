"""The load benchmark's simulated browser (tests/support/sim_browser.py) against the
production profile: Reflex's websocket protocol and the cookie routes, no Chromium.

Two sign-ups, then five sign-ins, two people at once (three by email, two by the passkey
button; one person's in turn, as the bench does, so a passkey's counter never races), each
from its own address behind the loopback "proxy": exactly five succeed, each ends with
/api/session/me naming its person, and the audit trail agrees. A passkey answering
for another person's email is refused, and the client says so instead of counting it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest
from sqlalchemy import text

from passkey_app.db import make_engine
from passkey_app.dev.devserver import PROJECT_ROOT, Stack, StackPorts, start_stack
from tests.conftest import emptied_redis
from tests.e2e.conftest import free_port
from tests.support.run_async import run_async
from tests.support.sim_browser import (
    Person,
    SignInError,
    Visit,
    sign_in_by_button,
    sign_in_by_email,
    sign_up,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
T = TypeVar("T")
REDIS_URL = os.environ.get("PASSKEY_TEST_REDIS_SIM_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def prod_stack(tmp_path: Path, postgres_url: str) -> Iterator[Stack]:
    redis_database = emptied_redis(REDIS_URL)
    next(redis_database)
    port = free_port()
    stack = start_stack(
        data_dir=tmp_path / "data",
        ports=StackPorts(frontend=port, backend=port, local_aws=free_port()),
        extra_env={
            "PASSKEY_DATABASE_URL": postgres_url,
            "REFLEX_REDIS_URL": REDIS_URL,
            "GRANIAN_WORKERS": "2",
            "PASSKEY_TRUSTED_PROXIES": "127.0.0.1/32",
            "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-prod"),
            "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
        },
        log_dir=tmp_path,
        reflex_args=("--env", "prod"),
        hot_reload=False,
    )
    yield stack
    stack.stop()
    redis_database.close()


async def _run(base: str) -> tuple[list[Person], list[BaseException | None], SignInError]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        addresses = iter(f"198.18.7.{n}" for n in range(1, 255))

        async def visit_with(flow: Callable[..., Awaitable[T]], *args: object) -> T:
            visit = Visit(http, base, client_ip=next(addresses), timeout=60)
            try:
                return await flow(visit, *args)
            finally:
                await visit.close()

        people = [
            await visit_with(sign_up, "sim-ada@example.com"),
            await visit_with(sign_up, "sim-bob@example.com"),
        ]
        ada, bob = people

        async def one_after_another(
            flow: Callable[..., Awaitable[None]], person: Person, times: int
        ) -> list[BaseException | None]:
            # One person's sign-ins in turn: their passkey's counter must not race.
            outcomes: list[BaseException | None] = []
            for _ in range(times):
                try:
                    outcomes.append(await visit_with(flow, person))
                except SignInError as error:
                    outcomes.append(error)
            return outcomes

        by_email, by_button = await asyncio.gather(
            one_after_another(sign_in_by_email, ada, 3),
            one_after_another(sign_in_by_button, bob, 2),
        )
        outcomes = by_email + by_button
        impostor = Person(email=ada.email, authenticator=bob.authenticator)
        with pytest.raises(SignInError) as refused:
            await visit_with(sign_in_by_email, impostor)
        return people, outcomes, refused.value


def test_simulated_browsers_sign_in_on_the_production_profile(
    prod_stack: Stack, postgres_url: str
) -> None:
    people, outcomes, refused = run_async(_run(prod_stack.frontend_url))
    assert [p.email for p in people] == ["sim-ada@example.com", "sim-bob@example.com"]
    assert outcomes == [None] * 5
    assert refused.kind == "refused"
    assert [c.sign_count for p in people for c in p.authenticator.credentials] == [3, 3]
    engine = make_engine(postgres_url)
    with engine.connect() as db:
        rows = db.execute(
            text(
                "SELECT event_type, outcome, count(*) FROM audit_event"
                " WHERE event_type IN ('login.passkey', 'session.start')"
                " GROUP BY event_type, outcome"
            )
        ).all()
        addresses = db.execute(
            text(
                "SELECT count(DISTINCT ip_address) FROM audit_event"
                " WHERE event_type = 'login.passkey'"
            )
        ).scalar_one()
    engine.dispose()
    # Two sign-ups and five sign-ins opened sessions; the impostor's try is the failure.
    assert sorted(tuple(row) for row in rows) == [
        ("login.passkey", "failure", 1),
        ("login.passkey", "success", 5),
        ("session.start", "success", 7),
    ]
    assert addresses == 6  # each visit counted against its own address
