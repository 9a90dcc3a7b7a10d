"""The mail edge's promise, by property: any bytes in, clean Unicode out (or a clear refusal)."""

from __future__ import annotations

import contextlib
import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import MessageParseError
from bot.mail.charset import clean_text, decode_bytes
from bot.mail.parse import to_message
from tests.hypothesis_profiles import examples
from tests.mail_mutations import PATHOLOGICAL, mutated

EDGE = settings(max_examples=examples(150), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _clean(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, tuple | list):
        return all(_clean(item) for item in value)
    if dataclasses.is_dataclass(value):
        return all(_clean(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True


@EDGE
@given(raw=st.one_of(st.binary(max_size=3000), mutated()))
def test_any_bytes_parse_to_clean_text_or_a_clear_refusal(raw: bytes) -> None:
    try:
        parsed = to_message(raw)
    except MessageParseError:
        return
    assert _clean(parsed)


@EDGE
@given(data=st.binary(max_size=500), charset=st.sampled_from(
    [None, "utf-8", "iso-8859-1", "windows-1252", "x-unknown", "utf-16", "shift_jis", "utf-7"]))
def test_decode_bytes_never_raises_and_never_leaves_nul_or_surrogates(
        data: bytes, charset: str | None) -> None:
    text, _fell_back = decode_bytes(data, charset)
    assert _clean(text)


@EDGE
@given(text=st.text())
def test_clean_text_leaves_storable_text_and_never_changes_clean_text(text: str) -> None:
    cleaned = clean_text(text)
    assert _clean(cleaned)
    if _clean(text):
        assert cleaned == text


def test_the_stated_rule_utf8_then_cp1252_for_undeclared_bytes() -> None:
    assert decode_bytes("Müller".encode(), None) == ("Müller", False)
    assert decode_bytes("Müller “x”".encode("cp1252"), None) == ("Müller “x”", True)
    assert decode_bytes(b"\x81\x8d", None) == ("\x81\x8d", True)  # cp1252's holes as latin-1
    assert decode_bytes("Grüße".encode("cp1252"), "utf-8") == ("Grüße", True)
    assert clean_text("J\udcc3\udcbcrgen \udce9\x00") == "Jürgen é\ufffd"


def test_every_pathological_message_parses_or_is_refused_clearly() -> None:
    for name, raw in PATHOLOGICAL.items():
        with contextlib.suppress(MessageParseError):
            assert _clean(to_message(raw)), name
