"""The email channel of the outbox: build the message, send it, keep a copy for the thread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import DeliveryError
from bot.mail.outbound import build_email
from bot.mail.smtp import send_message
from bot.runtime import Runtime
from bot.store.models import OutboxItem


class EmailChannel:
    """Delivers ``email`` outbox items through the configured SMTP relay."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def __call__(self, item: OutboxItem) -> Mapping[str, Any]:
        smtp = self.rt.config.smtp
        if not smtp.enabled:
            raise DeliveryError("no [smtp] host configured")
        msg = build_email(item.payload, from_address=smtp.from_address,
                          from_name=self.rt.config.organisation.name)
        send_message(smtp, msg)
        return {"message_id": item.payload["message_id"]}
