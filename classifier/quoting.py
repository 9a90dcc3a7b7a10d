r"""The newest reply in a message body: quoted history, signature and disclaimers removed.

This is the project's one rule for where the writer's words end (issue 12). The mail edge
(``bot.mail.parse``) applies it once at ingest and stores the result as ``reply_text``, which is
what the model reads; the classifier never strips quotes again inside its pipeline. It lives in
``classifier/`` (the bottom layer) rather than ``bot/mail/`` so that the classifier can apply the
same rule where it reads mail-like data itself (training and evaluation rows, ``.eml`` inputs,
the policy's own-words check) without importing ``bot``. It is pure text in, text out.

The language patterns for reply headers ("On ... wrote:", "Am ... schrieb ...:", Outlook's
"From:/Sent:" blocks), signatures and disclaimers come from mail-parser-reply, which is
maintained and covers a dozen languages. Two parts of it are not used as they stand:

- ``EmailMessage.read`` locates each header by searching for every capture group's text, and
  a pattern with a nested group then splits mid-line (French "Le ..., X a écrit :" came out as
  "Le"). Here the text is split at each whole match instead.
- Its signature rule is greedy: any line starting with "Thanks," ends the message, so "Thanks,
  please delete my data." would be lost. Here a signature only counts when its first line
  looks like a sign-off.

And the result is never empty when the body has words.

The library's header patterns backtrack heavily inside a line (``On\s(.+?\s?.+?)\swrote:``):
their cost grows with the square of the line length, so a 31 KB single line of "On Mon, 1 Jan
2026 Bob <b@x.y> " took 10 s. Two bounds keep one message cheap: lines too long to be a reply
header are hidden from the header search, and every pattern runs under the ``regex`` module's
timeout, with a budget of :data:`MAX_SPLIT_SECONDS` per message. A message that runs out of
budget keeps its whole text as the reply (nothing lost; triage just reads more).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex
from mailparser_reply.parser import EmailMessage as _Patterns

#: Languages whose reply headers we recognise. English is always included; the others are the
#: ones the library covers that UK organisations commonly receive. ("ja" is left out: its empty
#: "sent from" pattern would match every line.)
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "da")

#: Only this much of the body is split; the newest reply is at the top in nearly all mail, and
#: the library's patterns are too slow to run over a 200k character body.
MAX_SPLIT_CHARS = 30_000
#: A reply header ("On <date>, <name> <address> wrote:", one line of an Outlook block) is short;
#: longer lines are blanked out for the header search (positions kept).
MAX_HEADER_LINE_CHARS = 500
#: Wall-clock budget for all pattern matching on one message.
MAX_SPLIT_SECONDS = 0.5

_LONG_LINE = re.compile(rf"[^\n]{{{MAX_HEADER_LINE_CHARS + 1},}}")

_QUOTE_PREFIX = re.compile(r"^(?:> ?)+")
_SEPARATOR_LINE = re.compile(r"^(?:[-_]{2}|[-_]{32,})$")
#: A name after a sign-off: "Alice", "Alice Smith", "A. Smith", "//Jef".
_NAME_WORD = re.compile(r"^[A-Z\u00C0-\u00DE][\w.'\-]*$|^\W+\w*$")
_SENTENCE_END = (".", "?", "!", ":")
#: Lines that open a forwarded or earlier message: "---------- Forwarded message ---------",
#: "-----Ursprüngliche Nachricht-----", "*-------- Original Message --------*", and the
#: "Bob <bob@example.net> wrote:" that the library's patterns miss without "On <date>".
_HISTORY_MARKER = re.compile(
    r"^[ \t*]*(?:-{3,}[ \t]*[^\W\d_](?:[^\W\d_]|[ \t]){2,40}?[ \t]*-{3,}|begin forwarded message:"
    r"|[^\n<>]{0,120}<[^<>\s@]+@[^<>\s@]+>[^\n<>]{0,80}\b(?:wrote|schrieb|a [ée]crit)[ \t]*:)"
    r"[ \t*]*$",
    re.IGNORECASE | re.MULTILINE,
)
#: Separator rules left at the end once the history below them is cut ("-----", "_____").
_TRAILING_RULES = re.compile(r"(?:\n[ \t]*[-_=*]{3,}[ \t]*)+\Z")
#: A mobile client's tag line at the very end ("Sent from Outlook Mobile", "Gesendet von ...").
_SENT_FROM_TAIL = re.compile(
    r"\n[ \t]*(?:sent from|sent via|get outlook for|envoy[ée] de(?:puis)?|gesendet von"
    r"|enviado desde|inviato da|verzonden (?:met|vanaf))\b[^\n]{0,80}\Z",
    re.IGNORECASE,
)
#: The lines introducing quoted history when no header pattern caught them, joined into one:
#: "Bob <bob@example.net> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:", "2013/7/20 Bob
#: <bob@example.net>", "20 окт. 2016 г. пользователь "Bob" <bob@example.net> написал:".
_ATTRIBUTION = re.compile(
    r"(?:wrote|schrieb\b.*|a [ée]crit|escribi[óo]|ha scritto|schreef|geschreven|skrev"
    r"|napisa[łl](?:\(a\))?|написал|пише|escreveu|kirjoitti)\s*:?$"
    r"|^(?=.*\d).*<\s*[^<>\s@]+@[^<>\s@]+\s*>.{0,60}$",
    re.IGNORECASE,
)
#: A line quoted with a bar ("| sam replied to your post"), as some clients quote; a table row
#: has more than one bar and is not a quote.
_BAR_QUOTE = re.compile(r"^\s*\|(?:[ \t]|$)")
#: The footer a list server or forum adds below every message (Mailman, Google Groups, GitHub,
#: Discourse). It is not the writer's, and its "unsubscribe" read as an opt-out. Shared with the
#: policy's mailing-footer check (``classifier.signals``).
LIST_FOOTER_PARTS: tuple[str, ...] = (
    r"/mailman/listinfo/", r"you received this (?:message|e-?mail) because you are subscribed",
    r"to unsubscribe from this group and stop receiving", r"you are receiving this because",
    r"reply to this e-?mail directly,? view it on", r"to unsubscribe from these e-?mails,? visit",
)
_LIST_FOOTER = re.compile("|".join(LIST_FOOTER_PARTS), re.IGNORECASE)
#: A list footer sits at the end: at most this much text may follow the footer's marker.
_MAX_FOOTER_TAIL = 600
#: An attribution is a short paragraph: at most this many lines.
_MAX_ATTRIBUTION_LINES = 3


class _OutOfTime(Exception):
    """The message's pattern-matching budget ran out."""


