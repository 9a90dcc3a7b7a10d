"""Hostile and broken mail for the mail-edge tests and the bench: named pathological messages,
and hypothesis strategies that mutate real messages the way the outside world breaks them.

Used by tests/unit/mail/test_edge_properties.py, tests/integration/test_mail_edge_store.py,
tests/integration/test_corpora_dovecot.py, tests/unit/mail/test_bounds.py,
bench/bench_mail_edge.py and bench/bench_mail_bounds.py.
"""

from __future__ import annotations

import base64

from hypothesis import strategies as st

#: Small real-looking messages to mutate (tests must not need ../shared).
SEEDS: tuple[bytes, ...] = (
    (b"From: Alice Smith <alice@example.org>\r\nTo: support@caplus.org.uk\r\n"
     b"Subject: Please remove me\r\nMessage-ID: <seed-1@example.org>\r\n"
     b"Date: Mon, 05 Jan 2026 10:00:00 +0000\r\n\r\nPlease remove me from your mailing list.\r\n"),
    "From: Jürgen Müller <juergen@exämple.de>\r\nTo: support@caplus.org.uk\r\n"
    "Subject: Auskunft über meine Daten\r\nMessage-ID: <seed-2@example.de>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "Bitte senden Sie mir eine Kopie meiner Daten.\r\n\r\nOn Mon, 1 Jan 2026 Bob <b@x.y> wrote:\r\n"
    "> old text\r\n".encode(),
    b"From: =?iso-8859-1?q?Ren=E9e?= <renee@example.fr>\r\nTo: support@caplus.org.uk\r\n"
    b"Subject: =?utf-8?b?Q29ycmVjdGlvbiDDoCBmYWlyZQ==?=\r\nMessage-ID: <seed-3@example.fr>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
    b"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"
    b"--b2\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\nMon adresse a chang=E9.\r\n"
    b"--b2\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + base64.encodebytes("<p>Mon adresse a changé.</p>".encode()) + b"--b2--\r\n"
    b"--b1\r\nContent-Type: application/pdf; name=\"r\xe9sum\xe9.pdf\"\r\n"
    b"Content-Disposition: attachment; filename=\"r\xe9sum\xe9.pdf\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n",
)


def parameter_heavy_multipart(parts: int = 800, parameters: int = 200) -> bytes:
    """A multipart message of ``parts`` parts, each Content-Type carrying ``parameters`` of them.

    Unbounded, the stdlib parser takes tens of seconds on the default; the mail edge keeps only
    ``headers.MAX_PARAMETERS`` and ``mime.MAX_PARTS``. ``parameters=0`` is the same message with
    plain headers: the bench's baseline.
    """
    params = b"; ".join(b"p%d=v" % i for i in range(parameters))
    part = (b"--b\nContent-Type: application/x-%d" + (b"; " + params if params else b"")
            + b"\n\nhi\n")
    return (b"From: alice@example.org\nSubject: crafted\n"
            b'Content-Type: multipart/mixed; boundary="b"\n\n'
            + b"".join(part % k for k in range(parts)) + b"--b--\n")


def huge_recipient_list(count: int = 30_000, *, in_body: bool = False) -> bytes:
    """A ``To:`` header of ``count`` addresses (about 600 KB); ``in_body=True`` puts the same
    bytes in the body instead, the bench's baseline for what merely reading that much costs."""
    to = b", ".join(b"user%d@example.org" % i for i in range(count))
    if in_body:
        return b"From: alice@example.org\nSubject: crafted\n\n" + to + b"\n"
    return b"From: alice@example.org\nSubject: crafted\nTo: " + to + b"\n\nhi\n"


def megabyte_of_encoded_words_in_subject(*, in_body: bool = False) -> bytes:
    """50,000 RFC 2047 encoded words in the Subject (1 MB); ``in_body=True``: in the body."""
    words = b" ".join([b"=?utf-8?q?caf=C3=A9?="] * 50_000)
    if in_body:
        return b"From: alice@example.org\nSubject: crafted\n\n" + words + b"\n"
    return b"From: alice@example.org\nSubject: " + words + b"\n\nhi\n"


def _nested(depth: int) -> bytes:
    head = b"".join(
        b"--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n" % (i, i + 1)
        for i in range(depth)
    )
    tail = b"".join(b"\r\n--n%d--\r\n" % i for i in reversed(range(depth + 1)))
    return (b"From: deep@example.org\r\nSubject: nesting\r\n"
            b"Content-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n" + head
            + b"--n%d\r\nContent-Type: text/plain\r\n\r\nhello from the bottom\r\n" % depth
            + tail)


def _many_headers(count: int) -> bytes:
    return (b"From: many@example.org\r\nSubject: headers\r\n"
            + b"".join(b"X-Header-%d: value %d\r\n" % (i, i) for i in range(count))
            + b"\r\nbody\r\n")


