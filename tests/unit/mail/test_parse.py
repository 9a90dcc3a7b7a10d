"""to_message: raw RFC 822 bytes in, ParsedMessage out (no sockets, no database)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.errors import MessageParseError
from bot.mail.parse import Attachment, ParsedMessage, to_message
from bot.mail.text import MAX_TEXT_CHARS

PLAIN = b"""\
Return-Path: <alice@example.org>
From: Alice Example <Alice@Example.ORG>
To: CA Plus Support <support@caplus.org.uk>, bob@example.net
Reply-To: alice.home@example.org
Subject: Please delete my data
Date: Tue, 24 Nov 2026 10:15:00 +0000
Message-ID:  <20261124101500.1234@mail.example.org>
In-Reply-To: <case-1@caplus.org.uk> (Support's message)
References: <first@caplus.org.uk>
 <case-1@caplus.org.uk> <first@caplus.org.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello,

Please delete all the data you hold about me.

Alice
"""


def test_it_reads_headers_of_a_plain_message() -> None:
    msg = to_message(PLAIN)

    assert isinstance(msg, ParsedMessage)
    assert msg.message_id == "20261124101500.1234@mail.example.org"
    assert msg.in_reply_to == "case-1@caplus.org.uk"
    assert msg.references == ("first@caplus.org.uk", "case-1@caplus.org.uk")
    assert msg.sender_address == "alice@example.org"
    assert msg.sender_name == "Alice Example"
    assert msg.reply_to == "alice.home@example.org"
    assert msg.to == ("support@caplus.org.uk", "bob@example.net")
    assert msg.subject == "Please delete my data"
    assert msg.date == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert msg.body_text == "Hello,\n\nPlease delete all the data you hold about me.\n\nAlice"
    assert msg.attachments == ()
    assert msg.machine_reasons == ()
    assert not msg.is_machine_mail
    assert not msg.is_unsubscribe_mail
    assert msg.defects == ()


def test_it_prefers_text_plain_in_multipart_alternative() -> None:
    raw = b"""\
From: alice@example.org
To: support@caplus.org.uk
Subject: opt out
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="XX"

--XX
Content-Type: text/plain; charset=us-ascii

Plain words.
--XX
Content-Type: text/html; charset=us-ascii

<p>HTML words.</p>
--XX--
"""
    assert to_message(raw).body_text == "Plain words."


def test_it_renders_html_only_mail_without_script_or_style() -> None:
    raw = b"""\
From: bob@example.net
Subject: hi
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red }</style><script>alert("x")</script></head>
<body><p>Please stop emailing me.</p>
<p>See <a href="https://example.net/me">my page</a> &amp; caf&eacute;</p>
<table><tr><td>one</td><td>two</td></tr></table></body></html>
"""
    text = to_message(raw).body_text

    assert "Please stop emailing me." in text
    assert "[my page](https://example.net/me)" in text
    assert "& café" in text
    assert "one two" in text
    assert "color" not in text and "alert" not in text


def test_it_uses_html_when_the_text_part_is_empty() -> None:
    raw = b"""\
From: bob@example.net
Content-Type: multipart/alternative; boundary=b1

--b1
Content-Type: text/plain

--b1
Content-Type: text/html

<div>Remove me please</div>
--b1--
"""
    assert to_message(raw).body_text == "Remove me please"


def test_it_decodes_an_rfc2047_subject_and_sender_name() -> None:
    raw = (
        b"From: =?ISO-8859-1?Q?Zo=EB_M=FCller?= <zoe@example.org>\n"
        b"Subject: =?UTF-8?B?TMO2c2NoZW4gU2llIG1laW5lIERhdGVu?=\n"
        b" =?UTF-8?Q?_bitte_=E2=80=93_danke?=\n"
        b"\nBody\n"
    )
    msg = to_message(raw)

    assert msg.subject == "Löschen Sie meine Daten bitte – danke"
    assert msg.sender_name == "Zoë Müller"


def test_it_records_attachments_with_rfc2231_filenames_and_decoded_sizes() -> None:
    pdf = b"%PDF-1.4 fake passport scan \x00\x01\x02" * 10
    raw = (
        b"From: alice@example.org\n"
        b"Subject: access request\n"
        b'Content-Type: multipart/mixed; boundary="m"\n\n'
        b"--m\nContent-Type: text/plain\n\nMy ID is attached.\n"
        b"--m\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment;\n"
        b" filename*0*=UTF-8''Reisepass%20M%C3%BC;\n"
        b" filename*1*=ller.pdf\n"
        b"Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(pdf)
        + b'--m\nContent-Type: image/png; name="=?UTF-8?Q?sch=C3=B6n.png?="\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(b"\x89PNG....") + b"--m--\n"
    )
    msg = to_message(raw)

    assert msg.body_text == "My ID is attached."
    assert msg.attachments == (
        Attachment(filename="Reisepass Müller.pdf", content_type="application/pdf", size=len(pdf)),
        Attachment(filename="schön.png", content_type="image/png", size=8),
    )


def test_it_treats_a_text_attachment_as_an_attachment_not_as_body() -> None:
    raw = b"""\
