"""Odd senders: a table of From/Reply-To/Sender headers and the discrepancy each shows."""

from __future__ import annotations

import pytest

from bot.mail.auth import header_fields
from bot.mail.sender import (
    PREFIX,
    discrepancies,
    is_domain_literal,
    lookalike_domain,
    sender_headers,
)

OWN = ("caplus.org.uk",)


def _facts(*headers: str) -> tuple[str, ...]:
    raw = "\r\n".join((*headers, "Subject: unsubscribe", "", "unsubscribe")).encode()
    return discrepancies(sender_headers(header_fields(raw)), OWN)


@pytest.mark.parametrize("headers, expected", [
    (("From: Alice Example <alice@example.org>",), None),
    (("From: Alice <alice@example.org>", "Reply-To: Alice <ALICE@example.org>"), None),
    (("From: Alice <alice@example.org>", "Sender: alice@example.org"), None),
    ((("From: \"Your account is locked. Verify now at http://evil.example/login\" "
      "<victim@bank.example>"),), None),   # words, not an address: handled by the confirmation
    (("From: \"support@bank.example\" <attacker@evil.example>",),
     "display name shows another address: support@bank.example"),
    (("From: alice@example.org, bob@example.org",), "several From addresses"),
    (("From: alice@example.org", "From: bob@example.org"), "several From addresses"),
    (("From: victim@bank.example", "Reply-To: attacker@evil.example"),
     "Reply-To attacker@evil.example differs from From victim@bank.example"),
    (("From: victim@bank.example", "Sender: attacker@evil.example"),
     "Sender attacker@evil.example differs from From victim@bank.example"),
    (("From: v@[127.0.0.1]",), "is at an IP address"),
    (("From: someone@xn--pypal-4ve.com",), "mixes cyrillic and latin letters"),   # pаypal
    (("From: someone@xn--80ak6aa92e.com",), "imitates Latin letters"),           # аррӏе
    (("From: boss@caplus.org.uk",), "the organisation's own domain caplus.org.uk"),
])
def test_each_odd_sender_is_named(headers, expected):
    found = _facts(*headers)
    if expected is None:
        assert found == ()
    else:
        assert any(expected in reason for reason in found), found
        assert all(reason.startswith(PREFIX) for reason in found)


@pytest.mark.parametrize("domain, flagged", [
    ("example.org", False),
    ("xn--mnchen-3ya.de", False),          # münchen.de: an honest IDN
    ("xn--e1afmkfd.xn--p1ai", False),      # пример.рф: Cyrillic throughout, not Latin look-alike
    ("xn--pypal-4ve.com", True),
    ("xn--80ak6aa92e.com", True),
])
def test_only_lookalike_domains_are_flagged(domain, flagged):
    assert (lookalike_domain(domain) is not None) is flagged


@pytest.mark.parametrize("address, literal", [
    ("v@[127.0.0.1]", True), ("v@[IPv6:::1]", True), ("v@127.0.0.1", True),
    ("v@example.org", False), (None, False),
])
def test_domain_literals_are_recognised(address, literal):
    assert is_domain_literal(address) is literal
