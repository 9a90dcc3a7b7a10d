"""The prefiltered scan behind the cue checks finds exactly what the patterns themselves find.

:func:`classifier.prefilter.prefiltered` puts a lookahead, derived from a pattern, in front of
it. The cue patterns change often (by hand), so this compares match spans, not phrases, on
public text nobody on the team wrote (the public sources under ``classifier/data/sources``),
the same text in other cases and with look-alike letters, generated text, and on patterns
built to probe the derivation (optional starts, anchors, inline flags, lookarounds).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import signals
from classifier.prefilter import prefiltered as _prefiltered

SOURCES = Path(signals.__file__).with_name("data") / "sources"

#: Every compiled pattern the module scans with (the cue lists and the footer/forward rules).
PATTERNS = {
    name: value
    for name, value in vars(signals).items()
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str)
}

#: Letters whose case folding is unusual: long s, Kelvin sign, dotted and dotless i, sharp s.
ODD_LETTERS = "ſKİıßẞςΣσµÅ§'’-\u00a0\u200b"


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _public_texts(per_file: int = 150) -> list[str]:
    texts = []
    for path in sorted(SOURCES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if number >= per_file:
                    break
                texts.append(json.loads(line)["text"])
    return texts


def _variants(text: str) -> list[str]:
    odd = "".join(
        ch + ODD_LETTERS[i % len(ODD_LETTERS)] if i % 7 == 3 else ch for i, ch in enumerate(text)
    )
    return [text, text.upper(), text.title(), odd, text.replace("s", "ſ").replace("k", "K")]


def test_the_cue_patterns_are_prefiltered():
    """Otherwise the speed-up silently stops: each cue list must yield a lookahead."""
    for name in (
        "OPT_OUT",
        "NEGATED_OPT_OUT",
        "OUT_OF_OFFICE",
        "ERASURE",
        "ACCESS",
        "RECTIFICATION",
        "COMPLAINT",
        "LEGAL",
    ):
        assert _prefiltered(PATTERNS[name]).pattern.startswith("(?="), name


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the public sources are not in this tree")
def test_same_matches_on_public_text_in_every_case():
    texts = [v for text in _public_texts() for v in _variants(text)]
    assert len(texts) > 1000
    for name, pattern in PATTERNS.items():
        fast = _prefiltered(pattern)
        for text in texts:
            assert _spans(fast, text) == _spans(pattern, text), (name, text[:80])


def _fragments() -> list[str]:
    """Words out of the patterns themselves, so generated text hits the cues often."""
    words: set[str] = set()
    for pattern in PATTERNS.values():
        words.update(re.findall(r"[^\W\d_]{2,}", pattern.pattern))
    return sorted(words)


_TEXT = st.lists(
    st.one_of(
        st.sampled_from(_fragments()),
        st.text(
            alphabet=st.sampled_from(
                "abcdefghijklmnopqrstuvwxyz ABCSTOP .,!?:;\n\t0123456789" + ODD_LETTERS
            ),
            max_size=6,
        ),
    ),
    max_size=25,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_same_matches_on_generated_text(text: str):
    for name, pattern in PATTERNS.items():
        assert _spans(_prefiltered(pattern), text) == _spans(pattern, text), name


PROBES = [
    r"^\W*stop\W*$",
    r"\bstop\W*$",
    r"(?:a|)b",
    r"a*b",
    r"(?:x)?yz",
    r"\Bfoo",
    r"[^a]b",
    r"(?<=x)y",
    r"x{0,2}y",
    r"(?i:s)top",
    r"(?-i:S)top",
    r"\bé\w+",
    r"[a-f]x|[0-9]y",
    r"\w+",
    r".x",
    r"\Aab",
    r"(?:\bab|^cd)|ef",
    r"(?=a)\w",
    r"(a)\1",
    r"(?:\b)?x",
    r"(?:^|\s)stop",
    r"\b(?:do not|don't) (?:\w+ )?unsub\w*",
    r"[§]\s*\d",
    r"(?:st|ſt)op",
    r"k",
    r"\bK",
]


@pytest.mark.parametrize("flags", [re.IGNORECASE, 0, re.IGNORECASE | re.MULTILINE])
@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from("abcdefxyz ABSTOPK é\n0123456789§'" + ODD_LETTERS), max_size=40
    )
)
def test_same_matches_for_patterns_that_probe_the_derivation(flags: int, text: str):
    for probe in PROBES:
        pattern = re.compile(probe, flags)
        assert _spans(_prefiltered(pattern), text) == _spans(pattern, text), probe


def test_a_pattern_whose_matches_can_begin_anywhere_is_used_as_it_is():
    for probe in (r"\w+", r".x", r"(?:a|)b", r"(?=a)\w", r"[^a]b", r"(?i)stop", r"(?x) st op"):
        pattern = re.compile(probe)
        assert _prefiltered(pattern).pattern == probe
