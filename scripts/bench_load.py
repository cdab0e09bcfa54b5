"""Load benchmark: passkey sign-ins per second on the production profile.

    make bench-load CLIENTS=20 SECONDS=30
    .venv/bin/python -m scripts.bench_load --clients 20 --seconds 30 [--flow button]

Starts the production profile as tests/e2e/test_production_profile.py does (devserver's
``start_stack``: ``reflex run --env prod`` on one free port, ``--workers`` Granian workers,
PostgreSQL database ``passkey_bench`` and Redis DB 11, both emptied first, the local
Cognito stand-in), then drives ``--clients`` simulated browsers (tests/support/
sim_browser.py: Reflex's websocket event protocol and the cookie routes, no Chromium).

- Accounts are made first through the same protocol: ``/signup``, the email, "Create
  passkey" with the software authenticator, the cookie route (``--users-per-client``
  each; a client signs its own people in one after another, so a passkey's signature
  counter never races).
- Then each client signs in over and over for ``--warmup`` + ``--seconds``: a new tab
  (client token) on ``/login``, the email, the passkey the server asks for, the cookie
  route, and ``/api/session/me``, which must answer 200 with the right email; only those
  count (``--flow button``: the "Sign in with a passkey" button instead of the email).
  Only sign-ins that end inside the measured window count; their latency is from opening
  the websocket to /me's answer.

Throttles are not loosened: each visit comes from an address of its own (198.18.0.0/15,
the benchmarking range), written in X-Forwarded-For by this script acting as the reverse
proxy, which the app believes because the run sets ``PASSKEY_TRUSTED_PROXIES`` to the
loopback (as docs/deploy.md section 7 says to for a real proxy). So the per-address
limits are counted but never reached, and every tab is new, so the per-tab ones neither.

CPU is split with psutil (CPU seconds over the window): the app's workers, the stand-in,
PostgreSQL (the backends serving the bench database, and the whole server), Redis (the
whole server) and this client; other people's load on the same servers shows in the
totals and in the load average, printed too. ``--py-spy DIR`` records each worker with
py-spy (if on PATH) during the window and prints the hottest frames.

The stand-in applies Cognito's default request-rate quotas (passkey_app/local_cognito/
quotas.py); ``--cognito-quota-scale`` scales them all. After the measured window, unless
``--over-quota 0``, a second stack (fresh data and accounts) runs with the sign-in quota at half
the rate just reached, under the same browsers: the app then asks Cognito for twice
its quota, and the figures show what people get (botocore's retries, then "busy").

The last line is ``sign-ins/s: X  p95: Y ms  errors: Z``. Figures only, nothing asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ipaddress
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import aiohttp
import psutil
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from passkey_app.dev.devserver import PROJECT_ROOT, Stack, StackPorts, start_stack
from passkey_app.local_cognito.quotas import (
    CHALLENGE_RESPONSE_FACTOR,
    ENV_RATES,
    ENV_SCALE,
    QuotaCategory,
)
from tests.support.sim_browser import (
    Person,
    SignInError,
    Timings,
    Visit,
    sign_in_by_button,
    sign_in_by_email,
    sign_up,
)

ADMIN_POSTGRES_URL = os.environ.get(
    "PASSKEY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BENCH_DATABASE = os.environ.get("PASSKEY_BENCH_DATABASE", "passkey_bench")
REDIS_URL = os.environ.get("PASSKEY_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PROXY = "127.0.0.1/32"
ADDRESSES = ipaddress.ip_network("198.18.0.0/15")
PROD_WEB_DIR = PROJECT_ROOT / ".web-prod"
STEPS = ("open", "options", "verify", "cookie")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Addresses:
    """A fresh client address for every visit."""

    def __init__(self) -> None:
        self._next = itertools.count(1)

    def take(self) -> str:
        return str(ADDRESSES[next(self._next) % (ADDRESSES.num_addresses - 2) + 1])


@dataclass
class Outcome:
    ended: float
    seconds: float
    error: SignInError | None
    steps: dict[str, float] = field(default_factory=dict)


# --- the stack ------------------------------------------------------------------------


def fresh_database() -> str:
    """``passkey_bench``, dropped and made anew; its URL."""
    admin = create_engine(ADMIN_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    admin.dispose()
    return make_url(ADMIN_POSTGRES_URL).set(database=BENCH_DATABASE).render_as_string(False)


def drop_database() -> None:
    admin = create_engine(ADMIN_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def start(
    args: argparse.Namespace,
    work: Path,
    data_dir: Path,
    database_url: str,
    quota_env: dict[str, str] | None = None,
) -> Stack:
    port = free_port()
    extra = {
        **(quota_env or {}),
        "PASSKEY_DATABASE_URL": database_url,
        "REFLEX_REDIS_URL": REDIS_URL,
        "GRANIAN_WORKERS": str(args.workers),
        "PASSKEY_TRUSTED_PROXIES": PROXY,
        "REFLEX_WEB_WORKDIR": str(PROD_WEB_DIR),
        "REFLEX_STATES_WORKDIR": str(work / "states"),
    }
    if args.cognito_quota_scale:
        extra[ENV_SCALE] = args.cognito_quota_scale
    return start_stack(
        data_dir=data_dir,
        ports=StackPorts(frontend=port, backend=port, local_aws=free_port()),
        extra_env=extra,
        log_dir=work,
        reflex_args=("--env", "prod"),
        hot_reload=False,
    )


# --- CPU ------------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _named(name: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == name]


def _bench_backends(database_url: str) -> list[psutil.Process]:
    """PostgreSQL backends connected to the bench database (pg_stat_activity)."""
    engine = create_engine(ADMIN_POSTGRES_URL)
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
            {"name": BENCH_DATABASE},
        ).all()
    engine.dispose()
    found = []
    for (pid,) in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            found.append(psutil.Process(pid))
    return found


def processes(stack: Stack, database_url: str) -> dict[str, list[psutil.Process]]:
    """Who to measure, by group (workers found now: Granian forked them at start)."""
    reflex = stack.processes[-1].pid
    tree = _tree(reflex)
    return {
        "app workers": tree[1:],
        "app main (granian)": tree[:1],
        "stand-in (moto)": _tree(stack.processes[0].pid),
        "postgres: bench db backends*": _bench_backends(database_url),
        "postgres: whole server": _named("postgres"),
        "redis: whole server": _named("redis-server"),
        "bench client (this)": [psutil.Process()],
    }


def cpu_seconds(groups: dict[str, list[psutil.Process]]) -> dict[int, float]:
    seconds: dict[int, float] = {}
    for members in groups.values():
        for process in members:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                # children_*: reaped children (PostgreSQL backends that ended, say).
                t = process.cpu_times()
                seconds[process.pid] = t.user + t.system + t.children_user + t.children_system
    return seconds


# --- the load -------------------------------------------------------------------------


async def make_people(
    http: aiohttp.ClientSession, base: str, count: int, parallel: int, addresses: Addresses
) -> tuple[list[Person], list[SignInError], float]:
    started = time.perf_counter()
    numbers = iter(range(count))
    people: list[Person] = []
    errors: list[SignInError] = []

    async def worker() -> None:
        for number in numbers:
            visit = Visit(http, base, client_ip=addresses.take(), timeout=60)
            try:
                people.append(await sign_up(visit, f"bench-{number:05d}@example.com"))
            except SignInError as error:
                errors.append(error)
            finally:
                await visit.close()

    await asyncio.gather(*(worker() for _ in range(parallel)))
    return people, errors, time.perf_counter() - started


async def sign_ins(
    http: aiohttp.ClientSession,
    base: str,
    own: list[Person],
    flow: str,
    stop_at: float,
    addresses: Addresses,
    outcomes: list[Outcome],
    timeout: float,
) -> None:
    """One simulated browser: sign its people in, one after another, until ``stop_at``."""
    sign_in = sign_in_by_button if flow == "button" else sign_in_by_email
    for person in itertools.cycle(own):
        if time.perf_counter() >= stop_at:
            return
        visit = Visit(http, base, client_ip=addresses.take(), timeout=timeout)
        timings = Timings()
        started = time.perf_counter()
        error: SignInError | None = None
        try:
            await sign_in(visit, person, timings)
        except SignInError as failure:
            error = failure
        except (aiohttp.ClientError, OSError, ValueError) as failure:
            error = SignInError("http", type(failure).__name__)
        finally:
            with contextlib.suppress(Exception):
                await visit.close()
        ended = time.perf_counter()
        outcomes.append(Outcome(ended, ended - started, error, timings.steps))


def py_spy(
    args: argparse.Namespace, workers: list[psutil.Process]
) -> list[subprocess.Popen[bytes]]:
    binary = shutil.which("py-spy")
    if not args.py_spy or binary is None:
        if args.py_spy:
            print("py-spy is not on PATH: no profile")
        return []
    Path(args.py_spy).mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(  # noqa: S603 (fixed command line)
            [
                binary,
                "record",
                "--pid",
                str(worker.pid),
                "--duration",
                str(max(1, int(args.seconds))),
                "--rate",
                "50",
                "--nonblocking",
                "--gil",
                "--format",
                "raw",
                "--output",
                str(Path(args.py_spy) / f"worker-{worker.pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for worker in workers
    ]


def _library(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> the file's top folder (its library), or the file."""
    where = frame.rpartition(" (")[2].split(":")[0]
    return where.split("/")[0] if "/" in where else where


