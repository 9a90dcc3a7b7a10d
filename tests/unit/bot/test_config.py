"""Config errors name the file and the key; secrets come only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_it_uses_embedded_defaults_when_no_file_exists(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.database.url.startswith("sqlite:///")
    assert not config.imap.enabled and not config.smtp.enabled and not config.slack.enabled
    assert config.path is None


def test_an_explicit_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist") as err:
        load_config(tmp_path / "nope.toml", environ={})
    assert str(tmp_path / "nope.toml") in str(err.value)


def test_it_reads_the_config_path_from_the_environment(tmp_path: Path):
    path = write(tmp_path, '[organisation]\nname = "Example Org"\n')
    config = load_config(environ={"PRIVACY_TRIAGE_CONFIG": str(path)})
    assert config.organisation.name == "Example Org"


@pytest.mark.parametrize(("text", "key", "message"), [
    ('[imap]\nhots = "x"\n', "imap.hots", "unknown key"),
    ('[imapp]\nhost = "x"\n', "imapp", "unknown section"),
    ('[imap]\nport = "993"\n', "imap.port", "must be an integer"),
    ('[imap]\nssl = "yes"\n', "imap.ssl", "must be true or false"),
    ('[imap]\nport = true\n', "imap.port", "must be an integer"),
    ('[imap]\nauth = "kerberos"\n', "imap.auth", "must be one of"),
    ('[slack]\nallowed_user_ids = "U1"\n', "slack.allowed_user_ids", "must be a list"),
    ('imap = 3\n', "imap", "must be a table"),
    ('[database\nurl = 1', None, "not valid TOML"),
])
def test_a_mistake_names_the_file_and_the_key(tmp_path: Path, text: str, key: str | None,
                                               message: str):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(path, environ={})
    assert str(path) in str(err.value)
    if key:
        assert f"'{key}'" in str(err.value)
        assert err.value.key == key


def test_a_missing_secret_variable_names_the_key_and_the_variable(tmp_path: Path):
    path = write(tmp_path, '[imap]\nhost = "imap.example.org"\nusername = "support"\n'
                           'password_env = "MY_IMAP_PASSWORD"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert "imap.password_env" in str(err.value) and "MY_IMAP_PASSWORD" in str(err.value)

    config = load_config(path, environ={"MY_IMAP_PASSWORD": "hunter2"})
    assert config.imap.secret == "hunter2"
    assert "hunter2" not in repr(config)


def test_xoauth2_takes_the_token_variable(tmp_path: Path):
    path = write(tmp_path, '[imap]\nhost = "outlook.office365.com"\nauth = "xoauth2"\n'
                           'oauth_token_env = "TOKEN"\n')
    with pytest.raises(ConfigError, match="imap.oauth_token_env"):
        load_config(path, environ={"PRIVACY_TRIAGE_IMAP_PASSWORD": "not this"})
    assert load_config(path, environ={"TOKEN": "ya29.x"}).imap.secret == "ya29.x"


def test_secret_values_in_the_file_are_rejected(tmp_path: Path):
    path = write(tmp_path, '[smtp]\npassword = "in-the-file"\n')
    with pytest.raises(ConfigError, match="unknown key") as err:
        load_config(path, environ={})
    assert err.value.key == "smtp.password"


def test_integers_are_accepted_where_numbers_are_expected(tmp_path: Path):
    path = write(tmp_path, "[imap]\npoll_interval_s = 30\n")
    assert load_config(path, environ={}).imap.poll_interval_s == 30.0


def test_slack_needs_its_tokens_and_a_review_channel(tmp_path: Path):
    path = write(tmp_path, '[slack]\nenabled = true\nreview_channel = "C1"\n')
    with pytest.raises(ConfigError, match="slack.bot_token_env"):
        load_config(path, environ={})
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    assert load_config(path, environ=env).slack.app_token == "xapp-1"


def test_the_example_config_is_valid_and_documents_every_key(tmp_path: Path):
    import dataclasses
    import tomllib

    from bot.config import Config

    env = {"PRIVACY_TRIAGE_IMAP_PASSWORD": "x", "PRIVACY_TRIAGE_SMTP_PASSWORD": "x",
           "SLACK_BOT_TOKEN": "xoxb", "SLACK_APP_TOKEN": "xapp", "SLACK_SIGNING_SECRET": "s"}
    load_config(EXAMPLE, environ=env)
    text = EXAMPLE.read_text()
    data = tomllib.loads(text)
    for section in dataclasses.fields(Config):
        if section.name in ("path", "more_imap", "imap_array"):  # not sections of the file
            continue
        for f in dataclasses.fields(section.type if isinstance(section.type, type)
                                    else getattr(Config(), section.name)):
            if f.metadata.get("resolved"):
                continue
            assert f.name in data.get(section.name, {}) or f"# {f.name} =" in text, (
                f"config.example.toml does not document {section.name}.{f.name}")


def test_previous_unsubscribe_secrets_are_read_as_a_list(tmp_path: Path):
    path = write(tmp_path, "[http]\nport = 8025\n")
    env = {"PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET": "new",
           "PRIVACY_TRIAGE_UNSUBSCRIBE_PREVIOUS_SECRETS": " old1, ,old2 "}
    http = load_config(path, environ=env).http
    assert (http.unsubscribe_secret, http.previous_unsubscribe_secrets) == ("new", ("old1", "old2"))
    assert "old1" not in repr(http)


@pytest.mark.parametrize(("text", "key", "message"), [
    ('[database]\nurl = "postgres://u@db/x"\n', "database.url", "use postgresql\\+psycopg://"),
    ('[database]\nurl = "postgresql://u@db/x"\n', "database.url", "use postgresql\\+psycopg://"),
    ('[database]\nurl = "not a url"\n', "database.url", "not a database URL"),
    ('[database]\nurl = "mysql://u@db/x"\n', "database.url", "unsupported database"),
    ('[imap]\npoll_interval_s = -5\n', "imap.poll_interval_s", "at least 1"),
    ('[imap]\nidle_renew_s = 900\n', "imap.idle_renew_s", "between 1 and 600"),
    ('[imap]\nport = 0\n', "imap.port", "between 1 and 65535"),
    ('[smtp]\nport = 70000\n', "smtp.port", "between 1 and 65535"),
    ('[http]\nport = -1\n', "http.port", "between 1 and 65535"),
    ('[slack]\nhttp_port = 65536\n', "slack.http_port", "between 1 and 65535"),
    ('[slack]\nreminder_hour = 25\n', "slack.reminder_hour", "between 0 and 24"),
    ('[triage]\nopt_out_threshold = 1.5\n', "triage.opt_out_threshold", "between 0 and 1"),
    ('[triage]\nopt_out_threshold = -0.1\n', "triage.opt_out_threshold", "between 0 and 1"),
    ('[outbox]\nmax_attempts = 0\n', "outbox.max_attempts", "at least 1"),
    ('[outbox]\nbackoff_base_s = -1.0\n', "outbox.backoff_base_s", "at least 0"),
    ('[triage]\nmodel_path = "no/such/model.joblib"\n', "triage.model_path", "does not exist"),
    ('[organisation]\nnotice_path = "no/such/notice.md"\n', "organisation.notice_path",
     "does not exist"),
    ('[organisation]\ntemplates_dir = "no/such/dir"\n', "organisation.templates_dir",
     "does not exist"),
])
def test_a_value_out_of_range_or_a_missing_path_is_refused_naming_file_and_key(
        tmp_path: Path, monkeypatch, text: str, key: str, message: str):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(path, environ={})
    assert str(path) in str(err.value) and err.value.key == key


def test_values_at_the_edges_of_their_ranges_and_existing_paths_are_accepted(tmp_path: Path,
                                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notice.md").write_text("# Privacy notice\n")
    (tmp_path / "templates").mkdir()
    path = write(tmp_path, (
        '[database]\nurl = "postgresql+psycopg://u@db/x"\n'
        '[imap]\nidle_renew_s = 600\nport = 65535\n'
        '[triage]\nopt_out_threshold = 1.0\n'
        '[slack]\nreminder_hour = 24\n'
        '[organisation]\nnotice_path = "notice.md"\ntemplates_dir = "templates"\n'))
    config = load_config(path, environ={})
    assert config.imap.idle_renew_s == 600 and config.slack.reminder_hour == 24
    assert config.organisation.templates_dir == "templates"


def test_the_example_config_and_the_built_in_defaults_pass_the_checks(tmp_path: Path,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}).path is None
    assert load_config(EXAMPLE, environ={"PRIVACY_TRIAGE_IMAP_PASSWORD": "x",
                                         "PRIVACY_TRIAGE_SMTP_PASSWORD": "x",
                                         "SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "x",
                                         "SLACK_SIGNING_SECRET": "x"}).path == str(EXAMPLE)


def test_an_unreachable_database_stops_poll_naming_the_key(tmp_path: Path, capsys):
    from bot.cli import main

    path = write(tmp_path, '[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:1/x"\n')
    assert main(["--config", str(path), "poll", "--once"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "'database.url'" in err and "cannot open the database" in err


def test_run_with_the_web_part_on_and_no_unsubscribe_secret_refuses_to_start(tmp_path: Path,
                                                                             monkeypatch,
                                                                             capsys):
    from bot.cli import main

    monkeypatch.delenv("PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET", raising=False)
    path = write(tmp_path, f'[database]\nurl = "sqlite:///{tmp_path / "t.sqlite3"}"\n')
    assert main(["--config", str(path), "run"]) == 2
    err = capsys.readouterr().err
    assert "'http.unsubscribe_secret_env'" in err and "PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET" in err
    assert "enabled = false" in err


def test_a_rate_limit_below_one_is_a_config_error_naming_the_key() -> None:
    from bot.config import config_from_mapping

    with pytest.raises(ConfigError, match="http.posts_per_minute"):
        config_from_mapping({"http": {"posts_per_minute": 0}}, path="c.toml", environ={})
