"""Who watches a mailbox, and how workers in other processes hear about new mail.

Exactly one process may run the IMAP watcher of a mailbox at a time: two watchers would fetch
every message twice (deduplication makes that harmless, but wasteful) and fight over the
server's ``processed_folder`` moves. The database is the one place every process can see, so
the database decides (no coordinator of our own):

- **PostgreSQL**: a session-level advisory lock (``pg_try_advisory_lock``) held on a
  connection of its own, opened outside the pool so that nothing else ever runs on it or
  returns it. The lock lives exactly as long as that session: a holder killed with ``kill -9``
  closes its socket and PostgreSQL drops the lock at once; a holder whose host vanishes is
  noticed by the server's TCP keepalives (set short on this session) within about 10 s. A
  standby tries again every second (:data:`RETRY_S`). The holder checks its lock connection
  every second too and stops watching the moment it is lost.
- **SQLite**: one process does everything; a second watcher on the same database file is
  refused with a clear message, by an OS file lock (``fcntl.flock``) on
  ``<database>.watcher.lock`` that the kernel releases when the holder dies.

Keys and channel names are derived from the database *and* the schema (``current_schema()``)
as well as the mailbox, so that many schemas in one database (the test suite; several
organisations on one server) never take each other's locks or hear each other's wake-ups.

Wake-ups: the watcher's commit (new mail) and any commit that queued outbox work are followed by
``NOTIFY`` on the schema's channel for that topic
(:func:`notify`); a worker in another process ``LISTEN``s on a connection of its own
(:class:`MailListener`). Polling stays as the backstop, so a lost notification only costs the
poll interval.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.errors import TriageError

logger = logging.getLogger(__name__)

#: How often a standby tries to take a lock, and the holder checks it still has it.
RETRY_S = 1.0
#: The lock connection's TCP settings: the server drops a session whose client stopped
#: answering after about idle + interval x count seconds, and the client gives up on a
#: request the server does not acknowledge within the user timeout.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
             "keepalives_count": 2, "tcp_user_timeout": 10_000, "connect_timeout": 5}
SERVER_KEEPALIVE_SQL = ("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
                        "SET tcp_keepalives_count = 2")
#: Marks our sessions in ``pg_stat_activity`` so an operator (and a test) can see which
#: process holds which lock; it carries the process id, never a mailbox address.
APPLICATION_NAME = "privacy-triage {role} pid={pid}"


class AlreadyWatching(TriageError):
    """Raised on SQLite when another process already watches the mailbox of this database."""


# --- pure parts ------------------------------------------------------------------------------

def lock_key(database: str, schema: str, identity: str) -> int:
    """The advisory lock key (a signed 64-bit integer) for one mailbox in one schema.

    A hash of all three, so the same mailbox watched from two schemas (two test runs, two
    organisations) gives two different locks, and the key is the same in every process.
    """
    digest = hashlib.blake2b(f"privacy-triage\0{database}\0{schema}\0{identity}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def channel_name(database: str, schema: str, topic: str = "mail") -> str:
    """The ``LISTEN``/``NOTIFY`` channel of ``topic`` in one schema.

    A hash keeps it a plain identifier well under PostgreSQL's 63 bytes whatever the schema
    is called.
    """
    digest = hashlib.blake2b(f"{database}\0{schema}".encode(), digest_size=8).hexdigest()
    return f"privacy_triage_{topic}_{digest}"


def sqlite_lock_path(database: str) -> Path:
    """The file whose OS lock marks the SQLite database's one watcher."""
    return Path(f"{Path(database).expanduser()}.watcher.lock")


# --- PostgreSQL ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Where a connection points: the database and the schema new tables would go to."""

    database: str
    schema: str


def _dedicated_connection(engine: Engine, role: str) -> Any:
    """A new DBAPI (psycopg) connection with the engine's settings, outside its pool.

    Autocommit: a session lock must not sit inside a transaction that something could roll
    back, and LISTEN needs no transaction either.
    """
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    params = {**cparams, **KEEPALIVE,
              "application_name": APPLICATION_NAME.format(role=role, pid=os.getpid())}
    conn = engine.dialect.dbapi.connect(*cargs, **params)  # type: ignore[union-attr]
    conn.autocommit = True
    conn.execute(SERVER_KEEPALIVE_SQL)
    return conn


def _scope(conn: Any) -> Scope:
    row = conn.execute("SELECT current_database(), current_schema()").fetchone()
    return Scope(str(row[0]), str(row[1] or "public"))


