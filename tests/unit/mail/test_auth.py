"""Sender authentication from real Authentication-Results samples (Gmail, Microsoft 365,
Fastmail), written here literally, and the forgeries the issue probed."""

from __future__ import annotations

from email import policy
from email.parser import BytesHeaderParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.mail.auth import (
    _FOLD,
    AuthStatus,
    authenticate,
    header_fields,
    is_trusted,
    trust_warning,
)

# Gmail, a message from oracle.com to a list member (public list archive, 2019).
GMAIL_PASS = b"""Received: from userp2130.oracle.com (userp2130.oracle.com. [156.151.31.86])
        by mx.google.com with ESMTPS id d71si833482jab.10.2019.06.12.15.32.08
        for <linux-mm@kvack.org>
        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);
        Wed, 12 Jun 2019 15:32:08 -0700 (PDT)
Received-SPF: pass (google.com: domain of daniel.m.jordan@oracle.com designates 156.151.31.86 as permitted sender) client-ip=156.151.31.86;
Authentication-Results: mx.google.com;
       dkim=pass header.i=@oracle.com header.s=corp-2018-07-02 header.b=lhk5qU4z;
       spf=pass (google.com: domain of daniel.m.jordan@oracle.com designates 156.151.31.86 as permitted sender) smtp.mailfrom=daniel.m.jordan@oracle.com;
       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=oracle.com
Received: from pps.filterd (userp2130.oracle.com [127.0.0.1])
\tby userp2130.oracle.com (8.16.0.27/8.16.0.27) with SMTP id x5CMTs85064050;
\tWed, 12 Jun 2019 22:31:48 GMT
From: Daniel Jordan <daniel.m.jordan@oracle.com>
Subject: Re: patch

body
"""

# Gmail, DMARC failing for pex.com (public list archive, 2019).
GMAIL_DMARC_FAIL = b"""Received-SPF: softfail (google.com: domain of transitioning stepan@pex.com does not designate 209.85.220.65 as permitted sender) client-ip=209.85.220.65;
Authentication-Results: mx.google.com;
       dkim=pass header.i=@pex-com.20150623.gappssmtp.com header.s=20150623 header.b=zwziYVWi;
       spf=softfail (google.com: domain of transitioning stepan@pex.com does not designate 209.85.220.65 as permitted sender) smtp.mailfrom=stepan@pex.com;
       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=pex.com
From: stepan@pex.com

body
"""

# Microsoft 365 (Exchange Online Protection): no authserv-id, tenant domains between results.
M365_PASS = b"""Received: from SY4AUS01FT008.eop-AUS01.prod.protection.outlook.com
 (2603:10c6:0:2e:cafe::d8) by SYXPR01CA0095.outlook.office365.com
 (2603:10c6:0:2e::28) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.3654.12 via Frontend
 Transport; Thu, 10 Dec 2020 23:01:48 +0000
Authentication-Results: spf=softfail (sender IP is 148.163.150.14)
 smtp.mailfrom=gmail.com; wisetechglobal.com; dkim=pass (signature was
 verified) header.d=gmail.com;wisetechglobal.com; dmarc=pass action=none
 header.from=gmail.com;compauth=pass reason=100
Received-SPF: SoftFail (protection.outlook.com: domain of transitioning
 gmail.com discourages use of 148.163.150.14 as permitted sender)
Received: from mx0a-00288b01.pphosted.com (148.163.150.14) by
 SY4AUS01FT008.mail.protection.outlook.com (10.114.156.126) with Microsoft
 SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id
 15.20.3654.12 via Frontend Transport; Thu, 10 Dec 2020 23:01:46 +0000
Authentication-Results-Original: ppops.net;\tspf=pass
 smtp.mailfrom=bigbadbennybrother@gmail.com;\tdkim=pass header.s=20161025
 header.d=gmail.com;\tdmarc=pass header.from=gmail.com
From: Benjamin Sutas <bigbadbennybrother@gmail.com>
Subject: Re: hihi

body
"""

