"""The --since / ?since= reader and the CSV and JSON writers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.exports import AUDIT_COLUMNS, parse_since, to_csv, to_json


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
    ("2026-11-01T09:30:00", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
    ("2026-11-01T09:30:00Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
    ("2026-11-01T10:30:00+01:00",
     datetime(2026, 11, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))),
])
def test_it_reads_iso_dates_and_date_times_as_utc_when_no_offset(text: str,
                                                                expected: datetime) -> None:
    assert parse_since(text) == expected
    assert parse_since(text).tzinfo is not None


@pytest.mark.parametrize("text", ["yesterday", "01/11/2026", "2026-13-01", ""])
def test_it_explains_a_since_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="ISO date"):
        parse_since(text)


def test_csv_has_a_header_and_keeps_nested_details_as_json() -> None:
    rows = [{"id": 1, "at": "2026-11-01T09:00:00+00:00", "actor": "cli:ann",
             "action": "suppression.added", "case_id": None,
             "details": {"reason": 'said "stop", twice', "suppression": 3}}]
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows, AUDIT_COLUMNS))))
    assert parsed[0]["actor"] == "cli:ann"
    assert parsed[0]["case_id"] == ""
    assert json.loads(parsed[0]["details"]) == {"reason": 'said "stop", twice', "suppression": 3}


def test_json_is_a_list() -> None:
    assert json.loads(to_json([{"address": "ann@example.org"}])) == [{"address": "ann@example.org"}]


@pytest.mark.parametrize("value", ["=1+2@evil.example", "+1@example.org", "-x@example.org",
                                   "@SUM(A1:A9)", "\t=cmd", "\r=cmd"])
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused(value: str) -> None:
    text = to_csv([{"address": value, "since": "2026-11-01", "source": "email",
                    "reason": value}], ("address", "since", "source", "reason"))
    parsed = list(csv.reader(io.StringIO(text)))[1]
    assert parsed[0] == "'" + value and parsed[3] == "'" + value


def test_csv_leaves_ordinary_cells_alone_and_json_stays_exact() -> None:
    rows = [{"address": "=1+2@evil.example", "since": "2026-11-01", "source": "email",
             "reason": "said stop"}]
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows, ("address", "since", "source",
                                                           "reason")))))
    assert parsed[0]["reason"] == "said stop" and parsed[0]["since"] == "2026-11-01"
    assert json.loads(to_json(rows))[0]["address"] == "=1+2@evil.example"
