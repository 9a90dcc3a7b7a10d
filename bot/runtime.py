"""What every step needs, built once per process: config, store, model, drafter, clock."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self

from bot.config import Config
from bot.errors import SetupError
from bot.store.db import Store
from bot.store.models import utcnow

if TYPE_CHECKING:
    from classifier import TriageModel
    from replies.drafting import Drafter


def worker_name() -> str:
    """A name for one runtime's claims, unique across hosts, processes and runtimes."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Runtime:
    """The service's shared parts. The model and drafter load on first use, not at start-up."""

    config: Config
    store: Store
    now: Callable[[], datetime] = field(default=utcnow)
    # Names this runtime's claims (messages.claimed_by, outbox.claimed_by): host and process
    # for a person reading the table, and a random part so two runtimes never share a name.
    worker_id: str = field(default_factory=lambda: worker_name())

    @classmethod
    def open(cls, config: Config) -> Runtime:
        return cls(config, Store.open(config.database.url))

    @cached_property
    def model(self) -> TriageModel:
        from classifier import load_model  # loaded on first triage, not by every command

        try:
            return load_model(self.config.triage.model_path or None)
        except Exception as exc:
            raise SetupError(f"the model cannot be loaded: {type(exc).__name__}: {exc}",
                             key="triage.model_path") from exc

    @cached_property
    def drafter(self) -> Drafter:
        from replies.drafting import Drafter
        from replies.notice import EXAMPLE_NOTICE_PATH, load_notice

        org = self.config.organisation
        try:
            notice = load_notice(org.notice_path or EXAMPLE_NOTICE_PATH)
        except Exception as exc:
            raise SetupError(f"the privacy notice cannot be loaded: {type(exc).__name__}: {exc}",
                             key="organisation.notice_path") from exc
        try:
            return Drafter(notice, Path(org.templates_dir) if org.templates_dir else None)
        except Exception as exc:
            raise SetupError(f"the reply templates cannot be loaded: {type(exc).__name__}: "
                             f"{exc}", key="organisation.templates_dir") from exc

    @property
    def mail_domain(self) -> str:
        return self.config.organisation.support_address.rpartition("@")[2] or "localhost"

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
