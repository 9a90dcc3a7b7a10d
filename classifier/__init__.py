"""Intent classifier for privacy mail: opt_out, correction, access_request, general_query.

The bot imports exactly these names; keep them stable.
"""

from classifier.model import LABELS, Prediction, TriageModel, load_model

__all__ = ["LABELS", "Prediction", "TriageModel", "load_model"]
