"""Raw RFC 822 bytes to a :class:`ParsedMessage`: the boundary between mail and the triage.

Pure code, like IMAPClient's ``response_parser``: bytes in, values out, no sockets, no database.
Parsing is lenient. Malformed mail is the norm, so defects are recorded on the result and only
bytes that are no message at all raise :class:`~bot.errors.MessageParseError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser

from bot.errors import MessageParseError
from bot.mail import headers
from bot.mail.charset import clean_text
from bot.mail.loops import is_client_unsubscribe, machine_mail_reasons
from bot.mail.mime import MAX_PARTS, filename, is_body_part, leaf_parts, payload_bytes
from bot.mail.text import BodyText, best_text, body_hash
from classifier.quoting import latest_reply

logger = logging.getLogger(__name__)

#: Share of control bytes above which headerless bytes are taken for binary data.
_BINARY_CONTROL_SHARE = 0.05
#: Share of printable characters below which headerless text is taken for garbage.
_MIN_READABLE_SHARE = 0.7
_SAMPLE_BYTES = 8192
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")
#: The stdlib parser's cost grows with the square of the multipart nesting depth and it hits
#: the recursion limit near 1,000 levels; real mail (digests included) declares far fewer.
MAX_BOUNDARIES = 200
#: Column sizes of :class:`bot.store.models.Message` (PostgreSQL refuses longer values).
MAX_ADDRESS_CHARS = 320
MAX_NAME_CHARS = 500
MAX_FILENAME_CHARS = 255


@dataclass(frozen=True)
class Attachment:
    """A non-body part, measured but never opened or saved."""

    filename: str | None
    content_type: str
    size: int  # decoded payload bytes


@dataclass(frozen=True)
class ParsedMessage:
    """What the triage needs from one email, decoded and normalised.

    Attributes:
        message_id: Message-ID without ``<>``; None if absent or garbage.
        in_reply_to: the first id of In-Reply-To, normalised the same way.
        references: ids of References, oldest first, without duplicates.
        sender_address: From (else Sender, else Return-Path), lower-cased.
        sender_name: the decoded display name of that address, if any.
        reply_to: the first Reply-To address, lower-cased.
        to: the To addresses, lower-cased.
        subject: decoded (RFC 2047) on one line, "" if none.
        date: aware datetime (UTC if the header gives no zone); None if absent or unreadable.
        body_text: the best full text: text/plain, else HTML rendered to text.
        reply_text: body_text without quoted history and signature; never empty if
            body_text is not.
        attachments: every non-body part.
        machine_reasons: why this is machine mail (see :mod:`bot.mail.loops`); empty for a
            person's mail.
        is_unsubscribe_mail: a mail client generated this from a List-Unsubscribe mailto link.
        defects: class names of the ``email.errors`` defects found, plus our own notes:
            ``NoHeaders``, ``CharsetFallback``, ``BodyTruncated``.
        body_hash: sha256 hex of the normalised body_text, for deduplication when the
            Message-ID is missing or reused.
    """

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sender_address: str | None
    sender_name: str | None
    reply_to: str | None
    to: tuple[str, ...]
    subject: str
    date: datetime | None
    body_text: str
    reply_text: str
    attachments: tuple[Attachment, ...]
    machine_reasons: tuple[str, ...]
    is_unsubscribe_mail: bool
    defects: tuple[str, ...]
    body_hash: str

    @property
    def is_machine_mail(self) -> bool:
        """True when the message must never get an automatic reply."""
        return bool(self.machine_reasons)


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:_SAMPLE_BYTES]
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls > len(sample) * _BINARY_CONTROL_SHARE


def _is_readable(text: str) -> bool:
    sample = text[:_SAMPLE_BYTES]
    readable = sum(
        1 for char in sample if (char.isprintable() or char.isspace()) and char != "\ufffd"
    )
    return bool(sample) and readable >= len(sample) * _MIN_READABLE_SHARE


def _defect_names(msg: Message) -> list[str]:
    """Collect defect class names from every part, in order, without duplicates."""
    names: dict[str, None] = {}
    for count, part in enumerate(msg.walk()):
        if count >= MAX_PARTS:
            break
        for defect in getattr(part, "defects", ()):
            names[type(defect).__name__] = None
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        if len(headers.raw_header(msg, name) or "") > headers.MAX_STRUCTURED_CHARS:
            names["HeaderTooLong"] = None
        try:
            header = msg.get(name)
        except Exception:  # noqa: BLE001 - the structured parser itself failed on this header
            names["HeaderParseFailure"] = None
            continue
        for defect in getattr(header, "defects", ()):
            names[type(defect).__name__] = None
    return list(names)


def _attachments(msg: Message) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            filename=filename(part),
            content_type=part.get_content_type(),
            size=len(payload_bytes(part)),
        )
        for part in leaf_parts(msg)
        if not is_body_part(part)
    )


def to_message(raw: bytes, *, own_addresses: Iterable[str] = ()) -> ParsedMessage:
    """Parse raw RFC 822 bytes into a :class:`ParsedMessage`.

    Steps:
    1. Refuse bytes that are empty, binary without any header, or nested past
       :data:`MAX_BOUNDARIES` multipart boundaries.
    2. Parse with ``email.policy.default`` (header values bounded for speed); defects are
       kept, never fatal.
    3. Read headers defensively (:mod:`bot.mail.headers`).
    4. Pick the best text and strip quoted history and signature from it.
    5. Measure attachments, detect machine mail and client-generated unsubscribes.

    Args:
        raw: the message exactly as fetched from the mailbox.
        own_addresses: addresses this service sends from, to recognise its own mail coming back.

    Returns:
        The parsed message.

    Raises:
        MessageParseError: the bytes are not usable as an email message.
        TypeError: ``raw`` is not bytes.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"raw must be bytes, not {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise MessageParseError("empty message")
    boundaries = raw.lower().count(b"boundary=")
    if boundaries > MAX_BOUNDARIES:
        raise MessageParseError(f"{boundaries} multipart boundaries (limit {MAX_BOUNDARIES})")
    try:
        msg = BytesParser(policy=headers.BOUNDED_POLICY).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything here is fatal
        raise MessageParseError(f"unparseable: {type(exc).__name__}") from exc
    has_headers = bool(msg.keys())
    if not has_headers and _looks_binary(raw):
        raise MessageParseError("binary data without headers")

    body = best_text(msg)
    if not has_headers and not _is_readable(body.text):
        raise MessageParseError("no headers and no readable text")

    own = tuple(own_addresses)
    return _cleaned(_read(msg, raw, body, has_headers, own))


