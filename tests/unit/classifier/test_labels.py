"""The label vocabulary: one enum whose members are the strings stored, printed and modelled."""

import json

from classifier import LABELS as PUBLIC_LABELS
from classifier.labels import LABELS, Label
from classifier.model import load_model
from replies.drafting import LABELS as DRAFT_LABELS


def test_members_are_their_strings() -> None:
    assert str(Label.OPT_OUT) == "opt_out"
    assert f"{Label.ACCESS_REQUEST}" == "access_request"
    assert json.dumps([Label.CORRECTION, Label.GENERAL_QUERY]) == '["correction", "general_query"]'
    assert Label("general_query") is Label.GENERAL_QUERY


def test_model_column_order_is_kept() -> None:
    assert LABELS == ("opt_out", "correction", "access_request", "general_query")
    assert all(type(label) is str for label in LABELS)
    assert PUBLIC_LABELS is LABELS and DRAFT_LABELS is LABELS


def test_shipped_model_columns_follow_labels() -> None:
    model = load_model()
    prediction = model.predict(["please unsubscribe me from your newsletter"])[0]
    assert list(prediction.intents) == list(LABELS)
    assert prediction.label == Label.OPT_OUT
