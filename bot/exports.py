"""Rows for the organisation's mailer and for auditors, as CSV or JSON (shared by CLI and API)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.store.models import AuditEvent, Suppression

# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV Injection"):
# ``=1+2@evil.example`` is a valid address and would be evaluated where the export is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SUPPRESSION_COLUMNS = ("address", "since", "source", "reason")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "case_id", "details")


def parse_since(value: str) -> datetime:
    """Read ``--since`` / ``?since=``: an ISO date (midnight UTC) or an ISO date-time.

    A date-time without an offset is taken as UTC, the zone every stored time is in.

    Raises:
        ValueError: with a message a person can act on.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"since must be an ISO date or date-time, like 2026-11-01 or "
                         f"2026-11-01T09:30:00Z, not {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def suppression_record(row: Suppression) -> dict[str, Any]:
    return {"address": row.address, "since": row.created_at.isoformat(), "source": row.source,
            "reason": row.reason}


def audit_record(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor,
            "action": event.action, "case_id": event.case_id, "details": event.details}


def to_json(records: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(records), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_csv(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV with a header row; nested values (audit details) become compact JSON.

    A text cell that a spreadsheet would run as a formula gets a leading ``'`` (OWASP), though
    the export is meant for programs, though the export is meant for programs. The JSON export
    (:func:`to_json`) stays exact.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(record.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
