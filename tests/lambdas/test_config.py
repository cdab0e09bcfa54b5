"""Trigger configuration: read once from the environment, loud about what is wrong."""

import json

import pytest

from lambdas.config import ConfigError, config_from_environ, get_config
from lambdas.proof import KeyRing, ProofMethod

KEY = bytes(range(32))
KEY_TEXT = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
BASE = {
    "PROOF_KEYS": json.dumps({"k1": KEY_TEXT}),
    "PROOF_ACTIVE_KEY_ID": "k1",
    "ALLOWED_CLIENT_IDS": "client-a",
}


def test_config_reads_every_variable() -> None:
    config = config_from_environ(
        {**BASE, "ALLOWED_CLIENT_IDS": " client-a , client-b,", "ALLOWED_METHODS": "passkey"}
    )
    assert config.key_ring == KeyRing(active_key_id="k1", keys={"k1": KEY})
    assert config.allowed_client_ids == frozenset({"client-a", "client-b"})
    assert config.allowed_methods == frozenset({ProofMethod.PASSKEY})


def test_methods_default_to_passkey_magic_link_and_email_code() -> None:
    assert config_from_environ(BASE).allowed_methods == frozenset(ProofMethod)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"PROOF_KEYS": None}, "PROOF_KEYS is not set"),
        ({"PROOF_ACTIVE_KEY_ID": None}, "PROOF_ACTIVE_KEY_ID is not set"),
        ({"ALLOWED_CLIENT_IDS": None}, "ALLOWED_CLIENT_IDS is not set"),
        ({"ALLOWED_CLIENT_IDS": " , "}, "ALLOWED_CLIENT_IDS names no app client"),
        ({"ALLOWED_METHODS": ""}, "ALLOWED_METHODS names no method"),
        (
            {"ALLOWED_METHODS": "passkey,sms"},
            "ALLOWED_METHODS has unknown methods ['sms']; "
            "known: ['email_code', 'magic_link', 'passkey']",
        ),
        ({"PROOF_KEYS": "[]"}, "PROOF_KEYS: the keys must be a JSON object"),
        (
            {"PROOF_KEYS": json.dumps({"k1": KEY_TEXT[:20]})},
            "PROOF_KEYS: key 'k1' has 15 bytes; at least 32 are required",
        ),
        (
            {"PROOF_ACTIVE_KEY_ID": "k2"},
            "PROOF_ACTIVE_KEY_ID: the active key id 'k2' is not in the key ring",
        ),
    ],
)
def test_bad_variable_is_named(changes: dict[str, str | None], message: str) -> None:
    environ = {name: value for name, value in {**BASE, **changes}.items() if value is not None}
    with pytest.raises(ConfigError) as caught:
        config_from_environ(environ)
    assert str(caught.value).startswith(message)
    assert KEY_TEXT[:20] not in str(caught.value)


@pytest.mark.usefixtures("trigger_env")
def test_get_config_reads_os_environ_once(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_config()
    monkeypatch.setenv("ALLOWED_METHODS", "magic_link")
    assert get_config() is first
    get_config.cache_clear()
    assert get_config().allowed_methods == frozenset({ProofMethod.MAGIC_LINK})


@pytest.mark.usefixtures("trigger_env")
def test_get_config_does_not_cache_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = get_config().allowed_client_ids
    get_config.cache_clear()
    monkeypatch.delenv("ALLOWED_CLIENT_IDS")
    with pytest.raises(ConfigError, match="ALLOWED_CLIENT_IDS is not set"):
        get_config()
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", ",".join(allowed))
    assert get_config().allowed_client_ids == allowed
