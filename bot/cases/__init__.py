"""Case work shared by the pipeline (which opens cases) and staff actions (which move them on).

Both layers above import these modules; nothing here imports either of them:

- :mod:`bot.cases.clock`: the statutory clock, pure: which labels are timed, pauses, restarts.
- :mod:`bot.cases.drafts`: drafting a case's reply from the case and its message.
- :mod:`bot.cases.outgoing`: queueing the email and the Slack posts a case causes.
"""
