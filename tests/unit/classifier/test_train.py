"""Training: determinism of corpus and model, extra examples, bad data, untrusted types."""

from __future__ import annotations

import hashlib
import json

import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from classifier import LABELS
from classifier.data.generate import CORPUS_PATH, generate
from classifier.errors import ModelError, TrainingDataError
from classifier.model import CARD_FILE, MODEL_FILE, TOP_LABEL_RULE, load_model, save_model
from classifier.train import data_sha256, load_corpus, to_examples, train_model


def _small_corpus(n_per_label: int = 60):
    """A balanced slice of the real corpus, small enough to train in a few seconds."""
    picked, counts = [], dict.fromkeys(LABELS, 0)
    for text, labels in load_corpus():
        if len(labels) == 1 and counts[labels[0]] < n_per_label:
            counts[labels[0]] += 1
            picked.append((text, labels))
    picked.append(("Unsubscribe me. Also send me a copy of my data.",
                   ("opt_out", "access_request")))
    return picked


@pytest.fixture(scope="module")
def small():
    return _small_corpus()


@pytest.fixture(scope="module")
def trained(small):
    return train_model(small)


def test_the_generator_is_deterministic():
    assert generate(300) == generate(300)
    assert generate(300, seed=1) != generate(300)


def test_the_shipped_corpus_matches_the_generator():
    lines = CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    rebuilt = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in generate()]
    assert lines == rebuilt


def test_the_corpus_is_varied_and_multilingual():
    rows = generate()
    langs = {r["lang"] for r in rows}
    assert {"en", "de", "fr", "es", "it", "nl", "pl"} <= langs
    assert sum(len(r["labels"]) > 1 for r in rows) > 500
    en_opt_outs = [r["text"] for r in rows if r["labels"] == ["opt_out"] and r["lang"] == "en"]
    # 857 distinct texts when written; a collapse of the generator would drop far below.
    assert len(set(en_opt_outs)) > 800
    most_common = max(en_opt_outs.count(t) for t in set(en_opt_outs))
    assert most_common <= 0.01 * len(en_opt_outs)
    for lang in ("de", "fr", "es", "it", "nl", "pl"):
        for label in ("opt_out", "correction", "access_request"):
            texts = {r["text"] for r in rows if r["lang"] == lang and r["labels"] == [label]}
            assert len(texts) >= 30, (lang, label, len(texts))


@pytest.mark.slow  # trains the model twice more (seconds each)
def test_training_twice_gives_the_same_model_file(tmp_path, small, trained):
    first = trained.save(tmp_path / "a")
    second = train_model(small).save(tmp_path / "b")
    a = (first / MODEL_FILE).read_bytes()
    b = (second / MODEL_FILE).read_bytes()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    card_a = json.loads((first / CARD_FILE).read_text())
    card_b = json.loads((second / CARD_FILE).read_text())
    assert card_a == card_b
    assert card_a["training_data"]["sha256"] == data_sha256(small)


@pytest.mark.slow  # needs the module's trained model (training takes seconds)
def test_a_saved_model_loads_and_predicts(tmp_path, trained):
    out = trained.save(tmp_path / "m")
    model = load_model(out)
    pred = model.predict_one("please unsubscribe me from the newsletter")
    assert pred.label == "opt_out"
    assert pred.model_version == model.card["version"]
    # Training writes the top-label rule into the card, and the loaded model follows it.
    assert model.card["top_label"] == TOP_LABEL_RULE == model.top_label_rule


@pytest.mark.slow  # trains the model once more
def test_extra_examples_change_the_data_hash(small, trained):
    extra = [("Please stop the SMS reminders about courses", ("opt_out",))]
    base = trained
    more = train_model(small, extra=extra)
    assert more.card["training_data"]["examples"] == base.card["training_data"]["examples"] + 1
    assert more.card["training_data"]["sha256"] != base.card["training_data"]["sha256"]
    assert more.card["training_data"]["extra"] == 1


QUOTED_REPLY = ("Please stop these.\n\nOn Tue, 3 Sep 2024 at 10:02, CA Plus <news@caplus.org.uk> "
                "wrote:\n> Book now!\n> Update your details here")


def test_training_text_is_cut_where_the_mail_edge_cuts_it():
    # Issue 12: the model trains on what ingest gives it, by ingest's own rule.
    [(text, labels)] = to_examples([{"text": QUOTED_REPLY, "label": "opt_out", "subject": "Re: x"}])
    assert (text, labels) == ("Re: x\nPlease stop these.", ("opt_out",))


def test_it_rejects_unknown_labels():
    with pytest.raises(TrainingDataError, match="unknown"):
        to_examples([{"text": "hi", "label": "spam"}])
    with pytest.raises(TrainingDataError):
        to_examples([{"text": "hi"}])


class Sneaky(TransformerMixin, BaseEstimator):
    """A class nobody put on the trusted list."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


def test_it_refuses_model_files_with_untrusted_types(tmp_path):
    save_model(Sneaky(), {"version": "x"}, tmp_path)
    with pytest.raises(ModelError, match="do not trust"):
        load_model(tmp_path)
