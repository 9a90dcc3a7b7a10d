"""Configuration: one TOML file, secrets from the environment, checked once at start-up.

Every section is a small frozen dataclass whose fields are the TOML keys, so the dataclasses are
the schema: an unknown key, a value of the wrong type or a secret whose environment variable is
unset stops start-up with a :class:`~bot.errors.ConfigError` naming the file and the key. Keys that
end in ``_env`` name the environment variable holding a secret; the secret itself never lives in
the file. Decision code receives these objects and never reads ``os.environ`` itself.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

DEFAULT_CONFIG_PATH = "config.toml"
CONFIG_PATH_ENV = "PRIVACY_TRIAGE_CONFIG"


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite:///privacy-triage.sqlite3"

    def __repr__(self) -> str:
        # The URL may carry a password; a repr ends up in tracebacks and debug logs.
        from bot.redact import mask_url

        return f"DatabaseConfig(url={mask_url(self.url)!r})"


@dataclass(frozen=True)
class ImapConfig:
    host: str = ""
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    verify_tls: bool = True
    ca_file: str = ""
    username: str = ""
    password_env: str = "PRIVACY_TRIAGE_IMAP_PASSWORD"
    auth: str = "password"
    oauth_token_env: str = "PRIVACY_TRIAGE_IMAP_OAUTH_TOKEN"
    folder: str = "INBOX"
    idle: bool = True
    poll_interval_s: float = 60.0
    idle_renew_s: float = 540.0
    timeout_s: float = 30.0
    processed_folder: str = ""
    max_message_bytes: int = 25_000_000
    fetch_batch: int = 200
    # Authentication-Results stamped by these servers (the organisation's own MX or gateway,
    # "*" wildcards) are believed; every other such header is the sender's say-so.
    trusted_authserv_ids: list[str] = field(default_factory=list)
    # Where intake starts in a folder it has never seen: "now" (only new mail), "all" (the whole
    # history), or a date "YYYY-MM-DD" (mail that arrived from that day on).
    start: str = "now"
    # Resolved from the environment, never from the file.
    secret: str | None = field(default=None, repr=False, metadata={"resolved": True})

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def account(self) -> str:
        """How intake progress (``mailbox_state.account``) names this login on this server."""
        return f"{self.username}@{self.host}:{self.port}"


@dataclass(frozen=True)
class SmtpConfig:
    host: str = ""
    port: int = 587
    ssl: bool = False
    starttls: bool = True
    verify_tls: bool = True
    ca_file: str = ""
    username: str = ""
    password_env: str = "PRIVACY_TRIAGE_SMTP_PASSWORD"
    from_address: str = ""
    timeout_s: float = 30.0
    password: str | None = field(default=None, repr=False, metadata={"resolved": True})

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class OrganisationConfig:
    name: str = "CA Plus"
    support_address: str = "support@caplus.org.uk"
    notice_path: str = ""
    templates_dir: str = ""
    identity_check: str = "when_unmatched"
    own_addresses: list[str] = field(default_factory=list)
    # Mail domains that are the organisation's own (the support address's always counts): mail
    # from them is never handled automatically (staff forwarding someone's request, or outside
    # mail claiming to be us).
    own_domains: list[str] = field(default_factory=list)
    # Domains of the Message-IDs our mailing tool puts on newsletters: a reply naming one in
    # In-Reply-To/References is a reply to our mailing ("STOP" there is an opt-out).
    mailer_message_id_domains: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TriageConfig:
    model_path: str = ""
    opt_out_threshold: float = 0.0
    # How long a worker holds the messages it claimed; a worker that dies holding them
    # delays them by at most this much (another worker then takes them over).
    lease_s: float = 120.0


@dataclass(frozen=True)
class AutomaticMailConfig:
    """Bounds on mail nobody approved (opt-out confirmations); beyond them we stay silent."""

    per_address: int = 1             # confirmations to one address ...
    per_address_hours: float = 24.0  # ... within this many hours
    per_hour: int = 100              # confirmations to anybody within one hour


@dataclass(frozen=True)
class OutboxConfig:
    max_attempts: int = 12
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    lease_s: float = 300.0


@dataclass(frozen=True)
class HttpConfig:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8025
    public_url: str = "http://127.0.0.1:8025"
    api_token_env: str = "PRIVACY_TRIAGE_API_TOKEN"
    unsubscribe_secret_env: str = "PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET"
    # Comma-separated secrets that signed links already sent, still accepted after a rotation.
    previous_unsubscribe_secrets_env: str = "PRIVACY_TRIAGE_UNSUBSCRIBE_PREVIOUS_SECRETS"
    # Per client address: POSTs (one-click unsubscribes) and wrong API tokens a minute, beyond
    # which the answer is 429 with Retry-After.
    posts_per_minute: int = 30
    failed_tokens_per_minute: int = 10
    api_token: str | None = field(default=None, repr=False, metadata={"resolved": True})
    unsubscribe_secret: str | None = field(default=None, repr=False, metadata={"resolved": True})
    previous_unsubscribe_secrets: tuple[str, ...] = field(
        default=(), repr=False, metadata={"resolved": True})


@dataclass(frozen=True)
class SlackConfig:
    enabled: bool = False
    mode: str = "socket"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    review_channel: str = ""
    intake_channel: str = ""
    allowed_user_ids: list[str] = field(default_factory=list)
    base_url: str = "https://slack.com/api/"
    redaction: str = "partial"
    opt_out_notices: str = "each"
    reminder_hour: int = 9
    # mode = "http": where the Events API endpoint (/slack/events) listens.
    http_host: str = "127.0.0.1"
    http_port: int = 8026
    bot_token: str | None = field(default=None, repr=False, metadata={"resolved": True})
    app_token: str | None = field(default=None, repr=False, metadata={"resolved": True})
    signing_secret: str | None = field(default=None, repr=False, metadata={"resolved": True})


@dataclass(frozen=True)
class RetentionConfig:
    # Raw messages, drafts and names of closed cases are kept this long after the case closed.
    closed_case_days: int = 730
    audit_years: int = 6
    # `run` purges what is due once a day at this hour on the organisation's clock
    # (Europe/London), and at start-up if it was down then; false leaves it to `purge` by hand.
    daily_purge: bool = True
    daily_purge_hour: int = 3


@dataclass(frozen=True)
class HealthConfig:
    """What ``/readyz`` and ``status`` call ready (bot/readiness.py)."""

    # Every mailbox fetched within this many poll intervals ([imap] poll_interval_s).
    fetch_within_polls: float = 3.0
    # No outbox item due for longer than this: a stopped dispatcher, not a relay backing off.
    outbox_stuck_after_s: float = 900.0


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``path`` is where it came from (None for built-in defaults)."""

    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    imap: ImapConfig = field(default_factory=ImapConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    organisation: OrganisationConfig = field(default_factory=OrganisationConfig)
    triage: TriageConfig = field(default_factory=TriageConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    automatic_mail: AutomaticMailConfig = field(default_factory=AutomaticMailConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    path: str | None = None
    # `[[imap]]` (an array of tables) watches several mailboxes: `imap` is the first, these the
    # rest, so code and tests that know one mailbox keep working (see `mailboxes`).
    more_imap: tuple[ImapConfig, ...] = ()
    imap_array: bool = False  # the file used `[[imap]]`: errors say `imap[1].host`

    @property
    def mailboxes(self) -> tuple[ImapConfig, ...]:
        """Every configured IMAP mailbox, in file order (empty when IMAP is off)."""
        return tuple(m for m in (self.imap, *self.more_imap) if m.enabled)

    @property
    def trusted_authserv_ids(self) -> list[str]:
        """Authentication-Results stamps believed for mail from any of our mailboxes.

        The stamp names the organisation's own MX, which does not depend on the mailbox the
        mail was delivered to, so the lists of every mailbox are merged.
        """
        found = [i for m in (self.imap, *self.more_imap) for i in m.trusted_authserv_ids]
        return list(dict.fromkeys(found))

    @property
    def own_addresses(self) -> tuple[str, ...]:
        """Addresses that are us: mail from them is a loop, never a request."""
        found = [self.organisation.support_address, self.smtp.from_address,
                 *self.organisation.own_addresses]
        return tuple(dict.fromkeys(a.strip().lower() for a in found if a.strip()))

    @property
    def own_domains(self) -> tuple[str, ...]:
        """The organisation's mail domains: those of its own addresses, and any listed."""
        found = [a.rpartition("@")[2] for a in self.own_addresses]
        found += [d.strip().lower().lstrip("@") for d in self.organisation.own_domains]
        return tuple(dict.fromkeys(d for d in found if d))


_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("imap", "auth"): ("password", "xoauth2"),
    ("slack", "mode"): ("socket", "http"),
    ("slack", "redaction"): ("none", "partial", "full"),
    ("slack", "opt_out_notices"): ("each", "digest", "none"),
    ("organisation", "identity_check"): ("always", "never", "when_unmatched"),
}


# Numbers a value must lie within (inclusive; None is unbounded), checked with the file's types.
# reminder_hour 24 means "never": no hour of the day reaches it.
_PORT = (1, 65535)
_RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("imap", "port"): _PORT,
    ("imap", "poll_interval_s"): (1, None),
    ("imap", "idle_renew_s"): (1, 600),   # servers may drop an IDLE after 10 min (RFC 2177: 29)
    ("imap", "timeout_s"): (1, None),
    ("imap", "max_message_bytes"): (1, None),
    ("imap", "fetch_batch"): (1, None),
    ("smtp", "port"): _PORT,
    ("smtp", "timeout_s"): (1, None),
    ("triage", "opt_out_threshold"): (0, 1),
    ("outbox", "max_attempts"): (1, None),
    ("outbox", "backoff_base_s"): (0, None),
    ("outbox", "backoff_max_s"): (0, None),
    ("outbox", "lease_s"): (1, None),
    ("http", "port"): _PORT,
    ("slack", "http_port"): _PORT,
    ("slack", "reminder_hour"): (0, 24),
    ("retention", "daily_purge_hour"): (0, 23),
    ("health", "fetch_within_polls"): (1, None),
    ("health", "outbox_stuck_after_s"): (1, None),
}
# Paths that must exist when set: a typo here would otherwise surface as a traceback mid-triage.
_EXISTING_PATHS = (("triage", "model_path"), ("organisation", "notice_path"),
                   ("organisation", "templates_dir"))


def load_config(path: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """Read, check and resolve the configuration.

    Args:
        path: the TOML file. None means ``$PRIVACY_TRIAGE_CONFIG`` or ``./config.toml``; when that
            default file does not exist the built-in defaults are used (embedded SQLite, nothing
            external configured), so ``privacy-triage demo`` works on a fresh checkout.
        environ: where secrets are read from; ``os.environ`` by default.

    Raises:
        ConfigError: naming the file and the key for any unknown key, wrong type, bad choice or
            missing secret.
    """
    environ = os.environ if environ is None else environ
    explicit = path is not None or CONFIG_PATH_ENV in environ
    chosen = Path(path if path is not None else environ.get(CONFIG_PATH_ENV, DEFAULT_CONFIG_PATH))
    if not chosen.exists():
        if explicit:
            raise ConfigError("the configuration file does not exist", path=str(chosen))
        return _resolve(Config(), None, environ)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(chosen)) from None
    return config_from_mapping(data, path=str(chosen), environ=environ)


def config_from_mapping(data: Mapping[str, Any], *, path: str | None = None,
                        environ: Mapping[str, str] | None = None) -> Config:
    """Build a :class:`Config` from already-parsed TOML (tests use this directly)."""
    environ = os.environ if environ is None else environ
    sections: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(Config) if f.name not in _NOT_SECTIONS}
    for name, value in data.items():
        if name not in known:
            raise ConfigError(f"unknown section (known: {', '.join(known)})", path=path, key=name)
        if name == "imap" and isinstance(value, list):
            sections.update(_build_imap_array(value, path))
            continue
        if not isinstance(value, Mapping):
            raise ConfigError("must be a table, like [" + name + "]", path=path, key=name)
        section_type = _type_of(known[name])
        sections[name] = _build_section(section_type, name, value, path)
    config = Config(**sections, path=path)
    return _resolve(config, path, environ)


