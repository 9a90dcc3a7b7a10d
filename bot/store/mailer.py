"""Queries for the organisation's mailer side: the HTTP front end and the suppressions CLI."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.store.models import Suppression
from bot.store.suppressions import normalise_address


def find_active(session: Session, address: str) -> Suppression | None:
    """The active suppression for ``address``, or None (also None for a non-address)."""
    try:
        normalised = normalise_address(address)
    except ValueError:
        return None
    return session.scalar(select(Suppression).where(
        Suppression.address == normalised, Suppression.removed_at.is_(None)))


def ping(session: Session) -> None:
    """One round trip to the database; raises whatever the driver raises when it is down."""
    session.execute(text("SELECT 1")).scalar_one()
