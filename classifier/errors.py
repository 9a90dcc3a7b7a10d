"""Errors raised by the classifier.

The classifier is a library below the service: it has its own root, :class:`ClassifierError`,
so it needs nothing from ``bot``. The service counts it among its own errors
(:data:`bot.errors.OUR_ERRORS`), so the CLI still reports it as one of ours.
"""

from __future__ import annotations


class ClassifierError(Exception):
    """Root of every error the classifier raises on purpose."""


class ModelError(ClassifierError):
    """Raised when a model file or its card is missing, altered or holds untrusted types.

    The message names the file, so an operator can retrain or restore it.
    """


class TrainingDataError(ClassifierError):
    """Raised when training or evaluation data cannot be read or has unknown labels.

    ``line`` is the 1-based line number of the offending JSONL record, when known.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)
