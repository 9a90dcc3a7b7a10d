"""Draft one reply, plain text and HTML, that answers every intent found in a message.

Staff approve, edit or reject each draft in Slack; nothing here sends anything. The message is
untrusted: its words are only ever *data* passed to a template (escaped in HTML), never template
source, and it cannot pick the template or the recipient. The template set is fixed by the
validated intent labels; templates come from an optional override directory named in the config
(``templates_dir``) and then from the templates shipped in this package.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from classifier.labels import LABELS, Label
from replies.corrections import correction_details_given
from replies.deadlines import receipt_date
from replies.notice import Notice, Section

__all__ = [
    "LABELS",
    "Draft",
    "DraftRequest",
    "Drafter",
    "IdentityPolicy",
    "identity_check_needed",
    "long_date",
    "reply_subject",
    "validate_intents",
]

# The only labels a draft can answer (classifier.labels.LABELS, re-exported). A label outside
# this set is a programming error upstream, never something a message can ask for.

# Quote at most this much of the person's message back to them (and to staff in the draft).
MAX_QUOTED_CHARS = 4000

#: The automatic confirmation's subject is fixed: a subject taken from the message would let a
#: forger make the organisation mail their words ("Re: Unsubscribe: evil.example/verify").
CONFIRMATION_SUBJECT = "Your request to stop marketing emails"


@dataclass(frozen=True)
class DraftRequest:
    """Everything a draft may say, gathered by the pipeline; the message's text is data only."""

    intents: tuple[str, ...]  # labels present, top first
    sender_name: str | None
    sender_address: str
    subject: str
    body_text: str  # the requester's own words, quoted history stripped
    received: datetime
    organisation_name: str
    support_address: str
    due: date | None = None  # for access requests and corrections
    ask_identity: bool = False  # access_request: ask for ID only when proportionate
    opt_out_applied: bool = False  # True when the suppression was already written
    # The addresses an opt-out covers when not just the sender's (e.g. "unsubscribe my
    # mother, m@example.net"); ``opt_out_needs_address`` when it is for someone unnamed.
    opt_out_addresses: tuple[str, ...] = ()
    opt_out_needs_address: bool = False
    # "erasure" (Art. 17) or "rectification" (Art. 16) for a correction; they get different
    # replies: an erasure draft never asks for "the correct details".
    sub_intent: str | None = None
    language: str | None = None  # the writer's language (ISO code); None: not detected


# Languages with a full set of translated templates (replies/templates/<code>/).
TEMPLATE_LANGUAGES = ("en", "de", "fr", "es")


def template_language(language: str | None) -> str:
    """The language a draft will be written in: the writer's when we have it, else English."""
    return language if language in TEMPLATE_LANGUAGES else "en"


@dataclass(frozen=True)
class Draft:
    """A drafted reply. ``notes`` are for staff only and never go into the email."""

    subject: str
    text: str
    html: str
    notes: tuple[str, ...] = field(default=())
    language: str = "en"


class IdentityPolicy(enum.StrEnum):
    """When an access request should ask for identity evidence (config ``identity_check``)."""

    ALWAYS = "always"
    NEVER = "never"
    WHEN_UNMATCHED = "when_unmatched"


def identity_check_needed(policy: IdentityPolicy | str, *, address_on_record: bool) -> bool:
    """Decide whether to ask an access requester for identity evidence.

    The ICO asks for ID only when it is reasonable and proportionate. A request from the very
    address we already hold is strong evidence by itself, so ``when_unmatched`` asks only when
    the sender's address is not on our records.

    Args:
        policy: ``"always"``, ``"never"`` or ``"when_unmatched"``.
        address_on_record: whether the sender's address matches one we hold for the person.

    Raises:
        ValueError: for an unknown policy.
    """
    match IdentityPolicy(policy):
        case IdentityPolicy.ALWAYS:
            return True
        case IdentityPolicy.NEVER:
            return False
        case IdentityPolicy.WHEN_UNMATCHED:
            return not address_on_record


