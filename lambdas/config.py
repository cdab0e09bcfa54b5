"""Configuration of the custom-auth triggers, read once from the environment.

Variables (all three triggers read the same set):

- ``PROOF_KEYS``: JSON object ``{key_id: base64url key}``, keys of at least 32 bytes.
- ``PROOF_ACTIVE_KEY_ID``: the id of the key the app signs with.
- ``ALLOWED_CLIENT_IDS``: comma-separated app client ids allowed to use CUSTOM_AUTH.
- ``ALLOWED_METHODS``: comma-separated proof methods, default ``passkey,magic_link,email_code``.
"""

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

from lambdas import proof

ALLOWED_CLIENT_IDS_ENV_VAR = "ALLOWED_CLIENT_IDS"
ALLOWED_METHODS_ENV_VAR = "ALLOWED_METHODS"
DEFAULT_ALLOWED_METHODS = "passkey,magic_link,email_code"


class ConfigError(ValueError):
    """A trigger variable is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class TriggerConfig:
    """Everything the triggers need to judge a CUSTOM_AUTH attempt."""

    key_ring: proof.KeyRing
    allowed_client_ids: frozenset[str]
    allowed_methods: frozenset[proof.ProofMethod]


def config_from_environ(environ: Mapping[str, str]) -> TriggerConfig:
    """Build the trigger configuration from ``environ``.

    Raises ConfigError naming the first variable that is missing or invalid.
    """
    try:
        key_ring = proof.key_ring_from_environ(environ)
    except proof.KeyRingError as exc:
        raise ConfigError(str(exc)) from None
    return TriggerConfig(
        key_ring=key_ring,
        allowed_client_ids=_client_ids(environ.get(ALLOWED_CLIENT_IDS_ENV_VAR)),
        allowed_methods=_methods(environ.get(ALLOWED_METHODS_ENV_VAR, DEFAULT_ALLOWED_METHODS)),
    )


@functools.lru_cache(maxsize=1)
def get_config() -> TriggerConfig:
    """The configuration from ``os.environ``, read on first use and then reused.

    A failure is not cached, so a fixed environment takes effect on the next call.
    """
    return config_from_environ(os.environ)


def _client_ids(value: str | None) -> frozenset[str]:
    if value is None:
        raise ConfigError(f"{ALLOWED_CLIENT_IDS_ENV_VAR} is not set")
    client_ids = _split_list(value)
    if not client_ids:
        raise ConfigError(f"{ALLOWED_CLIENT_IDS_ENV_VAR} names no app client")
    return client_ids


def _methods(value: str) -> frozenset[proof.ProofMethod]:
    names = _split_list(value)
    if not names:
        raise ConfigError(f"{ALLOWED_METHODS_ENV_VAR} names no method")
    known = {method.value for method in proof.ProofMethod}
    unknown = sorted(names - known)
    if unknown:
        raise ConfigError(
            f"{ALLOWED_METHODS_ENV_VAR} has unknown methods {unknown}; known: {sorted(known)}"
        )
    return frozenset(proof.ProofMethod(name) for name in names)


def _split_list(value: str) -> frozenset[str]:
    return frozenset(item.strip() for item in value.split(",") if item.strip())
