"""``/api/health`` for load balancers: each part's state, 503 when one is down, and
nothing secret in the answer."""

from __future__ import annotations

import dataclasses

import pytest
import redis
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from passkey_app import routes
from passkey_app.api.session import build_session_routes
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.container import Services
from passkey_app.services.health import Health
from tests.conftest import require_service

REDIS_URL = "redis://127.0.0.1:6379/13"


def _answer(services: Services, health: Health) -> tuple[int, dict[str, object], str]:
    wired = dataclasses.replace(services, health=health)
    client = TestClient(build_session_routes(lambda: wired), base_url="http://localhost:8000")
    response = client.get(routes.API_HEALTH)
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, response.json(), response.text


def test_all_parts_up_is_200(services: Services) -> None:
    status, body, _ = _answer(
        services, Health(engine=services.engine, gateway=services.gateway, redis_url=None)
    )
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured", "cognito": "ok"},
    }


@pytest.mark.redis
def test_a_configured_redis_is_pinged(services: Services) -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        require_service("Redis", error)
    status, body, _ = _answer(
        services, Health(engine=services.engine, gateway=services.gateway, redis_url=REDIS_URL)
    )
    assert status == 200 and body["checks"]["redis"] == "ok"  # type: ignore[index]


def test_redis_down_is_503(services: Services) -> None:
    down = Health(
        engine=services.engine, gateway=services.gateway, redis_url="redis://127.0.0.1:9/0"
    )
    status, body, text = _answer(services, down)
    assert status == 503
    assert body["checks"] == {"database": "ok", "redis": "unreachable", "cognito": "ok"}
    assert "127.0.0.1" not in text


def test_database_down_is_503(services: Services) -> None:
    broken = create_engine("postgresql+psycopg://nobody:s3cret@127.0.0.1:9/none")
    status, body, text = _answer(
        services, Health(engine=broken, gateway=services.gateway, redis_url=None)
    )
    assert status == 503 and body["checks"]["database"] == "unreachable"  # type: ignore[index]
    assert "s3cret" not in text and "postgresql" not in text


def test_cognito_unreachable_is_503(services: Services) -> None:
    pool = dataclasses.replace(services.pool, endpoint_url="http://127.0.0.1:9")
    gateway = CognitoGateway.connect(pool)
    status, body, text = _answer(
        services, Health(engine=services.engine, gateway=gateway, redis_url=None)
    )
    assert status == 503 and body["checks"]["cognito"] == "unreachable"  # type: ignore[index]
    assert services.pool.client_secret not in text and services.pool.user_pool_id not in text


def test_the_report_is_cached_for_a_few_seconds(services: Services) -> None:
    now = [100.0]
    calls: list[str] = []
    health = Health(
        engine=services.engine,
        gateway=services.gateway,
        redis_url="redis://cache-test",
        ping_redis=calls.append,
        clock=lambda: now[0],
    )
    health.report()
    health.report()
    now[0] += 5.1
    health.report()
    assert calls == ["redis://cache-test", "redis://cache-test"]
