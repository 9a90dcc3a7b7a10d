"""Untrusted text made safe for Slack mrkdwn: escaping, masking, splitting."""

from __future__ import annotations

import pytest

from bot.slack.text import (
    chunks,
    escape,
    escaped_chunks,
    excerpt,
    mask_address,
    mask_name,
    mention,
    shorten,
)


def test_it_escapes_mentions_and_disguised_links():
    text = "Hi <!channel> see <http://evil.example|your bank> & <@U123>"
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped == ("Hi &lt;!channel&gt; see &lt;http://evil.example|your bank&gt; &amp; "
                       "&lt;@U123&gt;")


def test_it_escapes_ampersand_first_so_entities_in_mail_stay_literal():
    assert escape("&lt;b&gt;") == "&amp;lt;b&amp;gt;"


@pytest.mark.parametrize(("redaction", "expected"), [
    ("none", "alice@example.org"),
    ("partial", "a***@example.org"),
    ("full", "(hidden)"),
])
def test_it_masks_addresses_by_redaction(redaction, expected):
    assert mask_address("alice@example.org", redaction) == expected


def test_it_masks_names_to_initials_or_nothing():
    assert mask_name("Alice  Example", "none") == "Alice Example"
    assert mask_name("Alice Example", "partial") == "A. E."
    assert mask_name("Alice Example", "full") == ""
    assert mask_address(None, "none") == "(no address)"


def test_chunks_join_back_exactly_and_respect_the_size():
    text = ("line of text\n" * 700) + ("x" * 5000)
    pieces = chunks(text, 3000)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= 3000 for p in pieces)
    assert pieces[0].endswith("\n")  # cut at a line end where there is one
    assert chunks("", 10) == [""]


def test_escaped_chunks_stay_within_the_limit_even_when_entities_grow_the_text():
    text = "<" * 5000
    pieces = escaped_chunks(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == escape(text)


def test_shorten_and_excerpt_bound_the_text():
    assert shorten("short", 10) == "short"
    cut = shorten("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("…")
    assert excerpt("\n\nHello\n\n\n\nWorld\n", 100) == "Hello\n\nWorld"


def test_mentions_are_made_only_for_slack_actors():
    assert mention("slack:U0ALICE01") == "<@U0ALICE01>"
    assert mention("system") == "system"
    assert mention("slack:<!channel>") == "slack:&lt;!channel&gt;"