#: Messages that once made parsing or splitting slow, huge or crash; each must parse in well
#: under a second of CPU (see bench/bench_mail_edge.py for the figures).
PATHOLOGICAL: dict[str, bytes] = {
    "quadratic reply header line": (
        b"From: bob@x.y\r\nSubject: q\r\n\r\n"
        + (b"On Mon, 1 Jan 2026 Bob <b@x.y> " * 1000)[:31_000] + b"\r\n"),
    "reply header lines of 499 characters": (
        b"From: bob@x.y\r\nSubject: q\r\n\r\n"
        + ((b"On Mon, 1 Jan 2026 Bob <b@x.y> " * 20)[:499] + b"\r\n") * 60),
    "1,000-level nesting": _nested(1000),
    "10,000 headers": _many_headers(10_000),
    "encoded words that expand hugely": (
        b"From: =?utf-8?b?" + base64.b64encode("\u00e9".encode() * 30_000)
        + b"?= <huge@example.org>\r\nSubject: " + b"=?utf-8?q?=E2=80=8B?= " * 20_000
        + b"\r\n\r\nbody\r\n"),
    "NUL in an encoded display name": (
        b"From: =?utf-8?q?Bob=00Evil?= <bob@example.org>\r\nSubject: =?utf-8?b?AGhp?=\r\n"
        b"\r\nbody\x00with NUL\r\n"),
    "raw 8-bit UTF-8 From": "From: Jürgen Müller <j@exämple.de>\r\nSubject: Grüße\r\n\r\nHallo\r\n"
    .encode(),
    "undeclared latin-1 header": b"From: Ren\xe9e <r@example.fr>\r\nSubject: caf\xe9\r\n\r\nx\r\n",
    "homoglyph domain": "From: Pаypal <support@pаypal.com>\r\nSubject: hi\r\n\r\nx\r\n".encode(),
    "many disclaimers": b"From: d@x.y\r\nSubject: d\r\n\r\n" + b"Warning: this e " * 4000,
    "many sign-offs": b"From: d@x.y\r\nSubject: d\r\n\r\n" + b"Thanks,\r\nBob\r\n" * 4000,
    "Outlook header block storm": b"From: d@x.y\r\nSubject: d\r\n\r\n" + b"From: a\r\n" * 5000,
    "broken base64": (b"From: b@x.y\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      b"Content-Transfer-Encoding: base64\r\n\r\n!!!=QUJD*&^\r\nAAA\r\n"),
    "unknown charset with 8-bit body": (b"From: b@x.y\r\nContent-Type: text/plain; charset=x-nope"
                                        b"\r\n\r\n\xff\xfe\x00\xd8\xc3\r\n"),
    "boundary never closed": (b"From: b@x.y\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
                              b"--zz\r\nContent-Type: text/plain\r\n\r\nunfinished"),
}

_HEADER_END = b"\r\n\r\n"


def _header_span(raw: bytes) -> int:
    end = raw.find(_HEADER_END)
    return end if end > 0 else len(raw)


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[bytes, ...] = SEEDS) -> bytes:
    """A seed message broken in one to three of the ways real mail is broken."""
    raw = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from((
            "8bit-header", "truncate", "boundary", "base64", "qp", "charset", "nul",
            "encoded-word", "bytes",
        )))
        head = _header_span(bytes(raw))
        if kind == "8bit-header" and head:
            at = draw(st.integers(0, max(0, head - 1)))
            raw[at:at] = draw(st.binary(min_size=1, max_size=6).map(
                lambda b: bytes(x | 0x80 for x in b)))
        elif kind == "truncate" and raw:
            del raw[draw(st.integers(1, len(raw))):]
        elif kind == "boundary":
            raw = bytearray(bytes(raw).replace(b"--b", draw(st.sampled_from(
                (b"--", b"-- b", b"--B", b"--b\x00", b"")))))
        elif kind == "base64":
            raw = bytearray(bytes(raw).replace(b"Content-Transfer-Encoding: 8bit",
                                               b"Content-Transfer-Encoding: base64")
                            .replace(b"JVBERi0x", b"JV*E=i!x"))
        elif kind == "qp":
            raw = bytearray(bytes(raw).replace(b"=E9", b"=Z\xe9=").replace(
                b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: quoted-printable"))
        elif kind == "charset":
            label = draw(st.sampled_from((b"x-unknown", b"utf-16", b"utf-7", b"shift_jis",
                                          b"iso-2022-jp", b"\"\"", b"utf-8\x00", b"koi8-r")))
            raw = bytearray(bytes(raw).replace(b"utf-8", label).replace(b"iso-8859-1", label))
        elif kind == "nul" and raw:
            at = draw(st.integers(0, len(raw)))
            raw[at:at] = b"\x00" * draw(st.integers(1, 4))
        elif kind == "encoded-word":
            word = draw(st.sampled_from((
                b"=?utf-8?q?=00=FF?=", b"=?x-bogus?b?//79?=", b"=?utf-8?b?====?=",
                b"=?iso-8859-1?q?" + b"=E9" * 300 + b"?=", b"=?utf-16?b?2D3dAA==?=")))
            raw[0:0] = b"Subject: " + word + b"\r\nFrom: " + word + b" <w@x.y>\r\n"
        elif kind == "bytes":
            at = draw(st.integers(0, len(raw)))
            raw[at:at] = draw(st.binary(max_size=40))
    return bytes(raw)