_NOT_SECTIONS = frozenset({"path", "more_imap", "imap_array"})


def _build_imap_array(tables: list[Any], path: str | None) -> dict[str, Any]:
    """``[[imap]]``: one mailbox per table, each checked as an ``[imap]`` table would be."""
    if not tables:
        raise ConfigError("an empty list; write one [[imap]] table per mailbox", path=path,
                          key="imap")
    built: list[ImapConfig] = []
    for i, table in enumerate(tables):
        if not isinstance(table, Mapping):
            raise ConfigError("must be a table, like [[imap]]", path=path, key=f"imap[{i}]")
        built.append(_build_section(ImapConfig, "imap", table, path, label=f"imap[{i}]"))
    return {"imap": built[0], "more_imap": tuple(built[1:]), "imap_array": True}


def _type_of(f: dataclasses.Field[Any]) -> Any:
    hints = typing.get_type_hints(Config)
    return hints[f.name]


def _build_section(cls: type, name: str, values: Mapping[str, Any], path: str | None,
                   label: str | None = None) -> Any:
    """One table; ``label`` is how errors name it when it is not ``name`` (``imap[1]``)."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("resolved")}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{label or name}.{key}"
        if key not in fields:
            raise ConfigError(
                f"unknown key (known keys in [{name}]: {', '.join(fields)})", path=path, key=dotted)
        kwargs[key] = _check_type(value, hints[key], dotted, path)
        choices = _CHOICES.get((name, key))
        if choices and kwargs[key] not in choices:
            raise ConfigError(f"must be one of {', '.join(map(repr, choices))}, not {value!r}",
                              path=path, key=dotted)
        _check_range(kwargs[key], _RANGES.get((name, key)), dotted, path)
    return cls(**kwargs)


def _check_range(value: Any, bounds: tuple[float | None, float | None] | None, key: str,
                 path: str | None) -> None:
    if bounds is None:
        return
    low, high = bounds
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            wanted = f"at least {low}"
        elif low is None:
            wanted = f"at most {high}"
        else:
            wanted = f"between {low} and {high}"
        raise ConfigError(f"must be {wanted}, not {value!r}", path=path, key=key)


def _check_database_url(url: str, path: str | None) -> None:
    """Refuse a URL SQLAlchemy cannot use, with the spelling that works."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    key = "database.url"
    if url.startswith(("postgres://", "postgresql://")):
        raise ConfigError("use postgresql+psycopg://user@host/dbname (the psycopg 3 driver this "
                          f"project installs), not {url.split('://', 1)[0]}://", path=path, key=key)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("not a database URL; use sqlite:///path/to/file.sqlite3 or "
                          "postgresql+psycopg://user@host/dbname", path=path, key=key) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}; use sqlite:/// or "
                          "postgresql+psycopg://", path=path, key=key)


