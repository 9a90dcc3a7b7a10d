"""Crafted mail cannot make parsing slow: header sizes, parameters, parts and depth are bounded."""

from __future__ import annotations

import pytest

from bot.errors import MessageParseError
from bot.mail import headers
from bot.mail.mime import MAX_PARTS
from bot.mail.parse import to_message
from tests.mail_mutations import (
    huge_recipient_list,
    megabyte_of_encoded_words_in_subject,
    parameter_heavy_multipart,
)

HEAD = b"From: alice@example.org\nSubject: crafted\n"


def _params(count: int, prefix: bytes = b"p") -> bytes:
    return b"; ".join(b"%s%d=v" % (prefix, i) for i in range(count))


def test_a_content_type_keeps_only_a_bounded_number_of_parameters() -> None:
    raw = HEAD + b"Content-Type: text/plain; charset=utf-8; " + _params(300) + b"\n\nhi\n"
    msg = to_message(raw)

    assert msg.body_text == "hi"
    parsed = headers.BOUNDED_POLICY.header_fetch_parse(
        "Content-Type", "text/plain; charset=utf-8; " + _params(300).decode()
    )
    assert parsed.params["charset"] == "utf-8"
    assert len(parsed.params) == headers.MAX_PARAMETERS


def test_many_parts_with_parameter_heavy_headers_parse_to_the_bounded_parts() -> None:
    # Unbounded, the stdlib takes tens of seconds on this. How long it takes bounded is
    # measured by bench/bench_mail_bounds.py against a plain message in the same run (a wall
    # limit here failed under load); this checks what comes out.
    msg = to_message(parameter_heavy_multipart(parts=800, parameters=200))

    assert len(msg.attachments) == MAX_PARTS
    assert [a.content_type for a in msg.attachments[:2]] == ["application/x-0",
                                                             "application/x-1"]


def test_a_huge_recipient_list_is_bounded_and_keeps_addresses() -> None:
    # How long it takes is measured by bench/bench_mail_bounds.py against a body of the same
    # size in the same run; this checks what comes out.
    msg = to_message(huge_recipient_list())

    assert msg.to[:2] == ("user0@example.org", "user1@example.org")
    assert len(msg.to) > 1000
    assert "HeaderTooLong" in msg.defects


def test_a_megabyte_of_encoded_words_in_the_subject_is_cut_not_parsed() -> None:
    msg = to_message(megabyte_of_encoded_words_in_subject())

    assert msg.subject.startswith("cafécafé")
    assert len(msg.subject) <= 1000


def test_absurdly_deep_nesting_is_flagged_not_crashed() -> None:
    raw = HEAD
    for depth in range(3000):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (depth, depth)
    raw += b"Content-Type: text/plain\n\ndeep\n"

    # The stdlib parser recurses per level (RecursionError near 1,000): refused before parsing.
    with pytest.raises(MessageParseError, match="multipart boundaries"):
        to_message(raw)
