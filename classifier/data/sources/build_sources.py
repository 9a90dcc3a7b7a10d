"""Rebuild the real-data JSONL files in this folder from local clones of their public origins.

Run once by hand when a source changes (``python -m classifier.data.sources.build_sources
--datenanfragen DIR --banking77 DIR --clinc DIR --privacyqa DIR
--gdpr-documents DIR --dmarti DIR --justvanish DIR --dstc11 DIR --eraser DIR
--banta DIR --ssfdre38 DIR --opt-out-manual DIR --jdm DIR --eraser-uk DIR
--multidogo DIR``; each DIR is a git clone of the
repository named in SOURCES.md). Texts are read from the commit recorded in SOURCES.md, so the
output is the same on every run. Nothing here runs at training or run time: the committed JSONL
files are the data.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import random
import re
import subprocess
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

COMMITS = {
    "datenanfragen/data": "0a29c3d6feee53b02e73204a3dbd312eafe56629",
    "PolyAI-LDN/task-specific-datasets": "57ec275d8078af65b7731c2a98be812d844a6d6b",
    "clinc/oos-eval": "828f8093932c8fe6ca7936c3d2e52903b1c523de",
    "AbhilashaRavichander/PrivacyQA_EMNLP": "5178ff3eaf61cbdaea03d85ff23b676b3fea451f",
    "good-lly/gdpr-documents": "101be9594739e80a6bf1f0716e78d9f3c8ca13b4",
    "dmarti/privacy-docs": "ded6325419b34e269dfcf5d9efff434bb3853c3c",
    "AnalogJ/justvanish": "9b9c579b7309c080ab6b17345a4933c1b6aad555",
    "amazon-science/dstc11-track2-intent-induction": "969b95a0d7365fbc6cd0e05989f1be6b44e6680c",
    "drumandbytes/eraser": "2283fe28d5f70f9d2012d23ba7444bd7ee641bba",
    "Banta-Technologies/data-broker-remover": "96147f8b7a2b6828b8028920835cef9e988e83f5",
    "ssfdre38/data-broker-removal": "b1c41ae5edabfc89d4e2597a1b654d1ea7647d0d",
    "thumpersecure/opt-out-manual-2026": "d6ea76811e03c4213a39fd9ad1ea031b6095ae0b",
    "jdm-contrib/jdm": "4762ba504d847e3f494177dc4d92641b292cd56d",
    # The commit that put the data under CDLA-Permissive-1.0 (LICENSE.txt); the data files are
    # those of 286e8f0, unchanged since.
    "awslabs/multi-domain-goal-oriented-dialogues-dataset":
        "baa30639c4b271f394b81443c842193407cdf26d",
}

# Made-up identities for the templates' {id_data} block, one per language.
_PEOPLE = {
    "en": ("Oliver Bennett", "27 Station Road, Leeds LS6 2AB", "o.bennett@example.co.uk"),
    "de": ("Lena Hoffmann", "Lindenstraße 14, 50674 Köln", "lena.hoffmann@example.de"),
    "fr": ("Camille Durand", "12 rue des Lilas, 69003 Lyon", "camille.durand@example.fr"),
    "es": ("Lucía Martínez", "Calle Mayor 8, 28013 Madrid", "lucia.martinez@example.es"),
    "it": ("Giulia Rossi", "Via Roma 21, 20121 Milano", "giulia.rossi@example.it"),
    "nl": ("Daan de Vries", "Keizersgracht 100, 1015 AA Amsterdam", "daan.devries@example.nl"),
    "pt": ("Inês Costa", "Rua Augusta 45, 1100-048 Lisboa", "ines.costa@example.pt"),
    "cs": ("Jana Nováková", "Vinohradská 12, 120 00 Praha 2", "jana.novakova@example.cz"),
    "hr": ("Ivana Horvat", "Ilica 15, 10000 Zagreb", "ivana.horvat@example.hr"),
    "el": ("Μαρία Παπαδοπούλου", "Ερμού 10, 10563 Αθήνα", "maria.p@example.gr"),
    "ro": ("Andrei Popescu", "Strada Lipscani 5, București", "andrei.popescu@example.ro"),
    "sv": ("Erik Johansson", "Storgatan 3, 111 51 Stockholm", "erik.johansson@example.se"),
    "pl": ("Katarzyna Wiśniewska", "ul. Długa 7, 00-238 Warszawa", "k.wisniewska@example.pl"),
}
_TEMPLATE_LABELS = {
    "access": ("access_request", None),
    "erasure": ("correction", "erasure"),
    "rectification": ("correction", "rectification"),
    "objection": ("opt_out", None),
}
_FLAG = re.compile(r"\[(\w+)>([^\[\]]*)\]")
# Swedish access, erasure and objection letters were offered to datenanfragen/data in pull
# requests #1516, #1518 and #1519 (2021, contributions under the repository's CC0 licence) and
# never merged; each is read from its own commit. Their translator also translated the flag
# names, so they are mapped back.
_EXTRA_TEMPLATES = {
    "templates/sv/access-default.txt": "d3ae7f709ce738c083b78d1826f9037e1447d4aa",
    "templates/sv/erasure-default.txt": "e589d3885f2691f934d7b827a638a9ca202322f8",
    "templates/sv/objection-default.txt": "88c3d898a1abfe975a78dad6478f7d7bec56ad59",
}
_FLAG_ALIASES = {"kör": "runs", "har_fält": "has_fields", "dataportabilitet": "data_portability"}


def _git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def _git_ls(repo: Path, commit: str, under: str) -> list[str]:
    # -z: paths with non-ASCII letters ("docs/cz_česky/...") come back unquoted.
    out = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", commit,
                          under], check=True, capture_output=True).stdout.decode("utf-8")
    return sorted(name for name in out.split("\0") if name)


def render_template(text: str, lang: str, variant: int) -> str:
    """Fill one datenanfragen template: variant 0 drops optional blocks, variant 1 keeps them."""
    name, address, mail = _PEOPLE.get(lang, _PEOPLE["en"])

    def flag(m: re.Match[str]) -> str:
        key, body = _FLAG_ALIASES.get(m.group(1), m.group(1)), m.group(2)
        if key == "erase_all":
            return body if variant == 0 else ""
        if key == "erase_some":
            return body if variant == 1 else ""
        if key == "has_fields":
            return body
        return body if variant == 1 else ""

    # Flags nest ("[erase_some>... [include_objection>...] ...]"): resolve the innermost first,
    # until none is left.
    while (resolved := _FLAG.sub(flag, text)) != text:
        text = resolved
    # One upstream template (de/erasure-katholische-kirche) opens a flag it never closes: keep
    # its text and drop the stray marker.
    text = re.sub(r"\[\w+>", "", text)
    values = {
        "id_data": f"{name}\n{address}\n{mail}\n",
        "runs_list": "Example Mail, Example Maps",
        "erasure_data": mail,
        "rectification_data": f"{address} → Hauptstraße 2, 10115 Berlin" if lang == "de"
        else f"{mail} → {mail.replace('@', '.new@')}",
        "objection_reason": "",
        "request_article": "15",
        "request_date": "2026-03-02",
        "request_recipient_address": "Example Ltd, 1 Example Street",
    }
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + f"\n\n{name}"


def datenanfragen(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["datenanfragen/data"]
    rows = []
    paths = dict.fromkeys(_git_ls(repo, commit, "templates"), commit)
    paths.update({p: c for p, c in _EXTRA_TEMPLATES.items() if p not in paths})
    for path in sorted(paths):
        lang, name = path.split("/")[1], path.split("/")[2]
        kind = name.split("-")[0]
        if kind not in _TEMPLATE_LABELS:
            continue  # admonition / complaint: see SOURCES.md
        label, sub = _TEMPLATE_LABELS[kind]
        raw = _git_show(repo, paths[path], path)
        texts = dict.fromkeys(render_template(raw, lang, v) for v in (0, 1))
        for text in texts:
            rows.append(_row(text, label, sub, lang, f"datenanfragen/data:{path}", "template"))
    return rows


def _row(text: str, label: str, sub: str | None, lang: str, source: str,
         kind: str, labels: Sequence[str] = ()) -> dict[str, Any]:
    """One JSONL row; ``labels`` lists every request of a letter that makes several, ``label``
    first (SOURCES.md), and is stored only then."""
    row: dict[str, Any] = {"text": text, "label": label, "lang": lang, "source": source,
                           "kind": kind}
    if sub:
        row["sub_intent"] = sub
    if len(labels) > 1:
        if labels[0] != label:
            raise ValueError(f"{source}: labels {labels} do not start with {label!r}")
        row["labels"] = list(labels)
    return row


BANKING_MAP = {
    "edit_personal_details": ("correction", "rectification"),
    "terminate_account": ("correction", "erasure"),
}


def _intent_rows(by_intent: dict[str, list[str]], mapping: Mapping[str, tuple[str, str | None]],
                 rng: random.Random, per_other: int, source: str,
                 left_out: Collection[str] = (),
                 per_mapped: int | None = None) -> list[dict[str, Any]]:
    """The rows of one intent dataset's split: every text of a mapped intent under its label
    (at most ``per_mapped``, sampled, where one intent would outweigh the others),
    ``per_other`` sampled texts of each other intent as general_query.

    Intents are taken in sorted order and sampled from sorted, de-duplicated texts, so one
    seeded ``rng`` gives the same rows on every run; ``source`` is formatted with the intent.
    """
    rows = []
    for intent in sorted(by_intent):
        if intent in left_out:
            continue
        texts = sorted(set(by_intent[intent]))
        if intent in mapping:
            label, sub = mapping[intent]
            chosen = texts if per_mapped is None else sorted(
                rng.sample(texts, min(per_mapped, len(texts))))
        else:
            label, sub = "general_query", None
            chosen = rng.sample(texts, min(per_other, len(texts)))
        rows += [_row(t, label, sub, "en", source.format(intent), "dataset") for t in chosen]
    return rows


def banking77(repo: Path, per_other: int = 6) -> list[dict[str, Any]]:
    commit = COMMITS["PolyAI-LDN/task-specific-datasets"]
    rng = random.Random(77)
    rows = []
    for split in ("train", "test"):
        path = f"banking_data/{split}.csv"
        by_cat: dict[str, list[str]] = {}
        for rec in csv.DictReader(io.StringIO(_git_show(repo, commit, path))):
            by_cat.setdefault(rec["category"].strip(), []).append(rec["text"].strip())
        rows += _intent_rows(by_cat, BANKING_MAP, rng, per_other,
                             f"PolyAI-LDN/task-specific-datasets:{path} [{{}}]")
    return rows


# change_user_name is what a voice assistant should call the user ("call me bob", "i go by
# brad", "hi, i'm john"): not a request to rectify personal data, nor a plain question either.
CLINC_LEFT_OUT = frozenset({"change_user_name"})


def clinc(repo: Path, per_other: int = 3) -> list[dict[str, Any]]:
    commit = COMMITS["clinc/oos-eval"]
    data = json.loads(_git_show(repo, commit, "data/data_full.json"))
    rng = random.Random(150)
    rows = []
    for split in ("train", "test"):
        by_intent: dict[str, list[str]] = {}
        for text, intent in data[split]:
            by_intent.setdefault(intent, []).append(text.strip())
        rows += _intent_rows(by_intent, {}, rng, per_other,
                             f"clinc/oos-eval:data/data_full.json [{split}/{{}}]",
                             left_out=CLINC_LEFT_OUT)  # see SOURCES.md, doubts
    return rows


# PrivacyQA questions that ask for a right of the writer's own (delete, change, opt out, get a
# copy) are ambiguous between "question about a policy" and "request": left out, see SOURCES.md.
_RIGHTS_WORDS = re.compile(r"\b(delet|remov|eras|opt.?out|unsubscrib|correct|chang|edit|updat|"
                           r"copy|download|export|stop)", re.IGNORECASE)


def privacyqa(repo: Path, keep: int = 400) -> list[dict[str, Any]]:
    commit = COMMITS["AbhilashaRavichander/PrivacyQA_EMNLP"]
    rows = []
    for split in ("train", "test"):
        path = f"data/meta-annotations/OPP-115 Annotations/{split}_opp_annotations.csv"
        seen = set()
        for rec in csv.DictReader(io.StringIO(_git_show(repo, commit, path)), delimiter="\t"):
            q = rec["Query"].strip()
            if not q or q.lower() in seen or _RIGHTS_WORDS.search(q):
                continue
            seen.add(q.lower())
            rows.append(_row(q, "general_query", None, "en",
                             f"AbhilashaRavichander/PrivacyQA_EMNLP:{path}", "dataset"))
    return random.Random(115).sample(rows, min(keep, len(rows)))


# good-lly/gdpr-documents: docs/<folder>/gdpr_{access,erase}_<code>.md; the folder's code is
# not always ISO 639-1 ("cz" is Czech).
_GDPR_DOC_LANG = {"cz": "cs"}
_GDPR_DOC_LABELS = {
    "access": ("access_request", None),
    "erase": ("correction", "erasure"),
}
_DOTS = re.compile(r"^\s*\.{10,}\s*$")


def render_gdpr_document(markdown: str, lang: str) -> str:
    """The letter itself from one good-lly/gdpr-documents template.

    The file is a form: blank address fields, a "(City), (Date)" line, the letter, a dotted
    signature line and blank identification fields. Keep what lies between the date line and
    the signature line (subject, salutation, body, closing), drop the Markdown emphasis, and sign
    with the made-up person of that language, as for the datenanfragen letters.
    """
    lines = html.unescape(markdown.replace("\u200b", "")).splitlines()
    start = next(i for i, line in enumerate(lines) if "........" in line and "(" in line) + 1
    end = next(j for j in range(start, len(lines)) if _DOTS.match(lines[j]))
    body = "\n".join(line.rstrip() for line in lines[start:end]).replace("**", "")
    name = _PEOPLE.get(lang, _PEOPLE["en"])[0]
    return re.sub(r"\n{3,}", "\n\n", body).strip() + f"\n\n{name}"


def gdpr_documents(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["good-lly/gdpr-documents"]
    rows = []
    for path in _git_ls(repo, commit, "docs"):
        m = re.fullmatch(r"docs/[^/]+/gdpr_(access|erase)_([a-z]{2})\.md", path)
        if not m:
            continue  # the PDFs are renderings of the same Markdown
        label, sub = _GDPR_DOC_LABELS[m.group(1)]
        lang = _GDPR_DOC_LANG.get(m.group(2), m.group(2))
        text = render_gdpr_document(_git_show(repo, commit, path), lang)
        rows.append(_row(text, label, sub, lang, f"good-lly/gdpr-documents:{path}", "template"))
    return rows


# dmarti/privacy-docs: Don Marti's letters for the California Consumer Privacy Act (CC-BY-4.0).
# A letter that makes one kind of request gets that label; the two combined letters below get
# several. Left out (SOURCES.md): a draft with blanks for a lawyer, a text used by permission
# of another author, a consent form.
DMARTI_LETTERS: dict[str, tuple[str, str | None]] = {
    "ccpa-rtk.md": ("access_request", None),
    "facebook-ccpa-rtk.md": ("access_request", None),
    "ccpa-opt-out.md": ("opt_out", None),
    "agent-opt-out.md": ("opt_out", None),
    "nafo-object-opt-out.md": ("opt_out", None),
}
# Two letters make three requests at once (opt out of sale, disclose, delete; one also objects
# under GDPR Art. 21 and asks for Art. 15 access). Each is one row with all three labels, the
# first being the one each letter states first (the opt-out of sale); see SOURCES.md.
DMARTI_COMBINED = {
    "ccpa-letter.md": ["opt_out", "access_request", "correction"],
    "ccpa-fax.md": ["opt_out", "access_request", "correction"],
}
# Values for the CCPA letters' placeholders ({{ CCPA_NAME }}, {{name}}, {{ccpa_agent_name}},
# ...): a made-up Californian writer (the letters say "I am a California resident") and agent.
_EN_NAME, _EN_ADDRESS, _EN_MAIL = ("Emily Carter", "1420 Oak Street, Sacramento, CA 95814",
                                   "emily.carter@example.com")
_EN_PHONE = "(916) 555-0142"
_DMARTI_VALUES = {
    "ccpa_name": _EN_NAME, "name": _EN_NAME,
    "ccpa_address": _EN_ADDRESS, "ccpa_addressblock": _EN_ADDRESS, "addressblock": _EN_ADDRESS,
    "ccpa_phone": _EN_PHONE, "phone": _EN_PHONE,
    "ccpa_email": _EN_MAIL, "email": _EN_MAIL,
    "ccpa_agent_name": "Example Privacy Agents Inc.", "ccpa_agent_number": "C0000000",
    "ccpa_agent_email": "requests@agent.example.com", "ccpa_imei": "490154203237518",
}
_MUSTACHE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def render_markdown_letter(markdown: str, values: dict[str, str]) -> str:
    """The letter in one Markdown/HTML template: front matter, tags and heading marks dropped,
    placeholders filled (case-insensitive names), blank runs collapsed.

    Raises KeyError on a placeholder with no value, so a new upstream field is noticed, not
    shipped as ``{{...}}``.
    """
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"</?\w[^>]*>", "", text)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    text = _MUSTACHE.sub(lambda m: values[m.group(1).lower()], text)
    return _tidy(text)


def _tidy(text: str) -> str:
    """Trailing spaces off every line, runs of blank lines cut to one: a rendered letter."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def dmarti(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["dmarti/privacy-docs"]
    rows = []
    for path, (label, sub) in sorted(DMARTI_LETTERS.items()):
        text = render_markdown_letter(_git_show(repo, commit, path), _DMARTI_VALUES)
        rows.append(_row(text, label, sub, "en", f"dmarti/privacy-docs:{path}", "template"))
    for path, labels in sorted(DMARTI_COMBINED.items()):
        text = render_markdown_letter(_git_show(repo, commit, path), _DMARTI_VALUES)
        rows.append(_row(text, labels[0], None, "en", f"dmarti/privacy-docs:{path}", "template",
                         labels))
    return rows


