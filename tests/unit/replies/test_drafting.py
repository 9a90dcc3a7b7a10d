"""Drafted replies: one per message, every intent answered, message text never run."""

from dataclasses import replace
from datetime import UTC, date, datetime

import jinja2
import pytest

from replies.drafting import (
    LABELS,
    Draft,
    Drafter,
    DraftRequest,
    IdentityPolicy,
    identity_check_needed,
    long_date,
    reply_subject,
    validate_intents,
)
from replies.notice import EXAMPLE_NOTICE_PATH, load_notice

EXAMPLE = EXAMPLE_NOTICE_PATH


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    return Drafter(load_notice(EXAMPLE))


def request(*intents: str, body: str = "Hello", **changes) -> DraftRequest:
    """Alice writes to CA Plus; tests change only what they are about."""
    base = DraftRequest(
        intents=intents,
        sender_name="Alice Example",
        sender_address="alice@example.org",
        subject="My details",
        body_text=body,
        received=datetime(2026, 11, 24, 9, 30),
        organisation_name="CA Plus",
        support_address="support@caplus.org.uk",
    )
    return replace(base, **changes)


def test_long_date_is_written_out_in_full():
    assert long_date(date(2026, 12, 23)) == "Wednesday 23 December 2026"
    assert long_date(date(2026, 12, 1)) == "Tuesday 1 December 2026"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("My details", "Re: My details"),
        ("Re: My details", "Re: My details"),
        ("RE:My details", "RE:My details"),
        ("", "Re: your email"),
        ("Hi\r\nBcc: mallory@example.net", "Re: Hi Bcc: mallory@example.net"),
    ],
)
def test_reply_subject_is_one_line_with_one_prefix(subject, expected):
    assert reply_subject(subject) == expected


def test_general_query_quotes_the_relevant_notice_section(drafter):
    draft = drafter.draft(request("general_query", body="What cookies do you use on your site?"))
    assert isinstance(draft, Draft)
    assert draft.subject == "Re: My details"
    assert "3. Cookies" in draft.text
    assert "Targeting or advertising cookies" in draft.text
    assert "6. Your information security" not in draft.text
    assert "<strong>3. Cookies</strong>" in draft.html
    assert draft.notes == ()


def test_general_query_with_no_matching_section_leaves_a_note_for_staff(drafter):
    draft = drafter.draft(
        request("general_query", subject="Quick question", body="Is it raining in Paris today?")
    )
    assert "reply as soon as we can" in draft.text
    assert "Here is what it says" not in draft.text
    assert any("No section of the privacy notice matched" in note for note in draft.notes)


def test_access_request_states_the_due_date(drafter):
    draft = drafter.draft(
        request("access_request", body="Please send me my data.", due=date(2026, 12, 29))
    )
    assert "copy of the personal information CA Plus holds about you" in draft.text
    assert "by Tuesday 29 December 2026 at the latest" in draft.text
    assert "<strong>Tuesday 29 December 2026</strong>" in draft.html
    assert "utility bill" not in draft.text
    assert "utility bill" not in draft.html


def test_access_request_asks_for_identity_only_when_told_to(drafter):
    asked = drafter.draft(request("access_request", due=date(2026, 12, 29), ask_identity=True))
    assert "utility bill" in asked.text
    assert "utility bill" in asked.html
    assert "added to the date above" in asked.text


def test_access_request_without_a_due_date_says_one_month_and_notes_it(drafter):
    draft = drafter.draft(request("access_request"))
    assert "within one month" in draft.text
    assert "No due date" in " ".join(draft.notes)


def test_correction_without_the_new_details_asks_for_them(drafter):
    draft = drafter.draft(request("correction", body="My address is wrong on your system."))
    assert "please reply with the correct details" in draft.text
    assert "We will update our records with the details in your email" not in draft.text
    assert any("does not seem to give the correct details" in n for n in draft.notes)


def test_correction_with_the_new_details_confirms_what_we_will_do(drafter):
    draft = drafter.draft(
        request(
            "correction",
            body="I have moved. My address is now 4 Mill Lane, Nottingham NG7 2RD.",
            due=date(2026, 12, 29),
        )
    )
    assert "We will update our records with the details in your email" in draft.text
    assert "by Tuesday 29 December 2026 at the latest" in draft.text
    assert "please reply with the correct details" not in draft.text


def test_opt_out_after_review_confirms_no_more_marketing(drafter):
    draft = drafter.draft(request("opt_out", body="Please stop emailing me."))
    assert "we have now taken alice@example.org off our marketing list" in draft.text
    assert "not receive any more marketing" in draft.text
    assert "not receive any more marketing" in draft.html


