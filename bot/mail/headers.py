"""Header values read defensively: message ids, addresses, dates and decoded text.

Mail from the outside world is often malformed, and ``email.policy.default`` can raise while
it parses a structured header (a known source of ``IndexError`` and ``HeaderParseError`` on odd
input). Every reader here therefore tries the structured value first and falls back to the raw
header string, so one bad header never loses the whole message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.mail.charset import clean_text
from classifier import addresses as address_rule

logger = logging.getLogger(__name__)

#: RFC 5322 caps a line at 998 characters; a longer "id" is not an id.
_MAX_ID_LENGTH = 998
#: A References header of a very long thread is trimmed to its newest entries.
_MAX_REFERENCES = 100
_MAX_SUBJECT_LENGTH = 1000
#: The stdlib's structured header parser slows down sharply on long values (tens of seconds for
#: 50,000 recipients, memory exhaustion for a megabyte of encoded words). Values it is given
#: are cut to this length by :data:`BOUNDED_POLICY`; long address lists go to the simple parser.
MAX_STRUCTURED_CHARS = 1_000
_MAX_RAW_ADDRESS_CHARS = 50_000
#: A display name is kept to the width of its column (``messages.sender_name``); the address
#: after it is never cut.
MAX_DISPLAY_NAME_CHARS = 500
#: RFC 2231 continuations of a long filename need a dozen or so; a crafted header has hundreds.
MAX_PARAMETERS = 16
_PARAMETER_HEADERS = frozenset({"content-type", "content-disposition"})

# typeshed's EmailPolicy is generic in the class of message it makes, so the parser's result is
# typed EmailMessage; at run time EmailPolicy is a plain class and cannot be subscripted.
if TYPE_CHECKING:
    _EmailPolicy = EmailPolicy[EmailMessage]
else:
    _EmailPolicy = EmailPolicy


class _BoundedPolicy(_EmailPolicy):
    """``policy.default``, with header values cut short and each distinct value parsed once.

    The stdlib parses a header again on every access, and reading one MIME part's type,
    charset, disposition and filename reads Content-Type a dozen times.
    """

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        # Raw 8-bit bytes in a header (unencoded "Jürgen Müller", a latin-1 subject) arrive as
        # surrogate escapes; decode them by the one rule here, before any header is parsed.
        name, value = super().header_source_parse(sourcelines)
        return clean_text(name), clean_text(value)

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):  # already a header object (set by code, not parsed)
            return value
        value = value[:MAX_STRUCTURED_CHARS]
        if name.lower() in _PARAMETER_HEADERS and value.count(";") > MAX_PARAMETERS:
            # Parameter parsing is superlinear; real headers have a handful of parameters.
            value = ";".join(value.split(";", MAX_PARAMETERS + 1)[: MAX_PARAMETERS + 1])
        return _parse_header(self, name, value)


@lru_cache(maxsize=1024)
def _parse_header(policy: EmailPolicy, name: str, value: str) -> Any:
    # Header objects are immutable str subclasses, so sharing one between calls is safe.
    return EmailPolicy.header_fetch_parse(policy, name, value)


#: The policy every message is parsed with (see :func:`bot.mail.parse.to_message`).
BOUNDED_POLICY = _BoundedPolicy()

_ANGLE_ID = re.compile(r"<([^<>]*)>")
_BAD_ID_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>]")
_WHITESPACE = re.compile(r"\s+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def raw_header(msg: Message, name: str) -> str | None:
    """Return the first ``name`` header as an unparsed string, or None when absent.

    ``raw_items`` bypasses the policy's header classes, so it works on headers that would make
    ``msg[name]`` raise.
    """
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return _FOLD.sub("", str(value))
    return None


def header_text(msg: Message, name: str) -> str | None:
    """Return the first ``name`` header decoded (RFC 2047) to one line, or None when absent."""
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - the stdlib header parser raises assorted errors
        logger.debug("Structured parse of %s failed; decoding raw value", name)
        value = None
    if value is None:
        raw = raw_header(msg, name)
        if raw is None:
            return None
        value = _decode_words(raw)
    return _WHITESPACE.sub(" ", str(value)).strip()


def _decode_words(raw: str) -> str:
    """Decode RFC 2047 encoded words without trusting the declared charsets."""
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 - unknown charsets raise LookupError, bad words others
        return raw


def subject(msg: Message) -> str:
    """Return the decoded subject on one line, "" when there is none."""
    return (header_text(msg, "Subject") or "")[:_MAX_SUBJECT_LENGTH]


def normalise_message_id(value: str | None) -> str | None:
    """Return a Message-ID without angle brackets, or None when absent or not an id.

    Args:
        value: a header value such as ``" <abc@example.org> "``.

    Returns:
        ``"abc@example.org"``; None for "", "<>", ids with spaces or control characters.
    """
    if value is None:
        return None
    found = _ANGLE_ID.search(value)
    candidate = (found.group(1) if found else value).strip()
    if not candidate or len(candidate) > _MAX_ID_LENGTH or _BAD_ID_CHARS.search(candidate):
        return None
    return candidate


def message_id_list(value: str | None) -> tuple[str, ...]:
    """Return the ids of a References or In-Reply-To header, in order, without duplicates.

    Ids are taken from ``<...>``; a header without brackets is split on whitespace, since some
    mailers omit them. Only the newest :data:`_MAX_REFERENCES` ids are kept.
    """
    if not value:
        return ()
    tokens = _ANGLE_ID.findall(value) or value.split()
    ids: dict[str, None] = {}
    for token in tokens:
        normalised = normalise_message_id(token)
        if normalised:
            ids[normalised] = None
    return tuple(ids)[-_MAX_REFERENCES:]


def normalise_address(value: str | None) -> str | None:
    """The comparable form of a header's addr-spec, or None.

    The rule is :func:`classifier.addresses.normalise`.

    Args:
        value: ``"Alice@Example.ORG"`` or ``"<alice@example.org>"``.
    """
    return address_rule.normalise(value)


def _bounded(value: str) -> str:
    """An over-long address header cut in the middle, keeping its start and its end.

    The address of ``"<50,000 characters>" <victim@example.org>`` is at the end, so cutting the
    tail would lose exactly the part that matters. The space at the cut keeps the two halves
    from joining into an address nobody wrote (a cut address is then simply invalid).
    """
    if len(value) <= _MAX_RAW_ADDRESS_CHARS:
        return value
    half = _MAX_RAW_ADDRESS_CHARS // 2
    return value[:half] + " " + value[-half:]


def addresses(msg: Message, name: str) -> list[tuple[str | None, str]]:
    """Return ``(display name, address)`` pairs of an address header; bad entries are dropped.

    Args:
        msg: the parsed message.
        name: ``"From"``, ``"To"``, ``"Reply-To"`` ...
    """
    pairs: list[tuple[str | None, str]] = []
    raw_values = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
    if sum(map(len, raw_values)) <= MAX_STRUCTURED_CHARS:
        try:
            for header in msg.get_all(name) or []:
                for addr in getattr(header, "addresses", ()):
                    pairs.append((addr.display_name or None, addr.addr_spec))
        except Exception:  # noqa: BLE001 - fall back to the lenient stdlib parser below
            pairs = []
    if not pairs:
        raw_values = [_bounded(value) for value in raw_values]
        # Decode names after splitting: a decoded "Smith, Alice" would split in two.
        pairs = [
            (_decode_words(display) if display else None, spec)
            for display, spec in getaddresses(raw_values)
        ]
    result = []
    for display, spec in pairs:
        address = normalise_address(spec)
        if address:
            name_text = _WHITESPACE.sub(" ", display).strip() if display else None
            name_text = name_text[:MAX_DISPLAY_NAME_CHARS].rstrip() if name_text else None
            result.append((name_text or None, address))
    return result


def first_address(msg: Message, names: Iterable[str]) -> tuple[str | None, str | None]:
    """Return ``(display name, address)`` from the first of ``names`` that holds an address."""
    for name in names:
        found = addresses(msg, name)
        if found:
            return found[0]
    return None, None


def date(msg: Message) -> datetime | None:
    """Return the Date header as an aware datetime (UTC when no zone), None if unreadable."""
    raw = raw_header(msg, "Date")
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(_WHITESPACE.sub(" ", raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
