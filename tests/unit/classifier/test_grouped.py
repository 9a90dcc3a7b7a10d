"""Leave-one-source-out evaluation: groups, pooled scoring, calibration, no leakage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier import grouped
from classifier.grouped import Row, calibration, group_of, grouped_cv, load_groups, score_pooled
from tests.unit.classifier.conftest import make_prediction


def test_the_group_of_a_source_is_its_origin_repository():
    assert group_of("datenanfragen/data:templates/de/access-default.txt") == "datenanfragen/data"
    assert group_of("clinc/oos-eval:data/data_full.json [train/pin_change]") == "clinc/oos-eval"


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    conf = np.array([0.95] * 20)
    correct = np.array([1.0] * 19 + [0.0])
    ece, table = calibration(conf, correct)
    assert ece == pytest.approx(0.0, abs=1e-9)
    assert len(table) == 1 and table[0][3] == 20
    assert table[0][:3] == pytest.approx((0.95, 0.95, 0.95))


def test_calibration_error_measures_over_confidence():
    ece, _ = calibration(np.array([0.99] * 10), np.array([1.0] * 5 + [0.0] * 5))
    assert ece == pytest.approx(0.49)


def _row(text, label, group, lang="en", kind="dataset"):
    return Row(text, None, (label,), lang, group, kind)


def test_pooled_scores_split_by_language_and_leave_generated_text_out_of_real_figures():
    # The policy suppresses only where the writer's own words ask it; "b" is a mislabelled-looking
    # question that the model and the policy both take for an opt-out (a wrong automatic act).
    rows = [_row("Please unsubscribe me from your newsletter.", "opt_out", "x/a"),
            _row("Unsubscribe me from the mailing list.", "general_query", "x/a"),
            _row("c", "correction", "y/b", lang="de", kind="template"),
            _row("d", "opt_out", grouped.GENERATED_GROUP, kind="generated")]
    preds = [make_prediction("opt_out", 0.99), make_prediction("opt_out", 0.95),
             make_prediction("correction", 0.8), make_prediction("general_query", 0.7)]
    report = score_pooled(rows, preds)
    assert report.n == 4 and report.n_real == 3
    assert report.macro_f1["other"] == 1.0
    assert report.macro_f1["en"] < 1.0
    assert report.macro_f1["generated"] == 0.0
    assert report.confusion[LABEL_INDEX["general_query"]][LABEL_INDEX["opt_out"]] == 1
    assert report.auto_count == 2 and report.auto_precision == 0.5
    assert report.auto_coverage == 1.0
    assert (report.close_count, report.close_precision, report.close_coverage) == (2, 0.5, 1.0)


def test_a_suppression_is_right_when_the_writer_also_asked_to_opt_out():
    # A letter asking for erasure and for an end to marketing: scored as its erasure, but
    # suppressing the address is what the writer asked for too, so it is no wrong automatic act.
    letter = Row("Please delete my data and unsubscribe me from your newsletter.", None,
                 ("correction", "opt_out"), "en", "x/a", "template")
    pred = make_prediction("correction", 0.99, others={"opt_out": 0.97},
                           present=("correction", "opt_out"))
    report = score_pooled([letter], [pred])
    assert report.auto_count == 1
    assert (report.auto_precision, report.auto_coverage) == (1.0, 1.0)
    assert report.close_count == 0


LABEL_INDEX = {lab: i for i, lab in enumerate(("opt_out", "correction", "access_request",
                                               "general_query"))}


def test_a_dev_text_already_held_is_not_counted_twice(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": "unsubscribe", "labels": ["opt_out"], "lang": "en"})
                      + "\n", encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.jsonl").write_text(json.dumps(
        {"text": "fix my address", "label": "correction", "source": "o/a:p", "kind": "dataset",
         "lang": "en"}) + "\n", encoding="utf-8")
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join(json.dumps(r) for r in [
        {"text": "fix my address", "label": "correction", "source": "o/a:p", "lang": "en"},
        {"text": "send me my data", "label": "access_request", "source": "o/b:q", "lang": "de",
         "kind": "template"}]) + "\n", encoding="utf-8")
    rows = load_groups(dev, corpus_path=corpus, sources_dir=sources)
    assert [r.group for r in rows] == ["generated", "o/a", "o/b"]
    assert rows[2].kind == "template" and rows[2].lang == "de"


def test_grouped_rows_are_cut_to_the_newest_reply_by_the_mail_edge_rule(tmp_path):
    reply = ("Remove me please.\n\nOn Mon, 2 Nov 2026, CA Plus <news@caplus.org.uk> wrote:\n"
             "> Update your details\n> Unsubscribe: https://caplus.org.uk/u")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": reply, "labels": ["opt_out"], "lang": "en"}) + "\n",
                      encoding="utf-8")
    (tmp_path / "sources").mkdir()
    dev = tmp_path / "dev.jsonl"
    # The same raw text in dev is still recognised as already held.
    dev.write_text(json.dumps({"text": reply, "label": "opt_out", "source": "o/b:q"}) + "\n",
                   encoding="utf-8")
    rows = load_groups(dev, corpus_path=corpus, sources_dir=tmp_path / "sources")
    assert [r.text for r in rows] == ["Remove me please."]


def test_every_prediction_comes_from_a_model_that_never_saw_its_group():
    rows = [_row(f"text {g} {i}", "opt_out", g) for g in ("a/a", "b/b", "c/c") for i in range(2)]
    seen_by_fold = []

    class Recorder:
        def __init__(self, train):
            self.train = {t for t, _ in train}

        def predict(self, texts, subjects):
            seen_by_fold.append(any(t in self.train for t in texts))
            return [make_prediction() for _ in texts]

    preds = grouped_cv(rows, fit=Recorder)
    assert len(preds) == len(rows)
    assert seen_by_fold == [False, False, False]


def test_closing_is_also_scored_against_the_issues_simple_opt_outs():
    # Issue 9's target divides by true *simple* opt-outs: gold opt_out alone, not a formal
    # letter of a right. A held Art. 21 letter is not a miss there; it still is in close_coverage.
    letter = ("Objection under Art. 21(2) GDPR: I object to the processing of my data for "
              "direct marketing. Please confirm in writing within one month.")
    rows = [_row("Please unsubscribe me from your newsletter.", "opt_out", "x/a"),
            _row("Stop sending me these emails please.", "opt_out", "x/a"),
            _row(letter, "opt_out", "y/b", kind="template"),
            Row("Unsubscribe me and tell me what data you hold.", None,
                ("opt_out", "access_request"), "en", "x/a", "dataset")]
    preds = [make_prediction("opt_out", 0.99), make_prediction("opt_out", 0.6),
             make_prediction("opt_out", 0.99), make_prediction("opt_out", 0.99)]
    assert [grouped.is_simple_opt_out(r) for r in rows] == [True, True, False, False]
    report = score_pooled(rows, preds)
    assert report.close_count == 1
    assert (report.simple_count, report.simple_closed) == (2, 1)
    assert report.simple_close_precision == 1.0
    assert report.close_coverage == pytest.approx(1 / 4)
    text = grouped.format_grouped(report)
    assert "1 of 2 closed (0.500)" in text
    assert grouped.as_json(report)["simple_close_coverage_real"] == 0.5
