"""Engines, sessions and schema upgrades, the same on SQLite and PostgreSQL.

SQLite is the embedded default: one file, WAL journal so readers never block the writer, and a
busy timeout so two processes on one machine wait for each other instead of failing. PostgreSQL is
for production and for several workers; there, claims use ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

logger = logging.getLogger(__name__)

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``, creating the SQLite file's folder if needed.

    ``hide_parameters``: a failing statement's error (and so its traceback in the log) would
    otherwise print its ``[parameters: ...]``, which are senders, names, subjects and bodies.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that a transaction
        # begins when SQLAlchemy says so (see SQLAlchemy's "Serializable isolation" recipe).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic); safe to call on every start."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes starting at once (compose, a test's three `run`s) would race
            # to create the same tables: the first to get this lock migrates, the others wait
            # and then find nothing to do. Keyed by schema, like the watcher locks.
            from bot.store.leadership import lock_key

            row = connection.execute(text("SELECT current_database(), current_schema()")).one()
            key = lock_key(str(row[0]), str(row[1] or "public"), "schema-upgrade")
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest revision (read only: ``--dry-run`` asks it instead
    of upgrading)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


#: ``Session.info`` key set by :mod:`bot.store.outbox` when a transaction queued or requeued an
#: outbox item; :class:`Store` reads it once the transaction has committed.
OUTBOX_QUEUED = "privacy_triage.outbox_queued"


class Store:
    """The database handle the service passes around: an engine and its session factory.

    ``on_outbox_commit`` is called after every commit that queued outbox work, wherever it
    was queued (triage, a staff click in Slack, the web's unsubscribe page, ``outbox retry``):
    so delivery starts at once instead of at its next poll. On PostgreSQL it ``NOTIFY``s every
    process's workers by default (a command such as ``outbox retry`` or ``triage`` from cron
    wakes the running service); the service replaces it with one that also wakes its own
    threads. Never for a rolled-back transaction, and never inside one: the rows are visible
    to whoever is woken.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.on_outbox_commit: Callable[[], None] | None = (
            self._notify_outbox if self.is_postgresql else None)
        self._scope: Any = None   # leadership.Scope, read at the first notification
        event.listen(self.sessions, "after_commit", self._after_commit)
        event.listen(self.sessions, "after_rollback", self._after_rollback)

    def _after_commit(self, session: Session) -> None:
        # SQLAlchemy fires after_commit for a released SAVEPOINT too (triage releases one per
        # message): the rows are not visible to anyone else until the outer commit.
        if session.in_nested_transaction():
            return
        if session.info.pop(OUTBOX_QUEUED, False) and self.on_outbox_commit is not None:
            try:
                self.on_outbox_commit()
            except Exception:  # committed already: delivery's poll finds the rows
                logger.warning("Could not announce queued outbox items; delivery will find "
                               "them at its next poll", exc_info=True)

    def _notify_outbox(self) -> None:
        from bot.store.leadership import OUTBOX, engine_scope, notify  # PostgreSQL only

        if self._scope is None:
            self._scope = engine_scope(self.engine)
        notify(self.engine, self._scope, OUTBOX)

    @staticmethod
    def _after_rollback(session: Session) -> None:
        # A SAVEPOINT rolled back (one failed message) may leave items queued before it: the
        # flag stays, at worst one wake-up finds nothing.
        if not session.in_nested_transaction():
            session.info.pop(OUTBOX_QUEUED, None)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open the database at ``url``, migrating it to the current schema first."""
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE matched: the conditional updates that claim a row or bump a
    version read it to know whether they won.

    ``Session.execute`` is typed as returning ``Result``; for an UPDATE or DELETE it returns the
    ``CursorResult`` that alone carries ``rowcount``.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of an UPDATE or DELETE, got {type(result).__name__}")
    return result.rowcount


#: How many values one ``IN (...)`` list holds: well under SQLite's bound-parameter limit.
IN_CHUNK = 500


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> list[Sequence[T]]:
    """``values`` in slices of at most ``size``, for statements with an ``IN`` list."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def table_of(model: type[DeclarativeBase]) -> Table:
    """The table a model is mapped to, for Core statements: the same INSERT or UPDATE without
    the ORM's bulk machinery, which cost more than the statement itself in a hot path."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table
