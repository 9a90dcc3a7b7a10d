"""Errors raised by the classifier, in the project's TriageError family."""

from __future__ import annotations

from bot.errors import TriageError


class ModelError(TriageError):
    """Raised when a model file or its card is missing, altered or holds untrusted types.

    The message names the file, so an operator can retrain or restore it.
    """


class TrainingDataError(TriageError):
    """Raised when training or evaluation data cannot be read or has unknown labels.

    ``line`` is the 1-based line number of the offending JSONL record, when known.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)
