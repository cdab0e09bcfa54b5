"""Benchmark: what one passkey registration and one passkey login cost on the server.

Prints figures, asserts nothing (timed assertions flake). Runs the real services on a
migrated SQLite file and a moto pool with our CUSTOM_AUTH extension, driven by the
software authenticator of the tests.

The server cost of one passkey sign-in is reported as the database transactions
(commits) it makes and the app's own time: the server's time for the options and the
finish, less the time spent inside the Cognito gateway (moto and the triggers stand in
for AWS there). Beside it, in the same run, a bare py_webauthn verify of the same
assertion, and the ratio against the goal of at most 20x:

    make bench      (or: .venv/bin/python -m scripts.bench_passkeys --rounds 200)
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto import mock_aws
from sqlalchemy import event
from sqlmodel import Session, select
from webauthn import verify_authentication_response
from webauthn.helpers import parse_authentication_credential_json

from passkey_app.models import PasskeyCredential
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from scripts.bench_support import address, bench_services, report, time_rounds
from tests.support.authenticator import SoftAuthenticator, unb64url

_ADDRESSES = itertools.count()
GOAL_RATIO = 20
# Every call the app makes into Cognito; the bench times them to leave them out.
_GATEWAY_CALLS = (
    "password_auth",
    "set_new_password",
    "start_custom_auth",
    "answer_custom_challenge",
    "refresh",
    "revoke",
    "find_user",
    "create_passkey_user",
    "mark_email_verified",
    "global_sign_out",
    "describe_pool",
    "delete_user",
)


@dataclass(frozen=True)
class Stopwatch:
    """Wall and CPU (this thread's) seconds: the machine is shared, so the CPU figure is
    the one other processes cannot inflate; the wall figure also holds waits (fsync)."""

    wall: float = 0.0
    cpu: float = 0.0

    @staticmethod
    def now() -> Stopwatch:
        """The two clocks' readings now."""
        return Stopwatch(time.perf_counter(), time.thread_time())

    def __sub__(self, other: Stopwatch) -> Stopwatch:
        return Stopwatch(self.wall - other.wall, self.cpu - other.cpu)

    def __add__(self, other: Stopwatch) -> Stopwatch:
        return Stopwatch(self.wall + other.wall, self.cpu + other.cpu)


@dataclass
class Meters:
    """Commits on the engine and time inside the Cognito gateway, as they add up. Commits
    are counted on the measuring thread; the background work a sign-in queues (the
    known-browser check, services/sessions/watch.py) commits on its own thread, counted
    apart."""

    commits: int = 0
    background_commits: int = 0
    gateway: Stopwatch = field(default_factory=Stopwatch)
    calls: dict[str, int] = field(default_factory=dict)

    def attach(self, services: Services) -> None:
        """Count the engine's commits; time every gateway call (this script only)."""

        measuring = threading.current_thread()

        def on_commit(_connection: Any) -> None:
            if threading.current_thread() is measuring:
                self.commits += 1
            else:
                self.background_commits += 1

        event.listen(services.engine, "commit", on_commit)
        gateway = services.gateway
        for name in _GATEWAY_CALLS:
            setattr(gateway, name, self._timed(name, getattr(gateway, name)))

    def reset(self) -> None:
        """Start a new sign-in's count."""
        self.commits, self.gateway = 0, Stopwatch()

    def _timed(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(call)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = Stopwatch.now()
            try:
                return call(*args, **kwargs)
            finally:
                self.gateway += Stopwatch.now() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed


def _client() -> ClientInfo:
    """A new address for every round: the throttle's cost is measured, never its refusal."""
    return address(next(_ADDRESSES))


def _email_step(services: Services, rounds: int) -> None:
    """The email step for a passkey account, a password account and an unknown address,
    interleaved so drift hits all three alike: their medians should match."""
    kinds = {
        "email step: passkey account": "bench-0@example.com",
        "email step: password account": "alice@example.com",
        "email step: unknown address": "nobody@example.com",
    }
    seconds: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(rounds):
        for name, email in kinds.items():
            seconds[name] += time_rounds(
                1,
                lambda email=email: services.passkey_login.step_for_email(
                    email=email, client=_client()
                ),
            )
    for name, values in seconds.items():
        report(name, values)


def _bare_verify(
    services: Services, options: dict[str, Any], response: dict[str, Any]
) -> Stopwatch:
    """py_webauthn's verify alone, on the assertion the app is about to verify: the
    yardstick for the app's own time (its public key read outside the timing)."""
    credential = parse_authentication_credential_json(response)
    with Session(services.engine) as db:
        public_key = db.exec(
            select(PasskeyCredential.public_key).where(
                PasskeyCredential.credential_id == response["id"]
            )
        ).one()
    rp = services.ceremonies._rp  # the same relying party the app verifies against
    started = Stopwatch.now()
    verify_authentication_response(
        credential=credential,
        expected_challenge=unb64url(options["challenge"]),
        expected_rp_id=rp.rp_id,
        expected_origin=list(rp.origins),
        credential_public_key=public_key,
        credential_current_sign_count=0,
        require_user_verification=True,
    )
    return Stopwatch.now() - started


def _ratio_line(name: str, own: list[float], bare: list[float]) -> None:
    ratio = statistics.median(own) / statistics.median(bare)
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    print(f"{name:<44} {ratio:6.1f}x   ({verdict} the {GOAL_RATIO}x goal)")


def _server_cost(services: Services, device: SoftAuthenticator, rounds: int) -> None:
    """Per passkey sign-in (options, then finish up to the session opened): commits, and
    the app's own time with the gateway's time and the authenticator's signing left out,
    beside a bare py_webauthn verify of the same assertion."""
    meters = Meters()
    meters.attach(services)
    own: list[Stopwatch] = []
    bare: list[Stopwatch] = []
    gateway: list[Stopwatch] = []
    commits: list[int] = []
    finish_commits: list[int] = []
    for _ in range(rounds):
        client = _client()
        meters.reset()
        started = Stopwatch.now()
        ceremony = services.passkey_login.discoverable_options(client=client)
        server = Stopwatch.now() - started
        options_commits = meters.commits
        response = device.get(ceremony.options)
        bare.append(_bare_verify(services, ceremony.options, response))
        started = Stopwatch.now()
        services.passkey_login.finish(handle=ceremony.handle, response=response, client=client)
        server += Stopwatch.now() - started
        own.append(server - meters.gateway)
        gateway.append(meters.gateway)
        commits.append(meters.commits)
        finish_commits.append(meters.commits - options_commits)
    report("sign-in: app's own time, wall", [t.wall for t in own])
    report("sign-in: app's own time, CPU", [t.cpu for t in own])
    report("sign-in: inside the Cognito gateway, wall", [t.wall for t in gateway])
    report("bare py_webauthn verify, wall", [t.wall for t in bare])
    report("bare py_webauthn verify, CPU", [t.cpu for t in bare])
    total, finish = statistics.mean(commits), statistics.mean(finish_commits)
    print(
        f"{'transactions (commits) per sign-in':<44} {total:6.1f}"
        f"   (options {total - finish:.1f}, finish {finish:.1f};"
        f" {meters.background_commits / rounds:.1f} more in the background)"
    )
    print(
        f"{'Cognito calls per sign-in':<44} "
        + ", ".join(f"{name} {count / rounds:.1f}" for name, count in sorted(meters.calls.items()))
    )
    _ratio_line("own time / bare verify, CPU medians", [t.cpu for t in own], [t.cpu for t in bare])
    _ratio_line(
        "own time / bare verify, wall medians", [t.wall for t in own], [t.wall for t in bare]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        services = bench_services(Path(folder))
        device = SoftAuthenticator()
        counter = iter(range(10**9))

        def sign_up() -> None:
            client = _client()
            email = f"bench-{next(counter)}@example.com"
            ceremony = services.passkey_signup.begin(email=email, client=client)
            _, response = device.create(ceremony.options)
            services.passkey_signup.finish(handle=ceremony.handle, response=response, client=client)

        report("sign-up (verify + Cognito user + mint)", time_rounds(max(rounds // 4, 10), sign_up))
        _email_step(services, rounds)

        ceremonies = services.ceremonies
        prepared = [
            services.passkey_login.discoverable_options(client=_client()) for _ in range(rounds)
        ]
        answers = iter([(c.handle, device.get(c.options)) for c in prepared])

        def verify_only() -> None:
            handle, response = next(answers)
            ceremonies.verify_authentication(handle=handle, response=response)

        report("assertion verify + counter UPDATE (SQLite)", time_rounds(rounds, verify_only))

        def full_login() -> None:
            client = _client()
            ceremony = services.passkey_login.discoverable_options(client=client)
            response = device.get(ceremony.options)
            services.passkey_login.finish(handle=ceremony.handle, response=response, client=client)

        report("passkey login (options .. session opened)", time_rounds(rounds, full_login))
        _server_cost(services, device, rounds)
        services.engine.dispose()


if __name__ == "__main__":
    main()
