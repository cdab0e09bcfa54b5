"""Benchmark: a passkey sign-in without a page reload, click to account content, in a real
browser, against a bare page's round trip (issue #13: at most 5x).

    make bench-browser
    .venv/bin/python -m scripts.bench_signin_browser [--rounds 20] [--profiles dev,prod]

The yardstick is a bare page: Python's stdlib HTTP server (a thread of this script) with
py_webauthn, whose "Sign in" button fetches options, calls navigator.credentials.get,
posts the assertion for verification and then writes "Signed in as ..." into the page.
The app is started as `make run` starts it (``dev``: Vite and the backend) and in the
production profile (``prod``: one port, two workers, a throwaway PostgreSQL database and
Redis DB 8; skipped when either is unreachable), one after the other, on ports 3400-3499.
Each gets a passkey once (registered on the bare page, signed up on the app), outside the
timing, from a CDP virtual authenticator of its own, all in one Chromium.

Then ``--rounds`` sign-ins each, the bare page and the app taking turns: on /login the
"Sign in with a passkey" button (autofill is off, as in the browser tests), until the
account page's "Passkeys" heading is on screen; the passkey row (the account's data) is
timed too. Between rounds, outside the timing, the app signs out and the bare page is
loaded again, so each round starts from a freshly loaded sign-in page; the app's page is
loaded with a new Reflex client token (a new tab's state), as a person arriving has:
after a sign-out the tab's old state still holds the last account page, which would show
before the new sign-in's data arrives.

The clock runs in the page (performance.now()): from the click (a capturing listener)
to the first animation frame after the content is in the document. Wrappers around
navigator.credentials.get and fetch split the time: up to the device prompt, the
prompt itself (the virtual authenticator answers at once), the verification (the bare
page's POST; the app's round trip over its event websocket), the app's cookie fetch
(/api/session/activate), and the rest up to the content. A ``window.__marker`` set
before the click and still there after it shows the page did not reload. ``--trace``
prints the round nearest the median step by step, with the app's websocket frames (event
names only).

Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import redis
from playwright.sync_api import Browser, Page, expect, sync_playwright
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from passkey_app.dev.devserver import PROJECT_ROOT, Stack, StackPorts, start_stack
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.pages import NO_AUTOFILL_SCRIPT
from tests.e2e.virtual_authenticator import add_virtual_authenticator

GOAL_RATIO = 5
REDIS_URL = os.environ.get("PASSKEY_BENCH_BROWSER_REDIS_URL", "redis://127.0.0.1:6379/8")
LOG_DIR = PROJECT_ROOT / "test-artifacts" / "logs" / "bench-browser"
ACCOUNT_URL = re.compile(r"/account/?$")
SIGNED_OUT_URL = re.compile(r"/login/?\?signed_out=1$")
# After a page is ready, before the click: what the page started on load has settled.
SETTLE_SECONDS = 0.3
TIMEOUT_MS = 60_000

# Both pages, before their own scripts: the marks of one sign-in (see the docstring).
MARKS_SCRIPT = """
(() => {
  performance.setResourceTimingBufferSize(5000);
  const marks = {};
  const trace = [];
  window.__bench = { marks, trace };
  const note = (what) => { trace.push([performance.now(), what]); };
  const mark = (key) => { marks[key] = performance.now(); note(key); };
  const get = CredentialsContainer.prototype.get;
  CredentialsContainer.prototype.get = function (options) {
    const modal = !options || options.mediation !== "conditional";
    if (modal) mark("get_start");
    const result = get.apply(this, arguments);
    if (modal) result.then(() => mark("get_end"), () => mark("get_end"));
    return result;
  };
  const fetch = window.fetch;
  window.fetch = function (input) {
    const path = new URL(input instanceof Request ? input.url : input, location.href).pathname;
    mark(path + ":start");
    const result = fetch.apply(this, arguments);
    result.then(() => mark(path + ":end"), () => mark(path + ":end"));
    return result;
  };
  // Event names only (the frames carry the assertion): what the app's websocket says when.
  const short = (name) => String(name).split(".").pop();
  const describe = (data) => {
    try {
      const [kind, raw] = JSON.parse(String(data).slice(String(data).indexOf("[")));
      const body = typeof raw === "string" ? JSON.parse(raw) : raw;
      if (body && body.name) return `${kind} ${short(body.name)}`;
      const delta = Object.keys((body && body.delta) || {}).map(short).join(",");
      const events = ((body && body.events) || []).map((event) => short(event.name)).join(",");
      return `${kind} delta[${delta}] events[${events}]${body && body.final ? " final" : ""}`;
    } catch (error) {
      return String(data).slice(0, 12);
    }
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => note("received " + describe(event.data)));
    }
    send(data) {
      note("sent " + describe(data));
      return super.send(data);
    }
  };
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = function (state, title, url) {
      note(`${method} ${url}`);
      return original.apply(this, arguments);
    };
  }
})();
"""

# Before each timed click: the marker, and watchers for the content (CSS and exact text).
ARM_SCRIPT = """
(targets) => {
  window.__marker = 1;
  const { marks, trace } = window.__bench;
  for (const key of Object.keys(marks)) delete marks[key];
  trace.length = 0;
  performance.clearResourceTimings();
  const mark = (key) => { marks[key] = performance.now(); trace.push([marks[key], key]); };
  document.addEventListener("click", () => mark("click"), { capture: true, once: true });
  const present = ([css, text]) => [...document.querySelectorAll(css)].some(
    (el) => (!text || el.textContent.trim() === text) && el.checkVisibility());
  for (const [key, spec] of Object.entries(targets)) {
    if (present(spec)) throw new Error(key + " is on screen before the click");
    const observer = new MutationObserver(() => {
      if (marks[key] !== undefined || !present(spec)) return;
      mark(key);
      observer.disconnect();
      requestAnimationFrame(() => mark(key + "_frame"));
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true,
                                 characterData: true });
  }
}
"""

# --- the yardstick: a bare page ---------------------------------------------------------

BARE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bare</title></head>
<body><main id="main"><button id="register">Register</button>
<button id="sign-in">Sign in</button></main><script>
const post = async (path, body) => (await fetch(path, { method: "POST",
  headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).json();
const say = (id, text) => {
  const heading = document.createElement("h2");
  heading.id = id;
  heading.textContent = text;
  document.getElementById("main").replaceChildren(heading);
};
document.getElementById("register").onclick = async () => {
  const { ticket, options } = await post("/register/options", {});
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
  const credential = await navigator.credentials.create({ publicKey });
  const answer = await post("/register/verify", { ticket, credential: credential.toJSON() });
  say("registered", "Registered " + answer.user);
};
document.getElementById("sign-in").onclick = async () => {
  const { ticket, options } = await post("/login/options", {});
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
  const credential = await navigator.credentials.get({ publicKey });
  const answer = await post("/login/verify", { ticket, credential: credential.toJSON() });
  say("signed-in", answer.ok ? "Signed in as " + answer.user : "Refused");
};
</script></body></html>"""