From: alice@example.org
Content-Type: multipart/mixed; boundary=zz

--zz
Content-Type: text/plain

Body text.
--zz
Content-Type: text/plain; name=notes.txt
Content-Disposition: attachment; filename=notes.txt

secret notes
--zz--
"""
    msg = to_message(raw)

    assert msg.body_text == "Body text."
    # The line break before a boundary belongs to the boundary (RFC 2046), not the part.
    assert msg.attachments == (Attachment("notes.txt", "text/plain", len(b"secret notes")),)


def test_it_does_not_take_an_attached_message_for_the_body() -> None:
    raw = b"""\
From: alice@example.org
Content-Type: multipart/mixed; boundary=zz

--zz
Content-Type: message/rfc822

From: bob@example.net
Subject: inner

Inner text must not become the body.
--zz--
"""
    msg = to_message(raw)

    assert msg.body_text == ""
    assert msg.reply_text == ""
    assert [a.content_type for a in msg.attachments] == ["message/rfc822"]
    assert msg.attachments[0].size > 0


def test_it_tolerates_broken_base64() -> None:
    raw = b"""\
From: alice@example.org
Subject: broken
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

UGxlYXNlIHVuc3Vic2NyaWJlIG1l!!!IGZyb20gYWxs
"""
    msg = to_message(raw)

    assert msg.body_text.startswith("Please unsubscribe me")
    assert any("Base64" in name or "Padding" in name for name in msg.defects)


def test_it_tolerates_broken_quoted_printable() -> None:
    raw = (
        b"From: alice@example.org\nContent-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n\nCaf=E9 =ZZ soft=\nbreak =\n"
    )
    assert to_message(raw).body_text == "Café =ZZ softbreak"


def test_it_recovers_parts_of_an_unquoted_boundary_containing_equals() -> None:
    # Outlook Express wrote boundaries like this; the stdlib cuts them at the "=".
    raw = b"""\
From: alice@example.org
Content-Type: multipart/alternative;
        boundary=----=_NextPart_000_0023_01C81419.EB75E850

This is a multi-part message in MIME format.

------=_NextPart_000_0023_01C81419.EB75E850
Content-Type: text/plain; charset=iso-8859-1

