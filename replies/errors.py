"""Errors raised by the replies package.

``replies`` is pure code below the service: it has its own root, :class:`RepliesError`, so it
needs nothing from ``bot``. The service counts it among its own errors
(:data:`bot.errors.OUR_ERRORS`), so the CLI still reports it as one of ours.
"""

from __future__ import annotations


class RepliesError(Exception):
    """Root of every error the replies package raises on purpose."""
