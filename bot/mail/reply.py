"""The newest reply in a message body: quoted history, signature and disclaimers removed.

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply.parser import EmailMessage as _Patterns

#: Languages whose reply headers we recognise. English is always included; the others are the
#: ones the library covers that UK organisations commonly receive. ("ja" is left out: its empty
#: "sent from" pattern would match every line.)
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "da")

#: Only this much of the body is split; the newest reply is at the top in nearly all mail, and
#: the library's patterns are too slow to run over a 200k character body.
MAX_SPLIT_CHARS = 30_000

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
#: An attribution is a short paragraph: at most this many lines.
_MAX_ATTRIBUTION_LINES = 3


@dataclass(frozen=True)
class _Segment:
    header: str  # the reply header that opened this segment, "" for the first
    content: str  # the text below the header, up to the next one


def _segments(text: str, pattern: re.Pattern[str]) -> list[_Segment]:
    """Split ``text`` at each whole header or history marker; drop empty segments.

    A forward without comment starts with a marker, so its first segment is empty and the
    forwarded message becomes the first segment.
    """
    matches = sorted(
        (found.start(), found.end(), found.group())
        for regex in (pattern, _HISTORY_MARKER)
        for found in regex.finditer(text)
        if found.group().strip()
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


def _strip_signature(content: str, pattern: re.Pattern[str]) -> str:
    """Cut ``content`` at the first signature block that opens with a real sign-off."""
    position = 0
    while position < len(content):
        found = pattern.search(content, position)
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


def _own_lines(text: str) -> str:
    """Return ``text`` without ``>`` quoted lines and the attribution line above each block."""
    kept: list[str] = []
    for line in text.split("\n"):
        if line.lstrip().startswith(">"):
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


def _clean(segment: _Segment, patterns: _Patterns) -> str:
    """Return a segment without disclaimers, signature and trailing separators or tag line."""
    content = segment.content
    for disclaimer in patterns.DISCLAIMERS_REGEX.finditer(content):
        content = content.replace(disclaimer.group().strip(), "")
    content = _strip_signature(content, patterns.SIGNATURE_REGEX).strip()
    content = _SENT_FROM_TAIL.sub("", content)
    lines = _TRAILING_RULES.sub("", content).strip().split("\n")
    if len(lines) > 1:
        # The history below was cut, but its introduction may be left at the end.
        _drop_attribution(lines)
    return "\n".join(lines).strip()


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
    head = text[:MAX_SPLIT_CHARS]
    patterns = _Patterns(text=head, languages=list(LANGUAGES), keep_hyphen_lists=True)
    segments = _segments(patterns.text, patterns.HEADER_REGEX)
    if not segments:
        return text.strip()
    # Only the first segment: a later one is someone else's older message ...
    first = _clean(segments[0], patterns)
    content = _own_lines(first) or first
    if _is_greeting_only(content) and len(segments) > 1:
        # ... unless the first is "Hi," above quoted text answered inline, below the quotes.
        second = _clean(segments[1], patterns)
        if ">" in second and _own_lines(second):
            content = f"{content}\n\n{_own_lines(second)}"
    if not content or (len(text) > len(head) and content == patterns.text.strip()):
        # Nothing left, or nothing cut from a long body's head: the whole text is the reply.
        return text.strip()
    return content
