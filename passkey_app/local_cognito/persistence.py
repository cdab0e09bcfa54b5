"""Moto's cognito-idp, SES and SESv2 state, kept in one file across restarts.

The file is a pickle of the backends (moto's own objects), written atomically: a
temporary file in the same folder, then ``os.replace``. It holds client secrets
and passwords, so it is created with mode 0600. Loading only accepts the classes a
moto state is made of; a file that fails to load is moved aside, never fatal.
"""

from __future__ import annotations

import io
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto
from joserfc import jwk
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.base_backend import BackendDict
from moto.ses.models import ses_backends
from moto.sesv2.models import sesv2_backends
from moto.utilities.utils import load_resource

STATE_FILE = "local-aws-state.pickle"
FORMAT_VERSION = 1

# Saved in this order: SESv2 backends point at the SES ones, pickled in one go.
BACKENDS: dict[str, BackendDict[Any]] = {
    "cognito-idp": cognitoidp_backends,
    "ses": ses_backends,
    "sesv2": sesv2_backends,
}

# Moto's signing key is not picklable; it is moto's fixed demo key, so store a name.
_JWK_ID = "moto-cognito-idp-json-web-key"
_SAFE_BUILTINS = frozenset(
    {"bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list"}
    | {"object", "set", "slice", "str", "tuple", "range"}
)
_SAFE_MODULES = frozenset({"collections", "copyreg", "datetime", "decimal", "enum", "uuid"})


class StateFileError(Exception):
    """The state file could not be read back; the message says why, briefly."""


@dataclass(frozen=True)
class LoadOutcome:
    """What ``load_state`` found: nothing, a state, or a file it moved aside."""

    loaded: bool
    moved_to: Path | None = None
    problem: str | None = None
    saved_by_moto: str | None = None


def save_state(path: Path) -> None:
    """Write the current backends to ``path`` atomically (mode 0600)."""
    snapshot = {
        "format": FORMAT_VERSION,
        "moto": moto.__version__,
        "backends": {
            service: {
                account_id: dict(account_backends.items())
                for account_id, account_backends in list(backend_dict.items())
            }
            for service, backend_dict in BACKENDS.items()
        },
    }
    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(snapshot)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_state(path: Path) -> LoadOutcome:
    """Put the state saved in ``path`` back into moto's backends.

    A missing file loads nothing. A file that cannot be read back is renamed to
    ``<name>.corrupt-<timestamp>`` and reported in the outcome.
    """
    if not path.exists():
        return LoadOutcome(loaded=False)
    try:
        snapshot = _read(path)
    except StateFileError as exc:
        moved_to = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, moved_to)
        return LoadOutcome(loaded=False, moved_to=moved_to, problem=str(exc))
    for service, accounts in snapshot["backends"].items():
        backend_dict = BACKENDS[service]
        for account_id, regions in accounts.items():
            for region, backend in regions.items():
                backend_dict[account_id][region] = backend
    return LoadOutcome(loaded=True, saved_by_moto=str(snapshot.get("moto")))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            snapshot = _StateUnpickler(handle).load()
    except Exception as exc:  # any unreadable file is the same case: move it aside
        raise StateFileError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT_VERSION:
        raise StateFileError("not a state file of this version")
    backends = snapshot.get("backends")
    if not isinstance(backends, dict) or not set(backends) <= set(BACKENDS):
        raise StateFileError("unexpected services in the state file")
    return snapshot


class _StatePickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> str | None:
        return _JWK_ID if isinstance(obj, jwk.RSAKey) else None


class _StateUnpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        if pid == _JWK_ID:
            return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
        raise pickle.UnpicklingError("unknown persistent id")

    def find_class(self, module: str, name: str) -> Any:
        top = module.split(".")[0]
        allowed = (
            (module == "builtins" and name in _SAFE_BUILTINS)
            or top == "moto"
            or module in _SAFE_MODULES
        )
        if not allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a moto state")
        return super().find_class(module, name)
