"""Turning MIME body parts into readable text: charsets, HTML, size bounds.

Senders lie about charsets (latin-1 labels on UTF-8 bytes, "utf-8" on windows-1252 bytes) or
name ones Python does not know. Decoding never raises: it follows the one rule of
:mod:`bot.mail.charset` and reports when it had to fall back.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser

import html2text

from bot.mail.charset import decode_bytes
from bot.mail.mime import is_body_part, leaf_parts, payload_bytes

logger = logging.getLogger(__name__)

#: Keep at most this much body text; a request that matters fits in far less.
MAX_TEXT_CHARS = 200_000
#: Bound the characters handed to the HTML renderer (the slow part).
MAX_HTML_CHARS = 1_000_000

_ZERO_WIDTH_AND_NBSP = str.maketrans({"\xa0": " ", "\u200b": None, "\ufeff": None, "\x00": None})
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class BodyText:
    """The readable text of a message and what it took to get it.

    Attributes:
        text: the best full text, "" when the message has none.
        from_html: True when no usable text/plain part existed and HTML was rendered.
        notes: names of problems met (``"CharsetFallback"``, ``"BodyTruncated"``).
    """

    text: str
    from_html: bool
    notes: tuple[str, ...]


class _TagStripper(HTMLParser):
    """Last-resort HTML to text: keep data outside script and style, drop all tags."""

    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Render HTML as plain text: links kept as ``[text](url)``, no script or style content.

    Args:
        html: an HTML document or fragment, any size (only the first
            :data:`MAX_HTML_CHARS` characters are rendered).
    """
    html = _CELL_END.sub(lambda m: m.group(0) + " ", html[:MAX_HTML_CHARS])
    renderer = html2text.HTML2Text()
    renderer.body_width = 0  # no hard wrapping: the reply parser matches whole lines
    renderer.ignore_images = True
    renderer.ignore_emphasis = True
    renderer.ignore_tables = True  # e-mail layouts nest tables; markdown tables are noise
    renderer.unicode_snob = True  # keep "café", not "cafe"
    try:
        text = renderer.handle(html)
    except Exception:  # html2text is not hardened against every input
        logger.debug("html2text failed; stripping tags instead", exc_info=True)
        stripper = _TagStripper()
        stripper.feed(html)
        stripper.close()
        text = "".join(stripper.chunks)
    return tidy(text)


def tidy(text: str) -> str:
    """Normalise line ends and invisible characters, drop trailing spaces and blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH_AND_NBSP)
    text = _TRAILING_SPACE.sub("", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def body_hash(text: str) -> str:
    """Return the sha256 hex digest of text with case and whitespace differences removed.

    Two copies of one message (re-sent, or stored twice with a reused Message-ID) hash the
    same even if a relay rewrapped lines or changed line endings.
    """
    normalised = " ".join(text.lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo RFC 3676 ``format=flowed`` soft line breaks.

    A line ending in a space continues on the next line of the same quote depth; "-- " (the
    signature separator) never does. Space-stuffing is removed. With ``delsp`` the trailing
    space belongs to the soft break and is dropped.

    Args:
        text: the decoded text of a ``text/plain; format=flowed`` part.
    """
    out: list[str] = []
    joining = False
    previous_depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content.removeprefix(" ")  # space-stuffing, or the space after ">"
        if joining and depth == previous_depth:
            out[-1] += content
        else:
            out.append(">" * depth + (" " if depth and content else "") + content)
        joining = content.endswith(" ") and content != "-- "
        if joining and delsp:
            out[-1] = out[-1][:-1]
        previous_depth = depth
    return "\n".join(out)


def _part_text(part: Message) -> tuple[str, bool]:
    charset = part.get_content_charset()
    text, fell_back = decode_bytes(payload_bytes(part), charset)
    if part.get_content_type() == "text/plain" and _param(part, "format") == "flowed":
        text = unflow(text, delsp=_param(part, "delsp") == "yes")
    return text, fell_back


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return str(value).strip().lower() if isinstance(value, str) else ""


def best_text(msg: Message) -> BodyText:
    """Return the message's best full text: inline text/plain, else rendered HTML.

    Several inline text/plain parts (Apple Mail splits text around inline images) are joined
    in order. An empty text/plain part next to real HTML (some web mailers send one) counts as
    absent.

    Args:
        msg: a parsed message.
    """
    notes: list[str] = []
    plain: list[str] = []
    html: list[str] = []
    for part in leaf_parts(msg):
        if not is_body_part(part):
            continue
        text, fell_back = _part_text(part)
        if fell_back and "CharsetFallback" not in notes:
            notes.append("CharsetFallback")
        (plain if part.get_content_type() == "text/plain" else html).append(text)
    body = tidy("\n\n".join(plain))
    from_html = False
    if not body and html:
        body = html_to_text("\n".join(html))
        from_html = True
    if len(body) > MAX_TEXT_CHARS:
        body = body[:MAX_TEXT_CHARS]
        notes.append("BodyTruncated")
    return BodyText(text=body, from_html=from_html, notes=tuple(notes))