def validate_intents(intents: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return the labels without duplicates, in the order given.

    Raises:
        ValueError: when there are none, or one is not in :data:`LABELS`.
    """
    unknown = [label for label in intents if label not in LABELS]
    if unknown:
        raise ValueError(f"unknown intent label(s) {unknown!r}; expected some of {LABELS}")
    if not intents:
        raise ValueError("a draft needs at least one intent")
    return tuple(dict.fromkeys(intents))


def long_date(value: date) -> str:
    """Format a date the British way, in full: ``Tuesday 23 December 2026``."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def reply_subject(subject: str) -> str:
    """Return ``"Re: <subject>"``, without stacking prefixes or keeping line breaks."""
    # A header must stay on one line; CR/LF in a subject could otherwise inject headers.
    flat = " ".join(subject.split())
    if re.match(r"(?i)re\s*:", flat):
        return flat
    return f"Re: {flat}" if flat else "Re: your email"


class Drafter:
    """Render drafts from the packaged templates, or from an override directory first.

    Args:
        notice: the privacy notice that general queries are answered from.
        templates_dir: a directory whose templates replace the packaged ones of the same name.
    """

    def __init__(self, notice: Notice, templates_dir: Path | None = None) -> None:
        loaders: list[BaseLoader] = [PackageLoader("replies", "templates")]
        if templates_dir is not None:
            if not Path(templates_dir).is_dir():
                raise ValueError(f"templates_dir {templates_dir} is not a directory")
            loaders.insert(0, FileSystemLoader(str(templates_dir)))
        self.notice = notice
        # Sandboxed as a second fence: override templates are written by staff, not by us.
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Compiled once and kept: without this every render (and every part it includes)
            # checked each template file's modification time. An edited override template is
            # read when the service restarts.
            auto_reload=False,
            cache_size=-1,
        )
        self.env.filters["longdate"] = long_date
        self.env.filters["quote"] = _quote
        # Notice sections scored ahead for a batch of queries (prefetch_sections); replaced
        # whole by the next batch, so it holds at most one batch and needs no lock.
        self._sections: dict[str, list[Section]] = {}

    def prefetch_sections(self, queries: Sequence[str]) -> None:
        """Score the notice for a batch of queries (``subject\\nbody``) in one go.

        A triage batch calls this before drafting; a later :meth:`draft` whose query is among
        them takes its sections from here instead of scoring the notice on its own.
        """
        unique = list(dict.fromkeys(queries))
        self._sections = dict(zip(unique, self.notice.relevant_sections_many(unique),
                                  strict=True))

    def draft(self, request: DraftRequest) -> Draft:
        """Draft one reply that answers each intent in turn.

        Raises:
            ValueError: when an intent label is unknown.
            jinja2.TemplateError: when an override template is broken (StrictUndefined makes a
                misspelt variable an error instead of a blank).
        """
        intents = validate_intents(request.intents)
        language = template_language(request.language)
        sections = (self._sections_for(request)
                    if Label.GENERAL_QUERY in intents and language == "en" else [])
        details_given = correction_details_given(request.body_text)
        context = self._context(request, intents, sections, details_given)
        parts = [_part_name(label, request.sub_intent) for label in intents]
        prefix = "" if language == "en" else f"{language}/"
        text = _tidy(self.env.get_template(f"{prefix}reply.txt.j2").render(
            context, parts=[f"{prefix}{part}.txt.j2" for part in parts]
        ))
        if language == "en":
            html = self.env.get_template("reply.html.j2").render(
                context, parts=[f"{part}.html.j2" for part in parts]
            )
        else:  # the translations are plain text; their HTML twin is the same words, escaped
            html = self.env.get_template("plain.html.j2").render(
                context, language=language, paragraphs=text.split("\n\n"))
        return Draft(
            subject=reply_subject(request.subject),
            text=text,
            html=html.strip() + "\n",
            notes=_notes(request, intents, sections, details_given),
            language=language,
        )

    def confirmation(self, *, sender_address: str, organisation_name: str,
                     support_address: str) -> Draft:
        """Draft the automatic opt-out confirmation, which nobody reviews before it goes.

        It says only what we did, to whom: a fixed subject, a greeting without a name, the
        one address taken off the list, and nothing the message said (its display name,
        subject and text are the sender's words, and the sender may be a forger).
        """
        context = {"sender_address": sender_address, "organisation_name": organisation_name,
                   "support_address": support_address}
        text = self.env.get_template("opt_out_confirmation.txt.j2").render(context)
        html = self.env.get_template("opt_out_confirmation.html.j2").render(context)
        return Draft(subject=CONFIRMATION_SUBJECT, text=_tidy(text), html=html.strip() + "\n")

    def _sections_for(self, request: DraftRequest) -> list[Section]:
        query = f"{request.subject}\n{request.body_text}"
        cached = self._sections.get(query)
        return list(cached) if cached is not None else self.notice.relevant_sections(query)

    @staticmethod
    def _context(
        request: DraftRequest,
        intents: tuple[str, ...],
        sections: list[Section],
        details_given: bool,
    ) -> dict[str, Any]:
        body = request.body_text.strip()
        if len(body) > MAX_QUOTED_CHARS:
            body = body[:MAX_QUOTED_CHARS].rstrip() + " [...]"
        return {
            "intents": intents,
            "several": len(intents) > 1,
            "sender_name": (request.sender_name or "").strip(),
            "sender_address": request.sender_address,
            "reply_subject": reply_subject(request.subject),
            "body": body,
            "received": _day_of(request.received),
            "organisation_name": request.organisation_name,
            "support_address": request.support_address,
            "due": request.due,
            "ask_identity": request.ask_identity,
            "opt_out_applied": request.opt_out_applied,
            "opt_out_addresses": list(request.opt_out_addresses or (request.sender_address,)),
            "opt_out_needs_address": request.opt_out_needs_address,
            "notice_sections": sections,
            "correction_details_given": details_given,
        }


def _notes(
    request: DraftRequest,
    intents: tuple[str, ...],
    sections: list[Section],
    details_given: bool,
) -> tuple[str, ...]:
    notes = []
    if Label.GENERAL_QUERY in intents and not sections:
        notes.append("No section of the privacy notice matched this question: please answer it.")
    if request.due is None and {Label.ACCESS_REQUEST, Label.CORRECTION} & set(intents):
        notes.append("No due date was given, so the draft does not state one.")
    if Label.CORRECTION in intents and request.sub_intent == "erasure":
        notes.append("Erasure request: check what must be kept (and say why) before sending; "
                     "one month to answer.")
    elif Label.CORRECTION in intents and not details_given:
        notes.append("The message does not seem to give the correct details: the draft asks.")
    language = template_language(request.language)
    if request.language and language != request.language:
        notes.append(f"Written in {request.language}; no template in that language, so the "
                     "draft is in English.")
    elif language != "en":
        notes.append(f"Drafted in the writer's language ({language}); the privacy notice is "
                     "not quoted in translation.")
    return tuple(notes)


def _part_name(label: str, sub_intent: str | None) -> str:
    return "erasure" if label == Label.CORRECTION and sub_intent == "erasure" else label


def _day_of(received: datetime) -> date:
    # A naive datetime is taken as already local: the draft only prints the day.
    return received.date() if received.tzinfo is None else receipt_date(received)


def _quote(text: str) -> str:
    """Prefix every line with "> ", the way mail clients quote the message being answered."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines()) or ">"


def _tidy(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines left by template blocks."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
