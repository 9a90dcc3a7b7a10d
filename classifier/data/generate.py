"""Compose the training corpus from the hand-written fragments (``fragments/*.json``).

Run ``python -m classifier.data.generate`` to rewrite ``classifier/data/corpus.jsonl``. The output
is deterministic (fixed seed, sorted iteration), so the corpus and the model trained on it can be
rebuilt byte for byte.

Each example is a dict ``{"text", "subject", "labels", "lang", "style"}``. Variety comes from
several independent choices: language, one or two intents, style (clipped support-form line,
ordinary email, formal legal letter, request on someone else's behalf), greeting, context,
closing, signature, legal footer, quoted history, forwarding, subject line (fitting, misleading or
missing), tone and typos.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from classifier.data.fragment_files import shipped
from classifier.labels import ACTIONABLE, LABELS, Label

SEED = 20261124
DEFAULT_SIZE = 9000
CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")

# The fragments live in data files (classifier/data/fragments/*.json); read once at import.
_FRAGMENTS = shipped()
en = _FRAGMENTS.en
LANGS = _FRAGMENTS.langs
FORMAL_EN = en.formal
DEADLINE_EN = en.deadline
ACCESS_ITEMS = _FRAGMENTS.access_items
ACCESS_LIST = _FRAGMENTS.access_list
BOILERPLATE = _FRAGMENTS.boilerplate
IDENTITY = _FRAGMENTS.identity

_MAIN = ("de", "fr", "es", "it", "nl", "pl")
_MINOR = ("pt", "cs", "hr", "el", "ro", "sv")
_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "web.de", "orange.fr",
            "advice-north.org.uk", "hotmail.com", "wp.pl", "libero.it")
_FORWARD = {
    "en": "---------- Forwarded message ---------\nFrom: CA Plus <news@caplus.org.uk>\n",
    "de": "---------- Weitergeleitete Nachricht ---------\nVon: CA Plus <news@caplus.org.uk>\n",
    "fr": "---------- Message transféré ---------\nDe : CA Plus <news@caplus.org.uk>\n",
}
_REPLY = {
    "en": "On Tue, 3 Sep 2024 at 10:02, CA Plus <news@caplus.org.uk> wrote:",
    "de": "Am Di., 3. Sept. 2024 um 10:02 Uhr schrieb CA Plus <news@caplus.org.uk>:",
    "fr": "Le mar. 3 sept. 2024 à 10:02, CA Plus <news@caplus.org.uk> a écrit :",
    "es": "El mar, 3 sept 2024 a las 10:02, CA Plus (<news@caplus.org.uk>) escribió:",
    "it": "Il giorno mar 3 set 2024 alle ore 10:02 CA Plus <news@caplus.org.uk> ha scritto:",
    "nl": "Op di 3 sep 2024 om 10:02 schreef CA Plus <news@caplus.org.uk>:",
    "pl": "W dniu wt., 3 wrz 2024 o 10:02 CA Plus <news@caplus.org.uk> napisał(a):",
}
_OUTLOOK_REPLY = ("-----Original Message-----\nFrom: CA Plus <events@caplus.org.uk>\n"
                  "Sent: 12 March 2024 09:14\nTo: {email}\nSubject: Your booking\n")


def _fill(rng: random.Random, text: str) -> str:
    """Replace the placeholders of a fragment with made-up personal details."""
    if "{" not in text:
        return text
    name = rng.choice(en.names)
    first, last = name.lower().replace("'", "").split()[:2]
    values = {
        "name": name,
        "email": f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}",
        "address": rng.choice(en.addresses),
        "phone": f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        "dob": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(1940, 2004)}",
        "ref": f"{rng.choice('ABCDEFGHK')}{rng.randint(10000, 99999)}",
    }
    return text.format(**values)


def _typos(rng: random.Random, text: str, rate: float) -> str:
    """Drop, double or swap letters in some words, like hurried typing on a phone."""
    words = text.split(" ")
    out = []
    for word in words:
        if len(word) > 3 and rng.random() < rate:
            i = rng.randrange(1, len(word) - 1)
            kind = rng.randrange(3)
            if kind == 0:
                word = word[:i] + word[i + 1:]
            elif kind == 1:
                word = word[:i] + word[i] + word[i:]
            else:
                word = word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
        out.append(word)
    return " ".join(out)


def _combo(rng: random.Random, intent: str) -> str:
    """A clipped support-form line: lead-in x action, with loose punctuation."""
    leads, actions = en.combo_leads, en.combo_actions[intent]
    line = f"{rng.choice(leads)} {rng.choice(actions)}"
    end = rng.choice(["", "?", ".", " please", "!", " asap", " thanks"])
    if line.startswith(("how", "can", "where", "what", "is it", "could")) and end == ".":
        end = "?"
    return line + end


def _core(rng: random.Random, lang: str, intent: str, style: str) -> str:
    """One sentence (or paragraph, for formal letters) expressing ``intent`` in ``lang``."""
    if lang == "en":
        if style == "formal" and intent in FORMAL_EN:
            formal: str = rng.choice(FORMAL_EN[intent])
            return formal
        pool = en.general if intent == Label.GENERAL_QUERY else en.phrases[intent]
        if rng.random() < (0.55 if style == "short" else 0.3):
            return _combo(rng, intent)
        phrase: str = rng.choice(pool)
        return phrase
    frag = LANGS[lang]
    if style == "formal" and intent in frag["formal"]:
        text: str = rng.choice(frag["formal"][intent])
        return text[0].upper() + text[1:]
    phrase_in_lang: str = rng.choice(frag[intent])
    return phrase_in_lang


def _pick_labels(rng: random.Random) -> tuple[str, ...]:
    """One intent most of the time, two in about one message in eight."""
    first = rng.choices(LABELS, weights=(22, 22, 21, 35))[0]
    if rng.random() < 0.12:
        second = rng.choice([lab for lab in LABELS if lab != first])
        return (first, second)
    return (first,)


def _parts(lang: str) -> tuple[list[str], list[str], list[str]]:
    """Greetings, closings and deadline sentences for ``lang``."""
    if lang == "en":
        return en.greetings, en.closings, DEADLINE_EN
    frag = LANGS[lang]
    return frag["greetings"], frag["closings"], frag["deadline"]


def _subject(rng: random.Random, lang: str, labels: tuple[str, ...]) -> str | None:
    """A fitting subject, a misleading one, or none at all."""
    roll = rng.random()
    pool = en.subjects if lang == "en" else LANGS[lang]["subjects"]
    if roll < 0.35 and labels[0] in pool:
        fitting: str = rng.choice(pool[labels[0]])
        return fitting
    if roll < 0.6:
        return rng.choice(en.misleading_subjects)
    return None


def _compose(rng: random.Random, lang: str, labels: tuple[str, ...], style: str) -> str:
    """Assemble one message body.

    Steps: 1. core sentence per intent (joined by a connector), 2. optional context, details and
    tone, 3. greeting and closing for mail and letters, 4. signature and footer, 5. quoted history
    or forward wrapper.
    """
    greetings, closings, deadlines = _parts(lang)
    cores = []
    for i, intent in enumerate(labels):
        core = _core(rng, lang, intent, style)
        if style == "third_party" and intent in en.third_party and lang == "en":
            core = rng.choice(en.third_party[intent])
        elif style == "third_party" and LANGS.get(lang, {}).get("third_party", {}).get(intent):
            core = rng.choice(LANGS[lang]["third_party"][intent])
        if i and lang == "en":
            core = f"{rng.choice(en.connectors)} {core[0].lower()}{core[1:]}"
        cores.append(_fill(rng, core))

    if style == "bare":
        return rng.choice(en.bare[labels[0]])
    if style == "short":
        text = " ".join(cores)
        if rng.random() < 0.35:
            text = text.lower()
        if rng.random() < 0.3:
            text = text.rstrip(".")
        return _typos(rng, text, 0.12 if rng.random() < 0.4 else 0.0)

    lines: list[str] = []
    if rng.random() < 0.8:
        lines.append(rng.choice(greetings))
    body: list[str] = []
    if lang == "en" and rng.random() < 0.35:
        body.append(rng.choice(en.context))
    body.extend(cores)
    if lang == "en" and rng.random() < 0.4:
        detail_pool = en.details.get(labels[0], [])
        if detail_pool:
            body.append(_fill(rng, rng.choice(detail_pool)))
    if style == "formal" and Label.ACCESS_REQUEST in labels and lang in ACCESS_LIST and (
            rng.random() < 0.5):
        items = rng.sample(ACCESS_LIST[lang], rng.randint(3, len(ACCESS_LIST[lang])))
        body.append("\n".join(f"{i}. {item};" for i, item in enumerate(items, 1)))
    if style == "formal" and Label.ACCESS_REQUEST in labels and rng.random() < 0.6:
        body.append(ACCESS_ITEMS[lang])
    if style == "formal" and lang in BOILERPLATE:
        picks = rng.sample(BOILERPLATE[lang], rng.randint(0, min(4, len(BOILERPLATE[lang]))))
        body.extend(_fill(rng, p) for p in picks)
    if style == "formal" and lang in IDENTITY and rng.random() < 0.3:
        body.append(IDENTITY[lang])
    if style == "formal" and rng.random() < 0.7:
        body.append(rng.choice(deadlines))
    if lang == "en" and rng.random() < 0.1:
        body.append(rng.choice(en.angry))
    paragraph = " ".join(body) if rng.random() < 0.6 else "\n\n".join(body)
    if rng.random() < 0.08:
        paragraph = paragraph.upper()
    lines.append(_typos(rng, paragraph, 0.05 if rng.random() < 0.25 else 0.0))
    if rng.random() < 0.75:
        lines.append(rng.choice(closings))
        lines.append(_fill(rng, "{name}"))
    if rng.random() < 0.25:
        lines.append(_fill(rng, rng.choice(en.signatures)))
    if rng.random() < 0.1:
        lines.append(rng.choice(en.footers))
    text = "\n\n".join(lines)

    roll = rng.random()
    if roll < 0.12:
        quoted = _fill(rng, rng.choice(en.quoted))
        if rng.random() < 0.5:
            header = _REPLY.get(lang, _REPLY["en"])
            text += "\n\n" + header + "\n" + "\n".join("> " + q for q in quoted.splitlines())
        else:
            text += "\n\n" + _fill(rng, _OUTLOOK_REPLY) + "\n" + quoted
    elif roll < 0.17:
        header = _FORWARD.get(lang, _FORWARD["en"])
        text += "\n\n" + header + "Subject: News\n\n" + _fill(rng, rng.choice(en.quoted))
    return text


def _pick_style(rng: random.Random, lang: str, labels: tuple[str, ...]) -> str:
    """Clipped line, email, formal letter or third-party request."""
    roll = rng.random()
    if lang == "en" and len(labels) == 1 and roll < 0.03:
        return "bare"
    roll = rng.random()
    formal_share = 0.1 if lang == "en" else 0.3
    if Label.GENERAL_QUERY in labels:
        formal_share = 0.0
    if roll < formal_share:
        return "formal"
    if roll < formal_share + 0.05 and labels[0] != Label.GENERAL_QUERY:
        return "third_party"
    if roll < formal_share + 0.4:
        return "short"
    return "mail"


def generate(size: int = DEFAULT_SIZE, seed: int = SEED) -> list[dict[str, Any]]:
    """Compose ``size`` distinct examples deterministically.

    Args:
        size: number of examples wanted.
        seed: random seed; the same seed gives the same corpus.

    Returns:
        a list of example dicts, in generation order.
    """
    rng = random.Random(seed)
    langs = ["en"] + list(_MAIN) + list(_MINOR)
    weights = [50] + [6.5] * len(_MAIN) + [1.8] * len(_MINOR)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    attempts = 0
    while len(out) < size and attempts < size * 20:
        attempts += 1
        lang = rng.choices(langs, weights=weights)[0]
        labels = _pick_labels(rng)
        if lang != "en" and labels[0] == Label.GENERAL_QUERY and rng.random() < 0.5:
            labels = (rng.choice(ACTIONABLE),)
        style = _pick_style(rng, lang, labels)
        text = _compose(rng, lang, labels, style)
        subject = _subject(rng, lang, labels)
        if style == "bare" and rng.random() < 0.5 and labels[0] in en.subjects:
            subject = rng.choice(en.subjects[labels[0]])
        if not (text or subject):
            continue
        key = f"{subject}\n{text}"
        if key in seen:
            continue
        seen.add(key)
        out.append({"text": text, "subject": subject, "labels": list(labels), "lang": lang,
                    "style": style})
    return out


def write_corpus(path: Path = CORPUS_PATH, size: int = DEFAULT_SIZE, seed: int = SEED) -> Path:
    """Write the generated corpus as JSONL (UTF-8, one example a line) and return its path."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
                      for row in generate(size, seed))
    return path


if __name__ == "__main__":
    print(write_corpus())
