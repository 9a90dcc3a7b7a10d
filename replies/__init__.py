"""Drafted replies and deadlines: pure code the bot calls, with no database and no network.

- :mod:`replies.deadlines`: UK GDPR response deadlines as the ICO counts them.
- :mod:`replies.notice`: the privacy notice split into sections, searched with TF-IDF.
- :mod:`replies.corrections`: does a correction request give the right details?
- :mod:`replies.drafting`: one jinja2-rendered draft (text and HTML) answering every intent.
- :mod:`replies.errors`: :class:`~replies.errors.RepliesError`, the root of the package's errors.
"""
