"""Outbound email as data: our Message-IDs thread back to their case."""

from __future__ import annotations

from bot.deliver.dispatcher import backoff
from bot.mail.outbound import build_email, case_ids_in, our_message_id


def test_our_message_id_is_stable_and_names_the_case():
    first = our_message_id(42, "confirm:abc", "caplus.org.uk")
    assert first == our_message_id(42, "confirm:abc", "caplus.org.uk")
    assert first != our_message_id(42, "reply:abc", "caplus.org.uk")
    assert first.startswith("case-42.") and first.endswith("@caplus.org.uk")
    assert case_ids_in(["other@example.org", first]) == [42]


def test_it_ignores_ids_that_are_not_ours():
    assert case_ids_in(["case-x.1@a", "", "abc@example.org", "case-0.ab@x"]) == []


def test_a_reply_carries_threading_and_auto_submitted_headers():
    msg = build_email({
        "to": "alice@example.org", "subject": "Re: Stop", "text": "Done.", "html": "<p>Done.</p>",
        "message_id": "case-1.aa@caplus.org.uk", "in_reply_to": "orig@example.org",
        "references": ["root@example.org"], "auto_submitted": "auto-replied",
    }, from_address="support@caplus.org.uk", from_name="CA Plus")
    assert msg["Message-ID"] == "<case-1.aa@caplus.org.uk>"
    assert msg["In-Reply-To"] == "<orig@example.org>"
    assert msg["References"] == "<root@example.org> <orig@example.org>"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["From"] == "CA Plus <support@caplus.org.uk>"
    assert msg.get_body(("plain",)).get_content().strip() == "Done."
    assert "<p>Done.</p>" in msg.get_body(("html",)).get_content()


def test_a_staff_reply_is_not_marked_auto_submitted():
    msg = build_email({"to": "a@example.org", "subject": "Re: x", "text": "Hi",
                       "message_id": "case-1.bb@caplus.org.uk"},
                      from_address="support@caplus.org.uk", from_name="CA Plus")
    assert msg["Auto-Submitted"] is None and msg["In-Reply-To"] is None


def test_backoff_doubles_and_is_capped():
    assert [backoff(n, 30, 300).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 300]


def test_outbound_subjects_and_names_lose_bidi_overrides_and_control_characters():
    from bot.mail.outbound import build_email, header_text

    assert header_text("Invoice \u202egpj.exe\u202c\r\nBcc: x@evil.example\x00") == (
        "Invoice gpj.exe Bcc: x@evil.example")
    msg = build_email({"to": "alice@example.org", "subject": "Re: \u2066hi\u2069\u200b",
                       "text": "t", "message_id": "case-1.ab@caplus.org.uk"},
                      from_address="support@caplus.org.uk", from_name="CA\u202e Plus\n")
    assert msg["Subject"] == "Re: hi"
    assert msg["From"] == "CA Plus <support@caplus.org.uk>"
