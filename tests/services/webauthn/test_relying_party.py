"""The relying party from settings: exact origins, the frontend's by default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from passkey_app.services.webauthn.relying_party import relying_party
from passkey_app.settings import Settings


def test_without_webauthn_origins_the_frontend_is_the_origin() -> None:
    rp = relying_party(Settings(frontend_url="https://app.example.com/", rp_id="app.example.com"))
    assert (rp.rp_id, rp.rp_name) == ("app.example.com", "Passkeys for Cognito")
    assert rp.origins == ("https://app.example.com",)
    assert [int(alg) for alg in rp.algorithms] == [-8, -7, -257]


def test_webauthn_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PASSKEY_WEBAUTHN_ORIGINS", "https://app.example.com, https://www.example.com:8443"
    )
    assert relying_party(Settings()).origins == (
        "https://app.example.com",
        "https://www.example.com:8443",
    )


@pytest.mark.parametrize("origin", ["app.example.com", "https://app.example.com/login", "ftp://x"])
def test_an_origin_must_be_exact(origin: str) -> None:
    with pytest.raises(ValidationError):
        Settings(webauthn_origins=[origin])
