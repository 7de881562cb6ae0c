"""Turns each stored event into view rows, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ..domain.case import Case
from ..domain.grading import outcome
from ..domain.history import audit_entry
from ..domain.policy import Policy
from ..domain.school_class import SchoolClass
from ..domain.unit import Unit
from ..domain.user import User
from . import tables as t

PolicyOf = Callable[[int, int], Policy]


class Projector:
    """Applies events to the views through one connection; never commits itself."""

    def __init__(self, conn: Connection, policy_of: PolicyOf) -> None:
        self.conn, self.policy_of = conn, policy_of
        self._refs: dict[str, tuple[str, int, str, int]] = {}
        self.position = 0

    def apply(self, ev: Any, position: int) -> None:
        self.position = position
        handler = _HANDLERS.get(type(ev))
        if handler:
            handler(self, ev)
        entry = audit_entry(ev)
        if entry:
            self._decision(ev, position, entry)

    # -- cases --------------------------------------------------------------------------

    def _case(self, case_id: Any) -> tuple[str, int, str, int]:
        """(ref, policy version, kind, refinement) of a case already in the view."""
        key = str(case_id)
        if key not in self._refs:
            c = t.cases.c
            row = self.conn.execute(select(c.ref, c.policy_version, c.kind, c.refinement)
                                    .where(c.case_id == key)).one()
            self._refs[key] = (row.ref, row.policy_version, row.kind, row.refinement)
        return self._refs[key]

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
            self.conn.execute(insert(t.awards).values(
                ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
                distinction=ev.data.get("distinction", ""), amount=None, certificate=False))

    def _insert_case(self, ev: Case.Opened) -> None:
        signs = ev.opener_signs and ev.opener != ev.subject
        signers = {ev.open_step: ev.opener} if signs else {}
        self._refs[str(ev.originator_id)] = (ev.ref, ev.policy_version, ev.kind, ev.refinement)
        self.conn.execute(insert(t.cases).values(
            ref=ev.ref, case_id=str(ev.originator_id), kind=ev.kind, state="open",
            subject=ev.subject or None, opener=ev.opener, applicant=ev.opener,
            class_code=ev.class_code or None, period=ev.period or None, unit=ev.unit or None,
            unit_path="/" + "/".join(ev.unit_path) + "/", policy_version=ev.policy_version,
            refinement=ev.refinement,
            signers=json.dumps(signers), note=ev.note, last_action=ev.action,
            last_actor=ev.opener, opened_at=ev.timestamp, updated_at=ev.timestamp,
            **self._step_fields(ev.policy_version, ev.refinement, ev.kind, ev.step, "open")))

    def _move(self, ev: Any, action: str, step: str, state: str, signed: bool = False) -> None:
        ref, version, kind, refinement = self._case(ev.originator_id)
        values = {"state": state, "last_action": action, "last_actor": ev.actor,
                  "updated_at": ev.timestamp,
                  **self._step_fields(version, refinement, kind, step, state)}
        if signed:
            row = self.conn.execute(select(t.cases.c.signers).where(t.cases.c.ref == ref)).one()
            values["signers"] = json.dumps({**json.loads(row.signers), ev.step: ev.actor})
        self.conn.execute(update(t.cases).where(t.cases.c.ref == ref).values(**values))

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
        self.conn.execute(insert(t.appraisals).values(
            ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
            scores="{}", bonus="{}", flags="{}", total=None, grade=None, explanation="",
            vetoed_items="[]", announcement_until=None, objections_open=0, final=False))
        self._regrade(ev.originator_id, {})

    def _regrade(self, case_id: Any, change: dict[str, Any]) -> None:
        """Apply a change to the stored scores or flags and recompute total, grade and why."""
        ref, version, _, refinement = self._case(case_id)
        row = self.conn.execute(select(t.appraisals).where(t.appraisals.c.ref == ref)).one()
        state = {k: json.loads(getattr(row, k)) for k in ("scores", "bonus", "flags")}
        for key, update_fn in change.items():
            update_fn(state[key])
        section = self.policy_of(version, refinement).sections.get("appraisal")
        result = outcome(section, state["scores"], state["bonus"], state["flags"]) if section \
            else {"total": None, "grade": None, "explanation": "", "vetoed_items": []}
        self.conn.execute(update(t.appraisals).where(t.appraisals.c.ref == ref).values(
            **{k: json.dumps(v, ensure_ascii=False) for k, v in state.items()},
            total=result["total"], grade=result["grade"], explanation=result["explanation"],
            vetoed_items=json.dumps(result["vetoed_items"])))

    def scored(self, ev: Case.Scored) -> None:
        self._regrade(ev.originator_id, {
            "scores": lambda d: d.update({k: v[1] for k, v in ev.changes.items()}),
            "bonus": lambda d: d.update({k: v[1] for k, v in ev.bonus_changes.items()})})

    def veto_flagged(self, ev: Case.VetoFlagged) -> None:
        flag = {"actor": ev.actor, "reason": ev.reason, "on": ev.on}
        self._regrade(ev.originator_id, {"flags": lambda d: d.update({ev.item: flag})})

    def veto_cleared(self, ev: Case.VetoCleared) -> None:
        self._regrade(ev.originator_id, {"flags": lambda d: d.pop(ev.item, None)})

    def _appraisal_row(self, ev: Any, **values: Any) -> None:
        ref = self._case(ev.originator_id)[0]
        self.conn.execute(update(t.appraisals).where(t.appraisals.c.ref == ref).values(**values))

    def announced(self, ev: Case.AnnouncementOpened) -> None:
        self._appraisal_row(ev, announcement_until=ev.until, objections_open=0)

    def objected(self, ev: Case.ObjectionLodged) -> None:
        self._appraisal_row(ev, objections_open=t.appraisals.c.objections_open + 1)

    def objection_resolved(self, ev: Case.ObjectionResolved) -> None:
        if ev.to_step:
            self._appraisal_row(ev, objections_open=0, announcement_until=None)
        else:
            self._appraisal_row(ev, objections_open=t.appraisals.c.objections_open - 1)
            return
        self._move(ev, f"objection {ev.outcome}", ev.to_step, "open")

    def award_granted(self, ev: Case.AwardGranted) -> None:
        ref = self._case(ev.originator_id)[0]
        self.conn.execute(update(t.awards).where(t.awards.c.ref == ref)
                          .values(amount=ev.amount or None, certificate=ev.certificate))

    def finalised(self, ev: Case.Finalised) -> None:
        self._appraisal_row(ev, final=True)

    def _decision(self, ev: Any, position: int, entry: dict[str, Any]) -> None:
        ref, label = None, None
        if type(ev) in CASE_EVENTS:
            ref, version, kind, refinement = self._case(ev.originator_id)
            wf = self.policy_of(version, refinement).workflow(kind)
            label = wf.step(entry["step"]).label if entry["step"] in wf.step_ids() else None
        self.conn.execute(insert(t.decisions).values(
            position=position, at=ev.timestamp, case_ref=ref, step_label=label, **entry))

    # -- organisation -------------------------------------------------------------------

    def unit_added(self, ev: Unit.Added) -> None:
        self.conn.execute(insert(t.units).values(code=ev.code, name=ev.name,
                                                 parent=ev.parent or None, path="/".join(ev.path)))

    def user_registered(self, ev: User.Registered) -> None:
        self.conn.execute(insert(t.users).values(login=ev.login, name=ev.name,
                                                 registered_at=ev.timestamp))

    def role_granted(self, ev: User.RoleGranted) -> None:
        self.conn.execute(insert(t.grants).values(login=ev.login, role=ev.role, unit=ev.unit,
                                                  granted_by=ev.actor, granted_at=ev.timestamp))

    def role_revoked(self, ev: User.RoleRevoked) -> None:
        g = t.grants.c
        self.conn.execute(delete(t.grants).where(g.login == ev.login, g.role == ev.role,
                                                 g.unit == ev.unit))

    def class_added(self, ev: SchoolClass.Added) -> None:
        self.conn.execute(insert(t.classes).values(
            code=ev.code, name=ev.name, unit=ev.unit, students=ev.students, level=ev.level,
            graduating=ev.graduating))
        self._history(ev.code, "", ev.students, ev.graduating, ev.level)

    def class_updated(self, ev: SchoolClass.Updated) -> None:
        self.conn.execute(update(t.classes).where(t.classes.c.code == ev.code)
                          .values(students=ev.students, graduating=ev.graduating))
        level = self.conn.execute(select(t.classes.c.level)
                                  .where(t.classes.c.code == ev.code)).scalar_one()
        self._history(ev.code, ev.effective, ev.students, ev.graduating, level)

    def _history(self, code: str, effective: str, students: int, graduating: bool,
                 level: str) -> None:
        """Head counts with the date they take effect, for the months they are paid on."""
        self.conn.execute(insert(t.class_history).values(
            position=self.position, code=code, effective=effective, students=students,
            graduating=graduating, level=level))

    def profile_updated(self, ev: User.ProfileUpdated) -> None:
        if "employment" in ev.fields:
            self.conn.execute(update(t.users).where(t.users.c.login == ev.login)
                              .values(employment=ev.fields["employment"] or None))

    def advisor_appointed(self, ev: SchoolClass.AdvisorAppointed) -> None:
        self.conn.execute(insert(t.appointments).values(
            case_ref=ev.case, advisor=ev.advisor, class_code=ev.code, start=ev.start, end=None,
            state="active", appointed_by=ev.actor))

    def advisor_released(self, ev: SchoolClass.AdvisorReleased) -> None:
        a = t.appointments.c
        self.conn.execute(update(t.appointments)
                          .where(a.class_code == ev.code, a.advisor == ev.advisor,
                                 a.state == "active")
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
