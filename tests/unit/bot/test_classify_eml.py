"""``privacy-triage classify DIR`` reads .eml files through the mail edge, as ingest does.

The classifier below cannot import ``bot``; the main CLI hands it
:func:`bot.commands.classifying.mail_record`.
These run the real command over real-shaped mail, with no servers.
"""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.commands.classifying import mail_record
from bot.errors import MessageParseError

GOOD = (b"From: Bob <bob@example.org>\r\nTo: privacy@example.com\r\nSubject: my data\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Please send me a copy of all the personal data you hold about me.\r\n")
# The charset that crashed the old reader (LookupError: unknown encoding: X-UNKNOWN).
UNKNOWN_CHARSET = (b"From: carol@example.org\r\nSubject: newsletter\r\n"
                   b"Content-Type: text/plain; charset=x-unknown\r\n"
                   b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                   b"Please unsubscribe me from your mailing list. Caf\xe9\r\n")
HTML_ONLY = (b"From: dan@example.org\r\nSubject: address\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: text/html; charset=utf-8\r\n\r\n"
             b"<html><body><p>Please correct my postal address: it is now 12 Mill Lane, "
             b"not 21.</p></body></html>\r\n")
GARBAGE = b"\x00\x01\x02\x03\xff\xfe\x00\x00garbage\x00\x10"
UNSUBSCRIBE = (b"Subject: unsubscribe\r\n\r\n"
               b"Please unsubscribe me from your mailing list, I no longer want these emails.\r\n")


def _classify(tmp_path, files: dict[str, bytes], capsys) -> tuple[int, list[dict], str]:
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    status = main(["classify", str(tmp_path)])
    out, err = capsys.readouterr()
    return status, [json.loads(line) for line in out.splitlines()], err


def test_one_bad_file_gets_an_error_row_and_the_rest_are_classified(tmp_path, capsys):
    status, rows, err = _classify(tmp_path, {
        "a.eml": GOOD, "b.eml": UNKNOWN_CHARSET, "c.eml": HTML_ONLY, "d.eml": b"",
        "e.eml": GARBAGE}, capsys)
    assert status == 1
    assert [r["id"] for r in rows] == [str(tmp_path / f"{n}.eml") for n in "abcde"]
    assert [r.get("label") for r in rows] == [
        "access_request", "opt_out", "correction", None, None]
    assert rows[3] == {"id": str(tmp_path / "d.eml"),
                       "error": "cannot parse as mail: empty message"}
    assert rows[4] == {"id": str(tmp_path / "e.eml"),
                       "error": "cannot parse as mail: binary data without headers"}
    assert f"{tmp_path / 'd.eml'}: cannot parse as mail" in err
    assert f"{tmp_path / 'e.eml'}: cannot parse as mail" in err


def test_a_directory_of_good_mail_exits_0(tmp_path, capsys):
    status, rows, _ = _classify(tmp_path, {"a.eml": GOOD, "b.eml": HTML_ONLY}, capsys)
    assert status == 0 and all("error" not in r for r in rows)


def test_an_auto_reply_is_never_an_automatic_opt_out(tmp_path, capsys):
    status, rows, _ = _classify(tmp_path, {
        "a.eml": b"From: erin@example.org\r\n" + UNSUBSCRIBE,
        "b.eml": b"From: erin@example.org\r\nAuto-Submitted: auto-replied\r\n" + UNSUBSCRIBE,
    }, capsys)
    person, auto_reply = rows
    assert status == 0
    assert person["label"] == auto_reply["label"] == "opt_out"
    assert person["auto_opt_out"] is True
    assert auto_reply["auto_opt_out"] is False and auto_reply["auto_close"] is False
    assert "automatic or bulk mail, not written by a person" in auto_reply["reasons"]


def test_the_record_is_what_ingest_reads():
    record = mail_record(b"From: Erin <Erin@Example.org>\r\nAuto-Submitted: auto-replied\r\n"
                         b"Subject: Re: hello\r\n\r\nNo thanks.\r\n\r\nOn Mon, Bob wrote:\r\n"
                         b"> hello\r\n")
    assert record == {"text": "No thanks.", "subject": "Re: hello",
                      "sender": "erin@example.org", "is_machine_mail": True,
                      "is_unsubscribe_mail": False, "in_reply_to": None, "references": []}
    assert mail_record(UNKNOWN_CHARSET)["text"].startswith("Please unsubscribe me")


def test_an_unexpected_parser_error_is_named_by_its_type_only(monkeypatch):
    def broken(raw: bytes) -> None:
        raise LookupError("unknown encoding: something the mail said")

    monkeypatch.setattr("bot.mail.parse.to_message", broken)
    with pytest.raises(MessageParseError, match=r"^parsing failed: LookupError$"):
        mail_record(GOOD)


STOP_REPLY = (b"From: erin@example.org\r\nSubject: Re: our December news\r\n"
              b"In-Reply-To: <n42.1@news.example.com>\r\n\r\nSTOP\r\n")


def _config(tmp_path, body: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_classify_decides_as_triage_for_mail_from_our_own_domain(tmp_path, capsys):
    # The hand test: staff at the organisation's domain are never handled automatically;
    # classify must say so as the service would (the support address's domain counts).
    config = _config(tmp_path, '[organisation]\nsupport_address = "support@caplus.org.uk"\n')
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"text": "Please unsubscribe me.", "sender": "jo@caplus.org.uk"})
                    + "\n" + json.dumps({"text": "Please unsubscribe me.",
                                         "sender": "jo@example.org"}) + "\n", encoding="utf-8")
    assert main(["classify", str(data), "--config", config]) == 0
    ours, theirs = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert not ours["auto_opt_out"] and "sent from our own domain" in ours["reasons"]
    assert theirs["auto_opt_out"]


def test_a_reply_to_our_mailing_is_known_from_in_reply_to(tmp_path, capsys):
    config = _config(tmp_path, '[organisation]\nmailer_message_id_domains = ["news.example.com"]\n')
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "stop.eml").write_bytes(STOP_REPLY)
    assert main(["classify", str(tmp_path / "mail"), "--config", config]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["auto_opt_out"] and row["reasons"][0].startswith("short reply to our mailing")


def test_a_config_mistake_names_the_file(tmp_path, capsys):
    config = _config(tmp_path, "[organisation]\nno_such_key = 1\n")
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"text": "hello"}) + "\n", encoding="utf-8")
    assert main(["classify", str(data), "--config", config]) == 2
    assert config in capsys.readouterr().err


def test_a_found_configuration_it_cannot_use_falls_back_to_the_defaults(tmp_path, capsys,
                                                                        monkeypatch):
    # A production config.toml whose mailbox password this shell lacks must not stop a try-out.
    config = _config(tmp_path, '[imap]\nhost = "imap.example.org"\nusername = "u"\n')
    monkeypatch.setenv("PRIVACY_TRIAGE_CONFIG", config)
    monkeypatch.delenv("PRIVACY_TRIAGE_IMAP_PASSWORD", raising=False)
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"text": "Please unsubscribe me.", "sender": "jo@caplus.org.uk"})
                    + "\n", encoding="utf-8")
    assert main(["classify", str(data)]) == 0
    out, err = capsys.readouterr()
    assert "deciding with the built-in defaults" in err and config in err
    assert not json.loads(out)["auto_opt_out"]  # the default support address's domain is ours
