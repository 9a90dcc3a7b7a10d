"""Sender authentication read the way receiving MTAs record it (RFC 8601 Authentication-Results).

We do not check SPF, DKIM or DMARC ourselves: the organisation's own MX already did, and wrote
its verdict in an ``Authentication-Results`` header. Anybody can write such a header, so only the
ones stamped with an authserv-id the organisation trusts (``[imap] trusted_authserv_ids``) count,
and of those only the topmost: a trusted MX removes headers carrying its own id from incoming
mail (RFC 8601 section 5), so what sits above the first foreign hop is its own.

Everything here is pure: header fields in, a :class:`SenderAuth` out. The raw message is read
with a header-only parse (:func:`header_fields`), apart from the full MIME parse at ingest.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from fnmatch import fnmatchcase
from functools import lru_cache

import authres

_FOLD = re.compile(r"\r?\n[ \t]+")
_COMMENT = re.compile(r"\([^()]*\)")
_RECEIVED_BY = re.compile(r"\bby\s+([A-Za-z0-9.-]+)", re.IGNORECASE)
#: A value this long is not a real verdict; the parser is not asked to read it.
_MAX_VALUE = 8_000


class AuthStatus(enum.StrEnum):
    VERIFIED = "verified"          # an aligned DMARC, DKIM or SPF pass from a trusted server
    FAILED = "failed"              # dmarc=fail, or spf=fail with no aligned DKIM pass
    UNVERIFIED = "unverified"      # a trusted server said nothing that proves the From domain
    UNCONFIGURED = "unconfigured"  # no trusted authserv-id is configured: nothing can be proved


@dataclass(frozen=True)
class SenderAuth:
    """What the trusted server's verdict says about the From domain.

    Attributes:
        status: see :class:`AuthStatus`.
        detail: one line for staff, e.g. ``"dmarc=fail (mx.google.com)"``.
        authserv_id: the trusted server whose verdict was read, if any.
    """

    status: AuthStatus
    detail: str
    authserv_id: str | None = None

    @property
    def verified(self) -> bool:
        return self.status is AuthStatus.VERIFIED

    @property
    def failed(self) -> bool:
        return self.status is AuthStatus.FAILED


def header_fields(raw: bytes) -> list[tuple[str, str]]:
    """The message's header fields in order, unfolded, without parsing any body.

    The parser is given the header block only: even a header-only parse walks every line of
    the body (megabytes, for mail with attachments) to keep it as the payload.
    """
    parsed = BytesHeaderParser(policy=policy.compat32).parsebytes(header_block(raw))
    return [(name, _FOLD.sub(" ", str(value)).strip()) for name, value in parsed.raw_items()]


#: The first empty line, with the parser's line endings (CRLF, CR or LF; a CRLF is one, never
#: a CR and then an LF: hence the atomic groups).
_EMPTY_LINE = re.compile(rb"(?>\r\n|\r|\n)(?>\r\n|\r|\n)")


def header_block(raw: bytes) -> bytes:
    """``raw`` up to and including the empty line that ends its header, where the parser
    stops reading headers (``raw`` itself when there is none)."""
    end = _EMPTY_LINE.search(raw)
    return raw if end is None else raw[:end.end()]


def is_trusted(authserv_id: str, trusted: Iterable[str]) -> bool:
    """Match an authserv-id against the configured names (``*`` wildcards, any case)."""
    candidate = authserv_id.strip().lower().rstrip(".")
    return any(fnmatchcase(candidate, pattern.strip().lower()) for pattern in trusted
               if pattern.strip())


def authenticate(fields: Sequence[tuple[str, str]], from_domain: str | None,
                 trusted: Sequence[str]) -> SenderAuth:
    """Read the topmost trusted verdict about ``from_domain``.

    Steps:
      1. No trusted ids configured: UNCONFIGURED (nothing can be proved).
      2. Find the topmost Authentication-Results whose authserv-id is trusted; merge every
         header with that same id (Fastmail writes one header per method).
      3. ``dmarc=fail`` → FAILED; ``spf=fail`` with no DKIM pass aligned to the From domain →
         FAILED; an aligned ``dmarc``/``dkim``/``spf`` pass → VERIFIED; else UNVERIFIED.

    Args:
        fields: header fields top to bottom, as :func:`header_fields` returns them.
        from_domain: the domain of the (first) From address.
        trusted: the ``[imap] trusted_authserv_ids`` patterns.
    """
    if not any(t.strip() for t in trusted):
        return SenderAuth(AuthStatus.UNCONFIGURED, "no trusted authentication server configured")
    stamps = list(_stamps(fields))
    first = next((s for s in stamps if is_trusted(s[1], trusted)), None)
    if first is None:
        return SenderAuth(AuthStatus.UNVERIFIED,
                          "no Authentication-Results from a trusted server")
    start, chosen, _ = first
    # The trusted server's block ends at the next Received line below it: a header with the
    # same id further down was written before our MX saw the message, i.e. by the sender.
    stop = next((i for i, (name, _) in enumerate(fields)
                 if i > start and name.lower() == "received"), len(fields))
    parsed = [_parse(sid, value) for index, sid, value in stamps
              if sid == chosen and start <= index < stop]
    if any(p is None for p in parsed):
        # Part of the trusted verdict is unreadable: it might be the part that says "fail".
        return SenderAuth(AuthStatus.UNVERIFIED, f"unreadable verdict ({chosen})", chosen)
    results = [r for p in parsed if p for r in p]
    return _judge(results, (from_domain or "").lower().rstrip("."), chosen)


def _stamps(fields: Sequence[tuple[str, str]]) -> Iterable[tuple[int, str, str]]:
    """(position, authserv-id, value with the id first) per Authentication-Results, top first."""
    for index, (name, value) in enumerate(fields):
        if name.lower() != "authentication-results" or len(value) > _MAX_VALUE:
            continue
        head = _COMMENT.sub("", value).split(";", 1)[0].strip()
        if "=" in head:
            # Microsoft 365 (Exchange Online Protection) writes no authserv-id and puts the
            # tenant's domain between results ("smtp.mailfrom=x; contoso.com; dkim=pass").
            # Its verdict sits just above its own Received line, so that line's "by" host
            # stands for the id, and the bare domains are dropped.
            sid = _next_received_by(fields, index)
            if sid is None:
                continue
            parts = [p for p in value.split(";") if "=" in p]
            yield index, sid, f"{sid}; " + ";".join(parts)
        else:
            sid = head.split()[0] if head else ""
            if sid:
                yield index, sid.lower(), value


def _next_received_by(fields: Sequence[tuple[str, str]], index: int) -> str | None:
    for name, value in fields[index + 1:]:
        if name.lower() == "received":
            match = _RECEIVED_BY.search(_COMMENT.sub("", value))
            return match.group(1).lower().rstrip(".") if match else None
    return None


@dataclass(frozen=True)
class _Result:
    method: str
    result: str
    props: Mapping[str, str]


_METHOD = re.compile(r"\s*(?:dkim|spf|dmarc)\s*=", re.IGNORECASE)


@lru_cache(maxsize=512)
def _parse(sid: str, value: str) -> tuple[_Result, ...] | None:
    """The DKIM, SPF and DMARC results in one header; None when they cannot be read.

    Only those results are handed to authres: its parser costs about a millisecond per
    result, and Fastmail alone writes eight others (x-csa, bimi, arc, iprev, ...).
    """
    segments = value.split(";")[1:]
    wanted = [seg for seg in segments if _METHOD.match(_COMMENT.sub("", seg))]
    if not wanted:
        return ()
    try:
        header = authres.AuthenticationResultsHeader.parse_value(
            " ".join(f"{sid}; {';'.join(wanted)}".split()))
    except (authres.SyntaxError, authres.UnsupportedVersionError,
            authres.OrphanCommentError, ValueError):
        return None
    return tuple(_Result(r.method.lower(), (r.result or "").lower(),
                    {f"{p.type}.{p.name}".lower(): str(p.value or "") for p in r.properties})
            for r in header.results)


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment, approximated without the public suffix list: one domain is the
    other or a subdomain of it, and the shorter has at least two labels."""
    domain = domain.lower().strip().lstrip("@").rstrip(".")
    if not domain or not from_domain:
        return False
    if domain == from_domain:
        return True
    short, long_ = sorted((domain, from_domain), key=len)
    return short.count(".") >= 1 and long_.endswith("." + short)


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().strip('"<>')