def profile_summary(folder: Path, top: int = 10) -> list[str]:
    """Where the workers' CPU went (py-spy --gil: only the thread running Python counts):
    by library of the innermost frame, the hottest innermost frames, and the app's own
    functions inclusive of what they call."""
    libraries: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    ours: collections.Counter[str] = collections.Counter()
    total = 0
    for path in folder.glob("worker-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit() or not stack:
                continue
            frames, samples = stack.split(";"), int(count)
            total += samples
            leaves[frames[-1]] += samples
            libraries[_library(frames[-1])] += samples
            for frame in {f for f in frames if "(passkey_app/" in f}:
                ours[frame] += samples
    if not total:
        return []
    lines = [
        "by library (innermost frame): "
        + ", ".join(f"{name} {n / total * 100:.0f}%" for name, n in libraries.most_common(top))
    ]
    lines += [
        f"  {n / total * 100:5.1f} % self  {frame[:100]}" for frame, n in leaves.most_common(top)
    ]
    lines += [
        f"  {n / total * 100:5.1f} % incl  {frame[:100]}" for frame, n in ours.most_common(top)
    ]
    return lines


async def run_load(
    args: argparse.Namespace,
    stack: Stack,
    database_url: str,
    *,
    people: list[Person] | None = None,
    seconds: float | None = None,
) -> tuple[list[Outcome], dict[str, float], float, list[Person]]:
    base = stack.frontend_url
    addresses = Addresses()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        if people is None:
            count = args.clients * args.users_per_client
            people, errors, took = await make_people(http, base, count, args.clients, addresses)
            print(
                f"accounts: {len(people)} made through /signup in {took:.1f} s "
                f"({len(people) / took:.1f} sign-ups/s, {len(errors)} failed"
                + (f": {collections.Counter(e.kind for e in errors)}" if errors else "")
                + ")",
                flush=True,
            )
        if not people:
            raise SystemExit("no account could be made: see the logs")
        outcomes: list[Outcome] = []
        begin = time.perf_counter()
        window_start = begin + args.warmup
        window_end = window_start + (args.seconds if seconds is None else seconds)
        clients = [
            sign_ins(
                http,
                base,
                people[i :: args.clients] or people[i % len(people) :][:1],
                args.flow,
                window_end,
                addresses,
                outcomes,
                args.timeout,
            )
            for i in range(args.clients)
        ]

        async def measure() -> tuple[dict[str, float], float]:
            await asyncio.sleep(args.warmup)
            groups = processes(stack, database_url)
            profilers = py_spy(args, groups["app workers"])
            before = cpu_seconds(groups)
            machine_before = psutil.cpu_times()
            started = time.perf_counter()
            await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
            elapsed = time.perf_counter() - started
            # Backends that started inside the window count from zero.
            for name, now in (
                ("postgres: bench db backends*", _bench_backends(database_url)),
                ("postgres: whole server", _named("postgres")),
            ):
                groups[name] = list({p.pid: p for p in [*groups[name], *now]}.values())
            after = cpu_seconds(groups)
            machine_after = psutil.cpu_times()
            # A process gone by the end is left out (its parent's children_* has it).
            split = {
                name: sum(after[p.pid] - before.get(p.pid, 0.0) for p in members if p.pid in after)
                for name, members in groups.items()
            }
            busy = (machine_after.user + machine_after.system + machine_after.nice) - (
                machine_before.user + machine_before.system + machine_before.nice
            )
            split["machine: all processes"] = busy
            for profiler in profilers:
                await asyncio.to_thread(profiler.wait)
            return split, elapsed

        measuring = asyncio.create_task(measure())
        await asyncio.gather(*clients)
        split, elapsed = await measuring
    inside = [o for o in outcomes if window_start <= o.ended <= window_end]
    return inside, split, elapsed, people


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(
    args: argparse.Namespace, outcomes: list[Outcome], split: dict[str, float], elapsed: float
) -> str:
    """Print the figures; return the closing one-line summary (printed last)."""
    good = [o for o in outcomes if o.error is None]
    bad = [o for o in outcomes if o.error is not None]
    ordered = sorted(o.seconds * 1000 for o in good)
    rate = len(good) / elapsed
    print(
        f"\nmeasured {elapsed:.1f} s after {args.warmup:.0f} s of warm-up; "
        f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {psutil.cpu_count()} cores"
    )
    print(f"sign-ins: {len(good)} ok, {len(bad)} failed, {rate:.1f}/s")
    print(
        f"latency ms: p50 {percentile(ordered, 0.50):.0f}  p95 {percentile(ordered, 0.95):.0f}"
        f"  p99 {percentile(ordered, 0.99):.0f}  max {ordered[-1] if ordered else float('nan'):.0f}"
    )
    if good:
        print(
            "median ms per step: "
            + "  ".join(
                f"{step} {statistics.median(o.steps.get(step, 0.0) for o in good) * 1000:.0f}"
                for step in STEPS
            )
            + "  (open: websocket + hydrate + on_load; options: email step to the passkey"
            " request; verify: assertion to the handoff; cookie: activate + /me)"
        )
    kinds = collections.Counter(o.error.kind for o in bad if o.error)
    print("errors: " + (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none"))
    for detail, n in collections.Counter(str(o.error) for o in bad).most_common(5):
        print(f"  {n} x {detail}")
    print(f"CPU over the window (seconds; % of one core; {psutil.cpu_count()} cores):")
    for name, seconds in split.items():
        print(
            f"  {name:<32} {seconds:7.1f} s  {seconds / elapsed * 100:5.0f} %"
            + (f"  ({seconds / len(good) * 1000:.1f} ms per sign-in)" if good else "")
        )
    print("  * backends alive at the end; those that ended are in the whole server's figure")
    if args.py_spy and (lines := profile_summary(Path(args.py_spy))):
        print("where the workers' CPU goes (py-spy --gil, share of samples):")
        print("\n".join(lines))
    p95 = percentile(ordered, 0.95)
    return f"sign-ins/s: {rate:.1f}  p95: {p95:.0f} ms  errors: {len(bad)}"


def over_quota_env(rate: float) -> tuple[float, dict[str, str]]:
    """Cognito's sign-in quota at half the rate just reached (so the same load asks for
    twice the quota); challenge answers keep AWS's three times that."""
    quota = max(1.0, rate / 2)
    rates = {
        QuotaCategory.USER_AUTHENTICATION.value: quota,
        QuotaCategory.CHALLENGE_RESPONSE.value: quota * CHALLENGE_RESPONSE_FACTOR,
    }
    return quota, {ENV_RATES: json.dumps(rates)}


def report_over_quota(quota: float, asked: float, outcomes: list[Outcome], elapsed: float) -> None:
    """What people see when the app asks Cognito for twice its quota: botocore's retries
    absorb what they can, the rest is a short "busy, try again", never a 500."""
    good = [o for o in outcomes if o.error is None]
    kinds = collections.Counter(o.error.kind for o in outcomes if o.error)
    details = collections.Counter(str(o.error) for o in outcomes if o.error)
    print(
        f"\nat twice Cognito's quota (UserAuthentication {quota:.1f}/s, about {asked:.1f}/s "
        f"asked): {len(good) / elapsed:.1f} sign-ins/s ok, "
        + (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "no errors")
    )
    for detail, n in details.most_common(3):
        print(f"  {n} x {detail}")


# --- main -----------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the stack is stopped and the database dropped."""

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20, help="simulated browsers at once")
    parser.add_argument("--seconds", type=float, default=30, help="measured window")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=2, help="Granian workers")
    parser.add_argument("--flow", choices=("email", "button"), default="email")
    parser.add_argument("--users-per-client", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30, help="per step of a sign-in")
    parser.add_argument(
        "--cognito-quota-scale",
        default="",
        help=f"a factor for every Cognito quota of the stand-in (${ENV_SCALE})",
    )
    parser.add_argument(
        "--over-quota",
        type=float,
        default=15,
        metavar="SECONDS",
        help="then this long with Cognito's sign-in quota at half the rate reached (0: skip)",
    )
    parser.add_argument("--py-spy", default="", metavar="DIR", help="profile the workers")
    parser.add_argument("--keep-logs", default="", metavar="DIR", help="copy the logs here")
    parser.add_argument(
        "--data-dir", default="", metavar="DIR", help="the stand-in's data (default: temporary)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    print(
        f"bench-load: {args.clients} simulated browsers, {args.workers} workers, "
        f"flow {args.flow}, {args.seconds:.0f} s measured; throttles at their defaults, "
        f"each visit from its own address (X-Forwarded-For, PASSKEY_TRUSTED_PROXIES={PROXY})"
        + (f"; ${ENV_SCALE}={args.cognito_quota_scale}" if args.cognito_quota_scale else ""),
        flush=True,
    )
    with stop_on_sigterm(), tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        work = Path(folder)
        stack: Stack | None = None
        try:
            database_url = fresh_database()
            redis.Redis.from_url(REDIS_URL).flushdb()
            started = time.perf_counter()
            stack = start(args, work, Path(args.data_dir or work / "data"), database_url)
            print(
                f"production profile up in {time.perf_counter() - started:.0f} s "
                f"at {stack.frontend_url} (load average "
                f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})",
                flush=True,
            )
            outcomes, split, elapsed, _ = asyncio.run(run_load(args, stack, database_url))
            summary = report(args, outcomes, split, elapsed)
            if args.over_quota > 0 and outcomes:
                # A stack of its own (fresh data, fresh accounts) whose sign-in quota is
                # half the rate just reached: the same browsers then ask twice the quota.
                asked = sum(1 for o in outcomes if o.error is None) / elapsed
                quota, quota_env = over_quota_env(asked)
                stack.stop()
                stack = None
                drop_database()
                database_url = fresh_database()
                redis.Redis.from_url(REDIS_URL).flushdb()
                stack = start(args, work, work / "data-over-quota", database_url, quota_env)
                over, _, over_elapsed, _ = asyncio.run(
                    run_load(args, stack, database_url, seconds=args.over_quota)
                )
                report_over_quota(quota, asked, over, over_elapsed)
            print(summary, flush=True)
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
            return 130
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the stop
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if stack is not None:
                stack.stop()
            if args.keep_logs:
                shutil.copytree(
                    work,
                    args.keep_logs,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("states", "data"),
                )
            drop_database()
            redis.Redis.from_url(REDIS_URL).flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