@dataclass
class BareKey:
    """A registered passkey: what verification needs."""

    public_key: bytes
    sign_count: int
    user: str


class BareRelyingParty:
    """py_webauthn's four calls, challenges in a dict (single use), passkeys in another."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._challenges: dict[str, bytes] = {}
        self._keys: dict[bytes, BareKey] = {}
        self._lock = threading.Lock()

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON answer to one POST."""
        if path.endswith("/options"):
            options = (
                generate_registration_options(
                    rp_id="localhost",
                    rp_name="bare",
                    user_name="bare@example.com",
                    authenticator_selection=AuthenticatorSelectionCriteria(
                        resident_key=ResidentKeyRequirement.REQUIRED,
                        user_verification=UserVerificationRequirement.REQUIRED,
                    ),
                )
                if path.startswith("/register")
                else generate_authentication_options(
                    rp_id="localhost", user_verification=UserVerificationRequirement.REQUIRED
                )
            )
            ticket = secrets.token_urlsafe(16)
            with self._lock:
                self._challenges[ticket] = options.challenge
            return {"ticket": ticket, "options": json.loads(options_to_json(options))}
        with self._lock:
            challenge = self._challenges.pop(str(body.get("ticket")))
        credential = body["credential"]
        if path == "/register/verify":
            made = verify_registration_response(
                credential=credential,
                expected_origin=self.origin,
                expected_challenge=challenge,
                expected_rp_id="localhost",
                require_user_verification=True,
            )
            key = BareKey(made.credential_public_key, made.sign_count, "bare@example.com")
            with self._lock:
                self._keys[made.credential_id] = key
            return {"ok": True, "user": key.user}
        key = self._keys[base64url_to_bytes(credential["rawId"])]
        checked = verify_authentication_response(
            credential=credential,
            expected_origin=self.origin,
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
            expected_challenge=challenge,
            expected_rp_id="localhost",
            require_user_verification=True,
        )
        key.sign_count = checked.new_sign_count
        return {"ok": True, "user": key.user}