def test_opt_out_already_applied_says_so(drafter):
    draft = drafter.draft(request("opt_out", opt_out_applied=True))
    assert "we have taken alice@example.org off our marketing list" in draft.text


@pytest.mark.parametrize("applied", [True, False])
def test_the_opt_out_paragraph_keeps_its_line_break_before_the_next_sentence(drafter, applied):
    # trim_blocks ate the newline after the sentence's inline {% endif %}: "from us.We may".
    text = drafter.draft(request("opt_out", opt_out_applied=applied)).text
    assert "marketing from us.\nWe may still write to you" in text


def test_two_intents_make_one_draft_that_answers_each_in_turn(drafter):
    draft = drafter.draft(
        request(
            "access_request",
            "opt_out",
            body="Send me everything you hold on me, and stop sending me newsletters.",
            due=date(2026, 12, 29),
        )
    )
    text = draft.text
    assert text.count("Dear Alice Example,") == 1
    assert text.count("Kind regards,") == 1
    access = text.index("Your request for a copy of your information")
    opt_out = text.index("Stopping marketing")
    assert access < opt_out  # top intent first
    assert "Tuesday 29 December 2026" in text
    assert "off our marketing list" in text
    assert draft.html.count("<h3") == 2
    assert draft.html.count("<html") == 1


def test_a_single_intent_has_no_section_heading(drafter):
    draft = drafter.draft(request("opt_out"))
    assert "Stopping marketing" not in draft.text
    assert "<h3" not in draft.html


def test_repeated_labels_are_answered_once(drafter):
    draft = drafter.draft(request("opt_out", "opt_out", "general_query"))
    assert draft.text.count("Stopping marketing") == 1


def test_the_reply_is_signed_and_greets_by_name_or_hello(drafter):
    named = drafter.draft(request("opt_out"))
    assert named.text.startswith("Dear Alice Example,\n")
    assert named.text.rstrip().split("----")[0].rstrip().endswith("CA Plus")
    anonymous = drafter.draft(request("opt_out", sender_name=None))
    assert anonymous.text.startswith("Hello,\n")
    assert "<p>Hello,</p>" in anonymous.html


def test_the_message_is_quoted_at_the_end_and_bounded(drafter):
    draft = drafter.draft(request("general_query", body="line one\nline two"))
    assert draft.text.rstrip().endswith("> line one\n> line two")
    long_body = "cookies " * 2000
    quoted = drafter.draft(request("general_query", body=long_body)).text
    assert len(quoted) < len(long_body)
    assert "[...]" in quoted


@pytest.mark.parametrize("label", ["erasure", "OPT_OUT", "", "../reply", "reply"])
def test_an_unknown_label_is_refused(drafter, label):
    with pytest.raises(ValueError, match="unknown intent"):
        drafter.draft(request("opt_out", label))


def test_no_label_is_refused():
    with pytest.raises(ValueError, match="at least one intent"):
        validate_intents(())


def test_labels_are_the_four_known_ones():
    assert LABELS == ("opt_out", "correction", "access_request", "general_query")


HOSTILE = (
    "{{ 7*7 }} {% include 'reply.txt.j2' %} {{ config }} "
    "<script>alert('x')</script> & <b>bold</b> {# comment #}"
)


@pytest.mark.parametrize("label", LABELS)
def test_message_text_is_never_evaluated_and_is_escaped_in_html(drafter, label):
    draft = drafter.draft(
        request(
            label,
            body=HOSTILE,
            subject="{{ 7*7 }}<script>",
            sender_name="<img src=x onerror=alert(1)> {{ 6*6 }}",
            due=date(2026, 12, 29),
        )
    )
    # Plain text: everything literal, nothing run.
    assert "{{ 7*7 }}" in draft.text
    assert "{% include 'reply.txt.j2' %}" in draft.text
    assert "{# comment #}" in draft.text
    assert "49" not in draft.text
    assert "36" not in draft.text
    assert "{{ 6*6 }}" in draft.text
    assert draft.subject == "Re: {{ 7*7 }}<script>"
    # HTML: literal and escaped.
    assert "<script>" not in draft.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in draft.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in draft.html
    assert "&amp; &lt;b&gt;bold&lt;/b&gt;" in draft.html
    assert "{{ 7*7 }}" in draft.html
    assert "49" not in draft.html
    assert draft.html.count("<html") == 1  # the include was not followed


def test_sender_address_is_escaped_in_html(drafter):
    draft = drafter.draft(request("opt_out", sender_address='"<b>x</b>"@example.org'))
    assert "&lt;b&gt;x&lt;/b&gt;" in draft.html
    assert "<b>x</b>" not in draft.html


