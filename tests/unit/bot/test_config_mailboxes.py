"""Several mailboxes: `[[imap]]` tables, each checked and named `imap[N]` in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError

ENV = {"SUPPORT_PW": "a", "PRIVACY_PW": "b", "DPO_PW": "c"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def table(user: str, env: str, **extra: str) -> str:
    lines = ['host = "imap.example.org"', f'username = "{user}"', f'password_env = "{env}"',
             *(f"{k} = {v}" for k, v in extra.items())]
    return "[[imap]]\n" + "\n".join(lines) + "\n"


def test_three_mailboxes_each_with_their_own_settings_and_secret(tmp_path: Path):
    path = write(tmp_path, table("support@caplus.org.uk", "SUPPORT_PW")
                 + table("privacy@caplus.org.uk", "PRIVACY_PW", folder='"Privacy"')
                 + table("dpo@caplus.org.uk", "DPO_PW", trusted_authserv_ids='["mx.dpo"]'))
    config = load_config(path, environ=ENV)
    assert [m.username for m in config.mailboxes] == [
        "support@caplus.org.uk", "privacy@caplus.org.uk", "dpo@caplus.org.uk"]
    assert [m.secret for m in config.mailboxes] == ["a", "b", "c"]
    assert config.mailboxes[1].folder == "Privacy"
    assert config.imap.username == "support@caplus.org.uk"  # the first, for one-mailbox code
    assert config.trusted_authserv_ids == ["mx.dpo"]


def test_a_single_imap_table_is_one_mailbox(tmp_path: Path):
    path = write(tmp_path, '[imap]\nhost = "imap.example.org"\nusername = "s@x.org"\n'
                           'password_env = "SUPPORT_PW"\n')
    config = load_config(path, environ=ENV)
    assert [m.username for m in config.mailboxes] == ["s@x.org"]


def test_no_imap_means_no_mailboxes(tmp_path: Path):
    assert load_config(write(tmp_path, ""), environ={}).mailboxes == ()


@pytest.mark.parametrize(("text", "key", "message"), [
    (table("a@x.org", "SUPPORT_PW") + table("b@x.org", "PRIVACY_PW", prot="1"),
     "imap[1].prot", "unknown key"),
    (table("a@x.org", "SUPPORT_PW") + table("b@x.org", "PRIVACY_PW", port="0"),
     "imap[1].port", "between"),
    (table("a@x.org", "SUPPORT_PW") + table("b@x.org", "UNSET_PW"),
     "imap[1].password_env", "UNSET_PW"),
    (table("a@x.org", "SUPPORT_PW") + table("b@x.org", "PRIVACY_PW", start='"soon"'),
     "imap[1].start", "now"),
    (table("a@x.org", "SUPPORT_PW") + '[[imap]]\nusername = "b@x.org"\n',
     "imap[1].host", "every [[imap]] table"),
    (table("a@x.org", "SUPPORT_PW") + table("A@x.org", "PRIVACY_PW"),
     "imap[1].username", "same account and folder as imap[0]"),
    ("imap = []\n", "imap", "empty"),
    ("imap = [1]\n", "imap[0]", "must be a table"),
])
def test_a_mistake_in_one_mailbox_names_its_table(tmp_path: Path, text: str, key: str,
                                                   message: str):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ=ENV)
    assert err.value.key == key and err.value.path == str(path)
    assert message in str(err.value)


def test_the_same_account_in_two_folders_is_two_mailboxes(tmp_path: Path):
    path = write(tmp_path, table("a@x.org", "SUPPORT_PW")
                 + table("a@x.org", "SUPPORT_PW", folder='"Privacy"'))
    assert len(load_config(path, environ=ENV).mailboxes) == 2
