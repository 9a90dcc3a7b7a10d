"""Sending one message over SMTP, translating smtplib's errors into :class:`DeliveryError`.

A 5xx answer is permanent (the address or the content is refused: retrying will not help); a
4xx answer, a dropped connection or a refused connection is temporary and retried with backoff.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from bot.config import SmtpConfig
from bot.errors import DeliveryError
from bot.redact import mask_addresses

logger = logging.getLogger(__name__)


def send_message(config: SmtpConfig, msg: EmailMessage) -> None:
    """Deliver ``msg`` to the configured relay.

    Raises:
        DeliveryError: with ``permanent`` set for 5xx refusals.
    """
    context = ssl.create_default_context(cafile=config.ca_file or None)
    if not config.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        if config.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port,
                                                  timeout=config.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
        with smtp:
            if config.starttls and not config.ssl:
                smtp.starttls(context=context)
            if config.username:
                smtp.login(config.username, config.password or "")
            refused = smtp.send_message(msg, from_addr=config.from_address)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        # The message goes into logs, the audit trail and the card: the server's words, with
        # the address masked (a refusal quotes it, sometimes twice).
        reasons = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        raise DeliveryError(f"recipient refused: {mask_addresses(reasons)}",
                            permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: {mask_addresses(_text(exc.smtp_error))}",
                            permanent=exc.smtp_code >= 500) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"SMTP {config.host}:{config.port}: {mask_addresses(str(exc))}") from exc
    if refused:
        reasons = "; ".join(f"{code} {_text(reply)}" for code, reply in refused.values())
        raise DeliveryError(f"some recipients refused: {mask_addresses(reasons)}",
                            permanent=True)
    logger.debug("Relay accepted %s", msg["Message-ID"])  # our own id; never the recipient


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
