"""A simulated browser for the load benchmark and its test: no Chromium, the real protocol.

One ``Visit`` is one browser tab opening a page. It speaks Reflex 0.10's event protocol
exactly as the compiled frontend does (``reflex_base/.templates/web/utils/state.js``):

- socket.io over a websocket at ``/_event`` (the URL's path is the socket.io namespace),
  the tab's client token in the query, the hydrate event (``State.hydrate_and_load``
  with the page's ``router_data``) in the CONNECT packet's auth, as ``connect`` sends it;
- ``event`` messages out: ``{"name": "<state path>.<handler>", "payload": {...},
  "router_data": {"pathname", "asPath"}}``;
- ``event`` messages in: ``{"delta": {state: {var_rx_state_: value}}, "events": [...]}``;
  frontend events are ``_call_script`` with ``javascript_code`` and a ``callback`` string
  naming the handler (and argument) that receives the script's result.

The scripts the app sends are calls of its own module, assets/passkeys.js
(``window.passkeyApp.<function>(<JSON args>)``, built with json.dumps in
state/ceremony.py); this browser answers them as that module does: ``capabilities`` with
WebAuthn and no autofill, ``register``/``authenticate`` with a credential from the
software authenticator of the tests, and ``openSession`` as its fetch does: the one-time
code posted to the cookie route, whose JSON answer goes to the callback
(``AuthState.session_opened``), which must send the tab on (``_redirect``, a client-side
navigation; the next page's own events are not sent). Then ``/api/session/me`` with the
HttpOnly cookie the route set: a sign-in counts only when it names the right email.

Every request carries the page's Origin and an ``X-Forwarded-For`` of the visit's own
address, as a reverse proxy in front of the app would write it (the app believes it only
with ``PASSKEY_TRUSTED_PROXIES`` naming the proxy, here the loopback the client runs on).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import socketio

from passkey_app import routes
from passkey_app.state.login.card import LoginState
from passkey_app.state.login.passkey import PasskeyLoginState
from passkey_app.state.login.signup import SignupState
from tests.support.authenticator import SoftAuthenticator

EVENT_NAMESPACE = "/_event"
HYDRATE = "reflex___state____state.hydrate_and_load"
VAR_SUFFIX = "_rx_state_"
_MODULE_CALL = re.compile(r"^window\.passkeyApp\.(\w+)\((.*)\)$", re.DOTALL)
_CALLBACK = re.compile(r'ReflexEvent\("([^"]+)", \{(\w+):_result\}\)')
CAPABILITIES = {"webauthn": True, "platform": True, "conditional": False}


class SignInError(Exception):
    """A simulated sign-in that did not end signed in; ``kind`` is the tally's key."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class ScriptCall:
    """A ``_call_script`` from the server: which passkeys.js function, its arguments, and
    the handler (with its argument name) to send the result to, if any."""

    function: str
    args: list[Any]
    callback: tuple[str, str] | None

    @classmethod
    def parse(cls, payload: dict[str, Any]) -> ScriptCall:
        code = str(payload.get("javascript_code", ""))
        call = _MODULE_CALL.match(code)
        if call is None:
            raise SignInError("unexpected script", code[:40])
        callback = _CALLBACK.search(str(payload.get("callback") or ""))
        return cls(
            function=call.group(1),
            args=json.loads(f"[{call.group(2)}]"),
            callback=(callback.group(1), callback.group(2)) if callback else None,
        )


@dataclass
class Person:
    """Someone with an account: the email and the authenticator holding the passkey."""

    email: str
    authenticator: SoftAuthenticator


