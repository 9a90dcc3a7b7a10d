"""Intake progress per IMAP folder: (account, folder, UIDVALIDITY, last UID)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import MailboxState


def lock_progress(session: Session, account: str, folder: str, uidvalidity: int) -> MailboxState:
    """Return the folder's progress row, locked for this transaction (PostgreSQL row lock).

    A changed UIDVALIDITY means every stored UID is meaningless: progress restarts at 0 and
    the folder is rescanned, which Message-ID/body deduplication makes safe.
    """
    state = session.scalars(
        select(MailboxState).where(MailboxState.account == account, MailboxState.folder == folder)
        .with_for_update()
    ).one_or_none()
    if state is None:
        state = MailboxState(account=account, folder=folder, uidvalidity=uidvalidity, last_uid=0)
        session.add(state)
        session.flush()
    elif state.uidvalidity != uidvalidity:
        state.uidvalidity = uidvalidity
        state.last_uid = 0
    return state


def last_uid(session: Session, account: str, folder: str, uidvalidity: int) -> int:
    """The last UID committed for this folder, or 0 when unknown or UIDVALIDITY changed."""
    state = session.scalars(
        select(MailboxState).where(MailboxState.account == account, MailboxState.folder == folder)
    ).one_or_none()
    if state is None or state.uidvalidity != uidvalidity:
        return 0
    return state.last_uid


def has_progress(session: Session, account: str, folder: str) -> bool:
    """Whether intake has ever committed progress for this folder (first contact if not)."""
    found = session.scalar(select(MailboxState.id).where(MailboxState.account == account,
                                                         MailboxState.folder == folder))
    return found is not None


def start_progress(session: Session, account: str, folder: str, uidvalidity: int,
                   last_uid: int) -> MailboxState:
    """Record where intake starts in a folder it has never seen; an existing row wins."""
    state = lock_progress(session, account, folder, uidvalidity)
    if state.last_uid == 0:
        state.last_uid = last_uid
    return state
