"""Recognising machine mail, so that no automatic reply is ever sent to a machine.

Answering an auto-reply, a bounce or a mailing list starts a mail loop, and RFC 3834 section 2
asks automatic responders not to. These functions only report facts; whether a message is still
an opt-out (a mail client's generated "unsubscribe" is one) is decided elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import collapse_rfc2231_value

from bot.mail import headers
from bot.mail.text import best_text

#: Local parts of senders that are systems, not people.
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})
_NO_REPLY_LOCAL_PART = re.compile(r"^(?:no-?reply|do-?not-?reply|donotreply)(?:[+\-.].*)?$")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
#: RFC 2369 and RFC 2919 fields a mailing list adds; RFC 3834 says not to answer such mail.
_LIST_HEADERS = ("List-Id", "List-Post", "List-Help", "List-Subscribe", "List-Owner")

#: Subjects a List-Unsubscribe mailto link produces: "unsubscribe", "Unsubscribe: <token>".
_UNSUBSCRIBE_SUBJECT = re.compile(
    r"^\s*unsubscribe\b[\s:#\-]*[\w\-.@+=/]{0,200}\s*$", re.IGNORECASE
)
_UNSUBSCRIBE_LINE = re.compile(
    r"^\s*(?:please\s+)?unsubscribe(?:\s+me)?(?:\s+[\w\-.@+=/:<>]+)?[\s.!]*$", re.IGNORECASE
)
#: Lines some clients add to the generated message, e.g. Gmail's unsubscribe button.
_GENERATED_LINE = re.compile(
    r"^\s*(?:this (?:message|email|e-mail) was (?:automatically )?generated\b.*"
    r"|sent from my \S+.*)\s*$",
    re.IGNORECASE,
)
#: A generated unsubscribe body is a line or two; a person's letter is longer.
_MAX_GENERATED_BODY = 300


def _local_part(address: str | None) -> str:
    return address.rpartition("@")[0] if address else ""


def _first_value(msg: EmailMessage, name: str) -> str | None:
    """Return a header's value lower-cased, without ``;`` parameters or comments."""
    value = headers.raw_header(msg, name)
    if value is None:
        return None
    return re.sub(r"\([^)]*\)", "", value).split(";", 1)[0].strip().lower()


def machine_mail_reasons(msg: EmailMessage, own_addresses: Iterable[str] = ()) -> tuple[str, ...]:
    """Return why ``msg`` looks sent by a machine; empty when it looks like a person's mail.

    Checks, in order: ``Auto-Submitted`` other than ``no`` (RFC 3834), ``Precedence`` bulk,
    junk or list, ``X-Autoreply``/``X-Autorespond``, ``X-Auto-Response-Suppress`` (Microsoft
    Exchange sets it on its own automatic mail), a null ``Return-Path`` (bounces), a
    mailer-daemon, postmaster or no-reply sender, a ``multipart/report`` (delivery and read
    reports), mailing-list headers, our own address as sender, and ``X-Loop`` naming us.

    Args:
        msg: a message parsed with ``email.policy.default``.
        own_addresses: the addresses this service sends from, in any case.

    Returns:
        Short reason strings such as ``"auto-submitted:auto-replied"``, in check order.
    """
    reasons: list[str] = []
    auto_submitted = _first_value(msg, "Auto-Submitted")
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"auto-submitted:{auto_submitted}")
    precedence = _first_value(msg, "Precedence")
    if precedence in _BULK_PRECEDENCE:
        reasons.append(f"precedence:{precedence}")
    for name in ("X-Autoreply", "X-Autorespond"):
        value = _first_value(msg, name)
        if value is not None and value not in ("no", "false", "0"):
            reasons.append(name.lower())
    suppress = _first_value(msg, "X-Auto-Response-Suppress")
    if suppress and suppress != "none":
        reasons.append("x-auto-response-suppress")
    return_path = headers.raw_header(msg, "Return-Path")
    if return_path is not None and return_path.strip().strip("<>").strip() == "":
        reasons.append("null-return-path")

    _, sender = headers.first_address(msg, ("From", "Sender", "Return-Path"))
    local = _local_part(sender)
    if local in _DAEMON_LOCAL_PARTS:
        reasons.append(f"sender:{local}")
    elif _NO_REPLY_LOCAL_PART.match(local):
        reasons.append("sender:no-reply")
    if msg.get_content_type() == "multipart/report":
        # An RFC 2231 parameter may come back as (charset, language, value); collapse it.
        report_type = collapse_rfc2231_value(msg.get_param("report-type") or "unknown").lower()
        reasons.append(f"report:{report_type}")
    if any(headers.raw_header(msg, name) is not None for name in _LIST_HEADERS):
        reasons.append("mailing-list")

    own = {address for address in map(headers.normalise_address, own_addresses) if address}
    senders = {address for _, address in headers.addresses(msg, "From")}
    senders.update(address for _, address in headers.addresses(msg, "Sender"))
    if own & senders:
        reasons.append("own-address")
    x_loop = (headers.raw_header(msg, "X-Loop") or "").lower()
    if own and any(address in x_loop for address in own):
        reasons.append("x-loop")
    return tuple(reasons)


def is_client_unsubscribe(msg: EmailMessage, body_text: str | None = None) -> bool:
    """Tell whether ``msg`` is an unsubscribe a mail client generated from a mailto link.

    A ``List-Unsubscribe: <mailto:...?subject=unsubscribe>`` link makes the client send a
    message whose subject (or, with no subject, body) is just "unsubscribe", perhaps with a
    token, and whose body is empty, "unsubscribe" again, or a line like Gmail's "This message
    was automatically generated by Gmail.". A person writing "please unsubscribe me, I moved"
    is not matched here; the classifier handles that.

    Args:
        msg: a message parsed with ``email.policy.default``.
        body_text: the message's full text if already extracted; computed when None.
    """
    subject = headers.subject(msg)
    if body_text is None:
        body_text = best_text(msg).text
    body = body_text.strip()
    if len(body) > _MAX_GENERATED_BODY:
        return False
    lines = [line for line in body.splitlines() if line.strip()]
    if _UNSUBSCRIBE_SUBJECT.match(subject):
        return all(_UNSUBSCRIBE_LINE.match(ln) or _GENERATED_LINE.match(ln) for ln in lines)
    if not subject.strip():
        return bool(lines) and all(_UNSUBSCRIBE_LINE.match(line) for line in lines)
    return False
