"""The Slack app for staff: the only package that imports ``slack_bolt``.

- :mod:`~bot.slack.cards`, :mod:`~bot.slack.modals`, :mod:`~bot.slack.summaries`: Block Kit
  built from plain data (pure; all outside text escaped by :mod:`~bot.slack.text`).
- :mod:`~bot.slack.delivery`: ``SlackChannel``, the outbox channel that posts and updates them.
- :mod:`~bot.slack.app`: the Bolt listeners (ack, check the person, one staff action, redraw).
- :mod:`~bot.slack.intake`: direct messages to the bot triaged like mail.
- :mod:`~bot.slack.runner`: ``run_slack_app(rt, stop)``, Socket Mode or HTTP.
"""
