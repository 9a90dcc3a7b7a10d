"""Email addresses: the one rule for comparing them, finding them in text and masking them.

Whether an opt-out matches a suppression depends on every part of the system writing an address
the same way, so this is the only place that says how. It lives in ``classifier`` (the lowest
package, importing nothing of ours) so the classifier's opt-out policy, ``replies`` and the bot
can all use it without an upward import.

The rule (:func:`normalise`), as the bot has always applied it:

- Surrounding whitespace, angle brackets (``<a@x>``) and a ``mailto:`` prefix are removed.
- The **whole** address is lower-cased, local part included. RFC 5321 lets a local part be
  case-sensitive, but no real mailbox relies on it, and a missed opt-out is far worse than two
  spellings merged.
- **Plus-addressing is kept**: ``a+news@x`` and ``a@x`` are different addresses. Suppressing the
  tagged one does not suppress the plain one, and the other way round.
- **IDN domains are compared as written**: ``a@bücher.de`` and ``a@xn--bcher-kva.de`` are
  different strings (each lower-cased). Mapping both to one form would change stored
  suppression addresses and needs a data migration; until then, neither form is rewritten.
- Anything without a non-empty local part and domain around its last ``@``, starting with ``@``,
  or with whitespace, a control character or ``<>`` inside, is not an address (``None``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>]")
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)

#: An address written in running text, strictly: word characters (any script), ``.+'-`` in the
#: local part, and a domain with at least one dot. Used where a match is acted on (the
#: addresses an opt-out asks us to suppress, a correction's new address).
ADDRESS_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")

#: Anything that looks like an address, loosely: used only to *hide* addresses (logs, SMTP
#: replies quoted back), where matching too much is harmless and matching too little leaks.
ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]\"',;:@]+@[A-Za-z0-9\-_.\[\]:]+")

_DELIVERABLE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(value: str | None) -> str | None:
    """The comparable form of an address (the rule in the module docstring), or None.

    Args:
        value: ``"Alice@Example.ORG"``, ``" <alice@example.org> "`` or
            ``"mailto:alice@example.org"``.

    Returns:
        ``"alice@example.org"``; None for an empty value or one that is not an address.
    """
    if not value:
        return None
    address = value.strip().strip("<>").strip()
    if _MAILTO.match(address):
        address = address[len("mailto:"):].strip().strip("<>").strip()
    address = address.lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or local.startswith("@") or _BAD_CHARS.search(address):
        return None
    return address


def at_domains(address: str | None, domains: Iterable[str]) -> bool:
    """Whether ``address`` (any form :func:`normalise` takes) is at one of ``domains``.

    Why here: the service (a forward from staff is never automatic) and ``classify`` must ask
    "is this one of ours?" by the same rule as every other address comparison.
    """
    found = normalise(address)
    if found is None:
        return False
    return found.rpartition("@")[2] in {d.strip().lower().lstrip("@") for d in domains}


def is_deliverable(address: str | None) -> bool:
    """True for a normalised-looking ``local@domain.tld``: one ``@``, a dot in the domain."""
    return bool(address) and bool(_DELIVERABLE.match(address or ""))


def find_addresses(text: str | None) -> list[str]:
    """Every address in ``text`` (:data:`ADDRESS_IN_TEXT`), normalised, first occurrence first."""
    found: dict[str, None] = {}
    for match in ADDRESS_IN_TEXT.finditer(text or ""):
        address = normalise(match.group(0).rstrip("."))
        if address:
            found[address] = None
    return list(found)


def mask(address: str) -> str:
    """``jo@example.org`` → ``j***@example.org``: enough to tell two apart, not to read one.

    The domain is what follows the *last* ``@``; without a local part only ``***`` shows.
    """
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


def mask_in_text(text: str, masker: Callable[[str], str] = mask) -> str:
    """Every address-like string in ``text`` (:data:`ADDRESS_LIKE`) replaced by ``masker(it)``."""
    return ADDRESS_LIKE.sub(lambda m: masker(m.group(0)), text)
