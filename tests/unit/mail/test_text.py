"""Charsets, HTML rendering and body selection (bot.mail.text)."""

from __future__ import annotations

import pytest

from bot.mail.parse import to_message
from bot.mail.text import decode_bytes, html_to_text, tidy, unflow


def _message(charset: str, body: bytes, cte: str = "8bit") -> bytes:
    return (
        b"From: alice@example.org\nSubject: charset\nMIME-Version: 1.0\n"
        + f"Content-Type: text/plain; charset={charset}\n".encode()
        + f"Content-Transfer-Encoding: {cte}\n\n".encode()
        + body
    )


def test_it_decodes_iso_8859_1() -> None:
    raw = _message("iso-8859-1", "Grüße aus Köln, café".encode("latin-1"))
    msg = to_message(raw)

    assert msg.body_text == "Grüße aus Köln, café"
    assert "CharsetFallback" not in msg.defects


def test_it_decodes_windows_1252_punctuation() -> None:
    raw = _message("windows-1252", "“Delete” my data – now… £5".encode("cp1252"))
    assert to_message(raw).body_text == "“Delete” my data – now… £5"


def test_it_reads_latin_1_labels_on_windows_1252_bytes_as_browsers_do() -> None:
    raw = _message("iso-8859-1", "it’s “mine”".encode("cp1252"))
    assert to_message(raw).body_text == "it’s “mine”"


def test_it_sees_through_a_latin_1_label_on_utf8_bytes() -> None:
    raw = _message("iso-8859-1", "Zoë’s request: löschen".encode())
    assert to_message(raw).body_text == "Zoë’s request: löschen"


def test_it_falls_back_when_a_utf8_label_lies() -> None:
    text = "Bitte löschen Sie meine persönlichen Daten. Grüße, Jürgen Müller aus Düsseldorf."
    msg = to_message(_message("utf-8", text.encode("cp1252")))

    assert msg.body_text == text
    assert "CharsetFallback" in msg.defects


@pytest.mark.parametrize("charset", ["x-unknown-charset", '"bogus"', "unknown-8bit"])
def test_it_survives_unknown_charset_names(charset: str) -> None:
    text = "Please remove Renée from your list, she asked me to write."
    msg = to_message(_message(charset, text.encode("utf-8")))
    assert msg.body_text == text


def test_it_decodes_seven_bit_iso_2022_jp() -> None:
    body = "すみません。".encode("iso-2022-jp")
    assert body.isascii()
    assert to_message(_message("iso-2022-jp", body, "7bit")).body_text == "すみません。"


def test_it_decodes_charset_and_quoted_printable_together() -> None:
    raw = _message("windows-1252", b"Stra=DFe 5, =80 10", "quoted-printable")
    assert to_message(raw).body_text == "Straße 5, € 10"


def test_decode_bytes_never_raises_on_random_bytes() -> None:
    text, fell_back = decode_bytes(bytes(range(128, 256)) * 4, "utf-8")
    assert isinstance(text, str) and text
    assert fell_back


def test_html_to_text_keeps_links_readable() -> None:
    text = html_to_text('<p>Read <a href="https://caplus.org.uk/privacy">our notice</a>.</p>')
    assert text == "Read [our notice](https://caplus.org.uk/privacy)."


def test_html_to_text_drops_script_and_style_and_comments() -> None:
    html = (
        "<style>.x{display:none}</style><!--[if mso]>hidden<![endif]-->"
        "<script>document.write('x')</script><div>Visible</div>"
    )
    assert html_to_text(html) == "Visible"


def test_tidy_normalises_line_ends_and_invisible_characters() -> None:
    assert tidy("a\r\nb\rc\u00a0d\u200b  \n\n\n\ne\x00") == "a\nb\nc d\n\ne"


def test_it_joins_format_flowed_soft_breaks_so_reply_headers_are_found() -> None:
    raw = (
        b"From: alice@example.org\nSubject: Re: request\n"
        b"Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
        b"Please delete my \r\ndata now.\r\n\r\n"
        b"On 24/11/2026 10:00, CA Plus Support <support@caplus.org.uk> \r\nwrote:\r\n"
        b"> Dear Alice, shall we \r\n> delete it?\r\n"
        b"-- \r\n Alice\r\n"
    )
    msg = to_message(raw)

    assert msg.body_text.startswith("Please delete my data now.\n\nOn 24/11/2026 10:00,")
    assert "> Dear Alice, shall we delete it?" in msg.body_text
    assert msg.body_text.endswith("\n--\nAlice")  # trailing spaces are tidied away
    assert msg.reply_text == "Please delete my data now."


def test_it_leaves_fixed_text_with_trailing_spaces_alone() -> None:
    raw = b"From: alice@example.org\nContent-Type: text/plain\n\nline one \nline two\n"
    assert to_message(raw).body_text == "line one\nline two"


def test_unflow_drops_the_soft_break_space_with_delsp() -> None:
    assert unflow("Zusammen \ngesetzt", delsp=True) == "Zusammengesetzt"
    assert unflow("two \nwords") == "two words"
