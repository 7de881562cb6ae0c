"""Deadline queries over the views: the open steps with their due instants, and the 公示 that have run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, select

from ..domain.periods import Calendar
from ..domain.workdays import days_late
from ..domain.timefmt import local_iso
from . import tables as t
from .policyof import PolicyOf
from .queries import Keep
from .rows import Memo, due_of, utc as _utc
from .rows import with_due as rows_with_due


def with_due(conn: Connection, rows: list[dict[str, Any]], policy_of: PolicyOf,
             calendar: Calendar, now: datetime, offset: str) -> list[dict[str, Any]]:
    """Each listed case row (inbox) with `due` (local ISO, None without a limit) and
    `overdue`; one indexed read of the rows' cases."""
    refs = [r["id"] for r in rows]
    found: dict[str, Any] = {}
    if refs:
        c = t.cases.c
        query = select(c.ref, c.state, c.step, c.kind, c.policy_version, c.refinement,
                       c.updated_at).where(c.ref.in_(refs))
        found = {r.ref: r for r in conn.execute(query)}
    return rows_with_due(rows, found, policy_of, calendar, now, offset)


def overdue(conn: Connection, policy_of: PolicyOf, calendar: Calendar, now: datetime,
            offset: str, keep: Keep | None = None) -> list[dict[str, Any]]:
    """Every open step past its due instant (as `keep` lets its reader see), latest due
    last: case, kind, subject, step, step_label, role, holders (who holds the role for the
    case: the logins to chase), unit, pending_since, due, days_late."""
    c = t.cases.c
    late: list[tuple[datetime, dict[str, Any]]] = []
    held: dict[tuple[str, str], list[str]] = {}  # (role, unit path): its holders, asked once
    memo: Memo = {}
    query = select(t.cases).where(c.state == "open", c.step.is_not(None))
    for row in conn.execute(query.order_by(c.updated_at, c.ref)):
        due = due_of(row, policy_of, calendar, memo)
        if due is None or now < due or (keep is not None and not keep(row)):
            continue
        late.append((due, {
            "case": row.ref, "kind": row.kind, "subject": row.subject, "step": row.step,
            "step_label": row.step_label, "role": row.role,
            "holders": held.setdefault((row.role, row.unit_path), holders(
                conn, row.role, [p for p in row.unit_path.split("/") if p])),
            "unit": row.unit,
            "pending_since": local_iso(_utc(row.updated_at), offset),
            "due": local_iso(due, offset), "days_late": days_late(due, now)}))
    return [entry for _, entry in sorted(late, key=lambda pair: (pair[0], pair[1]["case"]))]


def holders(conn: Connection, role: str, unit_path: Sequence[str]) -> list[str]:
    """Who holds `role` for a case at `unit_path`: institution-wide or at a unit on its path."""
    g = t.grants.c
    rows = conn.execute(select(g.login, g.unit).where(g.role == role).order_by(g.login))
    return sorted({r.login for r in rows if not r.unit or r.unit in unit_path})


def announcements_ran(conn: Connection, today: str) -> list[str]:
    """The appraisals whose 公示 ended before `today` with no open objection, not yet final
    (the aggregate checks each again before it is finalised)."""
    a, c = t.appraisals.c, t.cases.c
    query = select(a.ref).select_from(t.appraisals.join(t.cases, c.ref == a.ref)).where(
        and_(a.final.is_(False), a.announcement_until.is_not(None),
             a.announcement_until < today, a.objections_open == 0, c.state == "published"))
    return [r.ref for r in conn.execute(query.order_by(a.ref))]

