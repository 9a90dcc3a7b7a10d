"""Odd senders: header facts that make a message unfit for any automatic act.

A forged or confusing ``From`` is how an attacker turns the automatic opt-out against someone:
a display name that shows another address, a ``Reply-To`` or ``Sender`` that is not the From
address, several From addresses, a look-alike (homoglyph) domain, a domain literal, or a claim
to come from the organisation itself. Each check is a pure function of the header fields
(:func:`bot.mail.auth.header_fields`), so the whole set is a table of tests; staff see every
discrepancy on the case card.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import getaddresses

import idna
from confusable_homoglyphs import confusables

#: Every reason this module gives starts with this, so the card can show them apart.
PREFIX = "odd sender: "
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>\"'@()]+@[^\s<>\"'@()]+")


@dataclass(frozen=True)
class SenderHeaders:
    """The sender-related header values, decoded (display names as text)."""

    from_: tuple[tuple[str, str], ...]   # (display name, address lower-cased), every From
    reply_to: tuple[str, ...] = ()
    sender: tuple[str, ...] = ()


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


def _pairs(values: Iterable[str]) -> list[tuple[str, str]]:
    pairs = []
    for name, address in getaddresses([v[:5000] for v in values]):
        if address or name:
            pairs.append((_decoded(name).strip(), address.strip().lower()))
    return pairs


def sender_headers(fields: Sequence[tuple[str, str]]) -> SenderHeaders:
    """Collect From, Reply-To and Sender from the header fields (every occurrence)."""
    def values(wanted: str) -> list[str]:
        return [v for n, v in fields if n.lower() == wanted]

    return SenderHeaders(
        from_=tuple(_pairs(values("from"))),
        reply_to=tuple(a for _, a in _pairs(values("reply-to")) if a),
        sender=tuple(a for _, a in _pairs(values("sender")) if a),
    )


def from_address(headers: SenderHeaders) -> str | None:
    """The first From address, or None."""
    return next((a for _, a in headers.from_ if a), None)


def domain_of(address: str | None) -> str:
    return (address or "").rpartition("@")[2].strip().lower()


def is_domain_literal(address: str | None) -> bool:
    """``v@[127.0.0.1]``: an address at an IP literal, never a confirmation recipient."""
    domain = domain_of(address)
    return domain.startswith("[") or bool(re.fullmatch(r"[\d.]+|[0-9a-f:]+:[0-9a-f:]*", domain))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def lookalike_domain(domain: str) -> str | None:
    """Why ``domain`` looks like an imitation (IDN homoglyph, mixed scripts), or None.

    A label mixing scripts (Latin ``paypal`` with a Cyrillic ``а``), or written wholly in
    non-Latin letters that each look like a Latin one (Cyrillic ``аррӏе``), is flagged. An
    honest internationalised domain (``münchen.de``, ``пример.рф``) is not.
    """
    labels = domain.lower().split(".")
    # The top-level label is the registry's, not the impostor's (".рф" is an honest TLD).
    for label in labels[:-1] if len(labels) > 1 else labels:
        try:
            text = idna.decode(label) if label.startswith("xn--") else label
        except (idna.IDNAError, UnicodeError):
            return f"undecodable internationalised label {label!r}"
        if text.isascii():
            continue
        letters = [ch for ch in text if ch.isalpha()]
        scripts = {_script(ch) for ch in letters}
        if len(scripts) > 1:
            return f"domain {domain} mixes {' and '.join(sorted(scripts)).lower()} letters"
        if letters and all(not ch.isascii() and confusables.is_confusable(
                ch, preferred_aliases=["latin"]) for ch in letters):
            return f"domain {domain} imitates Latin letters ({text})"
    return None


def discrepancies(headers: SenderHeaders, own_domains: Iterable[str] = ()) -> tuple[str, ...]:
    """Every reason the sender headers do not plainly name one person; empty when they do.

    Args:
        headers: from :func:`sender_headers`.
        own_domains: the organisation's mail domains (lower case).
    """
    reasons: list[str] = []
    addresses = list(dict.fromkeys(a for _, a in headers.from_ if a))
    sender = addresses[0] if addresses else None
    if len(addresses) > 1:
        reasons.append(f"several From addresses: {', '.join(addresses[:5])}")
    for name, address in headers.from_:
        shown = {m.group(0).strip(".,;:").lower() for m in _ADDRESS_IN_TEXT.finditer(name)}
        others = sorted(a for a in shown if a != address)
        if others:
            reasons.append(f"display name shows another address: {others[0]}")
            break
    others = [a for a in headers.reply_to if a != sender]
    if sender and others:
        reasons.append(f"Reply-To {others[0]} differs from From {sender}")
    others = [a for a in headers.sender if a != sender]
    if sender and others:
        reasons.append(f"Sender {others[0]} differs from From {sender}")
    if sender and is_domain_literal(sender):
        reasons.append(f"From {sender} is at an IP address, not a domain")
    for address in addresses:
        lookalike = lookalike_domain(domain_of(address))
        if lookalike:
            reasons.append(lookalike)
            break
    own = {d.strip().lower() for d in own_domains if d.strip()}
    claimed = sorted({domain_of(a) for a in addresses} & own)
    if claimed:
        reasons.append(f"From claims the organisation's own domain {claimed[0]}")
    return tuple(PREFIX + r for r in reasons)
