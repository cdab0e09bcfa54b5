"""What this browser can do with passkeys, asked once per page load: a state mixes in
``CapabilitiesMixin``, yields ``self._detect_capabilities()`` from its on_load, and
reads ``passkeys_supported`` / ``autofill_supported`` (or overrides
``_capabilities_known`` to act on them)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.state.ceremony import capabilities_call


class CapabilitiesMixin(rx.State, mixin=True):
    """Feature detection: without WebAuthn a page says so instead of failing later."""

    passkeys_supported: bool = True
    autofill_supported: bool = False

    def _detect_capabilities(self) -> EventSpec:
        """The call that asks the browser; its answer arrives in ``set_capabilities``."""
        return rx.call_script(capabilities_call(), callback=type(self).set_capabilities)

    @rx.event
    async def set_capabilities(self, result: Any) -> EventSpec | None:
        """The browser's answer (any client can send anything: only a well-formed
        ``{ok, data: {webauthn, conditional}}`` turns a capability on)."""
        data = result.get("data") if isinstance(result, dict) else None
        data = data if isinstance(data, dict) else {}
        self.passkeys_supported = data.get("webauthn") is True
        self.autofill_supported = self.passkeys_supported and data.get("conditional") is True
        return await self._capabilities_known()

    async def _capabilities_known(self) -> EventSpec | None:
        """Hook: act on what the browser can do (start autofill, say)."""
        return None
