"""Rows a triage batch writes but never reads back, inserted together when the batch ends.

Why: in a triage batch each message's audit events, classification and first draft went out in
a flush of their own (the savepoint's release), and flushes were the largest cost of triage.
These tables are append-only and nothing later in the batch reads them, so their rows are kept
here as plain values and inserted per table in one statement before the batch commits; they
are committed with the batch or rolled back with it, as before.

A message whose savepoint rolls back drops its rows too (:meth:`RowBuffer.mark`,
:meth:`RowBuffer.discard_since`), so a message set aside leaves nothing behind. Outside a
triage batch (staff actions, the one-by-one fallback) no buffer is installed and the rows are
added to the session as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.store.models import Base

#: ``session.info`` key of the batch's buffer.
_KEY = "deferred.rows"


class RowBuffer:
    """The deferred rows of one transaction, in the order they were added."""

    def __init__(self) -> None:
        self._rows: list[tuple[type[Base], dict[str, Any]]] = []
        self._undo: list[Callable[[Session], None]] = []

    def add(self, model: type[Base], values: dict[str, Any]) -> None:
        self._rows.append((model, values))

    def on_discard(self, undo: Callable[[Session], None]) -> None:
        """Run ``undo`` if the current message's savepoint rolls back: what was written past
        the ORM's bookkeeping (:func:`bot.store.cases.open_case_for`) is forgotten by it."""
        self._undo.append(undo)

    def mark(self) -> tuple[int, int]:
        """Where a message's rows begin (taken when its savepoint begins)."""
        return len(self._rows), len(self._undo)

    def discard_since(self, mark: tuple[int, int], session: Session) -> None:
        """Drop the rows added since ``mark`` and undo what was registered since then in
        ``session`` (the message's savepoint rolled back)."""
        rows, undo = mark
        del self._rows[rows:]
        for step in reversed(self._undo[undo:]):
            step(session)
        del self._undo[undo:]

    def write(self, session: Session) -> None:
        """Insert every row, one statement per table, in the order they were added (ids keep
        that order, as one flush per message gave them)."""
        by_model: dict[type[Base], list[dict[str, Any]]] = {}
        for model, values in self._rows:
            by_model.setdefault(model, []).append(values)
        for model, rows in by_model.items():
            session.execute(insert(model), rows)
        self._rows.clear()
        self._undo.clear()


def install(session: Session) -> RowBuffer:
    """Defer the append-only rows of ``session``'s transaction until :meth:`RowBuffer.write`."""
    buffer = RowBuffer()
    session.info[_KEY] = buffer
    return buffer


def uninstall(session: Session) -> None:
    session.info.pop(_KEY, None)


def on_discard(session: Session, undo: Callable[[Session], None]) -> None:
    """:meth:`RowBuffer.on_discard` of the batch's buffer; nothing outside a batch, where a
    failure ends the whole session."""
    buffer = session.info.get(_KEY)
    if buffer is not None:
        buffer.on_discard(undo)


def add(session: Session, model: type[Base], values: dict[str, Any]) -> None:
    """Keep a ``model`` row of ``values`` for the batch's insert, or add one to the session
    when no batch buffer is installed.

    In a batch no ORM object is built at all: nothing reads these rows back, and building
    one (the ORM's instrumentation, per attribute) cost more than its share of the insert.
    """
    buffer = session.info.get(_KEY)
    if buffer is None:
        session.add(model(**values))
    else:
        buffer.add(model, values)