# AnalogJ/justvanish (MIT): its two CCPA letters, which its README says follow EPIC's samples.
# Its GDPR letters are datenanfragen's (the README says so; SOURCES.md): left out, as copies of
# another group.
JUSTVANISH_LETTERS = {
    "data/templates/request/ccpa.tmpl.md": ("access_request", None),
    "data/templates/delete/ccpa.tmpl.md": ("correction", "erasure"),
}


def render_go_letter(template: str) -> str:
    """Fill one justvanish Go text/template with the made-up English writer."""
    first, last = _EN_NAME.split(" ", 1)
    text = re.sub(r"\{\{range \.User\.EmailAddresses\}\}\s*- \{\{\.\}\}\s*\{\{end\}\}",
                  f"\n- {_EN_MAIL}\n", template)
    text = re.sub(r"\{\{range \.User\.PhoneNumbers\}\}\s*- \{\{\.\}\}\s*\{\{end\}\}",
                  f"\n- {_EN_PHONE}\n", text)
    values = {".User.FirstName": first, ".User.LastName": last,
              ".Org.OrganizationName": "Example Ltd", ".Date": "2026-03-02"}
    text = re.sub(r"\{\{([^{}]+)\}\}", lambda m: values[m.group(1).strip()], text)
    return _tidy(text)