def serve_bare_page(port: int) -> ThreadingHTTPServer:
    """The bare page on ``port``, served from a daemon thread (keep-alive HTTP/1.1)."""
    party = BareRelyingParty(f"http://localhost:{port}")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle on, the body would wait for
        # the browser's delayed ACK of the headers (about 40 ms on Linux).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._send(BARE_PAGE.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            answer = party.answer(self.path, body)
            self._send(json.dumps(answer).encode(), "application/json")

        def _send(self, payload: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- one timed sign-in ------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One sign-in: the page's marks (ms), Playwright's own clock (s), and whether the
    page reloaded on the way."""

    marks: dict[str, float]
    outside_seconds: float
    reloaded: bool
    trace: list[tuple[float, str]]


@dataclass
class Target:
    """Something to sign in to: its tab, its button, what to watch for, how its time splits
    (name, from mark, to mark) and how it gets back to a freshly loaded sign-in page."""

    name: str
    page: Page
    button: str
    watch: dict[str, tuple[str, str]]
    phases: tuple[tuple[str, str, str], ...]
    ready: Callable[[], None]

    def sign_in(self) -> Round:
        """Click the button, wait for every watched element on screen (or a reload)."""
        self.ready()
        time.sleep(SETTLE_SECONDS)
        self.page.evaluate(ARM_SCRIPT, self.watch)
        frames = [f"{key}_frame" for key in self.watch]
        started = time.perf_counter()
        self.page.get_by_role("button", name=self.button, exact=True).click()
        self.page.wait_for_function(
            "(keys) => window.__marker !== 1 ||"
            " keys.every((key) => window.__bench.marks[key] !== undefined)",
            arg=frames,
            timeout=TIMEOUT_MS,
        )
        outside = time.perf_counter() - started
        seen = self.page.evaluate(
            "() => ({ marks: { ...window.__bench.marks }, trace: [...window.__bench.trace],"
            " reloaded: window.__marker !== 1, loads: performance.getEntriesByType('resource')"
            ".map((e) => [e.startTime, `${e.initiatorType} ${e.name.split('?')[0]}"
            " until ${(e.responseEnd - window.__bench.marks.click).toFixed(1)}`]) })"
        )
        trace = sorted((at, what) for at, what in [*seen["trace"], *seen["loads"]])
        return Round(seen["marks"], outside, bool(seen["reloaded"]), trace)


def _ms(round_: Round, start: str, end: str) -> float | None:
    if start in round_.marks and end in round_.marks:
        return round_.marks[end] - round_.marks[start]
    return None


def bare_target(browser: Browser, url: str) -> Target:
    """The bare page in a tab of its own with its own authenticator; registered once."""
    page = browser.new_context().new_page()
    page.add_init_script(MARKS_SCRIPT)
    add_virtual_authenticator(page)

    def ready() -> None:
        page.goto(url)
        expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_enabled()

    ready()
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#registered")).to_be_visible()
    verify = "/login/verify:end"
    return Target(
        name="bare page (stdlib + py_webauthn)",
        page=page,
        button="Sign in",
        watch={"shown": ("#signed-in", "")},
        phases=(
            ("options", "click", "get_start"),
            ("device", "get_start", "get_end"),
            ("verify POST", "get_end", verify),
            ("to content", verify, "shown_frame"),
        ),
        ready=ready,
    )


def app_target(browser: Browser, url: str) -> Target:
    """The app in a tab of its own: a passkey user signed up once; each ``ready`` signs
    out (a page load, as a person's sign-out is) and waits for the button to be armed."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(NO_AUTOFILL_SCRIPT)
    page.add_init_script(MARKS_SCRIPT)
    add_virtual_authenticator(page)
    email = f"bench-{secrets.token_hex(4)}@example.com"
    page.goto(f"{url}/signup", timeout=300_000)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=300_000)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url(ACCOUNT_URL)
    expect(page.get_by_text(email)).to_be_visible()

    def ready() -> None:
        if ACCOUNT_URL.search(page.url):
            page.get_by_role("button", name="Sign out", exact=True).click()
            page.wait_for_url(SIGNED_OUT_URL)
        # A new Reflex state (client token) for each round, as a person arriving on the
        # sign-in page has: the tab's old state would still hold the last account page.
        page.evaluate("() => sessionStorage.clear()")
        page.reload()
        expect(page.get_by_role("button", name="Continue")).to_be_enabled()
        expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_enabled()

    activate = "/api/session/activate"
    return Target(
        name="app, to the Passkeys heading",
        page=page,
        button="Sign in with a passkey",
        watch={"shown": ("h2", "Passkeys"), "data": ("[data-testid=passkey-row]", "")},
        phases=(
            ("to device prompt", "click", "get_start"),
            ("device", "get_start", "get_end"),
            ("verify (websocket)", "get_end", f"{activate}:start"),
            ("cookie fetch", f"{activate}:start", f"{activate}:end"),
            ("to account content", f"{activate}:end", "shown_frame"),
        ),
        ready=ready,
    )


# --- the app's stacks -------------------------------------------------------------------


def _check_free(*ports: int) -> None:
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is taken: pass another --port-base")


@contextlib.contextmanager
def _prod_services() -> Iterator[dict[str, str] | None]:
    """A throwaway PostgreSQL database and Redis DB (emptied before and after), or None
    when either server is unreachable."""
    import pytest

    from tests.conftest import throwaway_database

    try:
        store = redis.Redis.from_url(REDIS_URL)
        store.flushdb()
    except redis.RedisError as error:
        print(f"prod profile skipped: Redis unreachable ({error})")
        yield None
        return
    database = throwaway_database("passkey_bench_browser")
    try:
        url = next(database)
    except (Exception, pytest.skip.Exception) as error:
        print(f"prod profile skipped: PostgreSQL unreachable ({error})")
        yield None
        return
    try:
        yield {"PASSKEY_DATABASE_URL": url, "REFLEX_REDIS_URL": REDIS_URL}
    finally:
        next(database, None)  # runs the generator on: drops the database
        store.flushdb()


@contextlib.contextmanager
def app_stack(profile: str, port_base: int) -> Iterator[str | None]:
    """The app as `make run` (``dev``) or `make run-prod` (``prod``) serves it; its URL."""
    log_dir = LOG_DIR / profile
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()
    with contextlib.ExitStack() as cleanup:
        work = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-browser-")))
        if profile == "dev":
            ports = StackPorts(
                frontend=port_base + 1, backend=port_base + 2, local_aws=port_base + 3
            )
            extra = {"REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-test")}
            reflex_args: tuple[str, ...] = ()
        else:
            services = cleanup.enter_context(_prod_services())
            if services is None:
                yield None
                return
            ports = StackPorts(
                frontend=port_base + 4, backend=port_base + 4, local_aws=port_base + 5
            )
            extra = {
                **services,
                "GRANIAN_WORKERS": "2",
                "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-prod"),
                "REFLEX_STATES_WORKDIR": str(work / "states"),
            }
            reflex_args = ("--env", "prod")
        _check_free(ports.frontend, ports.backend, ports.local_aws)
        print(f"starting the {profile} profile (logs in {log_dir}) ...", flush=True)
        started = time.perf_counter()
        stack: Stack = start_stack(
            data_dir=work / "data",
            ports=ports,
            extra_env=extra,
            log_dir=log_dir,
            reflex_args=reflex_args,
            hot_reload=False,
        )
        cleanup.callback(stack.stop)
        print(f"  up in {time.perf_counter() - started:.0f} s on {stack.frontend_url}", flush=True)
        yield stack.frontend_url