Please forget me.
------=_NextPart_000_0023_01C81419.EB75E850--
"""
    assert to_message(raw).body_text == "Please forget me."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID: <abc.123@example.org>", "abc.123@example.org"),
        ("Message-ID:   abc.123@example.org  ", "abc.123@example.org"),
        ("Message-Id: <abc.123@example.org> (comment)", "abc.123@example.org"),
        ("Message-ID: <>", None),
        ("Message-ID:", None),
        ("Message-ID: <two words@example.org>", None),
        ("X-Other: 1", None),
    ],
)
def test_it_normalises_the_message_id(header: str, expected: str | None) -> None:
    raw = f"From: alice@example.org\n{header}\n\nhi\n".encode()
    assert to_message(raw).message_id == expected


def test_it_falls_back_to_sender_then_return_path_for_the_address() -> None:
    with_sender = b"Sender: Bob <BOB@example.net>\nSubject: x\n\nhi\n"
    with_return_path = b"Return-Path: <bob@example.net>\nSubject: x\n\nhi\n"

    assert to_message(with_sender).sender_address == "bob@example.net"
    assert to_message(with_sender).sender_name == "Bob"
    assert to_message(with_return_path).sender_address == "bob@example.net"


def test_it_keeps_a_garbled_from_header_without_crashing() -> None:
    msg = to_message(b"From: <<<@@@>>> ,,, \nSubject: x\n\nhi\n")
    assert msg.sender_address is None
    assert msg.body_text == "hi"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date: Tue, 24 Nov 2026 10:15:00 +0100", datetime(2026, 11, 24, 9, 15, tzinfo=UTC)),
        ("Date: Tue, 24 Nov 2026 10:15:00 -0000", datetime(2026, 11, 24, 10, 15, tzinfo=UTC)),
        ("Date: 24 Nov 2026 10:15:00", datetime(2026, 11, 24, 10, 15, tzinfo=UTC)),
        ("Date: yesterday-ish", None),
        ("Subject: no date", None),
    ],
)
def test_it_reads_the_date_as_an_aware_datetime(header: str, expected: datetime | None) -> None:
    msg = to_message(f"From: alice@example.org\n{header}\n\nhi\n".encode())

    assert msg.date == expected
    if msg.date is not None:
        assert msg.date.tzinfo is not None


def test_it_keeps_the_senders_zone_offset() -> None:
    msg = to_message(b"Date: Tue, 24 Nov 2026 10:15:00 +0530\n\nhi\n")
    assert msg.date is not None
    assert msg.date.utcoffset() == timedelta(hours=5, minutes=30)
    assert msg.date.tzinfo == timezone(timedelta(hours=5, minutes=30))


def test_it_accepts_a_headerless_body_as_a_message_with_defects() -> None:
    msg = to_message(b"I would like to unsubscribe, thank you.\nBob\n")

    assert msg.body_text == "I would like to unsubscribe, thank you.\nBob"
    assert msg.sender_address is None
    assert msg.subject == ""
    assert "NoHeaders" in msg.defects


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n  ", b"\x00\x01\x02\x03" * 50])
def test_it_refuses_bytes_that_are_no_message(raw: bytes) -> None:
    with pytest.raises(MessageParseError) as caught:
        to_message(raw)
    assert caught.value.reason


def test_it_refuses_non_bytes_as_a_programmer_mistake() -> None:
    with pytest.raises(TypeError):
        to_message("From: alice@example.org\n\nhi\n")  # type: ignore[arg-type]


def test_it_caps_a_huge_body_and_says_so() -> None:
    line = b"All work and no play makes Jack a dull boy.\n"
    raw = b"From: alice@example.org\nSubject: long\n\n" + line * (MAX_TEXT_CHARS // len(line) * 2)
    msg = to_message(raw)

    assert len(msg.body_text) == MAX_TEXT_CHARS
    assert "BodyTruncated" in msg.defects
    assert msg.reply_text


def test_it_hashes_bodies_that_differ_only_in_whitespace_and_line_ends_alike() -> None:
    one = to_message(b"From: alice@example.org\n\nPlease  remove me\nfrom the list.\n")
    two = to_message(b"From: alice@example.org\r\n\r\nplease remove me from\r\nthe list.\r\n")
    other = to_message(b"From: alice@example.org\n\nPlease add me to the list.\n")

    assert one.body_hash == two.body_hash
    assert one.body_hash != other.body_hash
    assert len(one.body_hash) == 64


def test_it_strips_quoted_history_into_reply_text_and_keeps_body_text_whole() -> None:
    raw = b"""\
From: alice@example.org
Subject: Re: Your request

Yes, please go ahead and delete it.

On Tue, 24 Nov 2026 at 10:00, CA Plus Support <support@caplus.org.uk> wrote:
> Dear Alice, do you want us to delete your account?
"""
    msg = to_message(raw)

    assert msg.reply_text == "Yes, please go ahead and delete it."
    assert "> Dear Alice" in msg.body_text


def test_it_reports_machine_mail_and_client_unsubscribes_together() -> None:
    raw = b"""\
From: alice@example.org
To: unsubscribe@caplus.org.uk
Subject: unsubscribe
Auto-Submitted: auto-generated

This message was automatically generated by Gmail.
"""
    msg = to_message(raw, own_addresses=["support@caplus.org.uk"])

    assert msg.is_machine_mail
    assert msg.machine_reasons == ("auto-submitted:auto-generated",)
    assert msg.is_unsubscribe_mail
