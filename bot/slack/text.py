"""Untrusted text on its way into Slack: escaped, masked, bounded (pure functions).

Mail and chat messages come from anyone. Slack's mrkdwn gives ``<...>`` a meaning (``<!channel>``
pings everyone, ``<http://evil|bank>`` shows "bank" for a hidden link, ``<@U1>`` mentions a
person), so every piece of outside text is passed through :func:`escape` before it is put into a
mrkdwn object, as docs.slack.dev "Formatting text for app surfaces" asks: ``&``, ``<`` and ``>``
become entities and nothing else is interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier import addresses

SECTION_LIMIT = 3000
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Make outside text inert in Slack mrkdwn (``&`` first, then ``<`` and ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (whole words where possible) with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(text.split())


def excerpt(text: str, limit: int = 600) -> str:
    """The first ``limit`` characters of a message, blank lines collapsed."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return shorten("\n".join(kept).strip(), limit)


def mask_address(address: str | None, redaction: str) -> str:
    """An email address as the review channel may see it.

    ``none`` shows it; ``partial`` keeps the first letter and the domain (``a***@example.org``),
    enough to tell requesters apart without spelling out who they are; ``full`` hides it.
    """
    if not address:
        return "(no address)"
    if redaction == "none":
        return address
    if redaction == "full":
        return "(hidden)"
    if "@" not in address:
        return "***"
    return addresses.mask(address)


def mask_name(name: str | None, redaction: str) -> str:
    """A display name under the same rule: initials for ``partial``, nothing for ``full``."""
    name = one_line(name or "")
    if not name or redaction == "full":
        return ""
    if redaction == "none":
        return name
    return " ".join(part[:1] + "." for part in name.split()[:3])


def chunks(text: str, size: int) -> list[str]:
    """Split ``text`` into pieces of at most ``size`` characters, at line ends where possible.

    The pieces concatenate back to ``text`` exactly.
    """
    if size < 1:
        raise ValueError("size must be positive")
    pieces: list[str] = []
    rest = text
    while len(rest) > size:
        cut = rest.rfind("\n", 0, size)
        if cut < size // 2:
            cut = rest.rfind(" ", 0, size)
        cut = size if cut < size // 2 else cut + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def escaped_chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    """Split then escape, so that no escaped piece exceeds ``size`` (entities grow text)."""
    out: list[str] = []
    for piece in chunks(text, size):
        escaped = escape(piece)
        while len(escaped) > size:  # mostly '<' and '&': split the raw piece again
            half = max(1, len(piece) // 2)
            out.extend(escaped_chunks(piece[:half], size))
            piece = piece[half:]
            escaped = escape(piece)
        out.append(escaped)
    return out


def mention(actor: str | None) -> str:
    """``slack:U123`` as a Slack mention of U123; any other actor as escaped text."""
    if not actor:
        return ""
    source, _, ident = actor.partition(":")
    if source in ("slack", "staff") and ident.isalnum():
        return f"<@{ident}>"
    return escape(actor)


def with_mentions(note: str, actors: Sequence[str] = ()) -> str:
    """Escape ``note`` and then turn the ``slack:U…`` actors it names into mentions."""
    text = escape(note)
    for actor in actors:
        text = text.replace(escape(actor), mention(actor))
    return text
