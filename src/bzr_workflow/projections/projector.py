"""Turns each stored event into view rows, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from ..domain.case import Case
from ..domain.grading import outcome
from ..domain.history import audit_entry
from ..domain.policy import Policy
from ..domain.school_class import SchoolClass
from ..domain.unit import Unit
from ..domain.user import User
from . import tables as t

PolicyOf = Callable[[int, int], Policy]

# Columns held as JSON text, and the columns a case or appraisal event may change.
_JSON = {"cases": ("signers",), "appraisals": ("scores", "bonus", "flags", "vetoed_items")}
_MUTABLE = {"cases": ("state", "step", "step_label", "role", "signers", "last_action",
                      "last_actor", "updated_at"),
            "appraisals": ("scores", "bonus", "flags", "total", "grade", "explanation",
                           "vetoed_items", "announcement_until", "objections_open", "final")}
_TABLES = {"cases": t.cases, "appraisals": t.appraisals}  # the rows kept per batch
_UPDATES = {name: update(table).where(table.c.ref == bindparam("b_ref"))
            .values({k: bindparam(f"b_{k}") for k in _MUTABLE[name]})
            for name, table in _TABLES.items()}


_PREPARED: dict[tuple[Any, ...], tuple[str, list[str], Any, list[tuple[int, Any]], bool]] = {}


def executemany(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany of a Core statement, compiled once per dialect and column set and sent
    through the driver: SQLAlchemy's own path spends more per row than the database does."""
    keys = tuple(rows[0])
    key = (id(statement), conn.dialect.name, keys)
    prepared = _PREPARED.get(key)
    if prepared is None:
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(keys))
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        processors = [(i, compiled.binds[n].type.bind_processor(conn.dialect))
                      for i, n in enumerate(names)]
        get = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        prepared = _PREPARED[key] = (compiled.string, names, get,
                                     [(i, fn) for i, fn in processors if fn],
                                     compiled.positional)
    sql, names, get, processors, positional = prepared
    params: list[Any] = []
    for row in rows:
        values = get(row)
        if processors:  # types the driver does not take as they are (SQLite's datetimes)
            changed = list(values)
            for i, fn in processors:
                changed[i] = fn(changed[i])
            values = tuple(changed)
        params.append(values if positional else dict(zip(names, values)))
    conn.exec_driver_sql(sql, params)


_INSERTS = {table: insert(table) for table in t.metadata.sorted_tables}


