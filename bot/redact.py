"""Keeping personal data and secrets out of logs, errors and printed settings (pure functions).

Logs are read by more people, and kept longer, than the database: an SMTP refusal quoting the
recipient, or a database URL with its password, must not end up there. These helpers are for
text on its way to a log line, an error message or the terminal.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from classifier import addresses

# scheme://user:password@ for URLs SQLAlchemy cannot parse (a typo is still a secret).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/:@\s]*:)[^@\s]*(?=@)")


def mask_addresses(text: str) -> str:
    """Every email address in ``text`` masked (SMTP replies quote the recipient, for one).

    Deliberately loose (:data:`classifier.addresses.ADDRESS_LIKE`): anything that looks like
    local@domain, inside <> or not.
    """
    return addresses.mask_in_text(text)


def mask_url(url: str) -> str:
    """A database (or any) URL with its password replaced by ``***``, for printing."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _URL_PASSWORD.sub(lambda m: m.group("head") + "***", url)
