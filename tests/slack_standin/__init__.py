"""A wire-level stand-in for Slack's Web API and Socket Mode, for tests.

See :class:`SlackStandIn`. Payload builders shape what Slack sends to an app; ``sign_request``
signs requests for the app's HTTP endpoint.
"""

from .limits import message_blocks_errors, view_errors
from .payloads import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    block_actions_payload,
    message_event,
    new_trigger_id,
    slash_command_payload,
    text_input_values,
    view_submission_payload,
)
from .records import Ack, Call
from .server import SlackStandIn
from .signing import sign_request
from .web_api import SlackUser

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Ack",
    "Call",
    "SlackStandIn",
    "SlackUser",
    "block_actions_payload",
    "message_blocks_errors",
    "message_event",
    "new_trigger_id",
    "sign_request",
    "slash_command_payload",
    "text_input_values",
    "view_errors",
    "view_submission_payload",
]
