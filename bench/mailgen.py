"""Realistic synthetic support mail for benchmarks (deterministic; no real people's text)."""

from __future__ import annotations

import random

_BODIES = [
    "Hello,\n\nPlease take me off your mailing list, I no longer want your newsletters.\n\n{name}",
    ("Hi there,\n\nCould you send me a copy of all the personal information you hold about me?"
    "\n\nKind regards,\n{name}\n{street}\n"),
    ("Dear CA Plus,\n\nI have moved. Please update my address to {street}, Nottingham.\n\n"
    "Thanks\n{name}"),
    "Hello, what cookies does your website use, and do you share my data with anyone?\n{name}",
    ("Hi,\n\nI booked the training day on {day} but never got a confirmation. Can you check?\n\n"
    "{name}\n--\nSent from my phone"),
    ("Please delete my account and everything you hold about me.\n\n{name}\n\n"
    "On Mon, 2 Nov 2026 at 10:00, CA Plus <news@caplus.org.uk> wrote:\n> Our November news\n"
    "> Events, training and updates from the team.\n> Unsubscribe any time.\n"),
    "<html><body><p>Hello,</p><p>Stop emailing me <b>now</b>.</p><p>{name}</p></body></html>",
]
_NAMES = ["Priya Shah", "Tom Okafor", "Jane Evans", "Sam Lee", "Aisha Khan", "Lena Fischer",
          "Noah Wilson", "Chris Martin", "Maria Garcia", "Piotr Nowak"]


def generate(count: int, seed: int = 7) -> list[bytes]:
    """``count`` distinct RFC 822 messages, mixed like a support inbox."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = rng.choice(_NAMES)
        body = rng.choice(_BODIES).format(name=name, street=f"{rng.randint(1, 200)} Mill Lane",
                                          day=f"{rng.randint(1, 28)} October")
        sender = f"{name.split()[0].lower()}.{i}@example.org"
        ctype = "text/html" if body.startswith("<html>") else "text/plain"
        out.append((
            f"From: {name} <{sender}>\r\nTo: support@caplus.org.uk\r\n"
            f"Subject: Message {i}\r\nMessage-ID: <bench-{i}-{seed}@example.org>\r\n"
            f"Date: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {ctype}; charset=utf-8\r\n\r\n{body}\r\n"
        ).replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode())
    return out
