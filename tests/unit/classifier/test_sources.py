"""The committed real-data files: well-formed, labelled as SOURCES.md says, used in training."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from classifier import LABELS
from classifier.grouped import SOURCES_DIR, group_of, load_groups
from classifier.train import default_training_files

FILES = sorted(SOURCES_DIR.glob("*.jsonl"))
ROWS = [json.loads(line) for path in FILES for line in path.read_text("utf-8").splitlines()]


def test_there_are_real_sources_and_training_uses_them():
    assert len(FILES) >= 4
    assert set(FILES) <= set(default_training_files())


@pytest.mark.parametrize("row", ROWS[::25])
def test_every_row_has_a_known_label_a_language_and_an_origin(row):
    assert row["label"] in LABELS
    assert row["text"].strip()
    assert len(row["lang"]) == 2
    assert row["kind"] in {"template", "dataset"}
    assert "/" in group_of(row["source"])


def test_only_corrections_carry_a_sub_intent_and_it_is_erasure_or_rectification():
    subs = Counter((r["label"], r.get("sub_intent")) for r in ROWS)
    assert {s for (lab, s) in subs if lab != "correction"} == {None}
    assert {s for (lab, s) in subs if lab == "correction"} == {"erasure", "rectification"}


def test_every_origin_is_documented_in_sources_md():
    doc = (SOURCES_DIR / "SOURCES.md").read_text("utf-8")
    for origin in {group_of(r["source"]) for r in ROWS}:
        assert origin in doc


def test_real_letters_cover_the_main_european_languages_with_every_request_type():
    letters = [r for r in ROWS if r["kind"] == "template"]
    for lang in ("en", "de", "fr", "es", "it", "nl", "cs", "sv"):
        labels = {r["label"] for r in letters if r["lang"] == lang}
        assert {"access_request", "correction", "opt_out"} <= labels, lang
    polish = {(r["label"], r.get("sub_intent")) for r in letters if r["lang"] == "pl"}
    assert {("access_request", None), ("correction", "erasure")} <= polish


@pytest.mark.slow  # reads every group, splitting quoted history in ~11,000 rows: about 8 s
def test_each_origin_repository_is_its_own_group_in_the_grouped_cv():
    groups = {row.group for row in load_groups(None)}
    origins = {group_of(r["source"]) for r in ROWS}
    assert origins <= groups
    assert {"good-lly/gdpr-documents", "datenanfragen/data"} <= origins


def test_letters_taken_from_forms_keep_no_blank_fields_or_markup():
    for row in ROWS:
        if group_of(row["source"]) == "good-lly/gdpr-documents":
            assert "**" not in row["text"] and "....." not in row["text"]
            assert "\u200b" not in row["text"]
        if row["kind"] == "template":
            assert not re.search(r"\[\w+>", row["text"]), row["source"]
            assert "{" not in row["text"], row["source"]


def test_rows_with_several_requests_list_them_all_first_the_label():
    several = [r for r in ROWS if "labels" in r]
    assert several, "the combined CCPA letters carry several labels"
    for row in several:
        assert row["labels"][0] == row["label"]
        assert set(row["labels"]) <= set(LABELS) and len(set(row["labels"])) == len(row["labels"])


def test_dstc11_rows_follow_the_mapping_and_leave_the_doubtful_intents_out():
    from classifier.data.sources.build_sources import DSTC11_LEFT_OUT, DSTC11_MAP

    origin = "amazon-science/dstc11-track2-intent-induction"
    rows = [r for r in ROWS if group_of(r["source"]) == origin]
    assert rows
    for row in rows:
        intent = re.search(r"\[(\w+)\]$", row["source"]).group(1)
        assert intent not in DSTC11_LEFT_OUT
        label, sub = DSTC11_MAP.get(intent, ("general_query", None))
        assert (row["label"], row.get("sub_intent")) == (label, sub), row["source"]


def test_markdown_letters_are_rendered_without_markup_and_a_missing_value_stops_the_build():
    from classifier.data.sources.build_sources import render_markdown_letter

    md = "---\ntitle: x\n---\n<div id=\"a\">\n## Opt-out\n\nI am {{ CCPA_NAME }}.<br>Bye\n</div>\n"
    assert render_markdown_letter(md, {"ccpa_name": "Emily"}) == "Opt-out\n\nI am Emily.\nBye"
    with pytest.raises(KeyError):
        render_markdown_letter("{{ CCPA_IMEI }}", {})


def test_go_letters_list_the_writers_addresses_and_phones():
    from classifier.data.sources.build_sources import render_go_letter

    tpl = ("Dear {{.Org.OrganizationName}},\nI use:{{range .User.EmailAddresses}}\n- {{.}}\n{{end}}"
           "\n\n{{.User.FirstName}} {{.User.LastName}}")
    out = render_go_letter(tpl)
    assert "{" not in out and "- emily.carter@example.com" in out
    assert out.startswith("Dear Example Ltd,") and out.endswith("Emily Carter")


def test_go_conditional_letters_keep_filled_blocks_trim_like_go_and_stop_on_unknown_fields():
    from classifier.data.sources.build_sources import render_go_conditional_letter

    tpl = ("- Name: {{.FullName}}\n{{- if .Phone}}\n- Phone: {{.Phone}}\n{{- end}}\n"
           "- Mail: {{.Email}}")
    assert render_go_conditional_letter(tpl, {"FullName": "A", "Phone": "", "Email": "m"}) == (
        "- Name: A\n- Mail: m")
    assert render_go_conditional_letter(tpl, {"FullName": "A", "Phone": "1", "Email": "m"}) == (
        "- Name: A\n- Phone: 1\n- Mail: m")
    with pytest.raises(KeyError):
        render_go_conditional_letter("{{.Unknown}}", {})
    with pytest.raises(ValueError):
        render_go_conditional_letter("{{range .Emails}}x{{end}}", {})


def test_justdeleteme_placeholders_are_filled_by_name_or_cue_and_an_unknown_one_stops_the_build():
    from classifier.data.sources.build_sources import render_jdm_email

    out = render_jdm_email("Please delete my account, my username is XXXXXX. Email: XXX", "en")
    assert out == ("Please delete my account, my username is o.bennett. "
                   "Email: o.bennett@example.co.uk")
    assert "lena.hoffmann@example.de" in render_jdm_email("E-Mail Adresse: XXX", "de")
    with pytest.raises(KeyError):
        render_jdm_email("My favourite colour is XXXXX", "en")
    with pytest.raises(ValueError):
        render_jdm_email("Delete it. (put your name here)", "en")


def test_justdeleteme_rows_are_deletion_requests_with_the_writer_filled_in():
    rows = [r for r in ROWS if group_of(r["source"]) == "jdm-contrib/jdm"]
    assert len(rows) >= 50
    assert {(r["label"], r.get("sub_intent")) for r in rows} == {("correction", "erasure")}
    assert len({r["text"] for r in rows}) == len(rows)
    for row in rows:
        assert not re.search(r"X{3,}|YOUR_", row["text"] + row.get("subject", "")), row["source"]


def test_multidogo_rows_follow_the_mapping_and_keep_only_task_intents():
    from classifier.data.sources.build_sources import (
        MULTIDOGO_DIALOGUE_ACTS,
        MULTIDOGO_LEFT_OUT,
        MULTIDOGO_MAP,
    )

    origin = "awslabs/multi-domain-goal-oriented-dialogues-dataset"
    rows = [r for r in ROWS if group_of(r["source"]) == origin]
    assert rows
    for row in rows:
        intent = re.search(r"\[(\w+)\]$", row["source"]).group(1)
        assert intent not in MULTIDOGO_LEFT_OUT | MULTIDOGO_DIALOGUE_ACTS
        label, sub = MULTIDOGO_MAP.get(intent, ("general_query", None))
        assert (row["label"], row.get("sub_intent")) == (label, sub), row["source"]
        if intent == "updateaddress":
            assert re.search(r"ad+re?s", row["text"]), row["text"]


def test_eraser_uk_letters_are_rendered_with_their_labels_from_the_commits_that_added_them():
    from classifier.data.sources.build_sources import ERASER_UK_LETTERS, eraser_uk

    asked: list[str] = []

    def show(repo: Path, commit: str, path: str) -> str:
        asked.append(commit)
        return ("To {{.BrokerName}},\n{{- if .OtherNames}}\n- aka {{.OtherNames}}\n{{- end}}\n"
                "{{.FullName}}")

    rows = eraser_uk(Path("unused"), show=show)
    assert sorted(asked) == sorted(commit for commit, _ in ERASER_UK_LETTERS.values())
    assert all("{" not in r["text"] and "aka" not in r["text"] for r in rows)
    by_path = {r["source"].rsplit("/", 1)[1]: r for r in rows}
    assert by_path["uk-access.tmpl"]["label"] == "access_request"
    assert by_path["uk-erasure.tmpl"]["sub_intent"] == "erasure"
    assert by_path["uk-erasure.tmpl"]["labels"] == ["correction", "opt_out"]
    assert by_path["uk-combined.tmpl"]["labels"] == ["access_request", "correction", "opt_out"]


def test_a_row_stores_every_label_only_for_a_letter_making_several_requests_label_first():
    from classifier.data.sources.build_sources import _row

    assert "labels" not in _row("t", "correction", "erasure", "en", "o/r:p", "template",
                                ["correction"])
    row = _row("t", "correction", "erasure", "en", "o/r:p", "template", ["correction", "opt_out"])
    assert row["labels"] == ["correction", "opt_out"]
    with pytest.raises(ValueError):
        _row("t", "opt_out", None, "en", "o/r:p", "template", ["correction", "opt_out"])
