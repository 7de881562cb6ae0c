"""A workflow case (recruitment, appraisal, award or a policy-declared kind) moving through its steps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from transitions import Machine

from .access import Grants, require_role
from .errors import BadInput, NotPermitted, SeparationOfDuties, StepNotAllowed
from .ids import case_id
from .pipeline import OPEN, PUBLISHED, destination
from .policy import Policy, Step, Workflow


class Case(Aggregate):
    TOPIC = "bzr.case"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.case.created"

    class Opened(Aggregate.Created):
        TOPIC = "bzr.case.opened"
        class_version = 2
        ref: str
        kind: str
        policy_version: int
        action: str
        open_step: str
        step: str
        subject: str
        opener: str
        unit: str
        unit_path: list[str]
        class_code: str
        period: str
        note: str
        data: dict[str, Any]
        refinement: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["refinement"] = 0  # before unit refinements, every case followed the institution

    class Signed(Aggregate.Event):
        TOPIC = "bzr.case.signed"
        class_version = 1
        actor: str
        step: str
        action: str
        to_step: str
        to_state: str
        comment: str

    class Vetoed(Aggregate.Event):
        TOPIC = "bzr.case.vetoed"
        class_version = 1
        actor: str
        step: str
        reason: str

    class Returned(Aggregate.Event):
        TOPIC = "bzr.case.returned"
        class_version = 1
        actor: str
        step: str
        to_step: str
        reason: str

    class Withdrawn(Aggregate.Event):
        TOPIC = "bzr.case.withdrawn"
        class_version = 1
        actor: str
        step: str
        reason: str

    @staticmethod
    def create_id(ref: str, *_: Any, **__: Any) -> UUID:
        return case_id(ref)

    @event(Opened)
    def __init__(self, ref: str, kind: str, policy_version: int, action: str, open_step: str,
                 step: str, subject: str, opener: str, unit: str, unit_path: list[str], class_code: str,
                 period: str, note: str, data: dict[str, Any], refinement: int = 0) -> None:
        self.ref, self.kind, self.policy_version, self.step = ref, kind, policy_version, step
        self.refinement = refinement
        self.subject, self.opener, self.unit, self.unit_path = subject, opener, unit, unit_path
        self.class_code, self.period, self.note, self.data = class_code, period, note, data
        self.state = OPEN
        self.signers: dict[str, str] = {} if opener == subject else {open_step: opener}
        self.applicant = opener  # who lodged the case: re-submits it after a return
        self.last: dict[str, str] = {"actor": opener, "action": action, "step": ""}

    # -- decisions: public methods check and decide; @event methods only assign -------------

    def approve(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                machine: Machine, comment: str) -> None:
        step = self._signable(actor, grants, policy, wf)
        if step.id == wf.open_step:
            self._signed(actor=actor, step=step.id, action="resubmitted",
                         to_step=wf.first_step.id, to_state=OPEN, comment=comment)
            return
        to = destination(machine, "approve", step.id)
        assert to is not None, f"{step.id} has no approve transition"
        done = to == PUBLISHED
        self._signed(actor=actor, step=step.id, action=step.action,
                     to_step="" if done else to, to_state=PUBLISHED if done else OPEN,
                     comment=comment)

    def veto(self, actor: str, grants: Grants, policy: Policy, wf: Workflow, reason: str) -> None:
        _need_reason(reason, "veto")
        step = self._signable(actor, grants, policy, wf)
        if step.id == wf.open_step:
            raise StepNotAllowed(f"{self.ref} awaits re-submission by {self.applicant};"
                                 " withdraw it instead of vetoing")
        self._vetoed(actor=actor, step=step.id, reason=reason)

    def return_(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                machine: Machine, reason: str) -> None:
        _need_reason(reason, "return")
        step = self._signable(actor, grants, policy, wf)
        to = destination(machine, "return", step.id)
        if to is None:
            raise StepNotAllowed(f"{step.label} ({step.id}) of {self.ref} cannot be returned"
                                 " under this policy; approve or veto it")
        self._returned(actor=actor, step=step.id, to_step=to, reason=reason)

    def withdraw(self, actor: str, wf: Workflow, machine: Machine, reason: str) -> None:
        self._require_open()
        if actor not in (self.applicant, self.subject):
            raise NotPermitted(f"only {self.applicant}, who opened {self.ref}, may withdraw it")
        if destination(machine, "withdraw", self.step) is None:
            raise StepNotAllowed(f"{self.ref} is at its final step {wf.step(self.step).label};"
                                 " it can no longer be withdrawn")
        self._withdrawn(actor=actor, step=self.step, reason=reason)

    # -- rules --------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state != OPEN:
            last = self.last
            raise StepNotAllowed(f"{self.ref} is {self.state} ({last['action']} by {last['actor']});"
                                 " nothing is pending")

    def _signable(self, actor: str, grants: Grants, policy: Policy, wf: Workflow) -> Step:
        self._require_open()
        step = wf.step(self.step)
        if step.id == wf.open_step:
            if actor != self.applicant:
                raise NotPermitted(f"{self.ref} was returned to {self.applicant} for amendment;"
                                   " only they may re-submit it")
            return step
        require_role(grants, step, self.unit_path, actor, policy, self.ref)
        if actor == self.subject:
            raise SeparationOfDuties(f"{actor} is the subject of {self.ref} and may not sign it")
        other = [s for s, who in self.signers.items() if who == actor and s != step.id]
        if other and not wf.signer_may_sign_twice:
            raise SeparationOfDuties(
                f"{actor} already acted at {_label(wf, other[0])} of {self.ref}; one person signs"
                " at most one level of a case under this policy")
        return step

    # -- evolution ----------------------------------------------------------------------

    @event(Signed)
    def _signed(self, actor: str, step: str, action: str, to_step: str, to_state: str,
                comment: str) -> None:
        if action != "resubmitted":
            self.signers[step] = actor
        self.step, self.state = to_step, to_state
        self.last = {"actor": actor, "action": action, "step": step}

    @event(Vetoed)
    def _vetoed(self, actor: str, step: str, reason: str) -> None:
        self.step, self.state = "", "vetoed"
        self.last = {"actor": actor, "action": "vetoed", "step": step}

    @event(Returned)
    def _returned(self, actor: str, step: str, to_step: str, reason: str) -> None:
        self.step = to_step
        self.last = {"actor": actor, "action": "returned", "step": step}

    @event(Withdrawn)
    def _withdrawn(self, actor: str, step: str, reason: str) -> None:
        self.step, self.state = "", "withdrawn"
        self.last = {"actor": actor, "action": "withdrawn", "step": step}


def _need_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise BadInput(f"a {what} needs a reason (--reason TEXT)")


def _label(wf: Workflow, step_id: str) -> str:
    return wf.open_label if step_id == "open" else wf.step(step_id).label