@dataclass
class Timings:
    """Seconds spent in each step of one visit (for where the time goes)."""

    steps: dict[str, float] = field(default_factory=dict)
    _last: float = field(default_factory=time.perf_counter)

    def mark(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self._last
        self._last = now


class Visit:
    """One tab on one page: a websocket with the app, the state it was sent, and the
    scripts it was asked to run."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        *,
        client_ip: str,
        timeout: float,
        user_agent: str = "passkey-bench/1.0",
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.origin = self.base_url
        self.client_ip = client_ip
        self.timeout = timeout
        self.token = str(uuid.uuid4())
        self.headers = {
            "Origin": self.origin,
            "X-Forwarded-For": client_ip,
            "User-Agent": user_agent,
        }
        self.vars: dict[str, dict[str, Any]] = {}
        self._scripts: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._redirects: list[str] = []
        self._changed = asyncio.Event()
        self._page = "/"
        self._sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self._sio.on("event", self._on_event, namespace=EVENT_NAMESPACE)

    async def _on_event(self, update: dict[str, Any]) -> None:
        for state, changes in (update.get("delta") or {}).items():
            own = self.vars.setdefault(state, {})
            for name, value in changes.items():
                own[name.removesuffix(VAR_SUFFIX)] = value
        for event in update.get("events") or ():
            if event.get("name") == "_call_script":
                self._scripts.put_nowait(event.get("payload") or {})
            elif event.get("name") == "_redirect":
                self._redirects.append(str((event.get("payload") or {}).get("path", "")))
        self._changed.set()

    def _router_data(self) -> dict[str, str]:
        return {"pathname": self._page, "asPath": self._page}

    async def open(self, page: str) -> None:
        """Connect as the page does: the hydrate event rides in the CONNECT packet."""
        self._page = page
        boot = {"name": HYDRATE, "payload": {}, "router_data": self._router_data()}
        try:
            await self._sio.connect(
                f"{self.base_url}?token={self.token}",
                headers=self.headers,
                auth={"event": boot},
                transports=["websocket"],
                namespaces=[EVENT_NAMESPACE],
                socketio_path=EVENT_NAMESPACE,
                wait_timeout=self.timeout,
            )
        except (socketio.exceptions.ConnectionError, OSError) as error:
            raise SignInError("connect", type(error).__name__) from error

    async def close(self) -> None:
        """The page navigates away: the websocket closes."""
        if self._sio.connected:
            await self._sio.disconnect()

    async def send(self, handler: str, payload: dict[str, Any] | None = None) -> None:
        """One event, as ``applyEvent`` emits it."""
        event = {"name": handler, "payload": payload or {}, "router_data": self._router_data()}
        await self._sio.emit("event", event, namespace=EVENT_NAMESPACE)

    def var(self, state: type[Any], name: str, default: Any = None) -> Any:
        """The last value the server sent for ``state.name``."""
        return self.vars.get(state.get_full_name(), {}).get(name, default)

    async def script(self, *, expect: str, failed: Any = None) -> ScriptCall:
        """The next script the server asks this tab to run, which must call ``expect``;
        ``failed()`` (checked on every update) names a refusal shown instead."""
        deadline = time.monotonic() + self.timeout
        while True:
            if not self._scripts.empty():
                call = ScriptCall.parse(self._scripts.get_nowait())
                if call.function != expect:
                    raise SignInError("unexpected script", f"{call.function}, not {expect}")
                return call
            if failed is not None and (reason := failed()):
                raise SignInError("refused", reason)
            if not self._sio.connected:
                raise SignInError("disconnected", f"waiting for {expect}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise SignInError("timeout", f"waiting for {expect}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                continue

    async def wait_for(self, condition: Any, what: str) -> None:
        """Until ``condition()`` holds for the state this tab was sent."""
        deadline = time.monotonic() + self.timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise SignInError("timeout", f"waiting for {what}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                continue

    async def answer(self, call: ScriptCall, result: dict[str, Any]) -> None:
        """Send the script's result to its callback handler, as the compiled callback does."""
        assert call.callback is not None, f"{call.function} was sent without a callback"
        handler, argument = call.callback
        await self.send(handler, {argument: result})

    async def answer_capabilities(self) -> None:
        """The page's feature detection: WebAuthn yes, autofill no (no pending request)."""
        call = await self.script(expect="capabilities")
        await self.answer(call, {"ok": True, "data": CAPABILITIES})

    async def follow_handoff(self, call: ScriptCall, email: str) -> None:
        """``openSession``: post the code to the cookie route (Origin, Accept JSON, as the
        module's fetch), answer the callback with the route's ``{next}``, wait for the
        tab to be sent on, then ``/api/session/me`` with the HttpOnly cookie: ``email``?"""
        url, fields = call.args
        if urlsplit(url).path != routes.API_SESSION_ACTIVATE:
            raise SignInError("unexpected script", "openSession elsewhere")
        async with self.http.post(
            url, data=fields, headers={**self.headers, "Accept": "application/json"}
        ) as response:
            answer = await response.json(content_type=None)
            cookie = response.cookies
            if response.status != 200 or not cookie or "next" not in answer:
                raise SignInError("activate", f"HTTP {response.status}")
        self._redirects.clear()
        await self.answer(call, {"ok": True, "data": {"next": answer["next"]}})
        await self.wait_for(lambda: bool(self._redirects), "the move to the signed-in page")
        if "expired=1" in self._redirects[0]:
            raise SignInError("activate", "the tab was sent back to sign in")
        jar = "; ".join(f"{name}={morsel.value}" for name, morsel in cookie.items())
        async with self.http.get(
            f"{self.base_url}{routes.API_SESSION_ME}", headers={**self.headers, "Cookie": jar}
        ) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                raise SignInError("me", f"HTTP {response.status}")
            if body.get("email") != email:
                raise SignInError("me", "another person")


def _login_refusal(visit: Visit) -> str:
    error = visit.var(LoginState, "error", "")
    if error:
        return str(error)
    if visit.var(LoginState, "step") == "password":
        return "password step instead of the passkey"
    return ""


async def sign_up(visit: Visit, email: str, timings: Timings | None = None) -> Person:
    """``/signup``: the email, then "Create passkey" (the prepared register call with its
    callback, as the button runs it), then the cookie route. Returns the new person."""
    timings = timings or Timings()
    authenticator = SoftAuthenticator(origin=visit.origin)
    signup = SignupState.get_full_name()
    await visit.open(routes.SIGNUP)
    await visit.answer_capabilities()
    timings.mark("open")
    await visit.send(f"{signup}.submit_email", {"form": {"email": email}})
    await visit.wait_for(
        lambda: visit.var(SignupState, "register_js") or visit.var(SignupState, "error"),
        "the registration options",
    )
    if error := visit.var(SignupState, "error"):
        raise SignInError("refused", str(error))
    call = ScriptCall.parse({"javascript_code": visit.var(SignupState, "register_js")})
    timings.mark("options")
    await visit.send(f"{signup}.start_creating")
    _, credential = authenticator.create(call.args[0])
    await visit.send(f"{signup}.finish_signup", {"result": {"ok": True, "data": credential}})
    handoff = await visit.script(
        expect="openSession", failed=lambda: visit.var(SignupState, "error", "")
    )
    timings.mark("verify")
    await visit.follow_handoff(handoff, email)
    timings.mark("cookie")
    return Person(email=email, authenticator=authenticator)


async def sign_in_by_email(visit: Visit, person: Person, timings: Timings | None = None) -> None:
    """``/login``: the email, the passkey the server asks for at once, the cookie route."""
    timings = timings or Timings()
    login = PasskeyLoginState.get_full_name()
    await visit.open(routes.LOGIN)
    await visit.answer_capabilities()
    timings.mark("open")
    await visit.send(f"{login}.submit_email", {"form": {"email": person.email}})
    call = await visit.script(expect="authenticate", failed=lambda: _login_refusal(visit))
    timings.mark("options")
    assertion = person.authenticator.get(call.args[0])
    await visit.answer(call, {"ok": True, "data": assertion})
    handoff = await visit.script(expect="openSession", failed=lambda: _login_refusal(visit))
    timings.mark("verify")
    await visit.follow_handoff(handoff, person.email)
    timings.mark("cookie")


async def sign_in_by_button(visit: Visit, person: Person, timings: Timings | None = None) -> None:
    """``/login``: "Sign in with a passkey" (usernameless): the options prepared at page
    load, run by the click with the ``finish_discoverable`` callback."""
    timings = timings or Timings()
    login = PasskeyLoginState.get_full_name()
    await visit.open(routes.LOGIN)
    await visit.answer_capabilities()
    await visit.wait_for(
        lambda: visit.var(PasskeyLoginState, "discoverable_js") or _login_refusal(visit),
        "the passkey button's options",
    )
    if refusal := _login_refusal(visit):
        raise SignInError("refused", refusal)
    call = ScriptCall.parse({"javascript_code": visit.var(PasskeyLoginState, "discoverable_js")})
    timings.mark("open")
    await visit.send(f"{login}.start_ceremony")
    assertion = person.authenticator.get(call.args[0])
    await visit.send(f"{login}.finish_discoverable", {"result": {"ok": True, "data": assertion}})
    timings.mark("options")
    handoff = await visit.script(expect="openSession", failed=lambda: _login_refusal(visit))
    timings.mark("verify")
    await visit.follow_handoff(handoff, person.email)
    timings.mark("cookie")
