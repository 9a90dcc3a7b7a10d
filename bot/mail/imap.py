"""The IMAP side of intake: connect, find new UIDs, fetch raw bytes, wait with IDLE.

This is the only module that imports ``imapclient``. It knows nothing of the database: the
watcher (``bot.pipeline.watch``) asks it for messages after a UID and commits them itself, and only
then calls :meth:`Mailbox.mark_processed`. UIDs are used throughout, never sequence numbers, and
messages are fetched with ``BODY.PEEK[]`` so the ``\\Seen`` flag is never touched or relied on.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Self

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bot.config import ImapConfig
from bot.errors import MailboxError

logger = logging.getLogger(__name__)

# What a dropped connection looks like from imapclient: its own errors, imaplib's abort, and
# the socket errors underneath. All of them mean "reconnect", never "give up".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)
# RFC 5530 response codes that no retry will change.
_PERMANENT_CODES = ("AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED", "PRIVACYREQUIRED",
                    "NONEXISTENT")


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server holds it."""

    uid: int
    size: int
    raw: bytes
    internal_date: datetime | None = None
    oversize: bool = False


class Mailbox:
    """A connection to one folder of one IMAP account.

    Args:
        config: the ``[imap]`` section, with its secret resolved.
    """

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self._client: IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.uidnext: int | None = None

    @property
    def account(self) -> str:
        return self.config.account

    def connect(self) -> int:
        """Log in and select the folder; returns the folder's UIDVALIDITY.

        Raises:
            MailboxError: on any connection, TLS or login failure.
        """
        cfg = self.config
        try:
            context = ssl.create_default_context(cafile=cfg.ca_file or None)
            if not cfg.verify_tls:
                logger.warning("TLS certificate checks are off for IMAP %s", cfg.host)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if not cfg.ssl and not cfg.starttls and cfg.host not in ("127.0.0.1", "localhost"):
                logger.warning("IMAP to %s is neither SSL nor STARTTLS: password in clear",
                               cfg.host)
            client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.ssl, ssl_context=context,
                                timeout=cfg.timeout_s)
            if cfg.starttls:
                client.starttls(context)
            if cfg.auth == "xoauth2":
                client.oauth2_login(cfg.username, cfg.secret or "")
            else:
                client.login(cfg.username, cfg.secret or "")
            info = client.select_folder(cfg.folder, readonly=not cfg.processed_folder)
        except LoginError as exc:
            # RFC 5530: [UNAVAILABLE] is the server's "try again later"; any other refusal of
            # LOGIN means the credentials are wrong.
            raise MailboxError(f"IMAP {cfg.host}:{cfg.port} login refused: {exc}",
                               transient="UNAVAILABLE" in str(exc)) from exc
        except CONNECTION_ERRORS as exc:
            # SASL logins (XOAUTH2) fail with a plain error carrying the RFC 5530 code.
            refused = any(code in str(exc) for code in _PERMANENT_CODES)
            raise MailboxError(f"IMAP {cfg.host}:{cfg.port} folder {cfg.folder!r}: {exc}",
                               transient=not refused) from exc
        client.normalise_times = False  # keep the server's zone so dates come back aware
        self._client = client
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        self.uidnext = int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None
        logger.info("Connected to %s, folder %s (UIDVALIDITY %s)", cfg.host, cfg.folder,
                    self.uidvalidity)
        return self.uidvalidity

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            raise MailboxError("not connected")
        return self._client

    @property
    def selected_uidvalidity(self) -> int:
        """The UIDVALIDITY that :meth:`connect` read; stored progress is keyed by it."""
        if self.uidvalidity is None:
            raise MailboxError("not connected")
        return self.uidvalidity

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than ``last_uid``, ascending.

        RFC 3501 makes ``UID N:*`` match the last message even when N is beyond it, so the
        answer is filtered rather than trusted.
        """
        try:
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        except CONNECTION_ERRORS as exc:
            raise MailboxError(f"UID SEARCH failed: {exc}") from exc
        return sorted(uid for uid in found if uid > last_uid)

    def uids_since(self, day: date) -> list[int]:
        """UIDs of messages that arrived on or after ``day`` (server's INTERNALDATE), ascending."""
        try:
            return sorted(self.client.search(["SINCE", day]))
        except CONNECTION_ERRORS as exc:
            raise MailboxError(f"UID SEARCH SINCE failed: {exc}") from exc

    def fetch(self, uids: list[int]) -> Iterator[FetchedMessage]:
        """Fetch ``uids`` in batches, in UID order, without setting ``\\Seen``.

        Sizes are asked first so an oversize message is fetched on its own, not in a batch whose
        memory it would blow up.
        """
        batch = max(1, self.config.fetch_batch)
        for start in range(0, len(uids), batch):
            chunk = uids[start:start + batch]
            try:
                meta = self.client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
                sizes = {uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in meta.items()}
                limit = self.config.max_message_bytes
                normal = [uid for uid in chunk if sizes.get(uid, 0) <= limit]
                bodies = self.client.fetch(normal, ["BODY.PEEK[]"]) if normal else {}
            except CONNECTION_ERRORS as exc:
                raise MailboxError(f"FETCH failed: {exc}") from exc
            for uid in chunk:
                if uid not in sizes:
                    continue  # expunged by someone else between SEARCH and FETCH
                arrived = _aware(meta[uid].get(b"INTERNALDATE"))
                if uid in bodies:
                    yield FetchedMessage(uid, sizes[uid], bytes(bodies[uid][b"BODY[]"]), arrived)
                else:
                    yield self._fetch_oversize(uid, sizes[uid], arrived)

    def _fetch_oversize(self, uid: int, size: int, arrived: datetime | None) -> FetchedMessage:
        try:
            data = self.client.fetch([uid], ["BODY.PEEK[]"])
        except CONNECTION_ERRORS as exc:
            raise MailboxError(f"FETCH of oversize UID {uid} failed: {exc}") from exc
        raw = bytes(data[uid][b"BODY[]"]) if uid in data else b""
        return FetchedMessage(uid, size, raw, arrived, oversize=True)

    def mark_processed(self, uids: list[int]) -> None:
        """Move committed messages to ``processed_folder``; a no-op when none is configured.

        Called only after the database commit, so a crash before it leaves the message where
        it was, and the stored UID stops it from being stored twice.
        """
        target = self.config.processed_folder
        if not target or not uids:
            return
        try:
            if not self.client.folder_exists(target):
                self.client.create_folder(target)
            if self.client.has_capability("MOVE"):
                self.client.move(uids, target)
            else:
                # Servers without RFC 6851 MOVE: copy, then flag. Never EXPUNGE: we do not delete.
                self.client.copy(uids, target)
                self.client.add_flags(uids, [b"\\Deleted"])
        except CONNECTION_ERRORS as exc:
            raise MailboxError(f"moving to {target!r} failed: {exc}") from exc

    def announced_changes(self) -> bool:
        """Whether the server announced new mail while answering our last commands.

        A message can arrive after our UID SEARCH was evaluated but be announced (``* N
        EXISTS``) in that command's response, which imaplib files away unread. The server
        (Dovecot does this) then treats it as announced and says nothing more in IDLE, so we
        must look at those filed-away responses ourselves before idling, or the message waits
        for the next one.
        """
        stash = getattr(self.client._imap, "untagged_responses", {})
        found = False
        for name in ("EXISTS", "RECENT"):
            found |= bool(stash.pop(name, None))
        return found

    def wait_for_change(self, timeout_s: float) -> bool:
        """Block in IDLE up to ``timeout_s``; True when the server announced something.

        Falls back to a NOOP poll when the server lacks IDLE.
        """
        client = self.client
        try:
            if not self.config.idle or not client.has_capability("IDLE"):
                return bool(client.noop()[1])
            client.idle()
            try:
                responses = client.idle_check(timeout=timeout_s)
            finally:
                client.idle_done()
        except CONNECTION_ERRORS as exc:
            raise MailboxError(f"IDLE failed: {exc}") from exc
        return any(_is_change(r) for r in responses)

    def interrupt(self) -> None:
        """Break a blocking IDLE from another thread (service shutdown); the watcher then sees
        a connection error and, its stop flag being set, exits instead of reconnecting."""
        client = self._client
        if client is None:
            return
        with contextlib.suppress(OSError):
            client.socket().shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except CONNECTION_ERRORS:
            with contextlib.suppress(*CONNECTION_ERRORS):
                client.shutdown()

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_change(response: tuple[object, ...]) -> bool:
    """``* N EXISTS`` (new mail) or ``* OK ...`` keep-alives: only the former is news."""
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
