"""Faster regex scans that find exactly the same matches: a lookahead derived from the pattern.

A cue pattern is one alternation of a hundred wordings, and the regex engine tries every
one of them at every position of the text. Nearly all begin with a word boundary and one of
a few letters, so ``(?=<where a match can begin>)(?:<pattern>)`` rejects most positions with
one character test. The lookahead is derived from the pattern itself, and only says what
every match of it must begin with (when that cannot be worked out, the pattern is used as it
is), so the two find exactly the same matches: the patterns stay the single source.

It reads the pattern with the standard library's own (private) regex parser. Where that
parser is missing or changed, or a pattern holds something not understood here, the
pattern is used as it is: slower, never different.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

try:  # private modules: see the module docstring
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - a Python without them scans unfiltered
    _c = _parser = None

_ANCHORS = ({_c.AT_BOUNDARY: r"\b", _c.AT_BEGINNING: "^", _c.AT_BEGINNING_STRING: r"\A"}
            if _c is not None else {})
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) if _c is not None else ()
#: (anchor, first characters): one way a match can begin. An anchor of "" is none; a set of
#: None is any character.
_Start = tuple[str, frozenset[str] | None]


@lru_cache(maxsize=128)
def prefiltered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a lookahead for where its matches can begin, or ``pattern`` itself."""
    if _parser is None or pattern.flags & re.VERBOSE:
        return pattern
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        starts = _starts(list(parsed), "")
    except (re.error, RecursionError, AttributeError, IndexError, KeyError, TypeError, ValueError):
        return pattern
    if any(not anchor and chars is None for anchor, chars in starts):
        return pattern  # a match may begin anywhere: nothing to filter on
    by_anchor: dict[str, set[str] | None] = {}
    for anchor, chars in starts:
        if anchor in by_anchor and by_anchor[anchor] is None:
            continue
        by_anchor[anchor] = None if chars is None else {*(by_anchor.get(anchor) or ()), *chars}
    ways = [anchor + ("" if chars is None else
                      "[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]")
            for anchor, chars in sorted(by_anchor.items())]
    try:
        return re.compile(f"(?={'|'.join(ways)})(?:{pattern.pattern})", pattern.flags)
    except re.error:  # e.g. a global inline flag, which must stay at the start
        return pattern


def _starts(items: list[tuple[Any, Any]], anchor: str) -> set[_Start]:
    """Every way a match of the parsed sequence ``items`` can begin (a superset is safe; a
    missing way is not, so anything not understood here is "any character")."""
    for index, (op, value) in enumerate(items):
        if op is _c.AT:
            if value not in _ANCHORS:
                return {(anchor, None)}
            anchor = anchor or _ANCHORS[value]  # one anchor is enough to filter on
            continue
        if op is _c.LITERAL:
            return {(anchor, frozenset(chr(value)))}
        if op is _c.IN:
            return {(anchor, _class_chars(value))}
        if op is _c.SUBPATTERN:
            _, add_flags, del_flags, sub = value
            if add_flags or del_flags or sub.getwidth()[0] == 0:
                return {(anchor, None)}  # other flags (case) inside, or it may match nothing
            return _starts(list(sub), anchor)
        if op is _c.BRANCH:
            branches = value[1]
            if any(branch.getwidth()[0] == 0 for branch in branches):
                return {(anchor, None)}
            return {start for branch in branches for start in _starts(list(branch), anchor)}
        if op in _REPEATS:
            least, _, item = value
            if item.getwidth()[0] == 0:
                return {(anchor, None)}
            if least >= 1:
                return _starts(list(item), anchor)
            return _starts(list(item), anchor) | _starts(items[index + 1:], anchor)
        return {(anchor, None)}  # any character, a category, a lookaround, a backreference
    return {(anchor, None)}  # the rest may match nothing: the next character is anyone's


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The characters of a character class of literals and short ranges, else None (any)."""
    chars: set[str] = set()
    for op, value in items:
        if op is _c.LITERAL:
            chars.add(chr(value))
        elif op is _c.RANGE and value[1] - value[0] < 256:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:  # a negation, a category (\w), a long range
            return None
    return frozenset(chars)