def _check_paths(config: Config, path: str | None) -> None:
    for section, key in _EXISTING_PATHS:
        value = getattr(getattr(config, section), key)
        if value and not Path(value).exists():
            raise ConfigError(f"{value} does not exist (relative paths are from the directory "
                              "the command runs in)", path=path, key=f"{section}.{key}")


def _check_type(value: Any, expected: Any, key: str, path: str | None) -> Any:
    origin = typing.get_origin(expected)
    if origin is list:
        (item_type,) = typing.get_args(expected)
        if not isinstance(value, list):
            raise ConfigError(f"must be a list, not {type(value).__name__}", path=path, key=key)
        return [_check_type(item, item_type, key, path) for item in value]
    if origin in (typing.Union, types.UnionType):
        expected = next(t for t in typing.get_args(expected) if t is not type(None))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise ConfigError(f"must be {_describe(expected)}, not {type(value).__name__} {value!r}",
                          path=path, key=key)
    return value


def _describe(expected: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        expected, getattr(expected, "__name__", str(expected)))


def _resolve(config: Config, path: str | None, environ: Mapping[str, str]) -> Config:
    """Fill in secrets from the environment for every part that is switched on."""
    _check_database_url(config.database.url, path)
    _check_paths(config, path)
    labels = ([f"imap[{i}]" for i in range(1 + len(config.more_imap))] if config.imap_array
              else ["imap"])
    resolved = [_resolve_imap(m, label, path, environ)
                for m, label in zip((config.imap, *config.more_imap), labels, strict=True)]
    _check_distinct_mailboxes(resolved, labels, path)
    imap, more_imap = resolved[0], tuple(resolved[1:])
    smtp = config.smtp
    if smtp.enabled:
        if not smtp.from_address:
            raise ConfigError("must be set when [smtp] host is set", path=path,
                              key="smtp.from_address")
        if smtp.username:
            smtp = dataclasses.replace(
                smtp, password=_secret(environ, smtp.password_env, "smtp.password_env", path))
    http = dataclasses.replace(
        config.http,
        api_token=environ.get(config.http.api_token_env) or None,
        unsubscribe_secret=environ.get(config.http.unsubscribe_secret_env) or None,
        previous_unsubscribe_secrets=tuple(
            part.strip() for part in
            environ.get(config.http.previous_unsubscribe_secrets_env, "").split(",")
            if part.strip()),
    )
    for key in ("posts_per_minute", "failed_tokens_per_minute"):
        if getattr(http, key) < 1:
            raise ConfigError(f"must be at least 1, not {getattr(http, key)}", path=path,
                              key=f"http.{key}")
    slack = config.slack
    if slack.enabled:
        slack = dataclasses.replace(
            slack,
            bot_token=_secret(environ, slack.bot_token_env, "slack.bot_token_env", path),
            app_token=(_secret(environ, slack.app_token_env, "slack.app_token_env", path)
                       if slack.mode == "socket" else None),
            signing_secret=(
                _secret(environ, slack.signing_secret_env, "slack.signing_secret_env", path)
                if slack.mode == "http" else environ.get(slack.signing_secret_env)),
        )
        if not slack.review_channel:
            raise ConfigError("must be set when Slack is enabled", path=path,
                              key="slack.review_channel")
    return dataclasses.replace(config, imap=imap, more_imap=more_imap, smtp=smtp, http=http,
                               slack=slack)


