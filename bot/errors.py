"""Exceptions raised by privacy-triage.

Everything the service raises derives from :class:`TriageError`. The packages below it,
``classifier`` and ``replies``, have their own roots so that they need nothing from ``bot``;
:data:`OUR_ERRORS` names all three, so a caller (the CLI) can catch the whole family in one
place. Library errors are translated at the edge that calls the library and carry the facts a
caller needs as attributes.
"""

from __future__ import annotations

from classifier.errors import ClassifierError
from replies.errors import RepliesError

__all__ = [
    "OUR_ERRORS",
    "ClassifierError",
    "ConfigError",
    "DeliveryError",
    "MailboxError",
    "MessageParseError",
    "OutboxTransitionError",
    "Refusal",
    "RepliesError",
    "SetupError",
    "TriageError",
]


class TriageError(Exception):
    """Root of every error the service (``bot``) raises on purpose."""


class ConfigError(TriageError):
    """Raised at start-up when the configuration file or environment is wrong.

    The message names the file and the key, so a person can fix it without reading code.
    """

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = ", ".join(part for part in (path and f"file {path}", key and f"key {key!r}") if part)
        super().__init__(f"{where}: {message}" if where else message)


class MessageParseError(TriageError):
    """Raised when raw bytes cannot be read as an email message.

    The intake stores the raw bytes anyway and flags them with :attr:`reason`; nothing is dropped.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MailboxError(TriageError):
    """Raised when the IMAP server refuses or loses the connection; the watcher reconnects.

    ``transient`` is False for a refusal that retrying cannot fix (wrong password or token).
    """

    def __init__(self, message: str, *, transient: bool = True) -> None:
        self.transient = transient
        super().__init__(message)


class DeliveryError(TriageError):
    """Raised when an outbox item cannot be delivered.

    ``permanent`` tells the dispatcher whether to retry later (False) or to give up and show the
    failure on the case (True), like Healthchecks' ``TransportError``.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class OutboxTransitionError(TriageError):
    """Raised when an outbox row is asked to move to a state its current one does not allow.

    The usual cause is a race the caller should survive (another dispatcher finished the row
    after our lease ran out), so callers log it rather than crash; a bug shows up here too.
    """


class SetupError(TriageError):
    """Raised when a part the configuration names (model, notice, templates) cannot be loaded.

    It is a configuration failure, not a fault of the message being triaged: triage keeps the
    message waiting and tries again, so it is triaged once the configuration is fixed. The
    message names the key.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        self.key = key
        super().__init__(f"{key}: {message}" if key else message)


class Refusal(TriageError):
    """Raised by the staff rules when an action cannot happen to a case (already closed, no
    reason given, no time limit to extend); the message is shown to the person who tried."""


#: Every error of ours, the service's and its libraries': ``except OUR_ERRORS`` catches them all.
OUR_ERRORS: tuple[type[Exception], ...] = (TriageError, ClassifierError, RepliesError)