# Fastmail: one header per method, all stamped mx2.messagingengine.com.
FASTMAIL_PASS = b"""Authentication-Results: mx2.messagingengine.com;
    x-csa=none;
    x-me-sender=none;
    x-ptr=fail smtp.helo=EUR05-DB8-obe.outbound.protection.outlook.com
      policy.ptr=mail-db8eur05olkn2101.outbound.protection.outlook.com
Authentication-Results: mx2.messagingengine.com;
    bimi=skipped (DMARC Policy is not at enforcement)
Authentication-Results: mx2.messagingengine.com;
    arc=pass (as.1.microsoft.com=pass, ams.1.microsoft.com=pass)
      smtp.remote-ip=40.92.89.101
Authentication-Results: mx2.messagingengine.com;
    dkim=pass (2048-bit rsa key sha256) header.d=hotmail.com
      header.i=@hotmail.com header.b=FbLQTic7 header.a=rsa-sha256
      header.s=selector1 x-bits=2048;
    dmarc=pass policy.published-domain-policy=none
      policy.applied-disposition=none policy.evaluated-disposition=none
      (p=none,d=none,d.eval=none) policy.policy-from=p
      header.from=hotmail.com;
    iprev=pass smtp.remote-ip=40.92.89.101
      (mail-db8eur05olkn2101.outbound.protection.outlook.com);
    spf=pass smtp.mailfrom=alice@hotmail.com
      smtp.helo=EUR05-DB8-obe.outbound.protection.outlook.com
ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none;
 dkim=none; arc=none
From: <alice@hotmail.com>
To: <alice@fastmail.com>

body
"""


def _auth(raw: bytes, domain: str, trusted: list[str]):
    return authenticate(header_fields(raw.replace(b"\n", b"\r\n")), domain, trusted)


@pytest.mark.parametrize("raw, domain, trusted, status", [
    (GMAIL_PASS, "oracle.com", ["mx.google.com"], AuthStatus.VERIFIED),
    (GMAIL_DMARC_FAIL, "pex.com", ["mx.google.com"], AuthStatus.FAILED),
    (M365_PASS, "gmail.com", ["*.protection.outlook.com"], AuthStatus.VERIFIED),
    (FASTMAIL_PASS, "hotmail.com", ["*.messagingengine.com"], AuthStatus.VERIFIED),
    # A verdict from a server we do not trust proves nothing.
    (GMAIL_PASS, "oracle.com", ["mx.example.net"], AuthStatus.UNVERIFIED),
    # Nothing configured: nothing can be proved.
    (GMAIL_PASS, "oracle.com", [], AuthStatus.UNCONFIGURED),
    # A pass for another domain than the From domain does not count.
    (GMAIL_PASS, "bank.example", ["mx.google.com"], AuthStatus.UNVERIFIED),
])
def test_it_reads_real_verdicts_from_the_trusted_server_only(raw, domain, trusted, status):
    assert _auth(raw, domain, trusted).status is status


def test_a_dmarc_fail_names_the_server_that_said_so():
    verdict = _auth(GMAIL_DMARC_FAIL, "pex.com", ["mx.google.com"])
    assert verdict.failed and verdict.detail == "dmarc=fail (mx.google.com)"


def _mail(*headers: str) -> bytes:
    return ("\r\n".join((*headers, "From: victim@bank.example", "", "unsubscribe"))).encode()


TRUSTED = ["mx.example.org"]
MX_RECEIVED = "Received: from sender.example (1.2.3.4) by mx.example.org; Mon, 23 Nov 2026"


