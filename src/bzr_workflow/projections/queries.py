"""Read queries over the views, answering in the primitive dicts of CLI.md's JSON shapes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select, union

from ..domain.allowance import AllowanceRules, Appointment, ClassState, month_range
from ..domain.periods import Calendar, period_of_day
from ..domain.policy import RULE
from ..domain import tenure
from ..domain.timefmt import local_iso
from . import tables as t
from .schema import VIEWS
from .rows import (case_row, named, sheet, signable, signable_terms, units_below, utc as _utc,
                   with_returned_reasons)
from .rows import with_names as rows_with_names
from .policyof import PolicyOf


def _param(conn: Connection, value: datetime) -> datetime:
    """SQLite stores UTC instants without an offset; compare like with like."""
    return value.astimezone(UTC).replace(tzinfo=None) if conn.dialect.name == "sqlite" else value


def _signable_by(conn: Connection, login: str, grants: Sequence[Sequence[str]]) -> list[Any]:
    """`rows.signable_terms` as the arms of a UNION over the cases view."""
    c = t.cases.c

    def below() -> dict[str, list[str]]:
        return units_below(conn.execute(select(t.units.c.code, t.units.c.path)))

    terms = []
    for role, applicant, units in signable_terms(login, grants, below):
        term = c.role == role
        if applicant:
            term = and_(term, c.applicant == applicant)
        elif units is not None:
            term = and_(term, c.unit.in_(units))
        terms.append(term)
    return terms


def grants_of(conn: Connection, login: str) -> list[list[str]]:
    """The (role, unit) pairs `login` holds, as the views saw them."""
    rows = conn.execute(select(t.grants).where(t.grants.c.login == login))
    return [[r.role, r.unit] for r in rows]


def holders(conn: Connection, role: str, unit_path: Sequence[str]) -> list[str]:
    """The users holding `role` institution-wide or in a unit on `unit_path` (a case's unit
    or above: domain.access.covers), by login: who may sign a step of that role there."""
    g = t.grants.c
    query = select(g.login).where(g.role == role, g.unit.in_(["", *unit_path])).distinct()
    return sorted(str(login) for login in conn.execute(query).scalars())


Keep = Callable[[Row[Any]], bool]
"""Whether a reader may see a row of the cases view (None: they see every row)."""


def inbox(conn: Connection, login: str, grants: Sequence[Sequence[str]], policy_of: PolicyOf,
          offset: str, keep: Keep | None = None, deputy: str = "") -> list[dict[str, Any]]:
    """The open cases `login` may sign; with `deputy`, those `deputy` may sign for `login`
    (past the deputy's own limits, never a case back with its applicant), each marked
    `on_behalf_of` `login`."""
    c = t.cases.c
    arms = union(*(select(t.cases).where(c.state == "open", term)
                   for term in _signable_by(conn, login, grants))).subquery()
    rows = conn.execute(select(arms).order_by(arms.c.updated_at, arms.c.ref)).all()
    out = signable(rows, login, grants, policy_of, offset, keep, deputy)
    return _with_returned_reasons(conn, out)


def _with_returned_reasons(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each inbox row with `returned_reason`: why a returned case came back (the reason of its
    latest return), None for any other case."""
    refs = [r["id"] for r in rows if r["last_action"] == "returned"]
    reasons: dict[str, str] = {}
    if refs:
        d = t.decisions.c
        query = select(d.case_ref, d.comment).where(d.case_ref.in_(refs),
                                                    d.action == "returned")
        for ref, comment in conn.execute(query.order_by(d.position)):
            reasons[ref] = comment
    return with_returned_reasons(rows, reasons)


def cases(conn: Connection, offset: str, kind: str | None = None, state: str | None = None,
          period: str | None = None, unit: str | None = None,
          limit: int | None = None, keep: Keep | None = None) -> list[dict[str, Any]]:
    """Cases in the order they were opened; with `limit`, the first so many (an index on
    state and opening time answers `--state open --limit` without reading the rest); with
    `keep`, only those it keeps."""
    c = t.cases.c
    query = select(t.cases)
    for column, value in ((c.kind, kind), (c.state, state), (c.period, period)):
        if value:
            query = query.where(column == value)
    if unit:
        query = query.where(c.unit_path.contains(f"/{unit}/"))
    if keep is None:
        rows = conn.execute(query.order_by(c.opened_at, c.ref).limit(limit)).all()
        return [case_row(r, offset) for r in rows]
    kept = (r for r in conn.execute(query.order_by(c.opened_at, c.ref)) if keep(r))
    return [case_row(r, offset) for r in islice(kept, limit)]


def mine(conn: Connection, offset: str, login: str) -> list[dict[str, Any]]:
    """The cases `login` is the subject of or opened, newest first."""
    c = t.cases.c
    query = select(t.cases).where((c.subject == login) | (c.opener == login))
    return [case_row(r, offset) for r in conn.execute(query.order_by(c.updated_at.desc(),
                                                                      c.ref))]


def audit(conn: Connection, offset: str, actor: str | None = None, case: str | None = None,
          since: datetime | None = None, until: datetime | None = None,
          limit: int | None = None, keep: Keep | None = None,
          after: int | None = None) -> list[dict[str, Any]]:
    """Decisions in the order they were recorded; with `limit`, the first so many (after the
    event position `after`, if given); with `keep`, only decisions on cases it keeps (not those
    on users, units or classes), read as they stream so a page stops at `limit`."""
    d = t.decisions.c
    query = select(t.decisions)
    if after is not None:
        query = query.where(d.position > after)
    if actor:
        query = query.where(d.actor == actor)
    if case:
        query = query.where(d.case_ref == case)
    if since:
        query = query.where(d.at >= _param(conn, since))
    if until:
        query = query.where(d.at <= _param(conn, until))
    if keep is None:
        rows: Iterable[Row[Any]] = conn.execute(query.order_by(d.position).limit(limit)).all()
    else:
        rows = conn.execute(query.order_by(d.position).execution_options(yield_per=500))
        memo: dict[str, bool] = {}
        rows = islice((r for r in rows if _keeps_case(conn, keep, r.case_ref, memo)), limit)
    return [{"at": local_iso(_utc(r.at), offset), "actor": r.actor, "action": r.action,
             "case": r.case_ref, "target": r.target, "step": r.step, "step_label": r.step_label,
             "to_step": r.to_step, "comment": r.comment, "position": r.position,
             "on_behalf_of": r.on_behalf_of, **_came_from(r)} for r in rows]


def batches(conn: Connection, ref: str, offset: str) -> dict[tuple[str, str, str, str], str]:
    """The bulk sign-offs the case's decisions were items of, keyed as its history shows each
    decision (local instant to the second, actor, action, step); decisions made alone are not
    listed."""
    d = t.decisions.c
    query = select(d.at, d.actor, d.action, d.step, d.batch).where(d.case_ref == ref,
                                                                   d.batch.is_not(None))
    return {(local_iso(_utc(r.at), offset), r.actor, r.action, r.step or ""): r.batch
            for r in conn.execute(query)}


def _came_from(r: Row[Any]) -> dict[str, str | None]:
    """Where a decision came from: the web's session and address; the CLI's operating-system
    account and host (kept in the same two columns); and the bulk sign-off it was an item of
    (`batch`, None when it stood alone)."""
    cli = r.via == "cli"
    return {"via": r.via, "session": None if cli else r.session,
            "address": None if cli else r.address, "os_user": r.session if cli else None,
            "host": r.address if cli else None, "batch": r.batch}


def _keeps_case(conn: Connection, keep: Keep, ref: str | None, memo: dict[str, bool]) -> bool:
    """Whether `keep` keeps the case `ref` (looked up once per case)."""
    if not ref:
        return False
    if ref not in memo:
        row = conn.execute(select(t.cases).where(t.cases.c.ref == ref)).first()
        memo[ref] = row is not None and keep(row)
    return memo[ref]


def appointments(conn: Connection, advisor: str | None = None, today: str = "",
                 term_years: int = 0) -> list[dict[str, Any]]:
    """CLI.md's appointments, each in its state on `today` (tenure.state_on): `end` is the last
    day (recorded, or the term's once it ran out; `term_end` the term's last day), `end_reason` and
    `end_cause` why it ended, `full_term` whether it served its whole term (null while it runs)."""
    a = t.appointments.c
    query = select(t.appointments).order_by(a.class_code, a.start)
    if advisor:
        query = query.where(a.advisor == advisor)
    rows = []
    for r in conn.execute(query):
        last = tenure.last_day(r.start, r.end, term_years)
        by_term = last is not None and last != r.end
        cause = tenure.TERM if by_term else (r.end_cause or None)
        state = tenure.state_on(r.start, last, today) if today else r.state
        ended = state == tenure.ENDED
        reason = (f"任期届满（{term_years}年）" if by_term else r.end_reason) if ended else None
        rows.append({"advisor": r.advisor, "class": r.class_code, "start": r.start,
                     "end": last if ended else r.end,
                     "state": state, "case": r.case_ref, "appointed_by": r.appointed_by,
                     "end_reason": reason, "end_cause": cause if ended else None,
                     "ended_by": (RULE if by_term else r.ended_by) if ended else None,
                     "term_end": tenure.term_end(r.start, term_years),
                     "full_term": tenure.full_term(r.start, last, cause or "", term_years)
                     if ended else None})
    return rows


def users(conn: Connection) -> list[dict[str, Any]]:
    roles: dict[str, list[str]] = {}
    for g in conn.execute(select(t.grants).order_by(t.grants.c.role, t.grants.c.unit)):
        roles.setdefault(g.login, []).append(f"{g.role}@{g.unit}" if g.unit else g.role)
    return [{"user": u.login, "name": u.name, "roles": roles.get(u.login, [])}
            for u in conn.execute(select(t.users).order_by(t.users.c.login))]


def classes(conn: Connection, today: str = "", term_years: int = 0) -> list[dict[str, Any]]:
    """Every class with the advisors appointed to it (not those whose term ran out before
    `today`)."""
    advisors: dict[str, list[str]] = {}
    for a in conn.execute(select(t.appointments).where(t.appointments.c.state == "active")):
        last = tenure.term_end(a.start, term_years)
        if not (today and last and last < today):
            advisors.setdefault(a.class_code, []).append(a.advisor)
    return [{"class": r.code, "name": r.name, "unit": r.unit, "students": r.students,
             "level": r.level, "graduating": r.graduating, "year_of_study": r.year_of_study,
             "advisors": advisors.get(r.code, [])}
            for r in conn.execute(select(t.classes).order_by(t.classes.c.code))]


def units(conn: Connection) -> list[dict[str, Any]]:
    return [{"unit": r.code, "name": r.name, "parent": r.parent, "path": r.path}
            for r in conn.execute(select(t.units).order_by(t.units.c.path))]


def results(conn: Connection, period: str, unit: str | None = None) -> list[dict[str, Any]]:
    """Appraisal results of a period: what CLI.md's `results --json` lists, and more."""
    a, c = t.appraisals.c, t.cases.c
    query = (select(t.appraisals, c.state, c.unit_path, c.step_label)
             .join(t.cases, c.ref == a.ref).where(a.period == period))
    if unit:
        query = query.where(c.unit_path.contains(f"/{unit}/"))
    return [{"advisor": r.advisor, "period": r.period, "total": r.total, "grade": r.grade,
             "vetoed_items": json.loads(r.vetoed_items), "state": r.state, "final": r.final,
             "case": r.ref, "unit": r.unit, "step_label": r.step_label,
             "announcement_until": r.announcement_until, "objections_open": r.objections_open,
             "explanation": r.explanation}
            for r in conn.execute(query.order_by(a.unit, a.advisor))]


def result_counts(conn: Connection, period: str, unit: str | None = None,
                  final: bool | None = None) -> dict[str, dict[str, int]]:
    """How many results of each grade, per unit and for all ('*'); ungraded count as '-';
    with `final`, only the final (True) or the provisional (False) ones. Counted by the
    database: the same as counting `results(conn, period, unit)`."""
    a, c = t.appraisals.c, t.cases.c
    query = (select(a.unit, a.grade, func.count()).join(t.cases, c.ref == a.ref)
             .where(a.period == period).group_by(a.unit, a.grade))
    if final is not None:
        query = query.where(a.final.is_(final))
    if unit:
        query = query.where(c.unit_path.contains(f"/{unit}/"))
    counts: dict[str, dict[str, int]] = {}
    for row_unit, grade, n in conn.execute(query):
        for key in ("*", row_unit or "-"):
            bucket = counts.setdefault(key, {})
            bucket[grade or "-"] = bucket.get(grade or "-", 0) + int(n)
    return counts


def appointed_in(conn: Connection, start: str, end: str) -> list[tuple[str, str, str]]:
    """(advisor, class, unit) for each advisor appointed at some time in [start, end]."""
    a, k = t.appointments.c, t.classes.c
    rows = conn.execute(select(a.advisor, a.class_code, k.unit)
                        .join(t.classes, k.code == a.class_code)
                        .where(a.start <= end).where((a.end.is_(None)) | (a.end >= start))
                        .order_by(a.advisor, a.start, a.class_code))
    seen: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        seen.setdefault(r.advisor, (r.advisor, r.class_code, r.unit))
    return list(seen.values())


def awards(conn: Connection, period: str) -> list[dict[str, Any]]:
    """Award cases of a period: who, where, which honour, how it ended, what it gave; and the
    rewards that follow a final grade, with no award case (`case` None, `result` the appraisal)."""
    w = t.awards.c
    return _awards(conn, w.period == period, (w.unit, w.advisor))


def view_position(conn: Connection) -> int:
    """The last event the views reflect."""
    p = t.position.c
    return int(conn.execute(select(p.position).where(p.name == VIEWS)).scalar_one())


def allowance(conn: Connection, rules: AllowanceRules, month: str,
              period_kind: str, calendar: Calendar | None = None,
              term_years: int = 0) -> dict[str, Any]:
    """CLI.md's {month, lines, total}, each line with its provenance, and the event position.
    An appointment is paid to its last day: its recorded end, or its term's last day."""
    h = t.class_history.c
    appts = [Appointment(r.advisor, r.class_code, r.start,
                         tenure.last_day(r.start, r.end, term_years), r.case_ref)
             for r in conn.execute(select(t.appointments))]
    histories: dict[str, list[ClassState]] = {}
    for r in conn.execute(select(t.class_history).order_by(h.code, h.position)):
        histories.setdefault(r.code, []).append(ClassState(r.effective, r.students, r.graduating,
                                                           r.level))
    kinds = {r.login: r.employment for r in conn.execute(select(t.users)) if r.employment}
    units = {r.code: (r.unit, r.unit_name) for r in conn.execute(
        select(t.classes.c.code, t.classes.c.unit, t.units.c.name.label("unit_name"))
        .join(t.units, t.units.c.code == t.classes.c.unit))}
    lines = rules.month_lines(month, appts, histories, kinds,
                              _withheld(conn, rules.withhold_grades, month, period_kind,
                                        calendar), units)
    total = sum((line["amount"] for line in lines), Decimal(0))
    return {"month": month, "lines": [_plain_line(line) for line in lines],
            "total": float(total), "position": view_position(conn),
            "payers": _payer_totals(lines), "note": rules.note}


def _withheld(conn: Connection, grades: tuple[str, ...], month: str,
              period_kind: str, calendar: Calendar | None = None) -> dict[str, str]:
    if not grades:
        return {}
    period = period_of_day(month_range(month)[0], period_kind, calendar)
    rows = conn.execute(select(t.appraisals).where(t.appraisals.c.period == period,
                                                   t.appraisals.c.final.is_(True)))
    return {r.advisor: f"{r.grade} in {period} ({r.ref})" for r in rows if r.grade in grades}


def _plain_line(line: dict[str, Any]) -> dict[str, Any]:
    return line | {"amount": float(line["amount"]),
                   "funding": [f | {"amount": float(f["amount"])} for f in line["funding"]]}


def _payer_totals(lines: list[dict[str, Any]]) -> dict[str, float]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        for f in line["funding"]:
            totals[f["payer"]] = totals.get(f["payer"], Decimal(0)) + f["amount"]
    return {payer: float(amount) for payer, amount in totals.items()}


def awards_of(conn: Connection, advisor: str) -> list[dict[str, Any]]:
    """One advisor's awards in every period (the advisor record), oldest period first: the
    rows `awards` lists for a period."""
    w = t.awards.c
    return _awards(conn, w.advisor == advisor, (w.period, w.ref))


def _awards(conn: Connection, where: Any, order: tuple[Any, ...]) -> list[dict[str, Any]]:
    """The award rows `where` selects, in `order`, with how each case stands."""
    w, c = t.awards.c, t.cases.c
    query = (select(t.awards, c.state, c.step_label, c.kind).join(t.cases, c.ref == w.ref)
             .where(where).order_by(*order))
    return [{"advisor": r.advisor, "period": r.period,
             "case": None if r.kind == "appraisal" else r.ref,
             "result": r.ref if r.kind == "appraisal" else None, "unit": r.unit,
             "distinction": r.distinction or None, "state": r.state, "step_label": r.step_label,
             "amount": float(r.amount) if r.amount else None, "certificate": r.certificate}
            for r in conn.execute(query)]


def cases_about(conn: Connection, offset: str, subject: str,
                kind: str | None = None) -> list[dict[str, Any]]:
    """The cases whose subject is `subject` (of one kind), in the order they were opened."""
    c = t.cases.c
    query = select(t.cases).where(c.subject == subject)
    if kind:
        query = query.where(c.kind == kind)
    return [case_row(r, offset) for r in conn.execute(query.order_by(c.opened_at, c.ref))]


def with_names(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the names beside its logins and codes, as the views hold them (a person's
    name sealed under their key, opened by the door): `subject_name`, `opener_name`,
    `last_actor_name`, `actor_name`, `advisor_name` beside the logins, `class_name` beside
    `class`, `unit_name` beside `unit`; None where nothing of that code is registered."""
    logins, codes, units_ = named(rows)
    return rows_with_names(rows, _names(conn, t.users.c.login, t.users.c.name, logins),
                           _names(conn, t.classes.c.code, t.classes.c.name, codes),
                           _names(conn, t.units.c.code, t.units.c.name, units_))


def _names(conn: Connection, key: Any, name: Any, wanted: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):  # bound the IN list
        chunk = ordered[start:start + 500]
        found.update({k: v for k, v in conn.execute(select(key, name).where(key.in_(chunk)))})
    return found
