"""Shared fixtures for the classifier tests: the shipped model and a prediction factory."""

from __future__ import annotations

import pytest

from classifier import LABELS, Prediction, load_model


@pytest.fixture(scope="session")
def model():
    return load_model()


def make_prediction(top: str = "opt_out", p: float = 0.999, *, others: dict | None = None,
                    present: tuple[str, ...] | None = None) -> Prediction:
    """A Prediction built by hand, so policy tests do not depend on the model."""
    intents = dict.fromkeys(LABELS, 0.01)
    intents[top] = p
    intents.update(others or {})
    return Prediction(label=top, confidence=p, intents=intents,
                      present=present if present is not None else (top,), model_version="test")