def _resolve_imap(imap: ImapConfig, label: str, path: str | None,
                  environ: Mapping[str, str]) -> ImapConfig:
    if not imap.enabled:
        if label != "imap":  # in a list every table is a mailbox; one without a host is a slip
            raise ConfigError("must be set in every [[imap]] table", path=path,
                              key=f"{label}.host")
        return imap
    env_key = "oauth_token_env" if imap.auth == "xoauth2" else "password_env"
    imap = dataclasses.replace(
        imap, secret=_secret(environ, getattr(imap, env_key), f"{label}.{env_key}", path))
    _check_start(imap.start, path, f"{label}.start")
    if imap.ssl and imap.starttls:
        raise ConfigError("ssl and starttls cannot both be true", path=path,
                          key=f"{label}.starttls")
    return imap


def _check_distinct_mailboxes(mailboxes: list[ImapConfig], labels: list[str],
                              path: str | None) -> None:
    """Two tables naming the same folder of the same account would be one mailbox watched
    twice, sharing one progress row: refuse, naming both."""
    seen: dict[tuple[str, str, int, str], str] = {}
    for imap, label in zip(mailboxes, labels, strict=True):
        if not imap.enabled:
            continue
        ident = (imap.username.lower(), imap.host.lower(), imap.port, imap.folder)
        if ident in seen:
            raise ConfigError(f"the same account and folder as {seen[ident]}; each [[imap]] "
                              "table must be a different mailbox (or folder)", path=path,
                              key=f"{label}.username")
        seen[ident] = label


def _check_start(start: str, path: str | None, key: str = "imap.start") -> None:
    if start in ("now", "all"):
        return
    try:
        date.fromisoformat(start)
    except ValueError:
        raise ConfigError(f'must be "now", "all" or a date like "2026-01-31", not {start!r}',
                          path=path, key=key) from None


def _secret(environ: Mapping[str, str], variable: str, key: str, path: str | None) -> str:
    value = environ.get(variable)
    if not value:
        raise ConfigError(f"names the environment variable {variable}, which is not set",
                          path=path, key=key)
    return value
