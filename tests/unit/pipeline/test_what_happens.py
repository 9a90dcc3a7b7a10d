"""The few words an operator reads per message, in triage's log and in ``--dry-run``: pure."""

from __future__ import annotations

import pytest

from bot.commands.run import pending_line
from bot.pipeline.decide import Action, Decision, what_happens
from bot.store.models import OutboxState


def decision(action: Action, **kw: object) -> Decision:
    return Decision(action, "opt_out", ("opt_out",), ("a reason quoting jo@example.org",),
                    **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("made", "extra", "said"), [
    (decision(Action.AUTO_OPT_OUT, send_confirmation=True), {},
     "suppress + close case, confirm by email"),
    (decision(Action.AUTO_OPT_OUT, send_confirmation=True),
     {"confirmation_withheld": "already suppressed: confirmed before"},
     "suppress + close case, confirmation withheld (already suppressed: confirmed before)"),
    (decision(Action.AUTO_OPT_OUT), {}, "suppress + close case, no confirmation"),
    (decision(Action.AUTO_OPT_OUT, keep_open=("sender not verified: no DMARC",)), {},
     "suppress + open case (sender not verified)"),
    (decision(Action.SUPPRESS_AND_OPEN), {}, "suppress + open case"),
    (decision(Action.OPEN_CASE), {}, "open case"),
    (decision(Action.OPEN_CASE), {"quarantined": True},
     "quarantine: open case for a person to read the raw message"),
    (decision(Action.JOIN_CASE, case_id=12), {}, "join case 12"),
    (decision(Action.IGNORE), {}, "ignore: machine mail, stored without a case"),
])
def test_each_decision_in_words_without_its_reasons(made, extra, said):
    assert what_happens(made, **extra) == said
    assert "@" not in what_happens(made, **extra)


def test_what_poll_once_left_pending():
    outbox = {"email": {OutboxState.PENDING: 2, OutboxState.SENT: 9},
              "slack": {OutboxState.SENDING: 1, OutboxState.PENDING: 3},
              "other": {OutboxState.FAILED: 4}}
    assert pending_line(5, 2, outbox, ["email"]) == (
        "still pending: 5 message(s) not yet triaged (2 failed); 6 outbox item(s) queued "
        "(email 2, slack 4 (not configured))")
    assert pending_line(0, 0, {"email": {OutboxState.SENT: 3}}, ["email"]) == (
        "still pending: nothing")


def test_poll_without_once_says_to_use_run(capsys):
    from bot.cli import main

    assert main(["poll"]) == 2
    err = capsys.readouterr().err
    assert "give --once" in err and "privacy-triage run" in err
