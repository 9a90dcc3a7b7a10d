"""Signed one-click unsubscribe links (RFC 8058) and the headers the mailer adds. Pure: no I/O.

A token is the URL-safe base64 (unpadded) of the normalised address followed by its 32-byte
HMAC-SHA256 under the unsubscribe secret. The address travels inside the link, so the server needs
no table of issued links and a link never expires: it only has to check the MAC, in constant time.
The MAC covers a fixed context string as well, so a MAC made with the same secret for some other
purpose can never pass as an unsubscribe token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from urllib.parse import quote

from bot.errors import TriageError
from bot.store.suppressions import normalise_address
from classifier import addresses

_CONTEXT = b"privacy-triage unsubscribe v1\x00"
_MAC_BYTES = hashlib.sha256().digest_size
# An address is at most 320 octets (RFC 5321 limits), so a longer token cannot be ours; refusing
# it before decoding keeps junk URLs cheap.
MAX_TOKEN_CHARS = 4 * (320 * 4 + _MAC_BYTES) // 3 + 4
# The URL-safe base64 alphabet only: the decoder would otherwise skip stray characters.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]+")
ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"


class InvalidTokenError(TriageError):
    """Raised when an unsubscribe token is malformed, truncated or was not signed by us."""


def _mac(address: str, secret: str) -> bytes:
    if not secret:
        raise ValueError("the unsubscribe secret is empty")
    return hmac.new(secret.encode("utf-8"), _CONTEXT + address.encode("utf-8"),
                    hashlib.sha256).digest()


def make_token(address: str, secret: str) -> str:
    """The token for ``address``: the same address always gives the same token.

    Args:
        address: any spelling of the recipient's address; it is normalised first, so
            ``<Jo@Example.org>`` and ``jo@example.org`` share one token.
        secret: the unsubscribe secret from the environment.

    Raises:
        ValueError: when ``address`` is not an email address or ``secret`` is empty.
    """
    normalised = normalise_address(address)
    raw = normalised.encode("utf-8") + _mac(normalised, secret)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def verify_token(token: str, secret: str, previous: Sequence[str] = ()) -> str:
    """Check ``token`` and return the normalised address it was made for.

    Args:
        token: the last part of the unsubscribe link.
        secret: the current unsubscribe secret.
        previous: secrets used before a rotation; links they signed keep working, because an
            unsubscribe link in an old newsletter must never stop working.

    Raises:
        InvalidTokenError: for anything that is not exactly a token :func:`make_token` gave.
        ValueError: when ``secret`` is empty (a configuration mistake, not a bad link).
    """
    if not secret:
        raise ValueError("the unsubscribe secret is empty")
    if len(token) > MAX_TOKEN_CHARS or not _TOKEN_CHARS.fullmatch(token):
        raise InvalidTokenError("not an unsubscribe token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenError("not an unsubscribe token") from None
    if len(raw) <= _MAC_BYTES:
        raise InvalidTokenError("not an unsubscribe token")
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    try:
        address = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidTokenError("not an unsubscribe token") from None
    # Compare before looking at the address, so the time taken says nothing about the MAC; every
    # secret is tried, so the time does not say which one matched either.
    matches = [hmac.compare_digest(mac, _mac(address, key)) for key in (secret, *previous) if key]
    if not any(matches):
        raise InvalidTokenError("the token's signature does not match")
    try:
        if normalise_address(address) != address:  # we only ever sign normalised addresses
            raise InvalidTokenError("the token holds an address we would not have signed")
    except ValueError:
        raise InvalidTokenError("the token holds no address") from None
    return address


#: The page is public (anyone holding the link sees it), so it shows ``j***@example.org``.
mask_address = addresses.mask


def unsubscribe_url(address: str, secret: str, public_url: str) -> str:
    """The HTTPS link the mailer puts in ``List-Unsubscribe`` and in the message footer."""
    return f"{public_url.rstrip('/')}/unsubscribe/{make_token(address, secret)}"


def list_unsubscribe_headers(address: str, secret: str, public_url: str,
                             support_address: str) -> list[tuple[str, str]]:
    """The two header fields RFC 8058 asks for, as (name, value) pairs.

    ``List-Unsubscribe`` carries the one-click HTTPS link first and a ``mailto:`` fallback for
    clients that only mail (RFC 2369); ``List-Unsubscribe-Post`` tells the receiver a POST with
    ``List-Unsubscribe=One-Click`` is enough. Both must be covered by the message's DKIM signature,
    which is the mailer's job.
    """
    mailto = f"mailto:{quote(support_address, safe='@')}?subject=unsubscribe"
    return [
        ("List-Unsubscribe", f"<{unsubscribe_url(address, secret, public_url)}>, <{mailto}>"),
        ("List-Unsubscribe-Post", f"{ONE_CLICK_FIELD}={ONE_CLICK_VALUE}"),
    ]