def _stored(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """A buffered row as the table stores it (JSON columns as text)."""
    out = dict(row)
    for key in _JSON[name]:
        out[key] = json.dumps(row[key], ensure_ascii=key not in ("scores", "bonus", "flags"))
    return out


class Projector:
    """Applies events to the views through one connection; never commits itself.

    Case and appraisal rows, and the decision log, are kept in memory for the batch and written
    by `flush()` with one executemany per table: an event costs a few dictionary updates, not a
    statement. Other inserts wait per table too; an update or delete of the rarer organisation
    events first writes what waits for its table, so the order of changes to a table holds."""

    KEEP = 4_000  # case rows kept between batches of one catch-up: bounded, so memory is flat

    def __init__(self, conn: Connection | None, policy_of: PolicyOf) -> None:
        self.conn: Connection = conn  # type: ignore[assignment]  # set by begin() if None
        self.policy_of = policy_of
        self._refs: dict[str, str] = {}                       # case id -> ref
        self._rows: dict[str, dict[str, dict[str, Any]]] = {"cases": {}, "appraisals": {}}
        self._new: dict[str, set[str]] = {"cases": set(), "appraisals": set()}
        self._dirty: dict[str, set[str]] = {"cases": set(), "appraisals": set()}
        self._regrade_due: set[str] = set()
        self._decisions: list[dict[str, Any]] = []
        self._inserts: dict[Table, list[dict[str, Any]]] = {}
        self._labels: dict[tuple[int, int, str, str | None], str | None] = {}
        self.position = 0

    def begin(self, conn: Connection, position: int) -> None:
        """Starts a batch in a new transaction at the views' recorded position. Rows kept from
        the previous batch stay valid only if no one else has projected since."""
        if position != self.position or len(self._rows["cases"]) > self.KEEP:
            self._refs.clear()
            for rows in self._rows.values():
                rows.clear()
        self.conn, self.position = conn, position

    def apply(self, ev: Any, position: int) -> None:
        self.position = position
        handler = _HANDLERS.get(type(ev))
        if handler:
            handler(self, ev)
        entry = audit_entry(ev)
        if entry:
            self._decision(ev, position, entry)

    def prefetch(self, events: list[Any]) -> None:
        """Reads, a few queries per batch, the rows of cases these events continue."""
        opened = {str(ev.originator_id) for ev in events if type(ev) is Case.Opened}
        wanted = sorted({str(ev.originator_id) for ev in events if type(ev) in CASE_EVENTS}
                        - opened - set(self._refs))
        for chunk in range(0, len(wanted), 500):
            found = self.conn.execute(select(t.cases)
                                      .where(t.cases.c.case_id.in_(wanted[chunk:chunk + 500])))
            refs = self._keep("cases", found)
            for ref in refs:
                self._refs[self._rows["cases"][ref]["case_id"]] = ref
            appraisal_refs = [r for r in refs if self._rows["cases"][r]["kind"] == "appraisal"]
            if appraisal_refs:
                self._keep("appraisals", self.conn.execute(
                    select(t.appraisals).where(t.appraisals.c.ref.in_(appraisal_refs))))

    def _keep(self, name: str, rows: Any) -> list[str]:
        refs = []
        for row in rows:
            found = row._asdict()
            for key in _JSON[name]:
                found[key] = json.loads(found[key])
            self._rows[name][found["ref"]] = found
            refs.append(found["ref"])
        return refs

    def _insert(self, table: Table, row: dict[str, Any]) -> None:
        self._inserts.setdefault(table, []).append(row)

    def _write(self, statement: Any) -> None:
        """An update or delete, after the inserts buffered for its table."""
        self._flush_inserts(statement.table)
        self.conn.execute(statement)

    def _flush_inserts(self, table: Table) -> None:
        rows = self._inserts.pop(table, None)
        if rows:
            executemany(self.conn, _INSERTS[table], rows)

    def flush(self) -> None:
        """Writes the buffered rows; the caller commits."""
        for table in list(self._inserts):
            self._flush_inserts(table)
        for ref in self._regrade_due:
            self._regrade(self._rows["appraisals"][ref], self._rows["cases"][ref])
        self._regrade_due.clear()
        for name, table in _TABLES.items():
            rows, new = self._rows[name], self._new[name]
            if new:
                executemany(self.conn, _INSERTS[table], [_stored(name, rows[ref]) for ref in new])
            dirty = self._dirty[name] - new
            if dirty:
                executemany(self.conn, _UPDATES[name], [
                    {"b_ref": ref, **{f"b_{k}": v for k, v in _stored(name, rows[ref]).items()
                                      if k in _MUTABLE[name]}} for ref in dirty])
            new.clear()
            self._dirty[name].clear()
        if self._decisions:
            executemany(self.conn, _INSERTS[t.decisions], self._decisions)
            self._decisions = []

    # -- cases --------------------------------------------------------------------------

    def _row(self, name: str, ref: str, write: bool) -> dict[str, Any]:
        """The buffered row of a case or appraisal, read once from the view if not yet here."""
        rows = self._rows[name]
        if ref not in rows:
            table = _TABLES[name]
            self._keep(name, [self.conn.execute(select(table).where(table.c.ref == ref)).one()])
        if write:
            self._dirty[name].add(ref)
        return rows[ref]

    def _case(self, case_id: Any, write: bool = False) -> dict[str, Any]:
        key = str(case_id)
        ref = self._refs.get(key)
        if ref is None:
            c = t.cases.c
            ref = self.conn.execute(select(c.ref).where(c.case_id == key)).scalar_one()
            self._refs[key] = ref
        return self._row("cases", ref, write)

    def _step_fields(self, version: int, refinement: int, kind: str, step: str,
                     state: str) -> dict[str, Any]:
        if state != "open" or not step:
            return {"step": None, "step_label": None, "role": None}
        s = self.policy_of(version, refinement).workflow(kind).step(step)
        return {"step": s.id, "step_label": s.label, "role": s.role}

    def case_opened(self, ev: Case.Opened) -> None:
        self._insert_case(ev)
        self.appraisal_opened(ev)
        if ev.kind == "award":
            self._insert(t.awards, dict(
                ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
                distinction=ev.data.get("distinction", ""), amount=None, certificate=False))

    def _insert_case(self, ev: Case.Opened) -> None:
        signs = ev.opener_signs and ev.opener != ev.subject
        self._refs[str(ev.originator_id)] = ev.ref
        self._rows["cases"][ev.ref] = dict(
            ref=ev.ref, case_id=str(ev.originator_id), kind=ev.kind, state="open",
            subject=ev.subject or None, opener=ev.opener, applicant=ev.opener,
            class_code=ev.class_code or None, period=ev.period or None, unit=ev.unit or None,
            unit_path="/" + "/".join(ev.unit_path) + "/", policy_version=ev.policy_version,
            refinement=ev.refinement,
            signers={ev.open_step: ev.opener} if signs else {}, note=ev.note,
            last_action=ev.action, last_actor=ev.opener, opened_at=ev.timestamp,
            updated_at=ev.timestamp,
            **self._step_fields(ev.policy_version, ev.refinement, ev.kind, ev.step, "open"))
        self._new["cases"].add(ev.ref)

    def _move(self, ev: Any, action: str, step: str, state: str, signed: bool = False) -> None:
        row = self._case(ev.originator_id, write=True)
        row.update(state=state, last_action=action, last_actor=ev.actor, updated_at=ev.timestamp,
                   **self._step_fields(row["policy_version"], row["refinement"], row["kind"],
                                       step, state))
        if signed:
            row["signers"] = {**row["signers"], ev.step: ev.actor}

    def case_signed(self, ev: Case.Signed) -> None:
        self._move(ev, ev.action, ev.to_step, ev.to_state, signed=ev.action != "resubmitted")

    def case_vetoed(self, ev: Case.Vetoed) -> None:
        self._move(ev, "vetoed", "", "vetoed")

    def case_returned(self, ev: Case.Returned) -> None:
        self._move(ev, "returned", ev.to_step, "open")

    def case_withdrawn(self, ev: Case.Withdrawn) -> None:
        self._move(ev, "withdrawn", "", "withdrawn")

    # -- appraisals ----------------------------------------------------------------------

    def appraisal_opened(self, ev: Case.Opened) -> None:
        if ev.kind != "appraisal":
            return
        self._rows["appraisals"][ev.ref] = dict(
            ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
            scores={}, bonus={}, flags={}, total=None, grade=None, explanation="",
            vetoed_items=[], announcement_until=None, objections_open=0, final=False)
        self._new["appraisals"].add(ev.ref)
        self._regrade_due.add(ev.ref)

    def _appraisal(self, case_id: Any) -> dict[str, Any]:
        return self._row("appraisals", self._case(case_id)["ref"], write=True)

    def _regrade(self, row: dict[str, Any], case: dict[str, Any]) -> None:
        """Recompute total, grade and why from the stored scores and flags (once per batch)."""
        section = self.policy_of(case["policy_version"], case["refinement"]).sections \
            .get("appraisal")
        result = outcome(section, row["scores"], row["bonus"], row["flags"]) if section \
            else {"total": None, "grade": None, "explanation": "", "vetoed_items": []}
        row.update(total=result["total"], grade=result["grade"],
                   explanation=result["explanation"], vetoed_items=result["vetoed_items"])

    def _rescore(self, ev: Any) -> dict[str, Any]:
        row = self._appraisal(ev.originator_id)
        self._regrade_due.add(row["ref"])
        return row

    def scored(self, ev: Case.Scored) -> None:
        row = self._rescore(ev)
        row["scores"].update({k: v[1] for k, v in ev.changes.items()})
        row["bonus"].update({k: v[1] for k, v in ev.bonus_changes.items()})

    def veto_flagged(self, ev: Case.VetoFlagged) -> None:
        self._rescore(ev)["flags"][ev.item] = {"actor": ev.actor, "reason": ev.reason, "on": ev.on}

    def veto_cleared(self, ev: Case.VetoCleared) -> None:
        self._rescore(ev)["flags"].pop(ev.item, None)

    def announced(self, ev: Case.AnnouncementOpened) -> None:
        self._appraisal(ev.originator_id).update(announcement_until=ev.until, objections_open=0)

    def objected(self, ev: Case.ObjectionLodged) -> None:
        self._appraisal(ev.originator_id)["objections_open"] += 1

    def objection_resolved(self, ev: Case.ObjectionResolved) -> None:
        row = self._appraisal(ev.originator_id)
        if not ev.to_step:
            row["objections_open"] -= 1
            return
        row.update(objections_open=0, announcement_until=None)
        self._move(ev, f"objection {ev.outcome}", ev.to_step, "open")

    def award_granted(self, ev: Case.AwardGranted) -> None:
        ref = self._case(ev.originator_id)["ref"]
        self._write(update(t.awards).where(t.awards.c.ref == ref)
                    .values(amount=ev.amount or None, certificate=ev.certificate))

    def finalised(self, ev: Case.Finalised) -> None:
        self._appraisal(ev.originator_id)["final"] = True

    def _decision(self, ev: Any, position: int, entry: dict[str, Any]) -> None:
        ref, label = None, None
        if type(ev) in CASE_EVENTS:
            case = self._case(ev.originator_id)
            ref, step = case["ref"], entry["step"]
            key = (case["policy_version"], case["refinement"], case["kind"], step)
            if key not in self._labels:
                wf = self.policy_of(key[0], key[1]).workflow(key[2])
                self._labels[key] = wf.step(step).label if step in wf.step_ids() else None
            label = self._labels[key]
        self._decisions.append({"position": position, "at": ev.timestamp, "case_ref": ref,
                                "step_label": label, **entry})

    # -- organisation -------------------------------------------------------------------

    def unit_added(self, ev: Unit.Added) -> None:
        self._insert(t.units, dict(code=ev.code, name=ev.name, parent=ev.parent or None,
                                   path="/".join(ev.path)))

    def user_registered(self, ev: User.Registered) -> None:
        self._insert(t.users, dict(login=ev.login, name=ev.name, registered_at=ev.timestamp))

    def role_granted(self, ev: User.RoleGranted) -> None:
        self._insert(t.grants, dict(login=ev.login, role=ev.role, unit=ev.unit,
                                    granted_by=ev.actor, granted_at=ev.timestamp))

    def role_revoked(self, ev: User.RoleRevoked) -> None:
        g = t.grants.c
        self._write(delete(t.grants).where(g.login == ev.login, g.role == ev.role,
                                           g.unit == ev.unit))

    def class_added(self, ev: SchoolClass.Added) -> None:
        self._insert(t.classes, dict(
            code=ev.code, name=ev.name, unit=ev.unit, students=ev.students, level=ev.level,
            graduating=ev.graduating))
        self._history(ev.code, "", ev.students, ev.graduating, ev.level)

    def class_updated(self, ev: SchoolClass.Updated) -> None:
        self._write(update(t.classes).where(t.classes.c.code == ev.code)
                    .values(students=ev.students, graduating=ev.graduating))
        level = self.conn.execute(select(t.classes.c.level)
                                  .where(t.classes.c.code == ev.code)).scalar_one()
        self._history(ev.code, ev.effective, ev.students, ev.graduating, level)

    def _history(self, code: str, effective: str, students: int, graduating: bool,
                 level: str) -> None:
        """Head counts with the date they take effect, for the months they are paid on."""
        self._insert(t.class_history, dict(
            position=self.position, code=code, effective=effective, students=students,
            graduating=graduating, level=level))

    def profile_updated(self, ev: User.ProfileUpdated) -> None:
        if "employment" in ev.fields:
            self._write(update(t.users).where(t.users.c.login == ev.login)
                        .values(employment=ev.fields["employment"] or None))

    def advisor_appointed(self, ev: SchoolClass.AdvisorAppointed) -> None:
        self._insert(t.appointments, dict(
            case_ref=ev.case, advisor=ev.advisor, class_code=ev.code, start=ev.start, end=None,
            state="active", appointed_by=ev.actor))

    def advisor_released(self, ev: SchoolClass.AdvisorReleased) -> None:
        a = t.appointments.c
        self._write(update(t.appointments)
                    .where(a.class_code == ev.code, a.advisor == ev.advisor, a.state == "active")
                    .values(end=ev.end, state="ended"))


CASE_EVENTS = (Case.Opened, Case.Signed, Case.Vetoed, Case.Returned, Case.Withdrawn,
               Case.SummarySubmitted, Case.Scored, Case.VetoFlagged, Case.VetoCleared,
               Case.ObjectionLodged, Case.ObjectionResolved, Case.Finalised, Case.AwardGranted)

_HANDLERS: dict[type, Callable[[Projector, Any], None]] = {
    Case.Opened: Projector.case_opened,
    Case.Signed: Projector.case_signed,
    Case.Vetoed: Projector.case_vetoed,
    Case.Returned: Projector.case_returned,
    Case.Withdrawn: Projector.case_withdrawn,
    Unit.Added: Projector.unit_added,
    User.Registered: Projector.user_registered,
    User.RoleGranted: Projector.role_granted,
    User.RoleRevoked: Projector.role_revoked,
    SchoolClass.Added: Projector.class_added,
    SchoolClass.Updated: Projector.class_updated,
    SchoolClass.AdvisorAppointed: Projector.advisor_appointed,
    SchoolClass.AdvisorReleased: Projector.advisor_released,
    Case.Scored: Projector.scored,
    Case.VetoFlagged: Projector.veto_flagged,
    Case.VetoCleared: Projector.veto_cleared,
    Case.AnnouncementOpened: Projector.announced,
    Case.ObjectionLodged: Projector.objected,
    Case.ObjectionResolved: Projector.objection_resolved,
    Case.Finalised: Projector.finalised,
    Case.AwardGranted: Projector.award_granted,
    User.ProfileUpdated: Projector.profile_updated,
}
