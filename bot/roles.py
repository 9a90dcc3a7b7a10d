"""Which parts of the service a ``run`` process starts: ``--role all|watcher|worker|web|slack``.

Pure, so the one decision is unit-tested: the service asks :func:`parts_for` which threads to
start, and :func:`role_problem` whether the configuration gives the role anything to do.

- ``watcher``: IMAP intake, one thread per configured mailbox (only the holder of a mailbox's
  lock fetches; see ``bot/store/leadership.py``);
- ``worker``: triage, outbox delivery, the scheduled Slack posts and the daily purge;
- ``web``: the HTTP front end (unsubscribe page, suppression API, health);
- ``slack``: the Slack app (Socket Mode or its HTTP endpoint);
- ``all`` (the default): everything the configuration enables, as one process always did.
"""

from __future__ import annotations

from enum import StrEnum


class Part(StrEnum):
    WATCHER = "watcher"
    WORKER = "worker"
    WEB = "web"
    SLACK = "slack"


ALL = "all"
ROLES: tuple[str, ...] = (ALL, *(p.value for p in Part))


def parts_for(role: str, *, imap: bool, http: bool, slack: bool) -> frozenset[Part]:
    """The parts a process in ``role`` starts, given what the configuration enables.

    The worker needs no configuration of its own (triage runs on any database), so it is always
    started when the role asks for it; every other part only where configured.

    Raises:
        ValueError: for a role that is not one of :data:`ROLES`.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    wanted = set(Part) if role == ALL else {Part(role)}
    enabled = {Part.WATCHER: imap, Part.WORKER: True, Part.WEB: http, Part.SLACK: slack}
    return frozenset(part for part in wanted if enabled[part])


#: For a role that finds nothing to do: the section that would give it something.
_NEEDS = {Part.WATCHER: ("imap", "an [imap] table (or [[imap]] tables) with a host"),
          Part.WEB: ("http", "[http] enabled = true"),
          Part.SLACK: ("slack", "[slack] enabled = true")}


def role_problem(role: str, *, imap: bool, http: bool, slack: bool) -> tuple[str, str] | None:
    """Why a single-part role would start nothing: ``(config key, message)``, or None.

    ``run --role web`` with the web part switched off would sit there doing nothing and look
    healthy; refusing says what is missing instead.
    """
    if role == ALL or parts_for(role, imap=imap, http=http, slack=slack):
        return None
    key, needed = _NEEDS[Part(role)]
    return key, f"`run --role {role}` has nothing to do: the configuration needs {needed}"
