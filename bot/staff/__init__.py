"""Staff actions on cases: pure rules (``rules``) and one transaction per action (``actions``).

Slack is only one way in: :mod:`bot.slack` turns clicks into these calls, and anything else
(a CLI, a web page) could call them the same way.
"""