def engine_scope(engine: Engine) -> Scope:
    """The scope of the engine's pooled connections (what the watcher's commits write to)."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT current_database(), current_schema()")).one()
    return Scope(str(row[0]), str(row[1] or "public"))


class PostgresWatcherLock:
    """The session-level advisory lock of one mailbox, on a connection of its own.

    Not thread-safe: one watcher thread owns it.
    """

    def __init__(self, engine: Engine, identity: str) -> None:
        self.engine = engine
        self.identity = identity
        self._conn: Any = None
        self.key: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; False (and no error) while another does.

        Raises:
            sqlalchemy/psycopg errors when the database cannot be reached (the caller's
            supervisor backs off).
        """
        if self._conn is None:
            self._conn = _dedicated_connection(self.engine, "watcher")
            scope = _scope(self._conn)
            self.key = lock_key(scope.database, scope.schema, self.identity)
        try:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except Exception:
            self._drop()
            raise
        return bool(row[0])

    def alive(self) -> bool:
        """Whether the lock is still ours: its session answers, so PostgreSQL still holds it.

        A session lock ends only with its session or an explicit unlock, so a connection that
        answers still holds the lock it took; one that does not (terminated by an
        administrator, the network gone, the server restarted) has lost it.
        """
        if self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1").fetchone()
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means the session is gone
            logger.warning("The watcher lock's database connection is lost (%s)",
                           type(exc).__name__)
            self._drop()
            return False

    def release(self) -> None:
        """Give the lock up (closing the session releases it even if the unlock fails)."""
        if self._conn is not None:
            # Closing the session below releases the lock even if the unlock fails.
            with contextlib.suppress(Exception):
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # it is gone either way
                conn.close()


# --- SQLite ----------------------------------------------------------------------------------

class SqliteWatcherLock:
    """An exclusive ``flock`` on ``<database>.watcher.lock``, held for the process's life.

    One per process, whatever the number of mailboxes: on SQLite a single process watches them
    all. The kernel drops the lock when the process dies, however it dies.
    """

    def __init__(self, database: str) -> None:
        self.path = sqlite_lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or refuse.

        Raises:
            AlreadyWatching: another process holds it (naming the pid it wrote, if any).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            raise AlreadyWatching(
                f"another privacy-triage process{f' (pid {holder})' if holder else ''} is "
                f"already watching the mailbox of this SQLite database (lock file {self.path}); "
                "on SQLite run one `run` process, or start this one with `--role worker` or "
                "`--role web`, or move to PostgreSQL for several watchers") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def sqlite_database(engine: Engine) -> str | None:
    """The SQLite file behind ``engine``, or None (PostgreSQL, or an in-memory database)."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


# --- wake-ups across processes -----------------------------------------------------------------

#: What a notification announces: new mail or chat messages to triage, or outbox rows to deliver.
MAIL, OUTBOX = "mail", "outbox"
TOPICS = (MAIL, OUTBOX)


def notify(engine: Engine, scope: Scope, topic: str = MAIL) -> None:
    """Tell every listening worker (any process) that ``topic``'s work was committed.

    Sent after the commit, in a transaction of its own: a lost notification only delays the
    work until the worker's next poll.
    """
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_notify(:channel, '')"),
                     {"channel": channel_name(scope.database, scope.schema, topic)})


class MailListener:
    """``LISTEN`` for new mail and queued outbox work on a connection of its own (PostgreSQL
    only): one connection for both topics, so a worker holds one extra connection, not two."""

    def __init__(self, engine: Engine, topics: Sequence[str] = (MAIL,)) -> None:
        self.engine = engine
        self.topics = tuple(topics)
        self._conn: Any = None
        self._by_channel: dict[str, str] = {}

    def open(self) -> None:
        self._conn = _dedicated_connection(self.engine, "listener")
        scope = _scope(self._conn)
        self._by_channel = {channel_name(scope.database, scope.schema, topic): topic
                            for topic in self.topics}
        for channel in self._by_channel:
            self._conn.execute(f'LISTEN "{channel}"')

    def wait(self, timeout: float) -> int:
        """Wait up to ``timeout`` s; returns how many notifications arrived (0 on timeout).

        Raises:
            psycopg errors when the connection is lost (the caller reconnects).
        """
        return sum(self.wait_topics(timeout).values())

    def wait_topics(self, timeout: float) -> dict[str, int]:
        """Like :meth:`wait`, by topic: ``{topic: notifications}`` (empty on timeout)."""
        if self._conn is None:
            self.open()
        received: dict[str, int] = {}
        for note in self._notifications(timeout):
            topic = self._by_channel.get(note.channel, MAIL)
            received[topic] = received.get(topic, 0) + 1
        return received

    def _notifications(self, timeout: float) -> Iterator[Any]:
        # The first notification ends the wait; any that came with it are taken too.
        gen = self._conn.notifies(timeout=timeout, stop_after=1)
        yield from gen
        yield from self._conn.notifies(timeout=0)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection
                conn.close()