def test_an_override_directory_takes_precedence(tmp_path):
    (tmp_path / "opt_out.txt.j2").write_text(
        "OVERRIDDEN for {{ sender_address }} until {{ received|longdate }}\n", encoding="utf-8"
    )
    (tmp_path / "opt_out.html.j2").write_text("<p>OVERRIDDEN {{ body }}</p>\n", encoding="utf-8")
    drafter = Drafter(load_notice(EXAMPLE), templates_dir=tmp_path)
    draft = drafter.draft(request("opt_out", "general_query", body="<i>cookies</i>"))
    assert "OVERRIDDEN for alice@example.org until Tuesday 24 November 2026" in draft.text
    assert "off our marketing list" not in draft.text
    # Templates the directory does not have still come from the package.
    assert "Dear Alice Example," in draft.text
    assert "3. Cookies" in draft.text
    # Autoescape applies to override HTML templates too.
    assert "<p>OVERRIDDEN &lt;i&gt;cookies&lt;/i&gt;</p>" in draft.html


def test_an_override_wrapper_replaces_the_whole_layout(tmp_path):
    (tmp_path / "reply.txt.j2").write_text(
        "{% for part in parts %}[{{ part }}]{% endfor %} {{ organisation_name }}\n",
        encoding="utf-8",
    )
    drafter = Drafter(load_notice(EXAMPLE), templates_dir=tmp_path)
    draft = drafter.draft(request("correction", "opt_out"))
    assert draft.text == "[correction.txt.j2][opt_out.txt.j2] CA Plus\n"


def test_an_override_template_with_a_misspelt_variable_fails_loudly(tmp_path):
    (tmp_path / "opt_out.txt.j2").write_text("{{ sender_adress }}\n", encoding="utf-8")
    drafter = Drafter(load_notice(EXAMPLE), templates_dir=tmp_path)
    with pytest.raises(jinja2.UndefinedError):
        drafter.draft(request("opt_out"))


def test_an_override_template_cannot_reach_python_internals(tmp_path):
    (tmp_path / "opt_out.txt.j2").write_text(
        "{{ sender_address.__class__.__mro__ }}\n", encoding="utf-8"
    )
    drafter = Drafter(load_notice(EXAMPLE), templates_dir=tmp_path)
    with pytest.raises(jinja2.exceptions.SecurityError):
        drafter.draft(request("opt_out"))


def test_a_missing_override_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        Drafter(load_notice(EXAMPLE), templates_dir=tmp_path / "absent")


@pytest.mark.parametrize(
    ("policy", "on_record", "expected"),
    [
        ("always", True, True),
        ("always", False, True),
        ("never", True, False),
        ("never", False, False),
        ("when_unmatched", True, False),
        ("when_unmatched", False, True),
        (IdentityPolicy.WHEN_UNMATCHED, False, True),
    ],
)
def test_identity_check_follows_the_policy(policy, on_record, expected):
    assert identity_check_needed(policy, address_on_record=on_record) is expected


def test_an_unknown_identity_policy_is_refused():
    with pytest.raises(ValueError):
        identity_check_needed("sometimes", address_on_record=True)


def test_the_quoted_message_date_is_the_uk_day(drafter):
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    draft = drafter.draft(request("opt_out", received=late))
    assert "Your message of Wednesday 1 July 2026:" in draft.text


def test_an_opt_out_for_someone_else_names_their_address_not_the_senders(drafter):
    draft = drafter.draft(request("opt_out", opt_out_addresses=("margaret@example.net",)))
    assert "taken margaret@example.net off our marketing list" in draft.text
    assert "alice@example.org off" not in draft.text
    assert "no more marketing will be sent there" in draft.text


def test_an_opt_out_for_someone_unnamed_asks_for_their_address(drafter):
    draft = drafter.draft(request("opt_out", opt_out_needs_address=True))
    assert "please reply with the email address" in draft.text
    assert "off our marketing list" not in draft.text


def test_a_draft_from_sections_scored_ahead_for_its_batch_is_the_same_draft():
    fresh = Drafter(load_notice(EXAMPLE))
    asked = request("general_query", body="What cookies does your website use?")
    alone = fresh.draft(asked)
    fresh.prefetch_sections([f"{asked.subject}\n{asked.body_text}", "another question"])

    def not_again(*_args, **_kwargs):
        raise AssertionError("the batch's scores should have been used")

    fresh.notice.__dict__["relevant_sections"] = not_again  # the instance, not the class
    assert fresh.draft(asked) == alone
