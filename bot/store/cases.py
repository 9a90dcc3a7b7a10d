"""Cases, their classifications and draft versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Update, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.store import deferred, inserts
from bot.store.db import chunks, table_of
from bot.store.models import OPEN_STATES, Case, Classification, Draft, Message, utcnow


def latest_draft(session: Session, case_id: int) -> Draft | None:
    return session.scalars(select(Draft).where(Draft.case_id == case_id)
                           .order_by(Draft.version.desc()).limit(1)).first()


def classifications(session: Session, case_id: int) -> Sequence[Classification]:
    """Every label the case was given, by the model and by staff, oldest first."""
    return session.scalars(select(Classification).where(Classification.case_id == case_id)
                           .order_by(Classification.id)).all()


def add_draft(session: Session, case: Case, *, subject: str, text: str, html: str,
              author: str) -> Draft:
    """Store a new draft version (versions start at 1 and never change once written).

    Neither read nor write flushes the session (flushes were the largest cost in triage
    profiles): the highest version is the larger of the table's and that of drafts of this
    case still pending in the session, and the new row goes out with the next flush.
    """
    with session.no_autoflush:
        stored = session.scalar(select(func.max(Draft.version))
                                .where(Draft.case_id == case.id))
    pending = [d.version for d in session.new if isinstance(d, Draft) and d.case_id == case.id]
    draft = Draft(case_id=case.id, version=max([stored or 0, *pending]) + 1, subject=subject,
                  text=text, html=html, author=author)
    session.add(draft)
    return draft


def open_case_for(session: Session, message: Message, **values: Any) -> Case:
    """Insert a case with ``values`` and link ``message`` to it: two statements, no flush.

    Why not ``session.add`` and a flush: the flush (needed at once for the case's id, which
    its outbox keys, classification and draft name) was the largest cost of a triaged
    message. The case comes back as a persistent object of the session, every column loaded
    (the model's defaults filled in here, as an insert by the ORM would), so reading it
    costs no query and changing it later is an ordinary update.
    """
    insert_case, link_message = _case_statements()
    row = inserts.with_defaults(Case, values)
    # Core statements on the session's connection (same transaction and savepoint): the
    # Session's own execute adds ORM dispatch these statements do not need.
    connection = session.connection()
    case_id = connection.execute(insert_case, row).scalar_one()
    connection.execute(link_message, {"message": message.id, "case": case_id})
    case = inserts.attach_loaded(session, Case, case_id, row)
    set_committed_value(message, "case_id", case_id)
    set_committed_value(message, "case", case)

    def forget(session: Session) -> None:
        # The ORM rolls back only what it wrote itself: the message's link goes with the case
        # (which attach_loaded has the session forget).
        session.expire(message, ["case_id", "case"])

    deferred.on_discard(session, forget)
    return case


@lru_cache(maxsize=1)
def _case_statements() -> tuple[Insert, Update]:
    """The two statements of :func:`open_case_for`, built once: building a statement with its
    values inline cost more than running it."""
    cases, messages = table_of(Case), table_of(Message)
    return (insert(cases).returning(cases.c.id),
            update(messages).where(messages.c.id == bindparam("message"))
            .values(case_id=bindparam("case")))


def add_first_draft(session: Session, case: Case, *, subject: str, text: str, html: str,
                    author: str) -> None:
    """Store version 1 of the draft of a case opened in this transaction.

    Why not :func:`add_draft`: a case created a moment ago has no draft yet, so there is no
    highest version to read (that read was a statement per triaged message).
    """
    values: dict[str, Any] = {"case_id": case.id, "version": 1, "subject": subject,
                              "text": text, "html": html, "author": author,
                              "created_at": utcnow()}
    deferred.add(session, Draft, values)


def add_classification(session: Session, case_id: int, message_id: int | None, *, label: str,
                       confidence: float, intents: dict[str, float], model_version: str,
                       by: str) -> None:
    """Record a label (in a triage batch, with the batch's deferred rows)."""
    values: dict[str, Any] = {"case_id": case_id, "message_id": message_id, "label": label,
                              "confidence": confidence, "intents": intents,
                              "model_version": model_version, "by": by,
                              "created_at": utcnow()}
    deferred.add(session, Classification, values)


def list_cases(session: Session, states: Sequence[str] | None = None, *,
               labels: Sequence[str] | None = None,
               due_before: date | None = None) -> Sequence[Case]:
    """Cases, oldest first; filtered by state, label and a due date before ``due_before``."""
    query = select(Case).order_by(Case.id)
    if states:
        query = query.where(Case.state.in_(states))
    if labels:
        query = query.where(Case.label.in_(labels))
    if due_before is not None:
        query = query.where(Case.due_date < due_before)
    return session.scalars(query).all()


def open_cases_due_by(session: Session, day: date) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.state.in_(OPEN_STATES), Case.due_date <= day)
                           .order_by(Case.due_date)).all()


def open_cases_for(session: Session, address: str) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.requester == address,
                                              Case.state.in_(OPEN_STATES))).all()


def sender_known_before(session: Session, address: str | None, before_message_id: int) -> bool:
    """Whether earlier mail came from this address (the only 'record' intake itself holds)."""
    if not address:
        return False
    remembered = session.info.get(_FIRST_BY_SENDER, {})
    if address in remembered:
        first = remembered[address]
        return first is not None and first < before_message_id
    with session.no_autoflush:  # rows pending in this transaction are all newer
        found = session.scalar(select(Message.id).where(
            Message.sender == address, Message.id < before_message_id).limit(1))
    return found is not None


#: ``session.info`` key: sender -> id of their first stored message (None: none stored).
_FIRST_BY_SENDER = "cases.first_message_by_sender"


def remember_first_messages(session: Session, senders: Sequence[str | None]) -> None:
    """Read, for a triage batch, each sender's first stored message, so that
    :func:`sender_known_before` answers from memory for the rest of the transaction.

    Why: asking per drafted reply was a statement per message. The answer cannot go stale
    within the transaction: messages only get larger ids, so a sender's first message stays
    their first. Kept in ``session.info``, which ends with the session.
    """
    wanted = list(dict.fromkeys(s for s in senders if s))
    remembered: dict[str, int | None] = session.info.setdefault(_FIRST_BY_SENDER, {})
    with session.no_autoflush:
        for chunk in chunks(wanted):
            remembered.update(dict.fromkeys(chunk))
            for sender, first in session.execute(
                    select(Message.sender, func.min(Message.id))
                    .where(Message.sender.in_(chunk)).group_by(Message.sender)):
                if sender is not None:
                    remembered[sender] = first


def staff_labels(session: Session) -> Sequence[tuple[str, str]]:
    """(text, label) pairs staff assigned by reclassifying: training data from people."""
    rows = session.execute(
        select(Message.reply_text, Classification.label)
        .join(Message, Message.id == Classification.message_id)
        .where(Classification.by.like("staff:%"))
        .order_by(Classification.id)
    ).all()
    return [(text, label) for text, label in rows if text]
