"""The public one-click unsubscribe pages (RFC 8058).

``GET`` only shows a page with a button: mail scanners and link previewers fetch links without a
person, so a GET must never change anything. ``POST`` with ``List-Unsubscribe=One-Click`` (sent by
the mail client itself, or by the page's own button) suppresses the address in the token.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request, url_for

from bot.store import audit, suppressions
from bot.store.db import Store
from bot.unsubscribe import (
    ONE_CLICK_FIELD,
    ONE_CLICK_VALUE,
    InvalidTokenError,
    mask_address,
    verify_token,
)
from bot.web.context import runtime

logger = logging.getLogger(__name__)

pages = Blueprint("pages", __name__)

SOURCE = "one-click"
ACTOR = "web:one-click"
ACTION = "opt_out.one_click"


def apply_one_click(store: Store, address: str) -> bool:
    """Suppress ``address`` and record it, in one transaction; True when it is newly suppressed.

    A repeated POST (mail clients retry, people double-click) finds the address already
    suppressed and changes nothing, so it appends no second audit event.
    """
    with store.transaction() as session:
        row, newly = suppressions.suppress(session, address, reason="one-click unsubscribe link",
                                           source=SOURCE)
        if newly:
            audit.record(session, ACTOR, ACTION, None, suppression=row.id)
    return newly


def _is_one_click() -> bool:
    """Whether the POST body is RFC 8058's ``List-Unsubscribe=One-Click``.

    Browsers and most mail providers send it as a form; a body with a missing or odd content type
    but exactly that text is accepted too, since the point is to never lose an unsubscribe.
    """
    if request.form.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE:
        return True
    return request.get_data(cache=False).strip() == f"{ONE_CLICK_FIELD}={ONE_CLICK_VALUE}".encode()


@pages.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    """Show the button (GET) or apply the unsubscribe (POST)."""
    rt = runtime()
    org = rt.config.organisation
    secret = rt.config.http.unsubscribe_secret
    if not secret:
        logger.error("Unsubscribe link used but %s is not set",
                     rt.config.http.unsubscribe_secret_env)
        return render_template("message.html", org=org, title="Unsubscribe is unavailable",
                               text="We cannot unsubscribe you from this page just now.",
                               write_to_us=True), 503
    try:
        address = verify_token(token, secret, rt.config.http.previous_unsubscribe_secrets)
    except InvalidTokenError as exc:
        logger.info("Refused an unsubscribe link: %s", exc)
        return render_template("message.html", org=org, title="This link is not valid",
                               text="This unsubscribe link is not valid. It may have been cut "
                                    "short or changed when it was copied.",
                               write_to_us=True), 400
    masked = mask_address(address)
    if request.method != "POST":  # GET, and HEAD which Flask routes here too
        return render_template("unsubscribe.html", org=org, masked=masked,
                               action=url_for("pages.unsubscribe", token=token),
                               field=ONE_CLICK_FIELD, value=ONE_CLICK_VALUE), 200
    if not _is_one_click():
        return render_template("message.html", org=org, title="Unsubscribe request not "
                               "understood", text="Please use the button on the unsubscribe "
                               "page.", write_to_us=True), 400
    newly = apply_one_click(rt.store, address)
    logger.info("One-click unsubscribe applied (new: %s)", newly)
    return render_template("unsubscribed.html", org=org, masked=masked), 200
