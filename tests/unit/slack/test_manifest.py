"""The app manifest asks for what the code uses: events it listens to, scopes its calls need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML reads the manifest (pip install pyyaml)")

ROOT = Path(__file__).resolve().parents[3]
SLACK = ROOT / "bot" / "slack"

# Web API method → the bot scope it needs (docs.slack.dev method pages).
SCOPES = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write", "users_info": "users:read",
    "conversations_members": "channels:read", "views_open": None, "views_update": None,
    "views_publish": None,
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text(encoding="utf-8"))


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SLACK.glob("*.py"))


def test_it_runs_in_socket_mode_with_interactivity_and_the_home_tab(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/privacy"]


def test_every_event_listened_to_is_subscribed(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    listened = set(re.findall(r'app\.event\("([a-z_]+)"\)', _source()))
    assert listened == {"app_home_opened", "message"}
    assert "app_home_opened" in events
    assert {"message.im", "message.channels", "message.groups"} <= events


def test_every_web_api_call_has_its_scope(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", _source()))
    assert called <= set(SCOPES), f"add the scope of {called - set(SCOPES)} to SCOPES"
    needed = {SCOPES[m] for m in called} - {None}
    assert needed <= scopes
    assert {"users:read.email", "commands", "im:history"} <= scopes
