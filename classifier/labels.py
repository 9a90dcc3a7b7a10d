"""The four intents a message can carry, named once for the classifier, the replies and the bot.

A :class:`Label` member *is* its string (``Label.OPT_OUT == "opt_out"``), so values stored in the
database, written to JSON or CSV and read back from either compare equal to the members without
conversion. This module imports nothing, so ``replies`` and ``bot`` can use it without loading the
model's dependencies.
"""

from __future__ import annotations

import enum


class Label(enum.StrEnum):
    """An intent. The member order is the order of the shipped model's columns: do not reorder."""

    OPT_OUT = "opt_out"
    CORRECTION = "correction"
    ACCESS_REQUEST = "access_request"
    GENERAL_QUERY = "general_query"


#: The labels in model-column order, as plain strings: ``predict_proba`` returns one column per
#: entry, and model files pickle these values (plain ``str`` keeps them loadable without this
#: module's enum).
LABELS: tuple[str, ...] = tuple(label.value for label in Label)

#: The labels a person can ask us to act on (every label but the general query).
ACTIONABLE: tuple[Label, ...] = (Label.OPT_OUT, Label.CORRECTION, Label.ACCESS_REQUEST)
