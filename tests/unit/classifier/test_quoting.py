"""Quoted history and signature stripping (classifier.quoting, used at the mail edge)."""

from __future__ import annotations

from bot.mail.parse import to_message
from classifier.quoting import latest_reply


def test_it_strips_an_english_on_wrote_header_and_quotes() -> None:
    text = (
        "Yes, that is my old address.\n\n"
        "On Tue, 24 Nov 2026 at 10:00, CA Plus Support <support@caplus.org.uk> wrote:\n"
        "> Dear Alice,\n> could you confirm your address?\n"
    )
    assert latest_reply(text) == "Yes, that is my old address."


def test_it_strips_a_wrapped_gmail_header() -> None:
    text = (
        "Please correct my surname to Smith.\n\n"
        "On Tue, 24 Nov 2026 at 10:00, CA Plus Support <support@caplus.org.uk>\n"
        "wrote:\n\n> Thank you for your message.\n"
    )
    assert latest_reply(text) == "Please correct my surname to Smith."


def test_it_strips_a_german_am_schrieb_header() -> None:
    text = (
        "Bitte löschen Sie alle meine Daten.\n\n"
        "Am 24.11.2026 um 10:00 schrieb CA Plus Support <support@caplus.org.uk>:\n"
        "> Sehr geehrte Frau Example,\n> vielen Dank für Ihre Nachricht.\n"
    )
    assert latest_reply(text) == "Bitte löschen Sie alle meine Daten."


def test_it_strips_an_outlook_header_block() -> None:
    text = (
        "Stop sending me the newsletter.\n\n"
        "From: CA Plus <news@caplus.org.uk>\n"
        "Sent: Tuesday, November 24, 2026 10:00 AM\n"
        "To: alice@example.org\n"
        "Subject: November news\n\n"
        "Our November news...\n"
    )
    assert latest_reply(text) == "Stop sending me the newsletter."


def test_it_strips_a_dash_dash_space_signature() -> None:
    text = "Remove me from the mailing list please.\n\n-- \nAlice Example\n07700 900123\n"
    assert latest_reply(text) == "Remove me from the mailing list please."


def test_it_strips_a_sign_off_and_mobile_tag() -> None:
    text = "What data do you hold on me?\n\nKind regards,\nBob\n\nSent from my iPhone\n"
    assert latest_reply(text) == "What data do you hold on me?"


def test_it_keeps_a_sentence_that_merely_starts_with_thanks() -> None:
    text = "Hello,\nThanks, please remove me from your list.\n\nBob"
    assert latest_reply(text) == "Hello,\nThanks, please remove me from your list.\n\nBob"


def test_it_keeps_hyphen_lists() -> None:
    text = "Please delete:\n- my account\n- my newsletter subscription\n"
    assert latest_reply(text) == text.strip()


def test_it_keeps_an_inline_answer_below_quotes_after_a_greeting() -> None:
    text = (
        "Hi,\n"
        "On Tue, 24 Nov 2026 at 10:00, CA Plus Support <support@caplus.org.uk> wrote:\n"
        "> Which address should we remove?\n\n"
        "bob@example.net, please.\n"
    )
    assert latest_reply(text) == "Hi,\n\nbob@example.net, please."


def test_it_keeps_a_bottom_posted_answer() -> None:
    text = (
        "On Tue, 24 Nov 2026 at 10:00, CA Plus Support <support@caplus.org.uk> wrote:\n"
        "> Can you confirm?\n\nConfirmed, go ahead.\n"
    )
    assert latest_reply(text) == "Confirmed, go ahead."


def test_it_uses_the_forwarded_message_of_a_forward_without_comment() -> None:
    text = (
        "---------- Forwarded message ---------\n"
        "From: Bob <bob@example.net>\nDate: Tue, 24 Nov 2026\nSubject: data\n"
        "To: alice@example.org\n\n"
        "Please ask them to delete my data.\n"
    )
    assert latest_reply(text) == "Please ask them to delete my data."


def test_it_never_returns_empty_when_the_body_has_words() -> None:
    only_quotes = "> an old message\n> quoted entirely\n"
    only_signature = "-- \nAlice Example\n"

    assert latest_reply(only_quotes) == only_quotes.strip()
    assert latest_reply(only_signature) == only_signature.strip()
    assert latest_reply("") == ""


def test_to_message_falls_back_to_body_text_for_a_quote_only_message() -> None:
    msg = to_message(b"From: alice@example.org\n\n> just a quote\n")
    assert msg.reply_text == msg.body_text == "> just a quote"


def test_it_drops_a_bar_quoted_block_and_its_attribution() -> None:
    body = ("If I do that, the group is not saved after a refresh.\n\n"
            "2013/7/20 sam via Forum <info@forum.example.org>\n\n"
            "| sam replied to your post:\n| Does it persist?\n|\n"
            "| To unsubscribe from these emails, visit your user preferences.\n")
    assert latest_reply(body) == "If I do that, the group is not saved after a refresh."


def test_it_keeps_a_table_the_writer_typed() -> None:
    body = "My details are wrong:\n| field | now | should be |\n| name | Smtih | Smith |"
    assert latest_reply(body) == body


def test_it_cuts_a_list_servers_footer_but_never_leaves_nothing() -> None:
    footer = ("riak-users mailing list\nriak-users@lists.example.com\n"
              "http://lists.example.com/mailman/listinfo/riak-users")
    body = f"How do I clear a bucket?\n\n-Abhishek\n\n{'_' * 47}\n{footer}"
    assert latest_reply(body) == "How do I clear a bucket?\n\n-Abhishek"
    assert latest_reply(footer) == footer
