"""Token signing and checking, masking and the RFC 8058 headers: pure, no database."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from bot.store.suppressions import normalise_address
from bot.unsubscribe import (
    MAX_TOKEN_CHARS,
    InvalidTokenError,
    list_unsubscribe_headers,
    make_token,
    mask_address,
    unsubscribe_url,
    verify_token,
)

SECRET = "correct horse battery staple"


def _decode(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_it_gives_back_the_address_it_signed() -> None:
    token = make_token("jo@example.org", SECRET)
    assert verify_token(token, SECRET) == "jo@example.org"


def test_it_signs_the_normalised_address_so_spellings_share_a_token() -> None:
    token = make_token("  <Jo@Example.ORG> ", SECRET)
    assert token == make_token("jo@example.org", SECRET)
    assert verify_token(token, SECRET) == "jo@example.org"


def test_the_token_is_url_safe_base64_of_address_and_hmac_sha256() -> None:
    token = make_token("jo@example.org", SECRET)
    raw = _decode(token)
    assert raw[:-32] == b"jo@example.org"
    expected_mac = hmac.new(SECRET.encode(), b"privacy-triage unsubscribe v1\x00jo@example.org",
                            hashlib.sha256).digest()
    assert raw[-32:] == expected_mac
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_it_refuses_a_token_signed_with_another_secret() -> None:
    token = make_token("jo@example.org", "another secret")
    with pytest.raises(InvalidTokenError):
        verify_token(token, SECRET)


def test_it_refuses_a_token_whose_address_was_swapped() -> None:
    raw = _decode(make_token("jo@example.org", SECRET))
    forged = _encode(b"al@example.org" + raw[-32:])
    with pytest.raises(InvalidTokenError):
        verify_token(forged, SECRET)


@pytest.mark.parametrize("position", [0, 5, 13, 20, -1])
def test_it_refuses_a_token_with_any_byte_flipped(position: int) -> None:
    raw = bytearray(_decode(make_token("jo@example.org", SECRET)))
    raw[position] ^= 0x01
    with pytest.raises(InvalidTokenError):
        verify_token(_encode(bytes(raw)), SECRET)


@pytest.mark.parametrize("token", [
    "", "not a token", "abc", "%2e%2e", "am9AZXhhbXBsZS5vcmc", "a" * (MAX_TOKEN_CHARS + 1),
    "am9AZXhh!YnBsZS5vcmc", "é" * 60,
])
def test_it_refuses_junk(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(token, SECRET)


def test_it_refuses_a_truncated_token() -> None:
    token = make_token("jo@example.org", SECRET)
    for cut in (1, 4, 10, 43):
        with pytest.raises(InvalidTokenError):
            verify_token(token[:-cut], SECRET)


def test_it_refuses_a_validly_signed_address_that_is_not_normalised() -> None:
    # Only make_token signs, and it always normalises; a signed "Jo@..." means a key leak or a
    # bug elsewhere, and must not reach the suppression list under a second spelling.
    mac = hmac.new(SECRET.encode(), b"privacy-triage unsubscribe v1\x00Jo@Example.org",
                   hashlib.sha256).digest()
    with pytest.raises(InvalidTokenError):
        verify_token(_encode(b"Jo@Example.org" + mac), SECRET)


def test_an_empty_secret_is_a_configuration_mistake() -> None:
    with pytest.raises(ValueError):
        make_token("jo@example.org", "")
    with pytest.raises(ValueError):
        verify_token(make_token("jo@example.org", SECRET), "")


def test_it_will_not_sign_something_that_is_not_an_address() -> None:
    with pytest.raises(ValueError):
        make_token("not an address", SECRET)


def test_it_round_trips_an_internationalised_address() -> None:
    token = make_token("Zoë@Exämple.org", SECRET)
    assert verify_token(token, SECRET) == "zoë@exämple.org"


@pytest.mark.parametrize(("given", "expected"), [
    ("jo@example.org", "jo@example.org"),
    ("  Jo@Example.ORG ", "jo@example.org"),
    ("<jo@example.org>", "jo@example.org"),
])
def test_addresses_are_normalised_for_comparison(given: str, expected: str) -> None:
    assert normalise_address(given) == expected


@pytest.mark.parametrize("given", ["", "jo", "@example.org", "jo@", "jo smith@example.org"])
def test_normalisation_refuses_non_addresses(given: str) -> None:
    with pytest.raises(ValueError):
        normalise_address(given)


@pytest.mark.parametrize(("address", "masked"), [
    ("jo@example.org", "j***@example.org"),
    ("j@example.org", "j***@example.org"),
    ("jane.doe+news@mail.example.co.uk", "j***@mail.example.co.uk"),
])
def test_it_masks_the_local_part(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_the_link_is_under_the_public_url() -> None:
    url = unsubscribe_url("jo@example.org", SECRET, "https://caplus.example/privacy/")
    token = url.rsplit("/", 1)[1]
    assert url == f"https://caplus.example/privacy/unsubscribe/{token}"
    assert verify_token(token, SECRET) == "jo@example.org"


def test_it_builds_both_rfc_8058_header_fields() -> None:
    headers = list_unsubscribe_headers("Jo@Example.org", SECRET, "https://caplus.example",
                                       "support@caplus.org.uk")
    token = make_token("jo@example.org", SECRET)
    assert headers == [
        ("List-Unsubscribe", (f"<https://caplus.example/unsubscribe/{token}>, "
                             "<mailto:support@caplus.org.uk?subject=unsubscribe>")),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]


def test_links_signed_before_a_secret_rotation_keep_working_when_the_old_secret_is_listed():
    old_link = make_token("jo@example.org", "old-secret")
    with pytest.raises(InvalidTokenError):
        verify_token(old_link, "new-secret")
    assert verify_token(old_link, "new-secret", previous=("older", "old-secret")) == \
        "jo@example.org"
    assert verify_token(make_token("jo@example.org", "new-secret"), "new-secret",
                        previous=("old-secret",)) == "jo@example.org"
