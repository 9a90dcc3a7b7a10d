"""The triage-failure policy: which failures are temporary, when to retry, when to give up."""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import TemplateSyntaxError
from sqlalchemy import exc as sa_exc

from bot.errors import SetupError
from bot.pipeline.triage_policy import (
    DEFAULT_POLICY,
    FailureKind,
    FailureRecord,
    RetryPolicy,
    classify_failure,
    needs_alert,
    plan_retry,
)
from classifier.errors import ModelError

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # the night the UK clocks go forward


class _PgConnectionLost(Exception):
    pass


def _dbapi(cls: type[sa_exc.DBAPIError], orig: Exception,
           invalidated: bool = False) -> sa_exc.DBAPIError:
    return cls("UPDATE messages SET ...", {"sender": "x"}, orig,
               connection_invalidated=invalidated)


@pytest.mark.parametrize("exc", [
    _dbapi(sa_exc.OperationalError, sqlite3.OperationalError("database is locked")),
    _dbapi(sa_exc.OperationalError, sqlite3.OperationalError("database or disk is full")),
    _dbapi(sa_exc.OperationalError, _PgConnectionLost("server closed the connection")),
    _dbapi(sa_exc.OperationalError, _PgConnectionLost("canceling statement due to lock timeout")),
    _dbapi(sa_exc.InterfaceError, _PgConnectionLost("connection already closed")),
    _dbapi(sa_exc.DatabaseError, _PgConnectionLost("terminating connection"), invalidated=True),
    sa_exc.TimeoutError("QueuePool limit reached"),
    sa_exc.PendingRollbackError("rolled back due to a previous exception"),
    sqlite3.OperationalError("database is locked"),
    ConnectionResetError("reset by peer"),
    OSError(errno.ENOSPC, "No space left on device"),
], ids=lambda e: type(e).__name__)
def test_database_and_disk_trouble_is_transient(exc: Exception):
    assert classify_failure(exc) is FailureKind.TRANSIENT


@pytest.mark.parametrize("exc", [
    SetupError("the privacy notice cannot be loaded", key="organisation.notice_path"),
    ModelError("cannot read model"),
    TemplateSyntaxError("unexpected '}'", lineno=3),
], ids=lambda e: type(e).__name__)
def test_an_unloadable_model_notice_or_template_is_a_configuration_failure(exc: Exception):
    assert classify_failure(exc) is FailureKind.CONFIGURATION


@pytest.mark.parametrize("exc", [
    _dbapi(sa_exc.IntegrityError, _PgConnectionLost("duplicate key")),
    _dbapi(sa_exc.DataError, _PgConnectionLost("invalid byte sequence")),
    ValueError("bad date"),
    KeyError("label"),
    FileNotFoundError(errno.ENOENT, "gone"),
], ids=lambda e: type(e).__name__)
def test_anything_else_is_permanent(exc: Exception):
    assert classify_failure(exc) is FailureKind.PERMANENT


def test_the_first_failure_is_retried_after_the_first_delay_and_remembers_when_it_began():
    plan = plan_retry(FailureKind.PERMANENT, "ValueError", FailureRecord(), NOW)
    assert (plan.attempts, plan.next_at, plan.failed_at) == (
        1, NOW + DEFAULT_POLICY.first_delay, NOW)
    assert not plan.set_aside


def test_delays_double_up_to_the_cap():
    policy = RetryPolicy(first_delay=timedelta(seconds=10), max_delay=timedelta(seconds=60),
                         max_attempts=100)
    record, delays = FailureRecord(), []
    for _ in range(6):
        plan = plan_retry(FailureKind.TRANSIENT, "OperationalError", record, NOW, policy)
        delays.append((plan.next_at - NOW).total_seconds())
        record = FailureRecord(plan.attempts, "OperationalError", plan.failed_at)
    assert delays == [10, 20, 40, 60, 60, 60]


def test_a_message_failing_the_same_way_max_attempts_times_is_set_aside():
    record = FailureRecord(DEFAULT_POLICY.max_attempts - 1, "KeyError", NOW - timedelta(hours=2))
    plan = plan_retry(FailureKind.PERMANENT, "KeyError", record, NOW)
    assert plan.set_aside and plan.next_at is None
    assert plan.failed_at == NOW - timedelta(hours=2)


def test_a_different_failure_starts_the_count_again():
    record = FailureRecord(DEFAULT_POLICY.max_attempts - 1, "KeyError", NOW - timedelta(hours=2))
    plan = plan_retry(FailureKind.PERMANENT, "ValueError", record, NOW)
    assert plan.attempts == 1 and not plan.set_aside
    assert plan.failed_at == NOW - timedelta(hours=2)


@pytest.mark.parametrize("kind", [FailureKind.TRANSIENT, FailureKind.CONFIGURATION])
def test_transient_and_configuration_failures_are_never_set_aside(kind: FailureKind):
    record = FailureRecord(1000, "OperationalError", NOW - timedelta(days=3))
    plan = plan_retry(kind, "OperationalError", record, NOW)
    assert not plan.set_aside
    assert plan.next_at is not None and plan.next_at - NOW <= DEFAULT_POLICY.max_delay


def test_a_configuration_failure_is_retried_soon_so_a_fix_is_noticed():
    record = FailureRecord(50, "SetupError", NOW - timedelta(days=1))
    plan = plan_retry(FailureKind.CONFIGURATION, "SetupError", record, NOW)
    assert plan.next_at == NOW + DEFAULT_POLICY.config_max_delay


def test_an_alert_is_due_only_after_an_hour_of_failing():
    assert not needs_alert(None, NOW)
    assert not needs_alert(NOW - timedelta(minutes=59), NOW)
    assert not needs_alert(NOW - timedelta(hours=1), NOW)
    assert needs_alert(NOW - timedelta(hours=1, seconds=1), NOW)
