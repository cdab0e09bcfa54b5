"""Keep what clients send over the event socket out of the backend log.

Reflex 0.10.1 and engine.io quote a client's event whole when they refuse it:

- ``reflex.app`` (``EventNamespace.on_event``) warns "Received event from session ...
  with no associated token ... Event data: {data}" for an event on a connection that
  sent no token, and "Received event data as a string ... Event data: {fields}";
- it raises ``EventDeserializationError`` quoting the data for a non-JSON or non-dict
  event, and ``engineio.server`` logs that with its traceback ("message async handler
  error");
- ``reflex_base.event.processor.event_processor`` logs "Error processing event queue
  entry for {event}" when the event names no registered handler: the Event's repr,
  payload and router data with the handshake headers (the session cookie) included;
- ``reflex_base.event.processor.base_state_processor`` warns "Error transforming event
  payload for handler ...: {ex}", where the exception quotes the offending value; Reflex
  then passes the raw value on, and when a handler stores it in a state var of another
  type ``reflex_base.vars.base`` logs "Expected field ... but got {value!r} ...";
- ``engineio.server`` logs every packet's data at INFO (off unless someone turns the
  engine.io logger up).

Any client controls that text: a log line once carried 500 KB. The filter below sits on
exactly those loggers and rewrites each such record to one short line, before any
handler sees it; every other record passes unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from reflex.utils.exceptions import EventDeserializationError

NOT_LOGGED = "payload not logged"

_TXID = re.compile(r"\[txid=([\w-]{1,64})\]:?$")
_HANDLER = re.compile(r"^Error transforming event payload for handler ([\w.<>]{1,200}): ")


def _rewrite(record: logging.LogRecord, message: str, *args: object) -> None:
    record.msg, record.args = message, args
    record.exc_info, record.exc_text = None, None


def _raised_where(record: logging.LogRecord) -> str:
    """``Type at file:line`` of the exception on the record: where, never what it said."""
    if not record.exc_info or record.exc_info[1] is None:
        return "an error"
    error = record.exc_info[1]
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return type(error).__name__
    code = frame.tb_frame.f_code
    return f"{type(error).__name__} at {Path(code.co_filename).name}:{frame.tb_lineno}"


def _reflex_app(record: logging.LogRecord) -> None:
    message = str(record.msg)
    if message.startswith("Received event from session ") and "no associated token" in message:
        sid = message.split(" ", 5)[4]
        _rewrite(
            record,
            "Refused an event from session %s: no token on the connection (%s)",
            sid,
            NOT_LOGGED,
        )
    elif message.startswith("Received event data as a string"):
        _rewrite(record, "Received an event as a string (%s)", NOT_LOGGED)


def _event_processor(record: logging.LogRecord) -> None:
    message = str(record.msg)
    if message.startswith("Error processing event queue entry for "):
        txid = _TXID.search(message)
        _rewrite(
            record,
            "Refused an event [txid=%s]: %s while routing it (%s)",
            txid.group(1) if txid else "?",
            _raised_where(record),
            NOT_LOGGED,
        )


def _state_processor(record: logging.LogRecord) -> None:
    handler = _HANDLER.match(str(record.msg))
    if handler:
        _rewrite(
            record,
            "Could not convert an event's arguments for handler %s (%s)",
            handler.group(1),
            NOT_LOGGED,
        )


def _state_vars(record: logging.LogRecord) -> None:
    message = str(record.msg)
    if message.startswith("Expected field '") and ", but got " in message:
        expected = message.split(", but got ", 1)[0]
        got = message.rsplit(" of type ", 1)[1].removesuffix(".")
        _rewrite(record, "%s, but got a value of type %s (%s)", expected, got, NOT_LOGGED)


def _engineio(record: logging.LogRecord) -> None:
    message = str(record.msg)
    if record.exc_info and message.endswith("handler error"):
        error = record.exc_info[1]
        if isinstance(error, EventDeserializationError):
            _rewrite(record, "Refused an event that is not a valid Reflex event (%s)", NOT_LOGGED)
        else:
            _rewrite(record, "%s: %s (%s)", message, _raised_where(record), NOT_LOGGED)
    elif message.endswith(" packet %s data %s") and isinstance(record.args, tuple):
        record.args = (*record.args[:2], NOT_LOGGED)


_REWRITES: dict[str, Callable[[logging.LogRecord], None]] = {
    "reflex.app": _reflex_app,
    "reflex_base.event.processor.event_processor": _event_processor,
    "reflex_base.event.processor.base_state_processor": _state_processor,
    "reflex_base.vars.base": _state_vars,
    "engineio.server": _engineio,
}


class EventPayloadRedactor(logging.Filter):
    """Rewrite the records that would quote a client's event; let everything else pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        rewrite = _REWRITES.get(record.name)
        if rewrite is None:
            return True
        try:
            rewrite(record)
        except Exception:
            # A line of an unforeseen shape: withhold it rather than fail the caller or leak.
            _rewrite(record, "Withheld a log line from %s (%s)", record.name, NOT_LOGGED)
        return True


def redact_event_payloads() -> None:
    """Install the redactor on the loggers that quote events (once; calling again is a no-op).

    A logger's filters run when the record is made, before it propagates to any
    handler (Reflex's console and file sinks, engine.io's stream handler, the root's).
    """
    for name in _REWRITES:
        target = logging.getLogger(name)
        if not any(isinstance(f, EventPayloadRedactor) for f in target.filters):
            target.addFilter(EventPayloadRedactor())
