"""Config files for tests that run the program as a process (``run``, ``poll``, kill rounds).

In-process tests build a :class:`bot.config.Config` with ``tests.conftest.make_config``; a child
process reads TOML, so its ``[imap]`` table is written here once rather than in every file.
"""

from __future__ import annotations

import json

from tests.servers.dovecot import Dovecot

#: The environment variable a test's config names for the IMAP password (secrets are never
#: written into config files).
IMAP_PASSWORD_ENV = "TEST_IMAP_PASSWORD"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value))  # a TOML basic string is a JSON string


def imap_section(dovecot: Dovecot, *, array: bool = False, **settings: object) -> str:
    """The ``[imap]`` table for ``dovecot``'s mailbox: plain IMAP, all mail from the start.

    ``settings`` add keys or override these (``fetch_batch=5``, ``poll_interval_s=60``);
    ``array`` writes an ``[[imap]]`` table instead, one of several mailboxes.
    """
    values: dict[str, object] = {
        "host": dovecot.host, "port": dovecot.port, "ssl": False, "username": dovecot.user,
        "password_env": IMAP_PASSWORD_ENV,
        "start": "all",  # tests fill the mailbox before the first poll
        **settings}
    return ("[[imap]]\n" if array else "[imap]\n") + "".join(f"{key} = {_toml_value(value)}\n"
                                for key, value in values.items())


def smtp_section(host: str, port: int, **settings: object) -> str:
    """The ``[smtp]`` table for a test relay: plain SMTP, no login, our support address as From.

    ``settings`` add keys or override these (``timeout_s=5``).
    """
    values: dict[str, object] = {"host": host, "port": port, "starttls": False, "username": "",
                                 "from_address": "support@caplus.org.uk", **settings}
    return "[smtp]\n" + "".join(f"{key} = {_toml_value(value)}\n"
                                 for key, value in values.items())


def imap_password_env(dovecot: Dovecot) -> dict[str, str]:
    """The environment entry that gives a child process ``dovecot``'s password."""
    return {IMAP_PASSWORD_ENV: dovecot.password}
