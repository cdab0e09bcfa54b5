"""The browser module answers with codes only; every code it can return has a sentence
in Python, and no sentence is left in the JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

from passkey_app.state.ceremony import (
    BROWSER_MESSAGES,
    CANCELLED_MESSAGES,
    BrowserCode,
    CeremonyKind,
    read_outcome,
    signal_accepted_call,
    then_call,
)

MODULE = Path(__file__).resolve().parents[2] / "assets" / "passkeys.js"


def _codes_in_module() -> set[str]:
    source = MODULE.read_text()
    failed = set(re.findall(r'fail\("([a-z_]+)"\)', source))
    returned = set(re.findall(r'return "([a-z_]+)"', source))
    conditional = set(re.findall(r'\? "([a-z_]+)" : "([a-z_]+)"', source))
    literal = set(re.findall(r'code: "([a-z_]+)"', source))
    return failed | returned | literal | {code for pair in conditional for code in pair}


def test_every_code_the_module_returns_has_a_message() -> None:
    codes = _codes_in_module()
    assert codes >= {"cancelled", "timeout", "aborted", "unknown", "security", "unsupported"}
    assert codes <= {code.value for code in BrowserCode}
    assert all(BROWSER_MESSAGES[code] for code in BrowserCode)


def test_the_module_holds_no_sentence_for_people() -> None:
    source = MODULE.read_text()
    assert "message:" not in source and "MESSAGES" not in source
    assert not re.search(r'"[A-Z][a-z]+ [^"]*\\.?"', source)


def test_an_unknown_code_gets_the_generic_sentence() -> None:
    outcome = read_outcome({"ok": False, "error": {"code": "made_up"}})
    assert outcome.message == BROWSER_MESSAGES[BrowserCode.UNKNOWN]
    assert read_outcome({"ok": False, "error": {"code": "cancelled"}}).message == (
        "The passkey request was cancelled."
    )


def test_a_dismissed_or_refused_request_reads_differently_for_each_kind_of_ceremony() -> None:
    cancelled = read_outcome({"ok": False, "error": {"code": "cancelled"}})
    assert cancelled.message_for(CeremonyKind.SIGN_IN) == (
        "No passkey was used. The request was cancelled, or this device has no passkey "
        "for this site."
    )
    assert cancelled.message_for(CeremonyKind.CREATE) == (
        "No passkey was created. The request was cancelled."
    )
    assert set(CANCELLED_MESSAGES) == set(CeremonyKind)
    timeout = read_outcome({"ok": False, "error": {"code": "timeout"}})
    assert timeout.message_for(CeremonyKind.SIGN_IN) == BROWSER_MESSAGES[BrowserCode.TIMEOUT]


def test_the_signal_call_embeds_its_arguments_as_json() -> None:
    call = signal_accepted_call("localhost", "aGFuZGxl", ["Y3JlZA", 'x"); alert(1); ("'])
    assert call == (
        'window.passkeyApp.signalAccepted("localhost", "aGFuZGxl", '
        '["Y3JlZA", "x\\"); alert(1); (\\""])'
    )
    assert then_call("first()", "second()") == "first().then(() => second())"
    assert "signalAccepted: settled(signalAccepted)" in MODULE.read_text()
