"""Walking a MIME tree: which leaves are body text, which are attachments, and their bytes.

Attachments are only measured, never opened or saved: the triage needs to know that a passport
scan came with an access request, not what is in it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser

logger = logging.getLogger(__name__)

#: Bound the walk: a crafted message can nest thousands of multiparts.
MAX_DEPTH = 20
MAX_PARTS = 100

BODY_TYPES = frozenset({"text/plain", "text/html"})

_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))', re.IGNORECASE)


def leaf_parts(msg: Message) -> Iterator[Message]:
    """Yield the leaves of the MIME tree in order, at most :data:`MAX_PARTS` of them.

    An attached message (``message/rfc822``, a bounce's ``message/delivery-status``) is a leaf:
    its own text belongs to someone else and must not become our body.
    """
    count = 0
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and count < MAX_PARTS:
        part, depth = stack.pop()
        payload = part.get_payload()
        if (
            part.get_content_maintype() == "multipart"
            and isinstance(payload, list)
            and depth < MAX_DEPTH
        ):
            # Reversed so the stack pops children in document order.
            stack.extend((child, depth + 1) for child in reversed(payload)
                         if isinstance(child, Message))
            continue
        if part.get_content_maintype() == "multipart" and depth < MAX_DEPTH:
            children = _split_unparsed_multipart(part)
            if children:
                stack.extend((child, depth + 1) for child in reversed(children))
                continue
        count += 1
        yield part


def _split_unparsed_multipart(part: Message) -> list[Message]:
    """Split a multipart the stdlib left whole because it misread the boundary parameter.

    Outlook Express wrote unquoted boundaries containing "=" (``boundary=----=_NextPart_...``),
    which the stdlib's parameter parser cuts at the "=". Reading the boundary from the raw
    header with a laxer pattern and parsing the body again recovers the parts.
    """
    payload = part.get_payload()
    if not isinstance(payload, str) or not payload.strip():
        return []
    raw_type = next((str(v) for k, v in part.raw_items() if k.lower() == "content-type"), "")
    found = _BOUNDARY.search(raw_type)
    if not found:
        return []
    boundary = found.group(1) or found.group(2)
    if f"--{boundary}" not in payload:
        return []
    try:
        body = payload.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return []
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode("ascii")
    inner = BytesParser(policy=part.policy).parsebytes(head + body)
    children = inner.get_payload()
    if isinstance(children, list) and children:
        logger.debug("Recovered %d parts of a multipart with a malformed boundary", len(children))
        return children
    return []


def filename(part: Message) -> str | None:
    """Return the part's filename, decoded from RFC 2231 or (non-standard) RFC 2047 form."""
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - malformed parameters raise from deep in the stdlib
        return None
    if not name:
        return None
    name = str(name)
    if "=?" in name:
        # Outlook and others put encoded words in quoted parameters, which RFC 2047 forbids.
        try:
            name = str(make_header(decode_header(name)))
        except Exception:  # noqa: BLE001 - keep the raw name if the words don't decode
            logger.debug("Undecodable encoded words in a filename kept as they are")
    return name.strip() or None


def is_body_part(part: Message) -> bool:
    """Tell whether a leaf is inline text/plain or text/html meant to be read as the body."""
    if part.get_content_type() not in BODY_TYPES:
        return False
    if part.get_content_disposition() == "attachment":
        return False
    return filename(part) is None


def payload_bytes(part: Message) -> bytes:
    """Return a leaf's decoded payload (base64/quoted-printable undone), b"" if there is none.

    Broken base64 or quoted-printable is decoded as far as it goes; the stdlib records a defect
    on the part instead of raising.
    """
    if part.get_content_maintype() in ("message", "multipart"):
        try:
            inner = part.get_payload()
            if isinstance(inner, list):
                return b"".join(m.as_bytes() for m in inner if isinstance(m, Message))
            return str(inner).encode("utf-8", "surrogateescape")
        except Exception:  # noqa: BLE001 - re-serialising a broken message can fail
            return b""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - decoding garbage must not stop the message
        logger.debug("Payload could not be decoded; counted as empty")
        return b""
    return data if isinstance(data, bytes) else b""