def _judge(results: list[_Result], from_domain: str, sid: str) -> SenderAuth:
    def found(method: str, outcome: str) -> list[_Result]:
        return [r for r in results if r.method == method and r.result == outcome]

    def dkim_domain(r: _Result) -> str:
        return r.props.get("header.d") or _domain_of(r.props.get("header.i", ""))

    aligned_dkim = [r for r in found("dkim", "pass") if _aligned(dkim_domain(r), from_domain)]
    if found("dmarc", "fail"):
        return SenderAuth(AuthStatus.FAILED, f"dmarc=fail ({sid})", sid)
    if found("spf", "fail") and not aligned_dkim:
        return SenderAuth(AuthStatus.FAILED,
                          f"spf=fail and no DKIM pass for {from_domain or 'the From domain'} "
                          f"({sid})", sid)
    for r in found("dmarc", "pass"):
        if _aligned(r.props.get("header.from", from_domain), from_domain):
            return SenderAuth(AuthStatus.VERIFIED, f"dmarc=pass ({sid})", sid)
    if aligned_dkim:
        return SenderAuth(AuthStatus.VERIFIED,
                          f"dkim=pass for {dkim_domain(aligned_dkim[0])} ({sid})", sid)
    for r in found("spf", "pass"):
        if _aligned(_domain_of(r.props.get("smtp.mailfrom", "")), from_domain):
            return SenderAuth(AuthStatus.VERIFIED, f"spf=pass ({sid})", sid)
    seen = ", ".join(f"{r.method}={r.result}" for r in results
                     if r.method in ("dmarc", "dkim", "spf")) or "no SPF, DKIM or DMARC result"
    return SenderAuth(AuthStatus.UNVERIFIED, f"no aligned pass: {seen} ({sid})", sid)


def trust_warning(trusted: Sequence[str]) -> str | None:
    """The start-up warning when no sender can ever be verified, or None."""
    if any(t.strip() for t in trusted):
        return None
    return ("[imap] trusted_authserv_ids is empty: no sender can be verified, so opt-outs are "
            "suppressed but left open for staff and no confirmation is mailed. Set it to your "
            "MX's authserv-id (e.g. mx.google.com, *.protection.outlook.com).")
