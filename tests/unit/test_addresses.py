"""The address contract every part of the system relies on to match opt-outs to suppressions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.mail.headers import normalise_address as header_address
from bot.redact import mask_addresses
from bot.store.suppressions import normalise_address as suppression_address
from bot.unsubscribe import make_token, verify_token
from bot.unsubscribe import mask_address as page_mask
from classifier.addresses import (
    ADDRESS_IN_TEXT,
    at_domains,
    find_addresses,
    is_deliverable,
    mask,
    normalise,
)
from classifier.policy import other_addresses

_LOCAL = st.text(st.sampled_from("abcXYZ019._+-'"), min_size=1, max_size=12).filter(
    lambda s: not s.startswith("."))
_LABEL = st.text(st.sampled_from("abcdefXYZ0189-"), min_size=1, max_size=10)
_DOMAIN = st.lists(_LABEL, min_size=2, max_size=4).map(".".join)
_ADDRESS = st.builds(lambda local, domain: f"{local}@{domain}", _LOCAL, _DOMAIN)
_WRAPPING = st.sampled_from(["{}", " {} ", "<{}>", " <{}> ", "mailto:{}", "MAILTO:{}",
                             "<mailto:{}>", "\t{}\n"])


@given(_ADDRESS, _WRAPPING)
def test_normalising_is_idempotent(address: str, wrapping: str) -> None:
    once = normalise(wrapping.format(address))
    assert once is not None
    assert normalise(once) == once


@given(_ADDRESS)
def test_the_whole_address_is_lower_cased(address: str) -> None:
    """Local part included: a missed opt-out is worse than two spellings merged."""
    assert normalise(address.upper()) == normalise(address) == address.lower()


@given(_ADDRESS, _WRAPPING)
def test_wrapping_does_not_change_the_address(address: str, wrapping: str) -> None:
    assert normalise(wrapping.format(address)) == address.lower()


@given(_ADDRESS, _ADDRESS)
def test_an_address_written_in_text_is_found_as_normalised(first: str, second: str) -> None:
    text = f"Please remove {first}, and also {second}. Thanks"
    found = find_addresses(text)
    assert found == list(dict.fromkeys([normalise(first), normalise(second)]))
    assert all(normalise(a) == a for a in found)


@given(_ADDRESS)
def test_an_unsubscribe_token_round_trips_to_the_normalised_address(address: str) -> None:
    assert verify_token(make_token(address.upper(), "s" * 32), "s" * 32) == normalise(address)


@given(_ADDRESS)
def test_every_writer_of_an_address_agrees(address: str) -> None:
    """Header parsing and the suppression list store one form: opt-outs match suppressions."""
    wrapped = f" <{address.upper()}> "
    assert header_address(wrapped) == suppression_address(wrapped) == normalise(wrapped)


@given(_ADDRESS)
def test_masking_keeps_the_domain_and_one_letter(address: str) -> None:
    local, _, domain = address.rpartition("@")
    assert mask(address) == f"{local[0]}***@{domain}"
    assert page_mask(address) == mask(address)


@pytest.mark.parametrize(("given", "expected"), [
    ("Alice@Example.ORG", "alice@example.org"),
    ("  <alice@example.org>  ", "alice@example.org"),
    ("mailto:Alice@Example.org", "alice@example.org"),
    ("a+news@example.org", "a+news@example.org"),        # plus-addressing is kept
    ("Zoë@Exämple.org", "zoë@exämple.org"),              # IDN as written, lower-cased
    ("zoe@xn--exmple-cua.org", "zoe@xn--exmple-cua.org"),  # the A-label is not decoded
    ("a@b@example.org", "a@b@example.org"),              # the domain follows the last @
])
def test_the_rule(given: str, expected: str) -> None:
    assert normalise(given) == expected


def test_plus_addressing_and_idn_forms_are_distinct_addresses() -> None:
    assert normalise("a+tag@example.org") != normalise("a@example.org")
    assert normalise("zoe@exämple.org") != normalise("zoe@xn--exmple-cua.org")


@pytest.mark.parametrize("given", [None, "", "jo", "@example.org", "jo@", "jo smith@example.org",
                                   "jo\t@example.org", "j<o@example.org", "@jo@example.org",
                                   "mailto:", "jo\x00@example.org"])
def test_what_is_not_an_address(given: str | None) -> None:
    assert normalise(given) is None
    with pytest.raises(ValueError, match="not an email address"):
        suppression_address(given or "")


def test_deliverable_needs_one_at_and_a_dotted_domain() -> None:
    assert is_deliverable("jo@example.org")
    assert not is_deliverable("jo@localhost")
    assert not is_deliverable("jo@b@example.org")
    assert not is_deliverable(None)


def test_finding_in_text_keeps_order_and_drops_repeats() -> None:
    text = "Mail BOB@example.net or <alice@example.org>; bob@example.net again."
    assert find_addresses(text) == ["bob@example.net", "alice@example.org"]
    assert other_addresses(text, "Alice@Example.org") == ["bob@example.net"]
    assert ADDRESS_IN_TEXT.search("o'brien@example.ie").group(0) == "o'brien@example.ie"


def test_masking_in_text_is_loose() -> None:
    assert mask_addresses("550 <jo.x@example.org>: no") == "550 <j***@example.org>: no"
    assert mask("@example.org") == "***@example.org"


def test_at_domains_compares_by_the_address_rule():
    assert at_domains(" <JO@CAPlus.org.uk> ", ["caplus.org.uk"])
    assert at_domains("mailto:jo@caplus.org.uk", ["@CAPLUS.org.uk"])
    assert not at_domains("jo@caplus.org.uk.example.net", ["caplus.org.uk"])
    assert not at_domains("jo@example.org", ["caplus.org.uk"])
    assert not at_domains(None, ["caplus.org.uk"]) and not at_domains("not an address", ["x"])
