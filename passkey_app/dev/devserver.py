"""Start the embedded stack: local AWS stand-in, migrations, then ``reflex run``.

Used by ``passkey-app dev`` (``make run``) and by the browser tests, so both run
exactly the same way. Reflex is run as a subprocess; nothing here imports reflex.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from passkey_app import migrations
from passkey_app.local_cognito.server import wait_until_ready
from passkey_app.settings import Settings, ensure_embedded_secrets

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOT_RELOAD_PATHS = ("passkey_app", "lambdas", "rxconfig.py")


@dataclass(frozen=True)
class StackPorts:
    """Where each piece listens (all on loopback)."""

    frontend: int = 3000
    backend: int = 8000
    local_aws: int = 9229


@dataclass
class Stack:
    """The running processes; ``stop`` ends them all."""

    ports: StackPorts
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def frontend_url(self) -> str:
        """Where people open the app."""
        return f"http://localhost:{self.ports.frontend}"

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL what is left."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def stack_environment(data_dir: Path, ports: StackPorts, base: dict[str, str]) -> dict[str, str]:
    """The environment every process of the stack shares."""
    node_bin = PROJECT_ROOT / "node_modules" / ".bin"
    if not (node_bin / "bun").exists() and shutil.which("bun") is None:
        raise RuntimeError("bun is missing: run `npm install` in the project (make run does)")
    frontend = f"http://localhost:{ports.frontend}"
    env = dict(base)
    env.update(
        {
            "PATH": f"{node_bin}{os.pathsep}{base.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            # Python-only hot reload: by default Reflex watches the whole project, so a
            # screenshot or log written by the tests would restart the backend.
            "REFLEX_HOT_RELOAD_OVERRIDE_PATHS": ":".join(
                str(PROJECT_ROOT / name) for name in HOT_RELOAD_PATHS
            ),
            "PASSKEY_DATA_DIR": str(data_dir),
            "PASSKEY_FRONTEND_URL": frontend,
            "PASSKEY_API_URL": f"http://localhost:{ports.backend}",
            "PASSKEY_ALLOWED_ORIGINS": frontend,
            "AWS_ACCESS_KEY_ID": base.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": base.get("AWS_SECRET_ACCESS_KEY", "local"),
            "AWS_DEFAULT_REGION": base.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
    )
    return env


def _lambda_environment(settings: Settings) -> dict[str, str]:
    assert settings.proof_keys and settings.proof_active_key_id
    return {
        "PROOF_KEYS": settings.proof_keys.get_secret_value(),
        "PROOF_ACTIVE_KEY_ID": settings.proof_active_key_id,
    }


def _spawn(
    command: list[str], env: dict[str, str], log_path: Path | None
) -> subprocess.Popen[bytes]:
    output = open(log_path, "ab") if log_path else None  # noqa: SIM115 (owned by the child)
    return subprocess.Popen(  # noqa: S603 (our own fixed command line)
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )


def wait_for_http(url: str, *, timeout: float, process: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until it answers 200, failing fast if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def start_stack(
    *,
    data_dir: Path,
    ports: StackPorts = StackPorts(),
    extra_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    reflex_args: tuple[str, ...] = (),
    wait: bool = True,
    hot_reload: bool = True,
) -> Stack:
    """Bring up local AWS, migrate the database, and start Reflex.

    ``hot_reload=False`` (the browser tests) watches an empty folder instead of the
    sources, so an edit made while the tests run cannot restart the app under them.
    """
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = stack_environment(data_dir, ports, {**os.environ, **(extra_env or {})})
    if not hot_reload:
        frozen = data_dir / "no-hot-reload"
        frozen.mkdir(exist_ok=True)
        env["REFLEX_HOT_RELOAD_OVERRIDE_PATHS"] = str(frozen)
    settings = ensure_embedded_secrets(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    env.update(_lambda_environment(settings))
    stack = Stack(ports=ports, env=env)
    aws = _spawn(
        [
            sys.executable,
            "-m",
            "passkey_app.local_cognito",
            "--host",
            "127.0.0.1",
            "--port",
            str(ports.local_aws),
            "--data-dir",
            str(data_dir),
        ],
        env,
        log_dir / "local-aws.log" if log_dir else None,
    )
    stack.processes.append(aws)
    try:
        wait_until_ready(f"http://127.0.0.1:{ports.local_aws}", timeout=60)
        migrations.upgrade(env.get("PASSKEY_DATABASE_URL") or settings.effective_database_url)
        reflex = _spawn(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--frontend-port",
                str(ports.frontend),
                "--backend-port",
                str(ports.backend),
                *reflex_args,
            ],
            env,
            log_dir / "reflex.log" if log_dir else None,
        )
        stack.processes.append(reflex)
        if wait:
            wait_for_http(f"http://localhost:{ports.backend}/ping", timeout=300, process=reflex)
            wait_for_http(f"http://localhost:{ports.frontend}/", timeout=300, process=reflex)
    except BaseException:
        stack.stop()
        raise
    return stack