@dataclass(frozen=True)
class _Library:
    """mail-parser-reply's patterns, compiled once with the ``regex`` module (it has timeouts)."""

    header: regex.Pattern[str]
    signature: regex.Pattern[str]
    disclaimers: regex.Pattern[str]


@lru_cache(maxsize=1)
def _library() -> _Library:
    source = _Patterns(text="", languages=list(LANGUAGES), keep_hyphen_lists=True)

    def compiled(pattern: re.Pattern[str]) -> regex.Pattern[str]:
        return regex.compile(pattern.pattern, pattern.flags | regex.VERSION0)

    return _Library(compiled(source.HEADER_REGEX), compiled(source.SIGNATURE_REGEX),
                    compiled(source.DISCLAIMERS_REGEX))


class _Budget:
    """The time left for one message's pattern matching."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _OutOfTime
        return remaining

    def finditer(self, pattern: regex.Pattern[str], text: str) -> Iterator[regex.Match[str]]:
        try:
            yield from pattern.finditer(text, timeout=self.left())
        except TimeoutError as exc:
            raise _OutOfTime from exc

    def search(self, pattern: regex.Pattern[str], text: str, pos: int
               ) -> regex.Match[str] | None:
        try:
            return pattern.search(text, pos, timeout=self.left())
        except TimeoutError as exc:
            raise _OutOfTime from exc


def _blank_long_lines(text: str) -> str:
    return _LONG_LINE.sub(lambda found: " " * len(found.group()), text)


@dataclass(frozen=True)
class _Segment:
    header: str  # the reply header that opened this segment, "" for the first
    content: str  # the text below the header, up to the next one


def _segments(text: str, pattern: regex.Pattern[str], budget: _Budget) -> list[_Segment]:
    """Split ``text`` at each whole header or history marker; drop empty segments.

    A forward without comment starts with a marker, so its first segment is empty and the
    forwarded message becomes the first segment.
    """
    searchable = _blank_long_lines(text)
    found_headers = [(m.start(), m.end()) for m in budget.finditer(pattern, searchable)]
    found_markers = [(m.start(), m.end()) for m in _HISTORY_MARKER.finditer(searchable)]
    matches = sorted(
        (start, end, text[start:end])
        for start, end in found_headers + found_markers
        if text[start:end].strip()
    )
    segments: list[_Segment] = []
    header, start = "", 0
    for match_start, match_end, matched in matches:
        if match_start < start:
            continue  # overlaps the header just taken
        segments.append(_Segment(header, text[start:match_start]))
        header, start = matched, match_end
    segments.append(_Segment(header, text[start:]))
    return [segment for segment in segments if segment.content.strip()]


def _looks_like_sign_off(line: str) -> bool:
    """Tell whether a line opening a signature block is really a sign-off.

    Accepted: ``--``, ``Thanks,``, ``Best regards, Alice Smith``, ``Mit freundlichen Grüßen``,
    ``Sent from my iPhone``. Refused: ``Thanks, please remove me from your list.``.
    """
    line = _QUOTE_PREFIX.sub("", line).strip()
    if _SEPARATOR_LINE.match(line):
        return True
    _head, comma, tail = line.partition(",")
    if comma:
        words = tail.split()
        return len(words) <= 4 and all(_NAME_WORD.match(word) for word in words)
    return len(line.split()) <= 5 and not line.endswith(_SENTENCE_END)


def _strip_signature(content: str, pattern: regex.Pattern[str], budget: _Budget) -> str:
    """Cut ``content`` at the first signature block that opens with a real sign-off."""
    position = 0
    while position < len(content):
        found = budget.search(pattern, content, position)
        if not found:
            return content
        block = found.group()
        start = found.start() + len(block) - len(block.lstrip())
        first_line = content[start:].split("\n", 1)[0]
        if _looks_like_sign_off(first_line):
            return content[:start]
        end_of_line = content.find("\n", start)
        if end_of_line < 0:
            return content
        position = end_of_line + 1
    return content


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">") or (bool(_BAR_QUOTE.match(line))
                                             and line.count("|") == 1)


def _own_lines(text: str) -> str:
    """Return ``text`` without quoted lines (``>``, or ``|`` as some clients quote) and the
    attribution line above each block."""
    kept: list[str] = []
    for line in text.split("\n"):
        if _is_quoted(line):
            _drop_attribution(kept)
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _drop_attribution(lines: list[str]) -> None:
    """Remove a trailing attribution paragraph (and blank lines) from ``lines`` in place."""
    while lines and not lines[-1].strip():
        lines.pop()
    paragraph = 0
    while paragraph < len(lines) and lines[-1 - paragraph].strip():
        paragraph += 1
    if 0 < paragraph <= _MAX_ATTRIBUTION_LINES:
        joined = " ".join(line.strip() for line in lines[-paragraph:])
        if _ATTRIBUTION.search(joined):
            del lines[-paragraph:]


def _is_greeting_only(text: str) -> bool:
    """Tell whether a reply is just "Hi," or "Hello Bob," above an inline answer."""
    return "\n" not in text and len(text.split()) <= 3 and text.endswith(",")


def _clean(segment: _Segment, library: _Library, budget: _Budget) -> str:
    """Return a segment without disclaimers, signature and trailing separators or tag line."""
    content = segment.content
    for disclaimer in list(budget.finditer(library.disclaimers, content)):
        content = content.replace(disclaimer.group().strip(), "")
    content = _strip_signature(content, library.signature, budget).strip()
    content = _cut_list_footer(content)
    content = _SENT_FROM_TAIL.sub("", content)
    lines = _TRAILING_RULES.sub("", content).strip().split("\n")
    if len(lines) > 1:
        # The history below was cut, but its introduction may be left at the end.
        _drop_attribution(lines)
    return "\n".join(lines).strip()


def _cut_list_footer(content: str) -> str:
    """Cut a list server's footer paragraph off the end, unless nothing would be left."""
    found = _LIST_FOOTER.search(content)
    if found is None or len(content) - found.end() > _MAX_FOOTER_TAIL:
        return content
    start = content.rfind("\n\n", 0, found.start())
    head = content[:start].rstrip() if start >= 0 else ""
    head = _TRAILING_RULES.sub("", head).rstrip()
    return head if head.strip() else content


