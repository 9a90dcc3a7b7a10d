"""Whom an opt-out covers, read from the writer's own words."""

from __future__ import annotations

import pytest

from classifier.policy import opt_out_targets

BOB = "bob@example.net"


@pytest.mark.parametrize(("text", "addresses", "someone_else", "needs_address"), [
    ("Please stop emailing me.", (BOB,), False, False),
    ("Unsubscribe me, also my old address bob.old@example.net", (BOB, "bob.old@example.net"),
     False, False),
    ("Please remove my mother margaret@example.net from your list", ("margaret@example.net",),
     True, False),
    ("Bitte tragen Sie meine Frau aus dem Newsletter aus.", (), True, True),
    ("On behalf of my client, stop all marketing to her.", (), True, True),
])
def test_it_reads_whom_the_request_is_for(text, addresses, someone_else, needs_address):
    targets = opt_out_targets(text, BOB)
    assert targets.addresses == addresses
    assert targets.someone_else is someone_else
    assert targets.needs_address is needs_address


def test_without_a_known_sender_only_named_addresses_are_covered():
    assert opt_out_targets("stop emailing a@example.org", None).addresses == ("a@example.org",)
