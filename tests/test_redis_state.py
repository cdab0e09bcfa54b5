"""Reflex's state in Redis, as the production profile runs it (required in CI).

With ``REFLEX_REDIS_URL`` set, Reflex picks its Redis state manager; a state written by
one manager (one backend worker) is read back by a fresh one (another worker). The
state is the app's own sign-up state, so an unpicklable field would fail here first.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from reflex.config import get_config
from reflex.istate.manager import StateManager
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken

from passkey_app.state.login.signup import STEP_CREATE, SignupState
from tests.conftest import emptied_redis

REDIS_URL = os.environ.get("PASSKEY_TEST_REDIS_STATE_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_state_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A dedicated, flushed Redis DB, and Reflex's config reloaded to point at it."""
    redis_database = emptied_redis(REDIS_URL)
    monkeypatch.setenv("REFLEX_REDIS_URL", next(redis_database))
    get_config(reload=True)
    yield REDIS_URL
    redis_database.close()
    monkeypatch.delenv("REFLEX_REDIS_URL")
    get_config(reload=True)


async def _write_then_read(token: BaseStateToken) -> tuple[StateManager, SignupState]:
    writer = StateManager.create()
    async with writer.modify_state(token) as root:
        signup = await root.get_state(SignupState)
        signup.email = "ada@example.com"
        signup.step = STEP_CREATE
    await writer.close()
    reader = StateManager.create()
    root = await reader.get_state(token)
    read = await root.get_state(SignupState)
    await reader.close()
    return writer, read


@pytest.mark.redis
def test_a_state_written_by_one_worker_is_read_by_another(redis_state_url: str) -> None:
    ident = str(uuid.uuid4())
    token = BaseStateToken(ident=ident, cls=SignupState)

    # A thread of its own: an earlier test may have left an event loop on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        writer, read = pool.submit(asyncio.run, _write_then_read(token)).result()

    assert isinstance(writer, StateManagerRedis)
    assert (read.email, read.step) == ("ada@example.com", STEP_CREATE)
    keys = redis.Redis.from_url(redis_state_url).keys(f"{ident}*")
    assert keys, "the state was not stored in Redis"
