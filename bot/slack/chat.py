"""Handing a stored chat message on to triage, so the Slack listener never waits for it.

Which path runs when:

- **Inside ``privacy-triage run``** (:class:`bot.service.Service` gives the Slack app its
  ``announce_new_mail``). The listener stores the message, announces it and returns: this
  process's ``triage`` thread wakes, and on PostgreSQL every other process's worker is told
  too (``NOTIFY``), so with ``run --role`` the worker may be another process. Triage's act
  queues the thread answer in the same transaction as what it reports; a ``deliver-slack``
  thread, woken by triage's commit, posts it.
- **The Slack app run on its own** (``run_slack_app`` without ``wake``: the Slack scenario
  tests, or any caller with no worker). The listener stores the message and hands its id to
  :class:`ChatTriage`, one background thread of the app's own, which triages what is pending
  and then delivers that message's answer row through the Slack outbox channel. The claim is
  the outbox's: a row another process's dispatcher took first is left to it, so the answer is
  still posted once.

Either way the answer is an outbox row: a failed post is retried by the outbox's backoff (by a
worker, or the next ``poll --once``), and nothing sleeps.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from bot.cases.outgoing import chat_answer_key
from bot.deliver.dispatcher import Channel, deliver_items
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store import staff as staff_store

logger = logging.getLogger(__name__)


def answer_id(rt: Runtime, message_id: int) -> int | None:
    """The outbox row of the answer to chat message ``message_id``, once triage queued it."""
    with rt.store.sessions() as session:
        item = staff_store.outbox_item(session, chat_answer_key(message_id))
        return item.id if item is not None else None


def triage_and_answer(rt: Runtime, channel: Channel, message_id: int) -> bool:
    """Triage what is pending until the message's answer is queued, then deliver that answer.

    Stops early when a pass triages nothing (the message failed and waits for its retry, or
    another worker holds it); returns whether this call posted the answer.
    """
    queued = answer_id(rt, message_id)
    while queued is None and triage_pending(rt):
        queued = answer_id(rt, message_id)
    if queued is None:
        logger.info("Chat message %s not answered yet: triage did not finish it here",
                    message_id)
        return False
    return deliver_items(rt, {"slack": channel}, [queued]).sent > 0


class ChatTriage:
    """The background triage of chat messages where no worker runs (see the module docstring).

    One thread: messages arriving together are triaged in one pass by the first job, and the
    listener's threads are never held by classification.
    """

    def __init__(self, rt: Runtime, channel: Channel) -> None:
        self.rt = rt
        self.channel = channel
        self._executor = ThreadPoolExecutor(max_workers=1,
                                            thread_name_prefix="slack-chat-triage")

    def submit(self, message_id: int) -> None:
        """Triage and answer ``message_id`` soon, in the background."""
        try:
            self._executor.submit(self._run, message_id)
        except RuntimeError:  # the app is stopping: the stored message waits for the next pass
            logger.info("Chat message %s stored while the Slack app stops; the next triage "
                        "pass answers it", message_id)

    def _run(self, message_id: int) -> None:
        try:
            triage_and_answer(self.rt, self.channel, message_id)
        except Exception:  # the message and its answer stay queued for a worker or poll --once
            logger.exception("Background triage of chat message %s failed", message_id)

    def close(self) -> None:
        """Finish the job in hand, drop the ones not started (their messages stay stored)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