@pytest.mark.parametrize("headers, status", [
    ((MX_RECEIVED,), AuthStatus.UNVERIFIED),   # no authentication header at all
    (("Authentication-Results: mx.example.org; dmarc=fail header.from=bank.example",
      MX_RECEIVED), AuthStatus.FAILED),
    (("Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=bank.example",
      MX_RECEIVED), AuthStatus.FAILED),
    # spf=fail is forgiven when a DKIM signature of the From domain passed.
    ((("Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=bounce.example; "
      "dkim=pass header.d=bank.example"), MX_RECEIVED), AuthStatus.VERIFIED),
    # ... but not a DKIM signature of somebody else's domain.
    ((("Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=bank.example; "
      "dkim=pass header.d=evil.example"), MX_RECEIVED), AuthStatus.FAILED),
    (("Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=mail.bank.example",
      MX_RECEIVED), AuthStatus.VERIFIED),
    (("Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=bank.example",
      MX_RECEIVED), AuthStatus.UNVERIFIED),
    # The topmost trusted header wins over a forged pass below our MX's Received line.
    (("Authentication-Results: mx.example.org; dmarc=fail header.from=bank.example",
      MX_RECEIVED,
      "Authentication-Results: mx.example.org; dmarc=pass header.from=bank.example"),
     AuthStatus.FAILED),
    # A forged "pass" with our MX's id, written by the sender below our MX's Received line,
    # is not merged into our MX's verdict.
    (("Authentication-Results: mx.example.org; spf=none", MX_RECEIVED,
      "Authentication-Results: mx.example.org; dmarc=pass header.from=bank.example"),
     AuthStatus.UNVERIFIED),
    # A forged pass from an untrusted server proves nothing.
    (("Authentication-Results: evil.example; dmarc=pass header.from=bank.example",),
     AuthStatus.UNVERIFIED),
    # A verdict that cannot be read in full proves nothing, even beside a pass.
    ((("Authentication-Results: mx.example.org; dmarc=fail (unclosed; "
      "dkim=pass header.d=bank.example"), MX_RECEIVED), AuthStatus.UNVERIFIED),
    # Garbage after a trusted id is no verdict, and no crash.
    (("Authentication-Results: mx.example.org; ;;; =(((", MX_RECEIVED),
     AuthStatus.UNVERIFIED),
])
def test_it_judges_the_issue_probes(headers, status):
    assert authenticate(header_fields(_mail(*headers)), "bank.example", TRUSTED).status is status


@pytest.mark.parametrize("sid, patterns, trusted", [
    ("mx.google.com", ["mx.google.com"], True),
    ("MX.Google.com", ["mx.google.com"], True),
    ("sy4aus01ft008.mail.protection.outlook.com", ["*.protection.outlook.com"], True),
    ("protection.outlook.com.evil.example", ["*.protection.outlook.com"], False),
    ("mx.google.com.evil.example", ["mx.google.com"], False),
    ("anything", [""], False),
])
def test_authserv_ids_match_with_wildcards(sid, patterns, trusted):
    assert is_trusted(sid, patterns) is trusted


def test_an_empty_trust_list_gives_one_warning_and_a_configured_one_none():
    assert "trusted_authserv_ids" in (trust_warning([]) or "")
    assert trust_warning(["mx.google.com"]) is None


_LINE_ENDS = st.sampled_from(["\r\n", "\n", "\r", "\r\r\n", "\n\r", ""])
_HEADER_LINE = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(["From", "To", "Authentication-Results",
                                                "Reply-To", "Subject", "X-Odd", "From "]),
              st.text(alphabet="abc@<>. =;\t", max_size=20)),
    st.text(alphabet=" \tabc:;", max_size=8),  # folds, blank-ish lines, non-header lines
)
_MESSAGE = st.lists(st.tuples(_HEADER_LINE, _LINE_ENDS), max_size=12).map(
    lambda lines: "".join(a + b for a, b in lines).encode("utf-8", "surrogateescape"))


@settings(max_examples=400, deadline=None)
@given(head=_MESSAGE, body=_MESSAGE)
def test_header_fields_of_the_header_block_are_those_of_the_whole_message(head: bytes,
                                                                          body: bytes):
    raw = head + body
    whole = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    expected = [(n, _FOLD.sub(" ", str(v)).strip()) for n, v in whole.raw_items()]
    assert header_fields(raw) == expected