def latest_reply(text: str) -> str:
    """Return the newest reply in ``text``, or ``text`` itself when nothing would be left.

    Steps:
    1. Split the body at reply headers and forward markers (mail-parser-reply's patterns).
    2. Take the first segment, minus disclaimers, signature and a mobile tag line.
    3. Drop ``>`` quoted lines and their attribution line; a lone greeting ("Hi,") gets the
       inline answer written below the quotes that follow it.

    Args:
        text: a message's full body text.
    """
    if not text.strip():
        return text
    try:
        return _remembered_reply(text)
    except _OutOfTime:
        return text.strip()


@lru_cache(maxsize=512)
def _remembered_reply(text: str) -> str:
    """:func:`_latest_reply` with its own budget, remembered per text.

    Why: triage asks for the same message's latest reply several times (the opt-out policy, the
    sub-intent, the draft's language), and the split was the costliest step of each. A split
    that ran out of time raises, and ``lru_cache`` keeps no exception, so only a finished split
    is remembered: a message is never stuck with a result its budget cut short. 512 entries:
    more than a triage batch, while a batch's texts are held in memory anyway. The patterns
    are compiled before the clock starts: the budget is for matching, and a first call on a
    busy machine must not spend it compiling (a test saw its reply left unsplit under load).
    """
    _library()
    return _latest_reply(text, _Budget(MAX_SPLIT_SECONDS))


def _latest_reply(text: str, budget: _Budget) -> str:
    head = text[:MAX_SPLIT_CHARS]
    library = _library()
    patterns = _Patterns(text=head, languages=list(LANGUAGES), keep_hyphen_lists=True)
    segments = _segments(patterns.text, library.header, budget)
    if not segments:
        return text.strip()
    # Only the first segment: a later one is someone else's older message ...
    first = _clean(segments[0], library, budget)
    content = _own_lines(first) or first
    if _is_greeting_only(content) and len(segments) > 1:
        # ... unless the first is "Hi," above quoted text answered inline, below the quotes.
        second = _clean(segments[1], library, budget)
        if ">" in second and _own_lines(second):
            content = f"{content}\n\n{_own_lines(second)}"
    if not content or (len(text) > len(head) and content == patterns.text.strip()):
        # Nothing left, or nothing cut from a long body's head: the whole text is the reply.
        return text.strip()
    return content
