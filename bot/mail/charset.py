"""The one decoding rule at the mail edge: bytes and stdlib strings to clean Unicode.

Every text that leaves parsing (subject, display names, addresses, ids, bodies, attachment
names) passes through here, so it is valid Unicode with no surrogates and no NUL: the database
drivers refuse surrogates (``UnicodeEncodeError``) and PostgreSQL refuses NUL (``DataError``),
and either used to block the whole mailbox. The rule (see docs/mail-decoding.md):

1. the declared charset, strictly (with the WHATWG aliases: a latin-1 label means cp1252);
2. else UTF-8, strictly (RFC 6532 allows raw UTF-8 headers; mislabelled mail is mostly UTF-8);
3. else windows-1252, with its five unassigned bytes read as latin-1 (so this step never fails);
4. U+FFFD for what still cannot be text: lone surrogates and NUL.

The stdlib keeps undecodable bytes as surrogate escapes (``\\udc80``-``\\udcff``) in header
values and in encoded words with an unknown or lying charset; :func:`clean_text` turns each run of
them back into bytes and decodes those by steps 2-3.
"""

from __future__ import annotations

import codecs
import re

#: Labels seen in real mail that Python does not know, or knows as a narrower charset.
#: Mapping latin-1 to windows-1252 follows the WHATWG Encoding Standard, as browsers do.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "utf8": "utf-8",
}
#: Labels whose bytes are often really UTF-8 (old clients label everything with these).
_OFTEN_MISLABELLED = frozenset({"cp1252", "ascii", "latin_1", "iso8859-1"})
#: Charsets whose bytes are all ASCII yet mean something else (ISO-2022-JP mail is common).
_SEVEN_BIT_CODECS = ("iso2022", "utf-7", "hz")

_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def codec_name(charset: str | None) -> str | None:
    """Return Python's codec name for a declared charset, None if unknown or absent."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def _cp1252(data: bytes) -> str:
    """Decode windows-1252; its five unassigned bytes (0x81, 0x8d, ...) read as latin-1 (WHATWG)."""
    text = data.decode("cp1252", errors="surrogateescape")
    return _ESCAPED_BYTES.sub(
        lambda found: found.group().encode("utf-8", "surrogateescape").decode("latin-1"), text)


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Decode bytes by the stated rule; never raises.

    Under a charset that is often a mislabel (none, ASCII, latin-1, windows-1252) valid UTF-8 is
    taken as UTF-8 first: real latin-1 text is almost never valid UTF-8 by chance.

    Args:
        data: the bytes (a decoded transfer payload, or a header's raw 8-bit bytes).
        charset: the declared charset, possibly None or nonsense.

    Returns:
        ``(text, fell_back)``; ``fell_back`` is True when the declared charset (or, with none
        declared, UTF-8) did not fit and windows-1252 was used. ``text`` is clean (see
        :func:`clean_text`).
    """
    codec = codec_name(charset)
    if data.isascii() and not (codec or "").startswith(_SEVEN_BIT_CODECS):
        return _replace_unstorable(data.decode("ascii")), False
    candidates = [codec] if codec else []
    if codec is None or codec in _OFTEN_MISLABELLED:
        candidates.insert(0, "utf-8")
    elif codec != "utf-8":
        candidates.append("utf-8")
    for candidate in candidates:
        try:
            return _replace_unstorable(data.decode(candidate)), False
        except (UnicodeDecodeError, LookupError):
            continue
        except Exception:  # noqa: BLE001 - some stdlib codecs raise odd errors on bad input
            continue
    return _replace_unstorable(_cp1252(data)), True


def _replace_unstorable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text


def _redecode(found: re.Match[str]) -> str:
    raw = found.group().encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(raw)


def clean_text(text: str) -> str:
    """Return ``text`` as storable Unicode: surrogate escapes re-decoded, NUL and stray
    surrogates replaced by U+FFFD.

    Args:
        text: any string from the stdlib mail parser (header value, encoded word, filename).
    """
    if not _UNSTORABLE.search(text):
        return text
    text = _ESCAPED_BYTES.sub(_redecode, text)
    return _replace_unstorable(text)


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` for values that may be absent."""
    return None if text is None else clean_text(str(text))
