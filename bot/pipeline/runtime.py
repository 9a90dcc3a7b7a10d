"""What every step needs, built once per process: config, store, model, drafter, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from bot.config import Config
from bot.store.db import Store
from bot.store.models import utcnow
from classifier import TriageModel, load_model
from replies.drafting import Drafter
from replies.notice import load_notice

PACKAGED_NOTICE = Path(__file__).resolve().parents[2] / "replies" / "data" / "example-notice.txt"


@dataclass
class Runtime:
    """The service's shared parts. The model and drafter load on first use, not at start-up."""

    config: Config
    store: Store
    now: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def open(cls, config: Config) -> Runtime:
        return cls(config, Store.open(config.database.url))

    @cached_property
    def model(self) -> TriageModel:
        return load_model(self.config.triage.model_path or None)

    @cached_property
    def drafter(self) -> Drafter:
        org = self.config.organisation
        notice = load_notice(org.notice_path or PACKAGED_NOTICE)
        return Drafter(notice, Path(org.templates_dir) if org.templates_dir else None)

    @property
    def mail_domain(self) -> str:
        return self.config.organisation.support_address.rpartition("@")[2] or "localhost"

    def close(self) -> None:
        self.store.close()