# --- figures ----------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _line(name: str, values: list[float], extra: str = "") -> None:
    print(
        f"  {name:<34} median {statistics.median(values):7.1f} ms   "
        f"p95 {_p95(values):7.1f} ms{extra}"
    )


def _report(target: Target, rounds: list[Round], end: str = "shown_frame") -> float:
    """Print a target's figures; its median (ms) from the click to ``end``."""
    timed = [r for r in rounds if not r.reloaded and end in r.marks]
    values = [r.marks[end] - r.marks["click"] for r in timed]
    outside = statistics.median(r.outside_seconds for r in rounds) * 1000
    reloads = sum(r.reloaded for r in rounds)
    reload_note = f"{reloads} of {len(rounds)} reloaded" if reloads else "no reload"
    _line(target.name, values, f"   (Playwright-side {outside:.1f} ms; {reload_note})")
    parts = []
    for name, start, stop in target.phases:
        split = [ms for r in timed if (ms := _ms(r, start, stop)) is not None]
        if split:
            parts.append(f"{name} {statistics.median(split):.1f}")
    print(f"      medians, ms: {' | '.join(parts)}")
    return statistics.median(values)


def _ratio_line(name: str, own: float, bare: float) -> float:
    ratio = own / bare
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    print(f"  {name:<34} {ratio:6.1f}x   ({verdict} the {GOAL_RATIO}x goal)")
    return ratio


