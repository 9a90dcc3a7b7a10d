"""When a message's triage fails: is it worth trying again, and when (pure, no I/O).

Three kinds of failure, because they call for different answers:

- **transient**: the database went away or was busy (connection lost, lock timeout, ``database
  is locked``, disk full). Nothing is wrong with the message; it is retried with backoff for as
  long as it takes and never set aside.
- **configuration**: the model, the privacy notice or the reply templates cannot be loaded. Every
  message would fail the same way until a person fixes the configuration; the messages wait and
  are retried (soon, and at once by ``messages retry``) after the fix.
- **permanent**: something about this message makes triage raise. It is retried a few times in
  case the cause was passing after all; only when it has failed the same way (same exception
  class) ``max_attempts`` times in a row is it set aside for a person.
"""

from __future__ import annotations

import enum
import errno
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from jinja2 import TemplateError
from sqlalchemy import exc as sa_exc

from bot.errors import SetupError
from classifier.errors import ModelError


class FailureKind(enum.StrEnum):
    TRANSIENT = "transient"
    CONFIGURATION = "configuration"
    PERMANENT = "permanent"


# errno values of an OSError that an operator's fix (or time) makes go away.
_TRANSIENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EROFS})


def classify_failure(exc: BaseException) -> FailureKind:
    """Which kind of failure ``exc`` is (see the module docstring)."""
    if isinstance(exc, (SetupError, ModelError, TemplateError)):
        return FailureKind.CONFIGURATION
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return FailureKind.TRANSIENT
        # OperationalError covers a lost connection, lock and statement timeouts, deadlocks and
        # serialization failures on PostgreSQL, and "database is locked", "disk I/O error" and
        # "database or disk is full" on SQLite. InterfaceError is a connection already closed.
        if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
            return FailureKind.TRANSIENT
        return FailureKind.PERMANENT
    if isinstance(exc, (sa_exc.TimeoutError, sa_exc.PendingRollbackError,
                        sa_exc.DisconnectionError, sqlite3.OperationalError)):
        return FailureKind.TRANSIENT  # pool exhausted; a session left over from a lost connection
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return FailureKind.TRANSIENT
    if isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS:
        return FailureKind.TRANSIENT
    return FailureKind.PERMANENT


@dataclass(frozen=True)
class RetryPolicy:
    """How patient triage is: first delay, doubling up to ``max_delay``, and when to give up."""

    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    max_attempts: int = 5  # failures of the same kind and class in a row before setting aside
    config_max_delay: timedelta = timedelta(minutes=2)  # notice a fixed configuration soon


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class FailureRecord:
    """What the message's row says about its earlier failures (all None/0 if it had none)."""

    attempts: int = 0
    error_class: str | None = None
    failed_at: datetime | None = None


@dataclass(frozen=True)
class RetryPlan:
    """What to write on the message after this failure."""

    kind: FailureKind
    attempts: int               # failures in a row of this class (1 for a new kind of failure)
    next_at: datetime | None    # None: set aside, retried only by `messages retry`
    failed_at: datetime         # when the message first failed (unchanged while it keeps failing)

    @property
    def set_aside(self) -> bool:
        return self.next_at is None


def plan_retry(kind: FailureKind, error_class: str, before: FailureRecord, now: datetime,
               policy: RetryPolicy = DEFAULT_POLICY) -> RetryPlan:
    """Decide when to try a failed message again, or to set it aside.

    Args:
        kind: what :func:`classify_failure` said about the exception.
        error_class: the exception's class name; a change of class starts the count again,
            because only a message that fails *the same way* after its retries is set aside.
        before: the row's failure columns before this failure.
        now: the runtime clock.
        policy: delays and the number of attempts.

    Returns:
        the attempt count, the next attempt time (None when set aside) and the first-failure time.
    """
    attempts = before.attempts + 1 if before.error_class == error_class else 1
    failed_at = before.failed_at or now
    if kind is FailureKind.PERMANENT and attempts >= policy.max_attempts:
        return RetryPlan(kind, attempts, None, failed_at)
    cap = policy.config_max_delay if kind is FailureKind.CONFIGURATION else policy.max_delay
    delay = min(policy.first_delay * (2 ** min(attempts - 1, 30)), cap)
    return RetryPlan(kind, attempts, now + delay, failed_at)


def needs_alert(failed_at: datetime | None, now: datetime,
                after: timedelta = timedelta(hours=1)) -> bool:
    """True once a message has been failing for longer than ``after``: a person must look."""
    return failed_at is not None and now - failed_at > after