def justvanish(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["AnalogJ/justvanish"]
    rows = []
    for path, (label, sub) in sorted(JUSTVANISH_LETTERS.items()):
        text = render_go_letter(_git_show(repo, commit, path))
        rows.append(_row(text, label, sub, "en", f"AnalogJ/justvanish:{path}", "template"))
    return rows


# amazon-science/dstc11-track2-intent-induction: the customers' opening turns of its three
# collections of customer-service chats (insurance, banking, finance), each labelled with the
# intent the customer states. CDLA-Permissive-2.0 (dstc11/LICENSE.md).
DSTC11_FILES = ("dstc11/development/test-utterances.jsonl",
                "dstc11/test-banking/test-utterances.jsonl",
                "dstc11/test-finance/test-utterances.jsonl")
DSTC11_MAP = {
    "ChangeAddress": ("correction", "rectification"),
    "UpdateStreetAddress": ("correction", "rectification"),
    "UpdateEmail": ("correction", "rectification"),
    "UpdatePhoneNumber": ("correction", "rectification"),
    "CloseBankAccount": ("correction", "erasure"),
    "CloseAccount": ("correction", "erasure"),
}
# Neither a right nor plainly a service question: cancelling one insurance plan (not the
# account), and asking for a credit report (a product, but close to "send me what you hold").
DSTC11_LEFT_OUT = frozenset({"CancelPlan", "GetCreditReport"})


def dstc11(repo: Path, per_other: int = 6) -> list[dict[str, Any]]:
    commit = COMMITS["amazon-science/dstc11-track2-intent-induction"]
    rng = random.Random(11)
    rows = []
    for path in DSTC11_FILES:
        by_intent: dict[str, list[str]] = {}
        for line in _git_show(repo, commit, path).splitlines():
            rec = json.loads(line)
            text = " ".join(rec["utterance"].split())
            by_intent.setdefault(rec["intent"], [])
            if text:
                by_intent[rec["intent"]].append(text)
        rows += _intent_rows(by_intent, DSTC11_MAP, rng, per_other,
                             f"amazon-science/dstc11-track2-intent-induction:{path} [{{}}]",
                             left_out=DSTC11_LEFT_OUT)
    return rows


# drumandbytes/eraser (MIT; a maintained fork of digisamroc/eraser): the e-mails its tool sends to
# data brokers, one Go text/template per law. All three ask for deletion; the generic one also
# asks the broker to stop selling or sharing the data (a CCPA-style opt-out of sale), so it
# carries both labels. Its later uk-access / uk-erasure / uk-combined templates are not in the
# stored snapshot (SOURCES.md).
ERASER_LETTERS: dict[str, list[str]] = {
    "internal/template/templates/gdpr.tmpl": ["correction"],
    "internal/template/templates/ccpa.tmpl": ["correction"],
    "internal/template/templates/generic.tmpl": ["correction", "opt_out"],
}
# The writer of each letter: the GDPR one is signed by the made-up English (UK) writer of the
# datenanfragen letters, the CCPA and generic (US data broker) ones by the made-up Californian.
_ERASER_UK = {
    "FullName": _PEOPLE["en"][0], "FirstName": "Oliver", "LastName": "Bennett",
    "Email": _PEOPLE["en"][2], "Address": "27 Station Road", "City": "Leeds", "State": "",
    "ZipCode": "LS6 2AB", "Country": "United Kingdom", "Phone": "07700 900142",
}
_ERASER_US = {
    "FullName": _EN_NAME, "FirstName": "Emily", "LastName": "Carter", "Email": _EN_MAIL,
    "Address": "1420 Oak Street", "City": "Sacramento", "State": "CA", "ZipCode": "95814",
    "Country": "United States", "Phone": _EN_PHONE,
}
_ERASER_COMMON = {
    "OtherNames": "", "OtherEmails": "", "OtherAddresses": "", "OtherPhones": "",
    "DateOfBirth": "", "BrokerName": "Example Ltd", "BrokerEmail": "privacy@example.com",
    "BrokerWebsite": "https://www.example.com", "BrokerOptOut": "", "Date": "March 2, 2026",
}
_GO_IF = re.compile(r"\{\{if \.(\w+)\}\}(.*?)\{\{end\}\}", re.S)
_GO_FIELD = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")


def render_go_conditional_letter(template: str, values: Mapping[str, str]) -> str:
    """Fill a Go text/template made of ``{{.Field}}`` and flat ``{{if .Field}}...{{end}}`` blocks.

    ``{{-`` trims the white space before it, as Go does; a block is kept when its field is not
    empty. A field with no value raises KeyError, and any other action left over raises
    ValueError, so a new upstream construct stops the build instead of shipping ``{{...}}``.
    """
    text = re.sub(r"\s*\{\{-\s*", "{{", template)
    text = _GO_IF.sub(lambda m: m.group(2) if values[m.group(1)] else "", text)
    text = _GO_FIELD.sub(lambda m: values[m.group(1)], text)
    if "{{" in text or "}}" in text:
        raise ValueError(f"unrendered template action in: {text[:80]!r}")
    return _tidy(text)


def _eraser_rows(repo: Path, letters: Mapping[str, tuple[str, list[str], Mapping[str, str]]],
                 show: Callable[[Path, str, str], str]) -> list[dict[str, Any]]:
    """Eraser's letters, each given as path → (commit, labels, writer)."""
    rows = []
    for path, (commit, labels, writer) in sorted(letters.items()):
        text = render_go_conditional_letter(show(repo, commit, path),
                                            {**_ERASER_COMMON, **writer})
        # As for dmarti's combined letters, a sub-intent goes with a correction's own label only.
        sub = "erasure" if labels[0] == "correction" else None
        rows.append(_row(text, labels[0], sub, "en", f"drumandbytes/eraser:{path}", "template",
                         labels))
    return rows


def eraser(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["drumandbytes/eraser"]
    return _eraser_rows(repo, {
        path: (commit, labels, _ERASER_UK if path.endswith("/gdpr.tmpl") else _ERASER_US)
        for path, labels in ERASER_LETTERS.items()}, _git_show)


# The fork's later UK letters (the same MIT licence, unchanged through its history), each at the
# commit that added it. The workplace's stored snapshot stops at COMMITS["drumandbytes/eraser"],
# before them, so these need a fresh clone of the fork; the committed rows were rendered from the
# same files at these commits (SOURCES.md). Each is signed by the made-up English (UK) writer.
ERASER_UK_LETTERS: dict[str, tuple[str, list[str]]] = {
    "internal/template/templates/uk-access.tmpl":
        ("6f1c0446777ad6c096d4b631b34df2ee455f0bf6", ["access_request"]),
    "internal/template/templates/uk-erasure.tmpl":
        ("da8b258a86f71585635429d8900c5d679309c431", ["correction", "opt_out"]),
    "internal/template/templates/uk-combined.tmpl":
        ("da8b258a86f71585635429d8900c5d679309c431",
         ["access_request", "correction", "opt_out"]),
}
# Both erasure letters also "object under Article 21(2)" to direct marketing and ask to "cease
# all processing …, including its sale": an opt-out among their requests, as for the generic
# letter above (the Art. 17 letter at COMMITS names objection only as a ground for erasure).


def eraser_uk(repo: Path, show: Callable[[Path, str, str], str] = _git_show,
              ) -> list[dict[str, Any]]:
    """The fork's UK GDPR letters (option ``--eraser-uk DIR``, a clone holding their commits)."""
    return _eraser_rows(repo, {path: (commit, labels, _ERASER_UK)
                               for path, (commit, labels) in ERASER_UK_LETTERS.items()}, show)


# Banta-Technologies/data-broker-remover (MIT, (c) 2024 Visible): the e-mail its tool sends to
# data brokers, an Amazon SES template given as JSON in two of its documents, a short and a
# longer wording. Its SES region is London and US-only brokers are skipped for non-US writers,
# so the made-up English (UK) writer fills it.
BANTA_LETTERS = ("README.md", "lib/data-broker-remover/SETUP-GUIDE.md")
_TEXT_PART = re.compile(r'"TextPart": ("(?:[^"\\]|\\.)*")')
_BANTA_VALUES = {
    "companyname": "Example Ltd", "name": _PEOPLE["en"][0], "street": "27 Station Road",
    "city": "Leeds", "postcode": "LS6 2AB", "country": "United Kingdom",
    "email": _PEOPLE["en"][2],
}


def banta(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["Banta-Technologies/data-broker-remover"]
    rows = []
    for path in BANTA_LETTERS:
        # The SES template addressed to a company (the other one sends a sign-in code, and is
        # quoted for a shell, so it is not read as JSON).
        letters = [json.loads(m) for m in _TEXT_PART.findall(_git_show(repo, commit, path))
                   if "{{companyName}}" in m]
        if len(letters) != 1:
            raise ValueError(f"{path}: expected one company e-mail, found {len(letters)}")
        text = render_markdown_letter(letters[0], _BANTA_VALUES)
        rows.append(_row(text, "correction", "erasure", "en",
                         f"Banta-Technologies/data-broker-remover:{path}", "template"))
    return rows


# ssfdre38/data-broker-removal (MIT): remove_data.py writes one removal e-mail for data brokers
# from string literals (an f-string head, one optional line per field given, a fixed tail). The
# literals are read in order and their fields filled with the made-up Californian writer; every
# optional line is kept, since every field has a value. It asks to remove the data and to stop
# selling or sharing it: erasure first, opt-out of sale too.
SSFDRE38_PATH = "remove_data.py"
_PY_LITERAL = re.compile(r'template \+?= f?("""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*")')
_SSFDRE38_VALUES = {
    "name": _EN_NAME, "email": _EN_MAIL, "address": "1420 Oak Street", "city": "Sacramento",
    "state": "CA", "zip_code": "95814", "phone": _EN_PHONE,
    "datetime.now().strftime('%B %d, %Y')": "March 2, 2026",
}


def ssfdre38(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["ssfdre38/data-broker-removal"]
    source = _git_show(repo, commit, SSFDRE38_PATH)
    body = source.split("def generate_email_template", 1)[1].split("return template", 1)[0]
    pieces = []
    for literal in _PY_LITERAL.findall(body):
        text = literal[3:-3] if literal.startswith('"""') else json.loads(literal)
        pieces.append(re.sub(r"\{([^{}]+)\}", lambda m: _SSFDRE38_VALUES[m.group(1)], text))
    if len(pieces) != 9:  # head, five optional lines, tail, name, date
        raise ValueError(f"{SSFDRE38_PATH}: expected 9 pieces of the e-mail, found {len(pieces)}")
    return [_row(_tidy("".join(pieces)), "correction", "erasure", "en",
                 f"ssfdre38/data-broker-removal:{SSFDRE38_PATH}", "template",
                 ["correction", "opt_out"])]


# thumpersecure/opt-out-manual-2026 (Unlicense): a guide to opting out of 31 US people-search
# sites, with one short e-mail for sites that take requests by e-mail. Its <PLACEHOLDERS> are
# filled with the made-up Californian writer; an unknown one stops the build.
OPT_OUT_MANUAL_PATH = "The.Manual.md"
_ANGLE = re.compile(r"<([A-Z][A-Z ,]*)>")
_OPT_OUT_MANUAL_VALUES = {
    "PASTE URL": "https://www.example.com/people/emily-carter-sacramento-ca",
    "YOUR NAME": _EN_NAME, "CITY, STATE": "Sacramento, CA",
}


def opt_out_manual(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["thumpersecure/opt-out-manual-2026"]
    manual = _git_show(repo, commit, OPT_OUT_MANUAL_PATH)
    section = manual.split("## 🧾 Email Template", 1)[1].split("\n## ", 1)[0]
    letter = section.split("\n", 1)[1]  # drop the rest of the heading line
    text = _ANGLE.sub(lambda m: _OPT_OUT_MANUAL_VALUES[m.group(1)], letter)
    return [_row(_tidy(text), "correction", "erasure", "en",
                 f"thumpersecure/opt-out-manual-2026:{OPT_OUT_MANUAL_PATH}", "template")]


# jdm-contrib/jdm (JustDeleteMe, MIT): a directory of how to delete one's account at ~2,600
# sites. For sites that only delete on request, contributors wrote the e-mail to send
# (`email_subject`, `email_body`): short account- and data-deletion requests, mostly English.
# Every such e-mail is a request to delete (correction / erasure); one also asks to stop
# marketing mail. Left out: one body that makes no request ("My membership number is ...") and
# one whose body is mostly instructions to the sender (photo with ID card, handwritten note).
JDM_PATH = "_data/sites.json"
JDM_LEFT_OUT = frozenset({"Which?", "MEXC"})
JDM_SEVERAL = {"Gamefroot": ["correction", "opt_out"]}  # "... and opt me out from marketing"
# The language of the non-English e-mails, by site; every other one is English.
JDM_LANG = {
    "Auchan": "fr", "Chamonix Mobilité": "fr", "Monnaie de Paris": "fr", "Pix fr": "fr",
    "Ploonk (coquedetelephone.fr)": "fr", "Stade Brestois (SB29)": "fr", "Variantes": "fr",
    "Borussia Dortmund": "de", "Check24 Deutschland": "de", "Momox Fashion": "de",
    "Musei Italiani": "it", "Más Renfe": "es", "SINAC serviciosenlinea": "es",
    "CDEK Forward": "ru", "Kino.dk": "da", "ÇiçekSepeti": "tr",
}
# Named placeholders, whatever precedes them.
_JDM_NAMED = {
    "XXXXX@XXXXX.XXXXX": "email", "<YOUR_EMAIL>": "email", "YOUR_EMAIL": "email",
    "EMAIL_ADDRESS": "email", "LEETIFYEMAILADDRESS": "email", "'your.mail@address.tld'": "email",
    "'your-email@address.here'": "email", "FULL_NAME": "name", "'Your name'": "name",
    "'Firstname Lastname'": "name", "LEETIFYACCOUNTID": "id", "YOUR_ACCOUNT": "username",
    "'your-username'": "username", "[NUMBER OR 0]": "zero",
    "[Give details of what personal data you want erased/deleted.]": "details",
}
# Runs of X (or x, Y) stand for whatever the words before them ask for.
_JDM_CONTEXT = (
    (r"passport is$", "passport"),
    (r"(e-?mail|e-mail adresse|address|lautet|account email)( is)?:?$", "email"),
    (r"phone number( is|:)$", "phone"),
    (r"(user ?name( is)?|username:|usuario|title:|mon compte)$", "username"),
    (r"(name is|account name:|the name|best regards,)$", "name"),
    (r"(because of|request is|reason:)$", "reason_noun"),
    (r"because$", "reason_clause"),
    (r"(number is|account id:|uid:|investor id:)$", "id"),
    (r"i use$", "signin"),
)
_JDM_TOKEN = re.compile("|".join(re.escape(t) for t in sorted(_JDM_NAMED, key=len, reverse=True))
                        + r"|\bX{3,}\b|\bx{3,}\b|\bY{3,}\b")
_JDM_LEFTOVER = re.compile(r"X{3,}|x{3,}|Y{3,}|YOUR_|_ADDRESS|\(put |\[[A-Z]|'your|'Your")


def _jdm_values(lang: str) -> dict[str, str]:
    name, _, mail = _PEOPLE[lang]
    return {"name": name, "email": mail, "username": mail.split("@")[0], "id": "48213977",
            "phone": "07700 900142", "reason_noun": "privacy concerns",
            "reason_clause": "I no longer use it",
            "passport": "X1234567", "signin": "my Google account", "zero": "0",
            "details": f"My account registered with {mail} and all data linked to it."}


def render_jdm_email(text: str, lang: str) -> str:
    """Fill one JustDeleteMe e-mail with the made-up writer of its language.

    A named placeholder is filled by its name, a run of X by the words before it; a run with no
    known cue, or any placeholder left afterwards, stops the build.
    """
    values = _jdm_values(lang) if lang in _PEOPLE else {}
    text = text.replace("%0D%0A", "\n").replace("%0A", "\n")  # mailto-encoded line breaks

    def fill(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in _JDM_NAMED:
            return values[_JDM_NAMED[token]]
        before = text[max(0, m.start() - 40):m.start()].rstrip().lower()
        for cue, field in _JDM_CONTEXT:
            if re.search(cue, before):
                return values[field]
        raise KeyError(f"no cue for {token!r} after {before!r}")

    out = _JDM_TOKEN.sub(fill, text)
    if _JDM_LEFTOVER.search(out):
        raise ValueError(f"unfilled placeholder in: {out!r}")
    return _tidy(out)


def jdm(repo: Path) -> list[dict[str, Any]]:
    commit = COMMITS["jdm-contrib/jdm"]
    rows, seen = [], set()
    for site in json.loads(_git_show(repo, commit, JDM_PATH)):
        body, name = site.get("email_body"), site["name"]
        if not body or name in JDM_LEFT_OUT:
            continue
        lang = JDM_LANG.get(name, "en")
        text = render_jdm_email(body, lang)
        if text in seen:  # the same e-mail suggested for several sites
            continue
        seen.add(text)
        labels = JDM_SEVERAL.get(name, ["correction"])
        row = _row(text, labels[0], "erasure", lang, f"jdm-contrib/jdm:{JDM_PATH} [{name}]",
                   "template", labels)
        subject = (site.get("email_subject") or "").strip()
        if subject and subject != body.strip():
            row["subject"] = render_jdm_email(subject, lang)
        rows.append(row)
    return rows


# awslabs/multi-domain-goal-oriented-dialogues-dataset (MultiDoGO, CDLA-Permissive-1.0): the
# customers' turns of human-to-human customer-service chats in six domains, each turn labelled
# by the paper's annotators (turn level). Only the turns labelled with a task intent are read:
# the dialogue-act labels (greetings, thanks, yes/no, bare slot values, out of domain) are no
# request at all, and a turn with several intents ("a<div>b") is left out (SOURCES.md).
MULTIDOGO_DOMAINS = ("airline", "fastfood", "finance", "insurance", "media", "software")
MULTIDOGO_MAP = {
    "updateaddress": ("correction", "rectification"),
    "closeaccount": ("correction", "erasure"),
}
MULTIDOGO_DIALOGUE_ACTS = frozenset({"openinggreeting", "closinggreeting", "thankyou",
                                     "confirmation", "rejection", "contentonly", "outofdomain"})
# cancelserviceintent ("cancel my cable service"): like DSTC11's CancelPlan, neither a right nor a
# plain question. getproofofinsurance ("send me a copy of my proof of insurance"): close to an
# access request, left out as DSTC11's GetCreditReport is. updateaccountinfo: three turns, two
# of them about prices (mislabelled).
MULTIDOGO_LEFT_OUT = frozenset({"cancelserviceintent", "getproofofinsurance", "updateaccountinfo"})
_MULTIDOGO_MIN_WORDS = 3  # "k", "no", "10 gb" carry the label of the turn's dialogue, not a text's
# A turn under a mapped intent is kept only if it names what it changes or closes: the label is
# the dialogue's, so "can you please change it", "please lock my credit card" or "i want to block
# my old number" also carry it. Those are left out, not relabelled.
_MULTIDOGO_NAMES = {
    "updateaddress": re.compile(r"\bad+re?s+"),
    "closeaccount": re.compile(r"\b(close|closing|closed|cancel)\b.*\baccount|\baccount\b.*\bclos"),
}
# Read one by one (SOURCES.md): turns that pass the test above and still state no change of
# address or closing of an account, or that ask after an earlier request.
MULTIDOGO_MISLABELLED = frozenset({
    "i need your bank address sir",
    "i want address",
    "i had a small concern that wanted to address",
    "hello is the account closed now",
    "when will my account get closed",
    ("two days back i requested to close my account now i need to know the closing status of my "
     "account"),
})


def multidogo(repo: Path, per_other: int = 6, per_mapped: int = 150) -> list[dict[str, Any]]:
    """MultiDoGO's customer turns (option ``--multidogo DIR``, a clone of the repository).

    Its address changes are 348 near-identical "change my address" turns from one domain; all
    of them would make one wording a fifth of the real corrections, and inflate the figure
    when this group is held out, so at most ``per_mapped`` per intent and domain are kept.
    """
    commit = COMMITS["awslabs/multi-domain-goal-oriented-dialogues-dataset"]
    rng = random.Random(2019)
    rows = []
    for domain in MULTIDOGO_DOMAINS:
        folder = f"data/paper_splits/splits_annotated_at_turn_level/{domain}"
        by_intent: dict[str, list[str]] = {}
        for split in ("train", "dev", "test"):
            raw = _git_show(repo, commit, f"{folder}/{split}.tsv")
            for rec in csv.DictReader(io.StringIO(raw), delimiter="\t"):
                intent, text = rec["intent"].strip(), " ".join(rec["utterance"].split())
                if "<div>" in intent or intent in MULTIDOGO_DIALOGUE_ACTS:
                    continue
                if len(text.split()) < _MULTIDOGO_MIN_WORDS or text in MULTIDOGO_MISLABELLED:
                    continue
                if intent in _MULTIDOGO_NAMES and not _MULTIDOGO_NAMES[intent].search(text):
                    continue
                by_intent.setdefault(intent, []).append(text)
        rows += _intent_rows(by_intent, MULTIDOGO_MAP, rng, per_other,
                             "awslabs/multi-domain-goal-oriented-dialogues-dataset:"
                             f"{folder}/{{{{train,dev,test}}}}.tsv [{{}}]",
                             left_out=MULTIDOGO_LEFT_OUT, per_mapped=per_mapped)
    return rows


def write(rows: list[dict[str, Any]], name: str) -> None:
    with open(HERE / name, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    print(f"{name}: {len(rows)} rows")


#: Each source: its command-line option, the function that builds it from a clone, its file.
BUILDERS: dict[str, tuple[Callable[[Path], list[dict[str, Any]]], str]] = {
    "datenanfragen": (datenanfragen, "datenanfragen_templates.jsonl"),
    "banking77": (banking77, "banking77.jsonl"),
    "clinc": (clinc, "clinc150.jsonl"),
    "privacyqa": (privacyqa, "privacyqa.jsonl"),
    "gdpr-documents": (gdpr_documents, "gdpr_documents.jsonl"),
    "dmarti": (dmarti, "dmarti_privacy_docs.jsonl"),
    "justvanish": (justvanish, "justvanish_ccpa.jsonl"),
    "dstc11": (dstc11, "dstc11_intents.jsonl"),
    "eraser": (eraser, "eraser_broker_letters.jsonl"),
    "eraser-uk": (eraser_uk, "eraser_uk_letters.jsonl"),
    "banta": (banta, "banta_broker_emails.jsonl"),
    "ssfdre38": (ssfdre38, "ssfdre38_broker_removal.jsonl"),
    "opt-out-manual": (opt_out_manual, "opt_out_manual_2026.jsonl"),
    "jdm": (jdm, "justdeleteme_emails.jsonl"),
    "multidogo": (multidogo, "multidogo_intents.jsonl"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    for option in BUILDERS:
        ap.add_argument(f"--{option}", type=Path)
    args = vars(ap.parse_args())
    for option, (build, name) in BUILDERS.items():
        repo = args[option.replace("-", "_")]
        if repo:
            write(build(repo), name)


if __name__ == "__main__":
    main()