def run_profile(
    bare: Target, app: Target, rounds: int, warmup: int, trace: bool
) -> tuple[float, float, int, int]:
    """Warm-up rounds (not counted), then ``rounds`` each, taking turns (who goes first
    alternates); the figures; (app / bare ratio, app sign-ins, reloads)."""
    for _ in range(warmup):
        bare.sign_in()
        app.sign_in()
    done: dict[str, list[Round]] = {bare.name: [], app.name: []}
    for number in range(rounds):
        for target in (bare, app) if number % 2 == 0 else (app, bare):
            done[target.name].append(target.sign_in())
    bare_median = _report(bare, done[bare.name])
    app_median = _report(app, done[app.name])
    data = [r.marks["data_frame"] - r.marks["click"] for r in done[app.name] if not r.reloaded]
    _line("app, to the passkey row (data)", data)
    ratio = _ratio_line("app / bare, medians", app_median, bare_median)
    data_ratio = _ratio_line("app data / bare, medians", statistics.median(data), bare_median)
    if trace:
        _print_trace(done[bare.name], bare_median)
        _print_trace(done[app.name], app_median)
    reloads = sum(r.reloaded for r in done[app.name])
    return ratio, data_ratio, len(done[app.name]), reloads


def _print_trace(rounds: list[Round], median: float) -> None:
    """The round nearest the median, step by step (ms after the click)."""
    timed = [r for r in rounds if not r.reloaded and "shown_frame" in r.marks]
    nearest = min(timed, key=lambda r: abs(r.marks["shown_frame"] - r.marks["click"] - median))
    click = nearest.marks["click"]
    print("      the round nearest the median, ms after the click:")
    for at, what in nearest.trace:
        if at >= click:
            print(f"      {at - click:8.1f}  {what}")


def _profiles(text: str) -> list[str]:
    """``--profiles``: a comma-separated list of dev and prod."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or any(name not in ("dev", "prod") for name in names):
        raise argparse.ArgumentTypeError(f"{text!r}: dev, prod or dev,prod")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    parser.add_argument(
        "--profiles",
        default="dev,prod",
        type=_profiles,
        help="dev, prod or dev,prod (the default)",
    )
    parser.add_argument(
        "--trace", action="store_true", help="print one app round's websocket frames"
    )
    parser.add_argument("--port-base", type=int, default=3400, help="uses this port and +1..+5")
    args = parser.parse_args()
    _check_free(args.port_base)
    server = serve_bare_page(args.port_base)
    ratios: dict[str, tuple[float, float]] = {}
    signed_in = reloads = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare = bare_target(browser, f"http://localhost:{args.port_base}")
        for profile in args.profiles:
            with app_stack(profile, args.port_base) as url:
                if url is None:
                    continue
                app = app_target(browser, url)
                load = os.getloadavg()[0]
                print(
                    f"{profile} profile: {args.rounds} sign-ins each, click to content on "
                    f"screen, in one Chromium (load {load:.2f} at the start)"
                )
                heading, data, count, reloaded = run_profile(
                    bare, app, args.rounds, args.warmup, args.trace
                )
                ratios[profile] = (heading, data)
                signed_in, reloads = signed_in + count, reloads + reloaded
                app.page.context.close()
        browser.close()
    server.shutdown()
    figures = ", ".join(
        f"{profile} {heading:.1f}x (data {data:.1f}x)"
        for profile, (heading, data) in ratios.items()
    )
    worst = max((max(pair) for pair in ratios.values()), default=float("inf"))
    verdict = "within" if worst <= GOAL_RATIO else "over"
    reload_note = f"{reloads} reloads" if reloads else "no reload"
    print(
        f"summary: app / bare page, medians: {figures} ({verdict} the {GOAL_RATIO}x goal); "
        f"{reload_note} in {signed_in} app sign-ins; load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
