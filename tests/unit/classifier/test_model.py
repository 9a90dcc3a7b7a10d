"""Loading the shipped model and the shape of its predictions."""

from __future__ import annotations

import shutil
import time

import pytest

from classifier import LABELS, Prediction, TriageModel, load_model
from classifier.errors import ModelError
from classifier.model import CARD_FILE, DEFAULT_DIR, MODEL_FILE, _load_uncached


def test_it_loads_the_shipped_model_within_a_second():
    start = time.perf_counter()
    model = _load_uncached(DEFAULT_DIR)
    elapsed = time.perf_counter() - start
    assert isinstance(model, TriageModel)
    assert elapsed <= 1.0, f"load took {elapsed:.2f}s"


def test_it_caches_the_default_model():
    assert load_model() is load_model(None)
    assert load_model() is load_model(DEFAULT_DIR / MODEL_FILE)


def test_its_card_carries_version_hashes_and_thresholds(model):
    card = model.card
    assert card["version"] and len(card["training_data"]["sha256"]) == 64
    assert set(card["thresholds"]["present"]) == set(LABELS)
    assert 0.9 <= card["thresholds"]["opt_out_auto"] < 1.0
    assert card["sklearn_version"]


def test_it_returns_one_prediction_per_text_with_all_intents(model):
    preds = model.predict(["Unsubscribe me please", "Where is my order?", "Hallo"],
                          ["Remove me", None, None])
    assert len(preds) == 3
    for pred in preds:
        assert isinstance(pred, Prediction)
        assert set(pred.intents) == set(LABELS)
        assert all(0.0 <= p <= 1.0 for p in pred.intents.values())
        assert pred.present and pred.present[0] == pred.label
        assert pred.confidence == pred.intents[pred.label]
        assert pred.model_version == model.version


def test_it_handles_empty_input(model):
    assert model.predict([]) == []
    assert model.predict_one("").label in LABELS


def test_it_rejects_mismatched_subjects_and_a_bare_string(model):
    with pytest.raises(ValueError):
        model.predict(["a", "b"], ["only one"])
    with pytest.raises(TypeError):
        model.predict("a string")


@pytest.mark.parametrize(("text", "expected"), [
    ("Please take me off your mailing list, I never signed up.", "opt_out"),
    ("how do i stop ur newsletters", "opt_out"),
    ("Bitte keine Werbung mehr an diese Adresse.", "opt_out"),
    ("I've moved, my new address is 4 Elm Road, York YO1 2AB.", "correction"),
    ("Je souhaite que vous supprimiez mon compte.", "correction"),
    ("Can you send me all the information you hold about me?", "access_request"),
    ("Chciałbym otrzymać kopię moich danych osobowych.", "access_request"),
    ("My card was declined at the supermarket.", "general_query"),
    ("Do you use tracking cookies on the booking page?", "general_query"),
])
def test_it_classifies_plain_requests(model, text, expected):
    assert model.predict_one(text).label == expected


def test_it_detects_two_intents_in_one_message(model):
    pred = model.predict_one("Please unsubscribe me from the newsletter. Also, please send me a "
                             "copy of all the personal data you hold about me.")
    assert set(pred.present[:2]) == {"opt_out", "access_request"}


def test_it_refuses_an_altered_model_file(tmp_path):
    shutil.copy(DEFAULT_DIR / CARD_FILE, tmp_path / CARD_FILE)
    data = bytearray((DEFAULT_DIR / MODEL_FILE).read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match"):
        load_model(tmp_path)


def test_it_reports_a_missing_model(tmp_path):
    with pytest.raises(ModelError, match="cannot read"):
        load_model(tmp_path / "nowhere")


def test_it_refuses_a_model_trained_with_other_cue_features():
    # IntentCues computes features from the code's lexicon; a model fitted when the lexicon
    # had other groups would read the wrong columns, so it is refused by name.
    from classifier.features import FEATURE_NAMES, IntentCues
    from classifier.model import check_features
    from classifier.pipeline import build_pipeline

    pipeline = build_pipeline()
    cues = next(step for _, step in pipeline.named_steps["features"].transformer_list
                if isinstance(step, IntentCues))
    with pytest.raises(ModelError, match="other cue features"):
        check_features(pipeline, "old.skops")  # never fitted: no names recorded
    cues.feature_names_ = FEATURE_NAMES[:-1] + ("question",)
    with pytest.raises(ModelError, match="other cue features"):
        check_features(pipeline, "old.skops")
    cues.fit(["x"])
    check_features(pipeline, "new.skops")
