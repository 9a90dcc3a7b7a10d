"""`run --role`: which parts a process starts, and a role with nothing to do is refused."""

from __future__ import annotations

import pytest

from bot.roles import ROLES, Part, parts_for, role_problem

EVERYTHING = {"imap": True, "http": True, "slack": True}
NOTHING_BUT_DB = {"imap": False, "http": False, "slack": False}


def test_all_starts_every_configured_part():
    assert parts_for("all", **EVERYTHING) == set(Part)
    assert parts_for("all", **NOTHING_BUT_DB) == {Part.WORKER}  # triage needs only the db
    assert parts_for("all", imap=True, http=False, slack=False) == {Part.WATCHER, Part.WORKER}


@pytest.mark.parametrize("role", ["watcher", "worker", "web", "slack"])
def test_a_single_role_starts_only_its_part(role: str):
    assert parts_for(role, **EVERYTHING) == {Part(role)}


def test_a_single_role_still_needs_its_part_configured():
    assert parts_for("watcher", imap=False, http=True, slack=True) == frozenset()
    assert parts_for("web", imap=True, http=False, slack=True) == frozenset()
    assert parts_for("worker", **NOTHING_BUT_DB) == {Part.WORKER}


def test_an_unknown_role_is_an_error():
    with pytest.raises(ValueError, match="unknown role 'triage'"):
        parts_for("triage", **EVERYTHING)


def test_the_roles_are_all_and_the_four_parts():
    assert ROLES == ("all", "watcher", "worker", "web", "slack")


@pytest.mark.parametrize(("role", "key"), [("watcher", "imap"), ("web", "http"),
                                           ("slack", "slack")])
def test_a_role_with_nothing_to_do_names_the_section_that_would_give_it_work(role: str,
                                                                             key: str):
    problem = role_problem(role, **NOTHING_BUT_DB)
    assert problem is not None
    assert problem[0] == key and f"--role {role}" in problem[1]


def test_all_and_worker_always_have_something_to_do():
    assert role_problem("all", **NOTHING_BUT_DB) is None
    assert role_problem("worker", **NOTHING_BUT_DB) is None
    assert role_problem("watcher", **EVERYTHING) is None


def test_run_refuses_a_role_with_nothing_to_do_naming_file_and_key():
    import dataclasses

    from bot.commands.run import check_role
    from bot.config import Config, HttpConfig
    from bot.errors import ConfigError

    config = dataclasses.replace(Config(), http=HttpConfig(enabled=False), path="c.toml")
    with pytest.raises(ConfigError, match="--role web. has nothing to do") as err:
        check_role(config, "web")
    assert err.value.key == "http" and err.value.path == "c.toml"
    with pytest.raises(ConfigError) as err:
        check_role(config, "watcher")
    assert err.value.key == "imap"
    check_role(config, "worker")  # needs nothing but the database
    check_role(config, "all")


def test_run_asks_for_the_unsubscribe_secret_only_where_the_web_part_runs():
    import dataclasses

    from bot.commands.run import check_role
    from bot.config import Config, HttpConfig
    from bot.errors import ConfigError

    config = dataclasses.replace(Config(), http=HttpConfig(enabled=True))  # no secret set
    with pytest.raises(ConfigError, match="unsubscribe secret"):
        check_role(config, "web")
    check_role(config, "worker")  # a worker serves no links
