"""Rebuild the real-data JSONL files in this folder from local clones of their public origins.

Run once by hand when a source changes (``python -m classifier.data.sources.build_sources
--datenanfragen DIR --banking77 DIR --clinc DIR --privacyqa DIR``; each DIR is a git clone of the
repository named in SOURCES.md). Texts are read from the commit recorded in SOURCES.md, so the
output is the same on every run. Nothing here runs at training or run time: the committed JSONL
files are the data.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

COMMITS = {
    "datenanfragen/data": "0a29c3d6feee53b02e73204a3dbd312eafe56629",
    "PolyAI-LDN/task-specific-datasets": "57ec275d8078af65b7731c2a98be812d844a6d6b",
    "clinc/oos-eval": "828f8093932c8fe6ca7936c3d2e52903b1c523de",
    "AbhilashaRavichander/PrivacyQA_EMNLP": "5178ff3eaf61cbdaea03d85ff23b676b3fea451f",
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
}
_TEMPLATE_LABELS = {
    "access": ("access_request", None),
    "erasure": ("correction", "erasure"),
    "rectification": ("correction", "rectification"),
    "objection": ("opt_out", None),
}
_FLAG = re.compile(r"\[(\w+)>([^\[\]]*)\]")


def _git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def _git_ls(repo: Path, commit: str, under: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit, under],
                         check=True, capture_output=True).stdout.decode("utf-8")
    return sorted(out.split())


def render_template(text: str, lang: str, variant: int) -> str:
    """Fill one datenanfragen template: variant 0 drops optional blocks, variant 1 keeps them."""
    name, address, mail = _PEOPLE.get(lang, _PEOPLE["en"])

    def flag(m: re.Match[str]) -> str:
        key, body = m.group(1), m.group(2)
        if key == "erase_all":
            return body if variant == 0 else ""
        if key == "erase_some":
            return body if variant == 1 else ""
        if key == "has_fields":
            return body
        return body if variant == 1 else ""

    text = _FLAG.sub(flag, text)
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
    for path in _git_ls(repo, commit, "templates"):
        lang, name = path.split("/")[1], path.split("/")[2]
        kind = name.split("-")[0]
        if kind not in _TEMPLATE_LABELS:
            continue  # admonition / complaint: see SOURCES.md
        label, sub = _TEMPLATE_LABELS[kind]
        raw = _git_show(repo, commit, path)
        texts = dict.fromkeys(render_template(raw, lang, v) for v in (0, 1))
        for text in texts:
            rows.append(_row(text, label, sub, lang, f"datenanfragen/data:{path}", "template"))
    return rows


def _row(text: str, label: str, sub: str | None, lang: str, source: str,
         kind: str) -> dict[str, Any]:
    row = {"text": text, "label": label, "lang": lang, "source": source, "kind": kind}
    if sub:
        row["sub_intent"] = sub
    return row


BANKING_MAP = {
    "edit_personal_details": ("correction", "rectification"),
    "terminate_account": ("correction", "erasure"),
}


def banking77(repo: Path, per_other: int = 6) -> list[dict[str, Any]]:
    commit = COMMITS["PolyAI-LDN/task-specific-datasets"]
    rng = random.Random(77)
    rows = []
    for split in ("train", "test"):
        path = f"banking_data/{split}.csv"
        by_cat: dict[str, list[str]] = {}
        for rec in csv.DictReader(io.StringIO(_git_show(repo, commit, path))):
            by_cat.setdefault(rec["category"].strip(), []).append(rec["text"].strip())
        for cat in sorted(by_cat):
            texts = sorted(set(by_cat[cat]))
            if cat in BANKING_MAP:
                label, sub = BANKING_MAP[cat]
                chosen = texts
            else:
                label, sub = "general_query", None
                chosen = rng.sample(texts, min(per_other, len(texts)))
            rows += [_row(t, label, sub, "en", f"PolyAI-LDN/task-specific-datasets:{path} [{cat}]",
                          "dataset") for t in chosen]
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
        for intent in sorted(by_intent):
            if intent in CLINC_LEFT_OUT:
                continue  # see SOURCES.md, doubts
            texts = sorted(set(by_intent[intent]))
            label, sub = "general_query", None
            chosen = rng.sample(texts, min(per_other, len(texts)))
            rows += [_row(t, label, sub, "en",
                          f"clinc/oos-eval:data/data_full.json [{split}/{intent}]", "dataset")
                     for t in chosen]
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


def write(rows: list[dict[str, Any]], name: str) -> None:
    with open(HERE / name, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--datenanfragen", type=Path)
    ap.add_argument("--banking77", type=Path)
    ap.add_argument("--clinc", type=Path)
    ap.add_argument("--privacyqa", type=Path)
    args = ap.parse_args()
    if args.datenanfragen:
        write(datenanfragen(args.datenanfragen), "datenanfragen_templates.jsonl")
    if args.banking77:
        write(banking77(args.banking77), "banking77.jsonl")
    if args.clinc:
        write(clinc(args.clinc), "clinc150.jsonl")
    if args.privacyqa:
        write(privacyqa(args.privacyqa), "privacyqa.jsonl")


if __name__ == "__main__":
    main()
