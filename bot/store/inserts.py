"""One row inserted by a prepared Core statement, coming back as a loaded ORM object.

Why: in triage each new suppression and outbox row went out with a savepoint and a flush of
its own (to learn its id and to catch a duplicate key), which cost more than anything else a
message did. Here the row is one ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` (SQLite
and PostgreSQL), its defaults filled in as the ORM would, and the object the caller gets is
built as the ORM builds a row it has just read: persistent, nothing pending, and any change
made to it later an ordinary UPDATE at the next flush.

A triage message whose savepoint rolls back has the session forget the object
(:func:`bot.store.deferred.on_discard`); outside a batch an object left from a rolled-back
savepoint that was given the same id is replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import bindparam, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.orm.instrumentation import ClassManager
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from bot.store import deferred
from bot.store.db import table_of
from bot.store.models import Base

#: The dialects whose INSERT has ``ON CONFLICT DO NOTHING ... RETURNING`` (same API on both).
_INSERT_WITH_ON_CONFLICT: dict[str, Callable[[Any], Any]] = {"postgresql": postgresql_insert,
                                                             "sqlite": sqlite_insert}

M = TypeVar("M", bound=Base)


def insert_unless_present(
    session: Session, model: type[M], values: dict[str, Any], unique: str
) -> M | None:
    """Insert a ``model`` row of ``values`` unless one with the same ``unique`` column value
    exists (then None, and nothing is written); returns the new row as a loaded object."""
    row = with_defaults(model, values)
    statement = _statement(model, session.get_bind().dialect.name, unique)
    if statement is None:
        return _insert_with_savepoint(session, model, row)
    row_id = session.connection().execute(statement, row).scalar_one_or_none()
    if row_id is None:
        return None
    return attach_loaded(session, model, row_id, row)


def with_defaults(model: type[Base], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` and, for every other column but the id, the default the ORM would insert."""
    return {
        **{
            name: default(None) if per_row else default
            for name, default, per_row in _defaults(model)
            if name not in values
        },
        **values,
    }


def attach_loaded(session: Session, model: type[M], row_id: int, row: dict[str, Any]) -> M:
    """The row just inserted as ``row_id``, as a persistent object of ``session``."""
    obj: M = _manager(model).new_instance()
    obj.__dict__.update(row)
    obj.__dict__["id"] = row_id
    make_transient_to_detached(obj)  # as if just read: nothing pending to flush
    stale = session.identity_map.get(session.identity_key(model, row_id))
    if stale is not None:  # a row of a rolled-back savepoint that was given the same id
        session.expunge(stale)
    session.add(obj)
    deferred.on_discard(session, lambda s: s.expunge(obj) if obj in s else None)
    return obj


@lru_cache(maxsize=16)
def _manager(model: type[M]) -> ClassManager[M]:
    """The model's instrumentation, its mappers configured first (the ORM's own constructor
    does that on first use; building an instance past it must too)."""
    configure_mappers()
    return manager_of_class(model)


@lru_cache(maxsize=16)
def _defaults(model: type[Base]) -> tuple[tuple[str, Any, bool], ...]:
    """(column, default, whether it is called per row) of every column but the id.

    The row's values go into the object's ``__dict__`` by column name, so a model whose
    attribute keys differ from its column names is refused here rather than half-loaded.
    """
    renamed = [p.key for p in inspect(model).column_attrs if p.key != p.columns[0].name]
    if renamed:
        raise TypeError(f"{model.__name__}: attributes named unlike their columns ({renamed}); "
                        "insert it through the ORM")
    out: list[tuple[str, Any, bool]] = []
    for column in table_of(model).columns:
        if column.name == "id" or (column.server_default is not None and column.default is None):
            continue  # the id, or a column the database fills in when it is left out
        default = column.default
        if isinstance(default, CallableColumnDefault):
            out.append((column.name, default.arg, True))
        elif isinstance(default, ScalarElementColumnDefault):
            out.append((column.name, default.arg, False))
        else:
            out.append((column.name, None, False))
    return tuple(out)


@lru_cache(maxsize=16)
def _statement(model: type[Base], dialect: str, unique: str) -> ReturningInsert[Any] | None:
    """The insert for every column but the id, values bound per call; built once (building
    it cost more than running it). None where the database has no ``ON CONFLICT``."""
    table = table_of(model)
    values: dict[str, Any] = {name: bindparam(name) for name, _, _ in _defaults(model)}
    insert = _INSERT_WITH_ON_CONFLICT.get(dialect)
    if insert is None:
        return None
    statement: ReturningInsert[Any] = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[table.c[unique]])
        .returning(table.c.id)
    )
    return statement


def _insert_with_savepoint(session: Session, model: type[M], row: dict[str, Any]) -> M | None:
    """The portable way, for a database without ``ON CONFLICT``."""
    obj = model(**row)
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError:  # the unique value is taken
        return None
    return obj