def _read(msg: EmailMessage, raw: bytes, body: BodyText, has_headers: bool,
          own: tuple[str, ...]) -> ParsedMessage:
    sender_name, sender_address = headers.first_address(msg, ("From", "Sender", "Return-Path"))
    reply_to = headers.first_address(msg, ("Reply-To",))[1]
    in_reply_to = headers.message_id_list(headers.raw_header(msg, "In-Reply-To"))
    defects = _defect_names(msg) + list(body.notes)
    if not has_headers:
        defects.insert(0, "NoHeaders")
    return ParsedMessage(
        message_id=headers.normalise_message_id(headers.raw_header(msg, "Message-ID")),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=headers.message_id_list(headers.raw_header(msg, "References")),
        sender_address=sender_address,
        sender_name=sender_name,
        reply_to=reply_to,
        to=tuple(address for _, address in headers.addresses(msg, "To")),
        subject=headers.subject(msg),
        date=headers.date(msg),
        body_text=body.text,
        reply_text=latest_reply(body.text) if body.text else "",
        attachments=_attachments(msg),
        machine_reasons=machine_mail_reasons(msg, own),
        is_unsubscribe_mail=is_client_unsubscribe(msg, body.text),
        defects=tuple(dict.fromkeys(defects)),
        body_hash=body_hash(body.text),
    )


def _clean_value(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple):
        return tuple(_clean_value(item) for item in value)
    return value


def _address(value: str | None) -> str | None:
    return value if value is None or len(value) <= MAX_ADDRESS_CHARS else None


def _cleaned(parsed: ParsedMessage) -> ParsedMessage:
    """Apply the mail edge's one rule to every text field, and fit the stored column sizes.

    Encoded words can carry anything (NUL, bytes of a charset they do not name), so this runs
    over the finished result rather than trusting each reader above.
    """
    values = {f.name: _clean_value(getattr(parsed, f.name)) for f in fields(parsed)
              if f.name != "attachments"}
    values["attachments"] = tuple(
        replace(a, filename=clean_text(a.filename)[:MAX_FILENAME_CHARS] if a.filename else None,
                content_type=clean_text(a.content_type)[:MAX_FILENAME_CHARS])
        for a in parsed.attachments
    )
    name = values["sender_name"]
    values["sender_name"] = name[:MAX_NAME_CHARS] if isinstance(name, str) else None
    values["sender_address"] = _address(values["sender_address"])  # type: ignore[arg-type]
    values["reply_to"] = _address(values["reply_to"])  # type: ignore[arg-type]
    values["to"] = tuple(a for a in values["to"] if _address(a))  # type: ignore[attr-defined]
    return ParsedMessage(**values)  # type: ignore[arg-type]
