"""Settings: nothing to configure for the embedded default; production refuses placeholders."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from passkey_app.settings import Settings, SettingsError, check_production, ensure_embedded_secrets

REAL = "q7Yp2vK9sLx4Rt8WmZ3nB6cD1fG5hJ0k"


def _production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "mode": "production",
        "database_url": "postgresql+psycopg://app@db/passkeys",
        "user_pool_id": "eu-west-1_AbCdEf123",
        "client_id": "1example23456789",
        "client_secret": SecretStr(REAL),
        "proof_keys": SecretStr('{"k1": "' + REAL + REAL + '"}'),
        "proof_active_key_id": "k1",
        "session_keys": SecretStr(REAL + "="),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_embedded_default_generates_its_secrets_once(tmp_path: Path) -> None:
    first = ensure_embedded_secrets(Settings(data_dir=tmp_path))
    second = ensure_embedded_secrets(Settings(data_dir=tmp_path))
    assert first.proof_keys and second.proof_keys
    assert first.proof_keys.get_secret_value() == second.proof_keys.get_secret_value()
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    assert first.effective_database_url == f"sqlite:///{(tmp_path / 'passkeys.db').resolve()}"


def test_a_complete_production_configuration_passes() -> None:
    check_production(_production())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_secret": None}, "PASSKEY_CLIENT_SECRET must be set in production"),
        (
            {"client_secret": SecretStr("change-me")},
            "PASSKEY_CLIENT_SECRET looks like a placeholder",
        ),
        (
            {"session_keys": SecretStr("changeme-changeme-changeme")},
            "PASSKEY_SESSION_KEYS looks like a placeholder",
        ),
        (
            {"proof_keys": SecretStr('{"k1": "change-me"}')},
            "PASSKEY_PROOF_KEYS holds a placeholder key",
        ),
        ({"proof_keys": SecretStr("not json")}, "PASSKEY_PROOF_KEYS must be a JSON object"),
        ({"proof_active_key_id": None}, "PASSKEY_PROOF_ACTIVE_KEY_ID must be set in production"),
        ({"database_url": None}, "PASSKEY_DATABASE_URL must be set in production"),
        ({"user_pool_id": None}, "PASSKEY_USER_POOL_ID must be set"),
    ],
)
def test_production_names_the_setting_at_fault(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        check_production(_production(**overrides))


def test_origins_must_be_bare_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSKEY_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000")
    assert Settings().allowed_origins == ["https://app.example.com", "http://localhost:3000"]
    monkeypatch.setenv("PASSKEY_ALLOWED_ORIGINS", "https://app.example.com/login")
    with pytest.raises(ValidationError):
        Settings()


def test_https_deployments_get_host_prefixed_secure_cookies() -> None:
    settings = Settings(frontend_url="https://app.example.com")
    assert settings.cookie_secure
    assert settings.session_cookie_name == "__Host-passkey_session"


def test_no_proxy_is_trusted_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("PASSKEY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10 ,2001:db8::/32")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "192.0.2.10/32", "2001:db8::/32"]


def test_a_trusted_proxy_that_is_not_an_address_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match=r"trusted proxy 'proxy\.internal'"):
        Settings(trusted_proxies=["proxy.internal"])
