// Browser side of the app, called through Reflex's JS interop (rx.call_script).
// Every function resolves to {ok: true, data} or {ok: false, error}: Reflex swallows
// rejected promises, so nothing here may reject.
(function () {
  "use strict";

  // Reflex keeps a tab's id in sessionStorage under this key (reflex 0.10's state.js,
  // TOKEN_KEY); the server-side state of every page is filed under it.
  const REFLEX_TAB_KEY = "token";

  // A full-page POST to a backend route (which sets or clears the HttpOnly cookie).
  // Fields arrive as a JSON object from Python; values are set as properties,
  // never concatenated into markup. With leaving (sign-out, a deleted account) the tab
  // also drops its id, so the page after it starts from a new, empty server-side state:
  // nothing the person saw is kept for whoever uses this browser next.
  function postNavigate(url, fields, leaving) {
    try {
      if (leaving) {
        window.sessionStorage.removeItem(REFLEX_TAB_KEY);
      }
      const form = document.createElement("form");
      form.method = "POST";
      form.action = url;
      form.style.display = "none";
      for (const [name, value] of Object.entries(fields || {})) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = String(value);
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
      return { ok: true, data: null };
    } catch (error) {
      return { ok: false, error: { code: "unknown" } };
    }
  }

  // ---- Passkeys (WebAuthn) ------------------------------------------------------
  // Options arrive as the server's JSON (base64url strings); results leave as
  // credential.toJSON(). Nothing here logs: credential material stays out of consoles.

  // Failures are codes only; the sentences people read live in Python
  // (passkey_app/state/ceremony.py, BrowserCode), checked by a test to cover every code.
  const ok = (data) => ({ ok: true, data });
  const fail = (code) => ({ ok: false, error: { code } });

  // Hands a verified sign-in's one-time code to the cookie route in the background: the
  // response sets the HttpOnly session cookie and names the page to go to next, and the
  // app moves there without reloading.
  async function openSession(url, fields) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "include",
        headers: { Accept: "application/json" },
        body: new URLSearchParams(fields || {}),
      });
      if (!response.ok) return fail("refused");
      const data = await response.json();
      return data && typeof data.next === "string" ? ok({ next: data.next }) : fail("malformed");
    } catch (error) {
      return fail("unknown");
    }
  }

  // After a navigation inside the app (no page load), move the focus to the new page's
  // main landmark, as a page load would: screen readers then read the new page, and Tab
  // starts from its top instead of from where the old page's control used to be.
  function focusMainAt(path) {
    const leaving = document.getElementById("main");
    const wanted = path.replace(/\/$/, "");
    let triesLeft = 60;
    const attempt = () => {
      const main = document.getElementById("main");
      const arrived = window.location.pathname.replace(/\/$/, "") === wanted;
      if (arrived && main && main !== leaving) {
        main.focus({ preventScroll: true });
      } else if (triesLeft > 0) {
        triesLeft -= 1;
        setTimeout(attempt, 50);
      }
    };
    attempt();
    return ok(null);
  }

  // A dialog opened by the app's state has no trigger element for Radix to give the
  // focus back to when it closes: the control that had the focus before it opened does.
  let focusBeforeDialog = null;
  document.addEventListener(
    "focusin",
    (event) => {
      const target = event.target;
      if (target instanceof Element && !target.closest("[role=dialog], [role=alertdialog]")) {
        focusBeforeDialog = target;
      }
    },
    true,
  );

  function restoreFocus() {
    const target = focusBeforeDialog && focusBeforeDialog.isConnected ? focusBeforeDialog : null;
    const fallback = document.getElementById("main");
    if (target) target.focus();
    else if (fallback) fallback.focus({ preventScroll: true });
    return ok(null);
  }

  // Why passkeys can't run on this page at all (an error code), or null when they can.
  function unavailable() {
    if (!window.isSecureContext) return "security"; // WebAuthn needs https or localhost
    const api = navigator.credentials;
    const present = typeof window.PublicKeyCredential === "function" && api && api.create && api.get;
    return present ? null : "unsupported";
  }

  // Strict unpadded base64url (the server never pads); anything else is a TypeError.
  function fromBase64url(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
      throw new TypeError("invalid base64url");
    }
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (text.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  const withBinaryIds = (list) =>
    (list || []).map((descriptor) => ({ ...descriptor, id: fromBase64url(descriptor.id) }));

  function creationOptions(json) {
    if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: withBinaryIds(json.excludeCredentials),
    };
  }

  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    const options = { ...json, challenge: fromBase64url(json.challenge) };
    if (json.allowCredentials) options.allowCredentials = withBinaryIds(json.allowCredentials);
    return options;
  }

  // Extension outputs may hold ArrayBuffers; JSON carries them as base64url.
  function plain(value) {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return toBase64url(value);
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
    }
    return value;
  }

  const call = (target, method) =>
    typeof target[method] === "function" ? target[method]() : undefined;

  // The same shape as PublicKeyCredential.prototype.toJSON, for browsers without it.
  function serialize(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const source = credential.response;
    const response = { clientDataJSON: toBase64url(source.clientDataJSON) };
    const authenticatorData = source.authenticatorData || call(source, "getAuthenticatorData");
    if (authenticatorData) response.authenticatorData = toBase64url(authenticatorData);
    if (source.attestationObject) {
      response.attestationObject = toBase64url(source.attestationObject);
      response.transports = call(source, "getTransports") || [];
      const algorithm = call(source, "getPublicKeyAlgorithm");
      if (typeof algorithm === "number") response.publicKeyAlgorithm = algorithm;
      const publicKey = call(source, "getPublicKey");
      if (publicKey) response.publicKey = toBase64url(publicKey);
    } else {
      response.signature = toBase64url(source.signature);
      if (source.userHandle) response.userHandle = toBase64url(source.userHandle);
    }
    const { id, rawId, type } = credential;
    const json = { id, rawId: toBase64url(rawId), type, response };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    json.clientExtensionResults = plain(call(credential, "getClientExtensionResults") || {});
    return json;
  }

  function errorCode(error, elapsed, timeout) {
    switch (error && error.name) {
      case "NotAllowedError":
        // The browser reports both a dismissed prompt and an expired one this way.
        return typeof timeout === "number" && elapsed >= timeout ? "timeout" : "cancelled";
      case "AbortError":
        return "aborted";
      case "InvalidStateError":
        return "already_registered";
      case "SecurityError":
        return "security";
      case "NotSupportedError":
      case "ConstraintError":
        return "unsupported";
      default:
        return "unknown";
    }
  }

  // One request at a time, as the browser allows: a modal call aborts whatever is
  // pending; autofill replaces an older autofill but never interrupts a modal call.
  let pending = null;

  function begin(isAutofill) {
    if (pending && isAutofill && !pending.isAutofill) return null;
    if (pending) pending.controller.abort();
    pending = { controller: new AbortController(), isAutofill };
    return pending;
  }

  async function ceremony(isAutofill, json, parse, start) {
    if (unavailable()) return fail(unavailable());
    const started = performance.now();
    let request = null;
    try {
      const publicKey = parse(json);
      request = begin(isAutofill);
      if (!request) return fail("aborted");
      const credential = await start(publicKey, request.controller.signal);
      return credential ? ok(serialize(credential)) : fail("unknown");
    } catch (error) {
      return fail(errorCode(error, performance.now() - started, json && json.timeout));
    } finally {
      if (request && pending === request) pending = null;
    }
  }

  async function ask(check) {
    try {
      return typeof check === "function" && (await check.call(PublicKeyCredential)) === true;
    } catch (error) {
      return false;
    }
  }

  async function capabilities() {
    if (unavailable()) return ok({ webauthn: false, platform: false, conditional: false });
    const [platform, conditional] = await Promise.all([
      ask(PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable),
      ask(PublicKeyCredential.isConditionalMediationAvailable),
    ]);
    return ok({ webauthn: true, platform, conditional });
  }

  const register = (options) =>
    ceremony(false, options, creationOptions, (publicKey, signal) =>
      navigator.credentials.create({ publicKey, signal }),
    );

  const authenticate = (options) =>
    ceremony(false, options, requestOptions, (publicKey, signal) =>
      navigator.credentials.get({ publicKey, signal }),
    );

  async function autofillRequest(options) {
    if (unavailable()) return fail(unavailable());
    if (!(await ask(PublicKeyCredential.isConditionalMediationAvailable))) {
      return fail("unsupported");
    }
    return ceremony(true, options, requestOptions, (publicKey, signal) =>
      navigator.credentials.get({ publicKey, signal, mediation: "conditional" }),
    );
  }

  // A conditional request may stay pending for as long as the page is open. Reflex
  // waits for a script's promise before it sends the next event, so the app starts
  // autofill without waiting, and learns the outcome through a hidden button: the
  // result is kept here and the button's click handler takes it (takeAutofillResult).
  let autofillResult = null;

  // React may be re-rendering the page at the instant the request settles (a saved
  // passkey can be picked in milliseconds), so the button is looked for a little while.
  function pressWhenPresent(id, triesLeft) {
    const button = document.getElementById(id);
    if (button) button.click();
    else if (triesLeft > 0) setTimeout(() => pressWhenPresent(id, triesLeft - 1), 100);
  }

  async function autofill(options, doneButtonId) {
    const result = await autofillRequest(options);
    if (doneButtonId) {
      autofillResult = result;
      pressWhenPresent(doneButtonId, 50);
    }
    return result;
  }

  function takeAutofillResult() {
    const result = autofillResult || fail("aborted");
    autofillResult = null;
    return result;
  }

  async function cancelAutofill() {
    if (pending && pending.isAutofill) pending.controller.abort();
    return ok(null);
  }

  // The server refused a credential the browser has just made (a sign-up that could not
  // finish): tell the authenticator to forget it where the browser can (Signal API).
  async function forget(rpId, credentialId) {
    if (unavailable() || typeof PublicKeyCredential.signalUnknownCredential !== "function") {
      return fail("unsupported");
    }
    await PublicKeyCredential.signalUnknownCredential({ rpId, credentialId });
    return ok(null);
  }

  // Tells the browser's passkey provider every credential id the server still accepts for
  // one account (none once the account is deleted), so it can hide or drop the others,
  // where the browser has the Signal API. Never holds up what follows for long.
  const SIGNAL_WAIT_MS = 2000;

  async function signalAccepted(rpId, userId, credentialIds) {
    if (unavailable() || typeof PublicKeyCredential.signalAllAcceptedCredentials !== "function") {
      return fail("unsupported");
    }
    const signal = PublicKeyCredential.signalAllAcceptedCredentials({
      rpId,
      userId,
      allAcceptedCredentialIds: credentialIds,
    }).then(() => ok(null));
    const late = new Promise((resolve) => setTimeout(() => resolve(fail("timeout")), SIGNAL_WAIT_MS));
    return Promise.race([signal, late]);
  }

  // Belt and braces: whatever slips through still resolves.
  function settled(fn) {
    return (...args) => Promise.resolve().then(() => fn(...args)).catch(() => fail("unknown"));
  }

  window.passkeyApp = Object.freeze({
    postNavigate,
    openSession: settled(openSession),
    focusMainAt: settled(focusMainAt),
    restoreFocus: settled(restoreFocus),
    capabilities: settled(capabilities),
    register: settled(register),
    authenticate: settled(authenticate),
    autofill: settled(autofill),
    cancelAutofill: settled(cancelAutofill),
    takeAutofillResult,
    forget: settled(forget),
    signalAccepted: settled(signalAccepted),
  });
})();
