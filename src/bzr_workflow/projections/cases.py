"""The cases view: each case's state, pending step and signers, from the case's decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain import signing
from ..domain.case import Case
from ..domain.delegation import acted_by, signed_for
from ..domain.pipeline import OPEN
from . import tables as t
from .batch import BatchWriter, Kept

if TYPE_CHECKING:
    from .policyof import PolicyOf


def kept() -> Kept:
    """The case rows a batch keeps (a fresh holder per projector)."""
    return Kept(t.cases, "ref", ("state", "step", "step_label", "role", "signers", "last_action",
                                 "last_actor", "updated_at", "assignee"), {"signers": True}, index="case_id")


Handlers = dict[type, Any]  # event class -> bound method taking (event, position)


class CaseProjection:
    """Case events → rows of bzr_cases, with pending and signers decided by `domain.signing`."""

    def __init__(self, writer: BatchWriter, policy_of: PolicyOf) -> None:
        self.writer, self.policy_of = writer, policy_of

    def handlers(self) -> Handlers:
        return {Case.Opened: self.opened, Case.Signed: self.signed,
                Case.Countersigned: self.countersigned, Case.Vetoed: self.vetoed,
                Case.Returned: self.returned, Case.Withdrawn: self.withdrawn,
                Case.ObjectionResolved: self.objection_resolved, Case.Scored: self.scored,
                Case.VetoFlagged: self.flagged, Case.VetoCleared: self.flagged,
                Case.TakenBack: self.taken_back, Case.Reassigned: self.reassigned}

    def row(self, case_id: Any, write: bool = False) -> dict[str, Any]:
        """The row of the case with this id (held for the batch)."""
        return self.writer.row_by(t.cases, str(case_id), write)

    def prefetch(self, events: list[Any]) -> list[dict[str, Any]]:
        """Reads the rows of the cases these events continue; returns them."""
        return self.prefetch_ids(
            {str(ev.originator_id) for ev in events if type(ev) is Case.Opened},
            {str(ev.originator_id) for ev in events if type(ev) in CASE_EVENTS})

    def prefetch_ids(self, opened: set[str], touched: set[str]) -> list[dict[str, Any]]:
        """Reads the rows of the cases with these ids (`touched`), bar those `opened` here."""
        wanted = sorted(touched - opened)
        wanted = [w for w in wanted if not self.writer.held(t.cases, w)]
        rows = self.writer.rows(t.cases)
        return [rows[ref] for ref in self.writer.load(t.cases, "case_id", wanted)]

    def _pending(self, version: int, refinement: int, kind: str, step: str,
                 state: str) -> dict[str, Any]:
        if state != OPEN or not step:  # closed: no policy to look up
            return {"step": None, "step_label": None, "role": None}
        found = signing.pending(self.policy_of(version, refinement).workflow(kind), state, step)
        return {"step": found.step, "step_label": found.label, "role": found.role}

    def opened(self, ev: Case.Opened, position: int) -> None:
        self.writer.add(t.cases, dict(
            ref=ev.ref, case_id=str(ev.originator_id), kind=ev.kind, state=OPEN,
            subject=ev.subject or None, opener=ev.opener, applicant=ev.opener,
            class_code=ev.class_code or None, period=ev.period or None, unit=ev.unit or None,
            unit_path="/" + "/".join(ev.unit_path) + "/", policy_version=ev.policy_version,
            refinement=ev.refinement,
            signers=signing.signers_at_opening(ev.open_step, ev.opener, ev.subject,
                                               ev.opener_signs),
            note=ev.note, last_action=ev.action, last_actor=ev.opener, opened_at=ev.timestamp,
            updated_at=ev.timestamp, assignee=None,
            **self._pending(ev.policy_version, ev.refinement, ev.kind, ev.step, OPEN)))

    def _move(self, ev: Any, move: signing.Move) -> None:
        row = self.row(ev.originator_id, write=True)
        row.update(state=move.state, last_action=move.action, last_actor=move.actor,
                   updated_at=ev.timestamp, assignee=None,
                   **self._pending(row["policy_version"], row["refinement"], row["kind"],
                                   move.step, move.state))
        row["signers"] = move.signers(row["signers"])

    def signed(self, ev: Case.Signed, position: int) -> None:
        move = signing.signed(ev.actor, ev.step, ev.action, ev.to_step, ev.to_state)
        self._move(ev, move)
        if move.signs and ev.on_behalf_of:  # a deputy signed: the holder and the deputy count
            row = self.row(ev.originator_id, write=True)
            row["signers"] = signed_for(row["signers"], ev.step, ev.actor, ev.on_behalf_of)

    def countersigned(self, ev: Case.Countersigned, position: int) -> None:
        """A signature that leaves the step pending: the case's last action, and one more
        signature gathered (domain.signing.countersigned)."""
        row = self.row(ev.originator_id, write=True)
        row.update(last_action="countersigned", last_actor=ev.actor, updated_at=ev.timestamp,
                   signers=signing.countersigned(row["signers"], ev.step,
                                                 ev.on_behalf_of or ev.actor))

    def vetoed(self, ev: Case.Vetoed, position: int) -> None:
        self._move(ev, signing.vetoed(ev.actor, ev.step))

    def returned(self, ev: Case.Returned, position: int) -> None:
        self._move(ev, signing.returned(ev.actor, ev.step, ev.to_step))

    def withdrawn(self, ev: Case.Withdrawn, position: int) -> None:
        self._move(ev, signing.withdrawn(ev.actor, ev.step))

    def taken_back(self, ev: Case.TakenBack, position: int) -> None:
        row = self.row(ev.originator_id, write=True)
        row["signers"] = signing.forget(row["signers"], ev.to_step)
        self._move(ev, signing.taken_back(ev.actor, ev.step, ev.to_step))

    def reassigned(self, ev: Case.Reassigned, position: int) -> None:
        row = self.row(ev.originator_id, write=True)
        row.update(assignee=ev.to, updated_at=ev.timestamp)

    def scored(self, ev: Case.Scored, position: int) -> None:
        row = self.row(ev.originator_id, write=True)
        row["signers"] = acted_by(row["signers"], ev.step, ev.actor, ev.on_behalf_of)

    def flagged(self, ev: Case.VetoFlagged | Case.VetoCleared, position: int) -> None:
        """A flag is entered at the step the case waits at (as the aggregate records it)."""
        row = self.row(ev.originator_id, write=True)
        row["signers"] = acted_by(row["signers"], row["step"] or "", ev.actor, ev.on_behalf_of)

    def objection_resolved(self, ev: Case.ObjectionResolved, position: int) -> None:
        if ev.to_step:
            self._move(ev, signing.reopened(ev.actor, ev.outcome, ev.to_step))


CASE_EVENTS = (Case.Opened, Case.Signed, Case.Countersigned, Case.Vetoed, Case.Returned,
               Case.Withdrawn,
               Case.SummarySubmitted, Case.Scored, Case.VetoFlagged, Case.VetoCleared,
               Case.ObjectionLodged, Case.ObjectionResolved, Case.Finalised, Case.AwardGranted,
               Case.Rewarded, Case.PlaceDecided, Case.TakenBack, Case.Reassigned)
