"""Log output: readable text or JSON lines, and never personal data.

``privacy-triage --log-format json|text`` picks the format (text by default). Every line, in
either format, passes two guards, because logs are kept longer and read by more people than the
database:

- the rendered message has email addresses masked (``j***@example.org``) and URLs cut to their
  scheme and host (an unsubscribe link or a Slack URL carries a token in its path or query);
- a traceback shows where it happened (files, lines, functions) and the exception's class, never
  the exception's text, which may quote a subject, a body or a recipient.

The guards are the last line of defence; call sites log ids (``extra={"message_id": ...,
"case_id": ...}``) and classes, not content. Libraries whose debug output is the wire itself
(IMAP literals, Slack request bodies and Socket Mode envelopes) are held at INFO whatever ``-v``
says (:class:`HoldWireDebug`).

JSON lines carry ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``event`` (the message) and,
when given through ``extra=``, the ids in :data:`ID_FIELDS`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import TextIO

from bot.redact import mask_addresses

FORMATS = ("text", "json")
#: Fields a call site may pass with ``extra=`` that JSON lines carry as their own keys.
ID_FIELDS = ("message_id", "case_id", "outbox_id", "channel", "label", "action", "state")
#: Libraries whose DEBUG lines are the protocol itself: message literals, card texts, names.
WIRE_LOGGERS = ("imapclient", "slack_sdk", "slack_bolt", "urllib3", "aiohttp", "websocket",
                "websockets", "mailparser_reply", "sqlalchemy.engine")

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# scheme://[user[:password]@]host[:port] followed by a path, query or fragment worth hiding.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?:[^/\s@]*@)?(?P<host>[^/\s?#]+)"
                  r"(?P<rest>[/?#][^\s'\"<>]*)?")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def scrub(text: str) -> str:
    """``text`` with addresses masked and URLs cut to scheme and host."""
    def cut(match: re.Match[str]) -> str:
        rest = match.group("rest")
        tail = "/…" if rest and rest not in ("/", "") else ""
        return f"{match.group('scheme')}{match.group('host')}{tail}"

    return mask_addresses(_URL.sub(cut, text))


def safe_traceback(exc_info: ExcInfo) -> str:
    """A traceback with every exception's text left out: frames and class names only."""
    lines: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    exc: BaseException | None = exc_info[1]
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    for i, link in enumerate(reversed(chain)):
        if i:
            lines.append("\nThe above exception led to the following one:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        kind = type(link)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (text withheld from the log)\n")
    return "".join(lines).rstrip("\n")


class SafeTextFormatter(logging.Formatter):
    """The readable format, guarded (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        # logging caches a traceback's text on the record; another handler's (with the
        # exception's words) must not be reused here, nor ours left for the next handler.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:  # logging names it so
        return scrub(super().formatMessage(record))

    def formatException(self, ei: object) -> str:  # logging names it so
        return safe_traceback(ei)  # type: ignore[arg-type]  # logging passes sys.exc_info()

    def formatStack(self, stack_info: str) -> str:  # logging names it so
        return stack_info  # source lines and frames only: no data


class JsonFormatter(logging.Formatter):
    """One JSON object per line, guarded like the text format."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": scrub(record.getMessage()),
        }
        for name in ID_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value if isinstance(value, int | float | bool) else scrub(str(value))
        if record.threadName and record.threadName != "MainThread":
            line["thread"] = record.threadName
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = safe_traceback(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class HoldWireDebug(logging.Filter):
    """Drops DEBUG lines of :data:`WIRE_LOGGERS` at our handler.

    Setting those loggers' levels is not enough: slack_bolt copies the root logger's level onto
    each of its loggers when an app is built, so ``-vv`` would turn its message dumps back on.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return not any(record.name == n or record.name.startswith(f"{n}.") for n in WIRE_LOGGERS)


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return SafeTextFormatter()
    raise ValueError(f"unknown log format {fmt!r} (choose from {', '.join(FORMATS)})")


class _CurrentStderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at each line (as logging's own last resort does),
    so a handler set up by one ``main()`` call never writes to a stream replaced since."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # read-only on purpose: always the current stderr
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(level: int, fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """Route the root logger to ``stream`` (stderr) in ``fmt`` at ``level``; returns the handler.

    Replaces handlers configured before (a second call, as in tests, does not double lines).
    """
    handler: logging.StreamHandler[TextIO] = (
        logging.StreamHandler(stream) if stream is not None else _CurrentStderr())
    handler.setFormatter(formatter(fmt))
    handler.addFilter(HoldWireDebug())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_privacy_triage", False):
            root.removeHandler(old)
    handler._privacy_triage = True  # type: ignore[attr-defined]  # marks our own handler
    root.addHandler(handler)
    root.setLevel(level)
    hold_wire_loggers()
    return handler


def hold_wire_loggers() -> None:
    """Keep the libraries that log protocol content at INFO or above, even under ``-vv``."""
    for name in WIRE_LOGGERS:
        wire = logging.getLogger(name)
        if wire.getEffectiveLevel() < logging.INFO:
            wire.setLevel(logging.INFO)
