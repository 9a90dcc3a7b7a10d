"""Every real-world fixture under ../shared/corpora goes through to_message without crashing.

The corpora are public test suites of other mail libraries (see their SOURCES.md): whole
messages, bodies without headers, deliberately broken MIME, and licence files. Intake must
turn each into a message or flag it with MessageParseError, never crash or stall.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from bot.errors import MessageParseError
from bot.mail.parse import to_message
from bot.mail.text import tidy
from classifier.quoting import latest_reply
from tests.paths import needs_shared, shared

CORPORA = shared("corpora")
DISCOURSE = CORPORA / "discourse-email_reply_trimmer" / "test"

pytestmark = [needs_shared("corpora"), pytest.mark.slow]  # thousands of real-world files


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_every_corpus_file_parses_or_is_flagged() -> None:
    files = sorted(path for path in CORPORA.rglob("*") if path.is_file())
    parsed, flagged, empty = 0, [], 0
    started = time.monotonic()
    for path in files:
        raw = path.read_bytes()
        empty += not raw.strip()
        try:
            msg = to_message(raw, own_addresses=["support@caplus.org.uk"])
        except MessageParseError as error:
            flagged.append(f"{path.relative_to(CORPORA)}: {error.reason}")
            continue
        parsed += 1
        if msg.body_text.strip():
            assert msg.reply_text.strip(), path
    elapsed = time.monotonic() - started
    print(
        f"\ncorpora: {len(files)} files, {parsed} parsed, {len(flagged)} flagged "
        f"({empty} empty), {elapsed:.2f}s"
    )
    for line in flagged:
        print("  flagged", line)

    assert len(files) > 400
    assert parsed >= 0.95 * len(files)
    # Only empty files may be refused: everything else is some kind of message.
    assert len(flagged) == empty
    assert elapsed < 20


def test_bounces_in_the_corpora_are_machine_mail() -> None:
    reports = sorted(
        (CORPORA / "imap_tools" / "tests" / "messages").glob("multipart_report_emails/*.eml")
    )
    assert reports
    for path in reports:
        assert to_message(path.read_bytes()).is_machine_mail, path


def test_reply_text_agrees_with_discourse_trimmed_outputs() -> None:
    """Compare with email_reply_trimmer's expected trims of the same bodies.

    Those keep signatures and ``>`` quotes that we strip on purpose, so the check is that
    their reply's first line is in ours, and we report how many match in full.
    """
    emails = sorted((DISCOURSE / "emails").glob("*.txt"))
    if not emails:
        pytest.skip(f"discourse expected outputs not present under {DISCOURSE}")
    exact, first_line_kept = 0, 0
    for path in emails:
        expected = (DISCOURSE / "trimmed" / path.name).read_text(encoding="utf-8")
        got = latest_reply(tidy(path.read_text(encoding="utf-8")))
        exact += _normalised(got) == _normalised(expected)
        lines = [line for line in expected.splitlines() if line.strip()]
        # Skip expectations that start with a quote: we drop quoted lines by design.
        if not lines or lines[0].lstrip().startswith(">"):
            first_line_kept += 1
            continue
        first_line_kept += _normalised(lines[0]) in _normalised(got)
    print(f"\ndiscourse: {len(emails)} bodies, {exact} exact, {first_line_kept} keep first line")
    assert first_line_kept >= 0.95 * len(emails)
    assert exact >= 0.6 * len(emails)


def test_truncated_and_corrupted_corpus_messages_never_crash() -> None:
    """Cut each .eml in half and flip bytes in it: only MessageParseError may come out."""
    messages = sorted(CORPORA.rglob("*.eml"))
    assert messages
    started = time.monotonic()
    for path in messages:
        raw = path.read_bytes()
        half = raw[: len(raw) // 2]
        flipped = bytes(byte ^ 0x80 if index % 7 == 3 else byte for index, byte in enumerate(raw))
        for variant in (half, flipped, raw.replace(b"\n", b"\r")):
            with contextlib.suppress(MessageParseError):
                to_message(variant)
    assert time.monotonic() - started < 20


def test_no_ordinary_mail_in_the_corpora_is_taken_for_an_opt_out() -> None:
    """Nobody in these suites asks us to stop mailing them: none may be suppressed or closed.

    Real mail that no one here wrote (list traffic, forum notifications quoted in replies,
    newsletters, broken MIME) carries "unsubscribe" in footers and quoted history. The writer's
    words must decide, so not one message may be suppressed or closed automatically, however
    the model labels it. The sender is a stand-in, so an unknown sender refuses nothing.
    """
    from classifier import load_model
    from classifier.policy import decide_opt_out

    messages = []
    for path in sorted(p for p in CORPORA.rglob("*") if p.is_file()):
        with contextlib.suppress(MessageParseError):
            msg = to_message(path.read_bytes())
            if msg.reply_text.strip():
                messages.append((path, msg))
    assert len(messages) > 300
    model = load_model()
    predictions = model.predict([m.reply_text for _, m in messages],
                                [m.subject for _, m in messages])
    automatic = []
    for (path, msg), prediction in zip(messages, predictions, strict=True):
        decision = decide_opt_out(
            prediction, text=msg.reply_text, sender="writer@example.org",
            is_machine_mail=msg.is_machine_mail, is_unsubscribe_mail=msg.is_unsubscribe_mail,
            subject=msg.subject)
        if decision.auto_apply:
            automatic.append(str(path.relative_to(CORPORA)))
    assert automatic == []
