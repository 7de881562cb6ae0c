"""A workflow case (recruitment, appraisal, award or a policy-declared kind) moving through its steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from transitions import Machine

from datetime import date, timedelta

from . import handover, signing
from .appraisal_rules import rules_of
from .access import Grants, require_role
from .delegation import acted_by, deputy_refusal, signed_for
from .errors import (BadInput, NotPermitted, Phrase, SeparationOfDuties, StepNotAllowed,
                     WorkflowError)
from .ids import case_id
from .periods import upcast
from .pipeline import OPEN, PUBLISHED, destination
from .policy import RULE, Policy, Step, Workflow


class Case(Aggregate):
    TOPIC = "bzr.case"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.case.created"

    class Opened(Aggregate.Created):
        TOPIC = "bzr.case.opened"
        class_version = 4
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
        opener_signs: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["refinement"] = 0  # before unit refinements, every case followed the institution

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["opener_signs"] = True  # until then, opening a case for someone was a level

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            state["period"] = upcast(state["period"])  # a bare year "2026" is the school year 2026-2027

    class Signed(Aggregate.Event):
        TOPIC = "bzr.case.signed"
        class_version = 2
        actor: str
        step: str
        action: str
        to_step: str
        to_state: str
        comment: str
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves

    class Countersigned(Aggregate.Event):
        """One holder's signature at a countersign step (会签 / 或签) that does not yet move it
        on; the signature that does is a Signed, as a single sign-off is. `on_behalf_of`: the
        holder a deputy signed for ("" when none), whose signature it counts as."""

        TOPIC = "bzr.case.countersigned"
        class_version = 1
        actor: str
        step: str
        comment: str
        on_behalf_of: str

    class Vetoed(Aggregate.Event):
        TOPIC = "bzr.case.vetoed"
        class_version = 2
        actor: str
        step: str
        reason: str
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves

    class Returned(Aggregate.Event):
        TOPIC = "bzr.case.returned"
        class_version = 2
        actor: str
        step: str
        to_step: str
        reason: str
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves

    class Withdrawn(Aggregate.Event):
        TOPIC = "bzr.case.withdrawn"
        class_version = 1
        actor: str
        step: str
        reason: str

    class TakenBack(Aggregate.Event):
        """The last signer took back their sign-off of `to_step` (拿回) while the case waited
        at `step` and nobody had acted there yet; the case waits at `to_step` again."""

        TOPIC = "bzr.case.taken_back"
        class_version = 1
        actor: str
        step: str
        to_step: str
        reason: str

    class Reassigned(Aggregate.Event):
        """The pending `step` handed to one holder of its role (转办), who alone signs it
        until the case leaves the step."""

        TOPIC = "bzr.case.reassigned"
        class_version = 1
        actor: str
        step: str
        to: str
        reason: str

    class SummarySubmitted(Aggregate.Event):
        """The self-summary, with the files attached with it: `{digest, name, type, size}`
        each (the file itself is stored by its SHA-256 beside the store, adapters/files.py)."""

        TOPIC = "bzr.case.summary_submitted"
        class_version = 2
        actor: str
        text: str
        attachments: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["attachments"] = []  # before attachments, a summary was text alone

    class Scored(Aggregate.Event):
        """Scores entered or revised: each changed item keeps [old, new] (old None the first time)."""

        TOPIC = "bzr.case.scored"
        class_version = 2
        actor: str
        step: str
        changes: dict[str, list[str | None]]
        bonus_changes: dict[str, list[str | None]]
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves

    class VetoFlagged(Aggregate.Event):
        TOPIC = "bzr.case.veto_flagged"
        class_version = 2
        actor: str
        item: str
        reason: str
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves
        on: str

    class VetoCleared(Aggregate.Event):
        TOPIC = "bzr.case.veto_cleared"
        class_version = 2
        actor: str
        item: str
        reason: str
        on_behalf_of: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on_behalf_of"] = ""  # before delegation, everyone signed for themselves

    class AnnouncementOpened(Aggregate.Event):
        TOPIC = "bzr.case.announcement_opened"
        class_version = 1
        until: str

    class ObjectionLodged(Aggregate.Event):
        TOPIC = "bzr.case.objection_lodged"
        class_version = 1
        actor: str
        number: int
        reason: str

    class ObjectionResolved(Aggregate.Event):
        TOPIC = "bzr.case.objection_resolved"
        class_version = 1
        actor: str
        number: int
        outcome: str
        comment: str
        to_step: str

    class Finalised(Aggregate.Event):
        """The end of a 公示; `due` (ISO, with the institution's offset) is the instant its time
        ran, when the engine finalised it by itself (actor RULE); "" for a person's finalise."""

        TOPIC = "bzr.case.finalised"
        class_version = 2
        actor: str
        grade: str
        total: str
        due: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["due"] = ""  # before deadlines, only a person finalised

    class AwardGranted(Aggregate.Event):
        TOPIC = "bzr.case.award_granted"
        class_version = 1
        amount: str
        certificate: bool

    class PlaceDecided(Aggregate.Event):
        """A result of a capped grade at the quota's step (Suzhou's 15 % of 优秀): `placed` it
        holds one of the period's places and keeps its grade; otherwise it is published as
        `grade` (the next one down) with its total kept. `reason` says why, in the office's
        words ("优秀名额已满：第 4 名，名额 3 个"), and names any tie the office's order broke."""

        TOPIC = "bzr.case.place_decided"
        class_version = 1
        actor: str
        step: str
        placed: bool
        grade: str
        reason: str

    class Rewarded(Aggregate.Event):
        """The reward that follows a final grade by itself (Suzhou 第十条 二、2), recorded by
        the engine (actor RULE) with no nomination."""

        TOPIC = "bzr.case.rewarded"
        class_version = 1
        actor: str
        grade: str
        amount: str
        certificate: bool

    @staticmethod
    def create_id(ref: str, *_: Any, **__: Any) -> UUID:
        return case_id(ref)

    @staticmethod
    def opened_like(first: Case.Opened, ref: str, subject: str, unit_path: list[str],
                    class_code: str) -> Case.Opened:
        """The Opened event of a sibling case raised by the same command under the same rules,
        exactly as `Case(...)` would record it, without building the aggregate (bulk opening
        stores 10,000 of these in one go)."""
        copy = object.__new__(Case.Opened)  # dataclasses.replace costs ~5x more, and the
        copy.__dict__.update(first.__dict__)  # template's fields were checked when it was made
        copy.__dict__.update(originator_id=case_id(ref), ref=ref, subject=subject,
                             unit=unit_path[-1] if unit_path else "", unit_path=list(unit_path),
                             class_code=class_code, data=dict(first.data))
        return copy

    @event(Opened)
    def __init__(self, ref: str, kind: str, policy_version: int, action: str, open_step: str,
                 step: str, subject: str, opener: str, unit: str, unit_path: list[str], class_code: str,
                 period: str, note: str, data: dict[str, Any], refinement: int = 0,
                 opener_signs: bool = True) -> None:
        self.ref, self.kind, self.policy_version, self.step = ref, kind, policy_version, step
        self.refinement = refinement
        self.subject, self.opener, self.unit, self.unit_path = subject, opener, unit, unit_path
        self.class_code, self.period, self.note, self.data = class_code, period, note, data
        self.state = OPEN
        self.signers = signing.signers_at_opening(open_step, opener, subject, opener_signs)
        self.applicant = opener  # who lodged the case: re-submits it after a return
        self.summary = ""
        self.attachments: list[dict[str, Any]] = []
        self.scores: dict[str, str] = {}
        self.bonus: dict[str, str] = {}
        self.flags: dict[str, dict[str, str]] = {}
        self.announcement: dict[str, Any] = {}
        self.final = False
        self.award: dict[str, Any] = {}
        self.capped: dict[str, str] = {}
        """The grade a full quota published this result as, and why (empty: as scored)."""
        self.last: dict[str, str] = {"actor": opener, "action": action, "step": ""}
        self.signoff: dict[str, str] = {}
        """The last sign-off while the case waits at the step it went to: {actor, step}."""
        self.worked: dict[str, str] = {}
        """The first work at the step the case waits at (scores, veto flags): {actor, action}."""
        self.assignee = ""
        """The one holder the pending step was reassigned to (转办); "" when none."""

    # -- decisions: public methods check and decide; @event methods only assign -------------

    def approve(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                machine: Machine, comment: str, today: str = "",
                holders: Sequence[str] = (), on_behalf_of: str = "") -> None:
        """Sign the pending step. At a countersign step `holders` are the users holding its
        role in the case's unit or above now (the application reads them): a signature that
        leaves others needed is recorded as Countersigned, the one that completes it moves the
        case on as a single sign-off does. `on_behalf_of`: a deputy signs for that holder,
        whose `grants` these are (the application found the delegation in force)."""
        step = self._signable(actor, grants, policy, wf, holders, on_behalf_of)
        if step.id == wf.open_step:
            self._signed(actor=actor, step=step.id, action="resubmitted",
                         to_step=wf.first_step.id, to_state=OPEN, comment=comment,
                         on_behalf_of=on_behalf_of)
            return
        if self.kind == "appraisal":
            rules_of(policy).ready_to_sign(wf, step.id, self.scores, self.summary,
                                           bool(self.flags), self.ref)
        if not signing.completes(self.sheet(), wf, holders, on_behalf_of or actor):
            self._countersigned(actor=actor, step=step.id, comment=comment,
                                on_behalf_of=on_behalf_of)
            return
        to = destination(machine, "approve", step.id)
        assert to is not None, f"{step.id} has no approve transition"
        done = to == PUBLISHED
        self._signed(actor=actor, step=step.id, action=step.action,
                     to_step="" if done else to, to_state=PUBLISHED if done else OPEN,
                     comment=comment, on_behalf_of=on_behalf_of)
        if done and self.kind == "appraisal":
            self._publish_result(actor, policy, today)
        if done and self.kind == "award" and not self.award:
            distinction = str(self.data.get("distinction") or "")
            self._award_granted(*(policy.award.granted(distinction) if policy.award
                                  else ("", False)))

    @event(Countersigned)
    def _countersigned(self, actor: str, step: str, comment: str, on_behalf_of: str) -> None:
        self.signers = signing.countersigned(self.signers, step, on_behalf_of or actor)
        self.last = {"actor": actor, "action": "countersigned", "step": step}
        self._worked(actor, "countersigned")  # the level acted: what led here stays signed

    @event(AwardGranted)
    def _award_granted(self, amount: str, certificate: bool) -> None:
        self.award = {"amount": amount, "certificate": certificate}

    # -- appraisal ------------------------------------------------------------------------

    def outcome(self, policy: Policy) -> dict[str, Any]:
        """Total, grade and why: the scores' grade, or the one a full quota published it as."""
        result = self.scored_outcome(policy)
        capped: dict[str, str] = getattr(self, "capped", {})
        if capped and result["grade"] is not None:
            result = {**result, "grade": capped["grade"],
                      "explanation": f"{result['explanation']}; {capped['reason']}"}
        return result

    def scored_outcome(self, policy: Policy) -> dict[str, Any]:
        """What the scores alone give, before any quota's decision."""
        return rules_of(policy).outcome(self.scores, self.bonus, self.flags)

    def decide_place(self, actor: str, step: str, placed: bool, grade: str, reason: str) -> None:
        """Record the quota step's decision on this result (see PlaceDecided)."""
        self._place_decided(actor=actor, step=step, placed=placed, grade=grade, reason=reason)

    @event(PlaceDecided)
    def _place_decided(self, actor: str, step: str, placed: bool, grade: str,
                       reason: str) -> None:
        self.capped = {} if placed else {"grade": grade, "reason": reason, "step": step}

    def may_submit_summary(self, actor: str) -> None:
        """Refuse anyone but the advisor, or a case no longer open (asked before an upload is
        read, and again when the summary is submitted)."""
        self._require_open()
        if actor != self.subject:
            raise NotPermitted("only {subject}, whose appraisal {ref} is, submits its "
                               "self-summary", subject=self.subject, ref=self.ref)

    def submit_summary(self, actor: str, text: str,
                       attachments: list[dict[str, Any]] | None = None) -> None:
        """The text replaces the earlier summary; the files are added to those attached
        before (a file already attached, by its digest, is not added twice)."""
        self.may_submit_summary(actor)
        _need_reason(text, Phrase("self-summary"))
        known = {a["digest"] for a in self.attachments}
        new = [dict(a) for a in attachments or () if a["digest"] not in known]
        self._summary(actor=actor, text=text, attachments=new)

    @event(SummarySubmitted)
    def _summary(self, actor: str, text: str, attachments: list[dict[str, Any]]) -> None:
        self.summary = text
        self.attachments = [*self.attachments, *attachments]

    def score(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
              items: dict[str, str], bonus: dict[str, str], on_behalf_of: str = "") -> None:
        rules = rules_of(policy)
        step = self._signable(actor, grants, policy, wf, on_behalf_of)
        # an item the policy does not have is bad input (exit 2) before any step question
        new = {k: rules.normalise(k, v) for k, v in items.items()}
        extra = {k: rules.normalise(k, v, bonus=True) for k, v in bonus.items()}
        rules.check_scorable(wf, step.id, list(items), bool(bonus), self.ref)
        rules.check_bonus(self.bonus | extra)
        changes = {k: [self.scores.get(k), v] for k, v in new.items() if self.scores.get(k) != v}
        extra_changes = {k: [self.bonus.get(k), v] for k, v in extra.items()
                         if self.bonus.get(k) != v}
        if not changes and not extra_changes:
            raise StepNotAllowed("{ref}: those scores are already recorded", ref=self.ref)
        self._scored(actor=actor, step=step.id, changes=changes, bonus_changes=extra_changes,
                     on_behalf_of=on_behalf_of)

    @event(Scored)
    def _scored(self, actor: str, step: str, changes: dict[str, list[str | None]],
                bonus_changes: dict[str, list[str | None]], on_behalf_of: str = "") -> None:
        self.scores.update({k: str(v[1]) for k, v in changes.items()})
        self.bonus.update({k: str(v[1]) for k, v in bonus_changes.items()})
        self.signers = acted_by(self.signers, step, actor, on_behalf_of)
        self._worked(actor, "scored")

    def _worked(self, actor: str, action: str) -> None:
        if not getattr(self, "worked", {}):
            self.worked = {"actor": actor, "action": action}

    def flag_veto(self, actor: str, grants: Grants, policy: Policy, wf: Workflow, item: str,
                  reason: str, today: str, clear: bool = False, on_behalf_of: str = "") -> None:
        _need_reason(reason, Phrase("veto item"))
        rules_of(policy).check_veto_item(item)
        self._signable(actor, grants, policy, wf, on_behalf_of)
        if clear:
            if item not in self.flags:
                raise StepNotAllowed("{ref}: veto item {item} is not flagged", ref=self.ref,
                                     item=item)
            self._veto_cleared(actor=actor, item=item, reason=reason, on_behalf_of=on_behalf_of)
        elif item in self.flags:
            raise StepNotAllowed("{ref}: veto item {item} is already flagged by {actor}",
                                 ref=self.ref, item=item, actor=self.flags[item]['actor'])
        else:
            self._veto_flagged(actor=actor, item=item, reason=reason, on=today,
                               on_behalf_of=on_behalf_of)

    @event(VetoFlagged)
    def _veto_flagged(self, actor: str, item: str, reason: str, on: str,
                      on_behalf_of: str = "") -> None:
        self.flags[item] = {"actor": actor, "reason": reason, "on": on}
        self.signers = acted_by(self.signers, self.step, actor, on_behalf_of)
        self._worked(actor, "flagged")

    @event(VetoCleared)
    def _veto_cleared(self, actor: str, item: str, reason: str, on_behalf_of: str = "") -> None:
        self.flags.pop(item, None)
        self.signers = acted_by(self.signers, self.step, actor, on_behalf_of)
        self._worked(actor, "cleared")

    def _publish_result(self, actor: str, policy: Policy, today: str) -> None:
        days = rules_of(policy).announcement_days
        if days:
            until = (date.fromisoformat(today) + timedelta(days=days)).isoformat()
            self._announced(until=until)
        else:
            self._finalise(actor, policy)

    @event(AnnouncementOpened)
    def _announced(self, until: str) -> None:
        self.announcement = {"until": until, "objections": []}

    def lodge_objection(self, actor: str, reason: str, today: str) -> int:
        _need_reason(reason, Phrase("objection"))
        if self.state != PUBLISHED or not self.announcement or self.final:
            raise StepNotAllowed("{ref} is not under public announcement (公示); objections are "
                                 "lodged during it", ref=self.ref)
        if today > self.announcement["until"]:
            raise StepNotAllowed("the announcement of {ref} ended on {until}", ref=self.ref,
                                 until=self.announcement['until'])
        number = len(self.announcement["objections"]) + 1
        self._objected(actor=actor, number=number, reason=reason)
        return number

    @event(ObjectionLodged)
    def _objected(self, actor: str, number: int, reason: str) -> None:
        self.announcement["objections"].append(
            {"number": number, "actor": actor, "reason": reason, "outcome": ""})

    def resolve_objection(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                          number: int, upheld: bool, comment: str) -> None:
        _need_reason(comment, Phrase("resolution"))
        objection = self._open_objection(number)
        require_role(grants, wf.final_step, self.unit_path, actor, policy, self.ref)
        if actor == objection["actor"]:
            raise SeparationOfDuties("{actor} lodged objection {number} and may not resolve it",
                                     actor=actor, number=number)
        to = rules_of(policy).score_step if upheld else ""
        self._resolved(actor=actor, number=number, outcome="upheld" if upheld else "dismissed",
                       comment=comment, to_step=to)

    def _open_objection(self, number: int) -> dict[str, Any]:
        objections = self.announcement.get("objections", []) if self.state == PUBLISHED else []
        found = [o for o in objections if o["number"] == number]
        if not found:
            raise BadInput("{ref} has no objection {number} under its current announcement",
                           ref=self.ref, number=number)
        objection: dict[str, Any] = found[0]
        if objection["outcome"]:
            raise StepNotAllowed("objection {number} on {ref} was already {outcome}",
                                 number=number, ref=self.ref, outcome=objection['outcome'])
        return objection

    @event(ObjectionResolved)
    def _resolved(self, actor: str, number: int, outcome: str, comment: str, to_step: str) -> None:
        for objection in self.announcement["objections"]:
            if objection["number"] == number:
                objection["outcome"] = outcome
        move = signing.reopened(actor, outcome, to_step)
        if to_step:
            self.state, self.step, self.announcement = move.state, move.step, {}
            self.capped = {}  # re-opened: decided again at the quota's step
            self.signoff, self.worked, self.assignee = {}, {}, ""
        self.last = move.last

    def finalise(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                 today: str) -> None:
        if self.state != PUBLISHED or self.final or not self.announcement:
            raise StepNotAllowed("{ref} is not awaiting the end of its announcement",
                                 ref=self.ref)
        require_role(grants, wf.final_step, self.unit_path, actor, policy, self.ref)
        if today <= self.announcement["until"]:
            raise StepNotAllowed("the announcement of {ref} runs until {until}", ref=self.ref,
                                 until=self.announcement['until'])
        pending = [o["number"] for o in self.announcement["objections"] if not o["outcome"]]
        if pending:
            raise StepNotAllowed("{ref} has open objection(s) {pending}; resolve them first",
                                 ref=self.ref, pending=pending)
        self._finalise(actor, policy)

    def announcement_ran(self, today: str) -> bool:
        """Whether the 公示 has run by `today` with no open objection: the engine finalises it."""
        if self.state != PUBLISHED or self.final or not self.announcement:
            return False
        return today > self.announcement["until"] and \
            not any(not o["outcome"] for o in self.announcement["objections"])

    def finalise_when_due(self, policy: Policy, today: str, due: str) -> bool:
        """Finalise by rule (actor RULE, at the instant `due` its time ran) a 公示 that has run
        with no open objection; False, and nothing recorded, for any other (one already final:
        another process got there first)."""
        if not self.announcement_ran(today):
            return False
        self._finalise(RULE, policy, due)
        return True

    def _finalise(self, actor: str, policy: Policy, due: str = "") -> None:
        result = self.outcome(policy)
        grade = result["grade"] or ""
        self._finalised(actor=actor, grade=grade, total=result["total"] or "", due=due)
        award = policy.award
        if award and award.follows_grade and grade in award.eligible_grades and not self.award:
            amount, certificate = award.granted()
            self._rewarded(actor=RULE, grade=grade, amount=amount, certificate=certificate)

    @event(Rewarded)
    def _rewarded(self, actor: str, grade: str, amount: str, certificate: bool) -> None:
        self.award = {"amount": amount, "certificate": certificate}

    @event(Finalised)
    def _finalised(self, actor: str, grade: str, total: str, due: str) -> None:
        self.final = True

    def veto(self, actor: str, grants: Grants, policy: Policy, wf: Workflow, reason: str,
             on_behalf_of: str = "") -> None:
        _need_reason(reason, Phrase("veto"))
        _refuse(self.veto_refusal(actor, grants, policy, wf, on_behalf_of))
        self._vetoed(actor=actor, step=self.step, reason=reason, on_behalf_of=on_behalf_of)

    def return_(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                machine: Machine, reason: str, on_behalf_of: str = "") -> None:
        _need_reason(reason, Phrase("return"))
        _refuse(self.return_refusal(actor, grants, policy, wf, machine, on_behalf_of))
        to = destination(machine, "return", self.step)
        assert to is not None
        self._returned(actor=actor, step=self.step, to_step=to, reason=reason,
                       on_behalf_of=on_behalf_of)

    def withdraw(self, actor: str, wf: Workflow, machine: Machine, reason: str) -> None:
        _refuse(self.withdraw_refusal(actor, wf, machine))
        self._withdrawn(actor=actor, step=self.step, reason=reason)

    def take_back(self, actor: str, wf: Workflow, reason: str) -> None:
        """The last signer takes back their sign-off (拿回): see handover.takeback_refusal."""
        _need_reason(reason, Phrase("take-back"))
        _refuse(handover.takeback_refusal(self, actor, wf))
        self._taken_back(actor=actor, step=self.step, to_step=self.signoff["step"],
                         reason=reason)

    def reassign(self, actor: str, grants: Grants, policy: Policy, wf: Workflow, to: str,
                 to_grants: Grants, reason: str) -> None:
        """Hand the pending step to `to` alone (转办): see handover.assignee_refusal."""
        _need_reason(reason, Phrase("reassignment"))
        _refuse(handover.reassign_refusal(self.sheet(), actor, grants, wf))
        _refuse(handover.assignee_refusal(self.sheet(), to, to_grants, policy, wf))
        self._reassigned(actor=actor, step=self.step, to=to, reason=reason)

    @event(TakenBack)
    def _taken_back(self, actor: str, step: str, to_step: str, reason: str) -> None:
        self.signers = signing.forget(self.signers, to_step)
        self._move(signing.taken_back(actor, step, to_step))
        if self.capped.get("step") == to_step:
            self.capped = {}  # the quota's step taken back: decided again when re-signed

    @event(Reassigned)
    def _reassigned(self, actor: str, step: str, to: str, reason: str) -> None:
        self.assignee = to

    # -- what may be done now: the commands raise these, a case page asks them ------------

    def refusals(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                 machine: Machine, holders: Sequence[str] | None = None,
                 on_behalf_of: str = "") -> dict[str, WorkflowError | None]:
        """Why `actor` may not approve, veto, return, withdraw, take back or reassign the case
        now (None: they may);
        `holders`: the pending countersign step's holders now, if it is one; with
        `on_behalf_of`, as that holder's deputy (`grants` then the holder's)."""
        return {"approve": self.sign_refusal(actor, grants, policy, wf, on_behalf_of, holders),
                "veto": self.veto_refusal(actor, grants, policy, wf, on_behalf_of),
                "return": self.return_refusal(actor, grants, policy, wf, machine, on_behalf_of),
                "withdraw": self.withdraw_refusal(actor, wf, machine),
                "takeback": handover.takeback_refusal(self, actor, wf),
                "reassign": handover.reassign_refusal(self.sheet(), actor, grants, wf)}

    def sign_refusal(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                     on_behalf_of: str = "",
                     holders: Sequence[str] | None = None) -> WorkflowError | None:
        """Why `actor` may not sign the pending step; a deputy (`on_behalf_of` the holder,
        `grants` the holder's own) is checked as the holder and then by their own limits.
        `holders`: the pending countersign step's holders now, if it is one."""
        if not on_behalf_of:
            return signing.signing_refusal(self.sheet(), actor, grants, policy, wf, holders)
        sheet = self.sheet()
        return (signing.signing_refusal(sheet, on_behalf_of, grants, policy, wf, holders)
                or deputy_refusal(sheet, actor, on_behalf_of, wf))

    def veto_refusal(self, actor: str, grants: Grants, policy: Policy,
                     wf: Workflow, on_behalf_of: str = "") -> WorkflowError | None:
        refused = self.sign_refusal(actor, grants, policy, wf, on_behalf_of)
        if refused is None and self.step == wf.open_step:
            return StepNotAllowed("{ref} awaits re-submission by {applicant}; withdraw it "
                                  "instead of vetoing", ref=self.ref, applicant=self.applicant)
        return refused

    def return_refusal(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                       machine: Machine, on_behalf_of: str = "") -> WorkflowError | None:
        refused = self.sign_refusal(actor, grants, policy, wf, on_behalf_of)
        if refused is None and destination(machine, "return", self.step) is None:
            step = wf.step(self.step)
            return StepNotAllowed("{label} ({id}) of {ref} cannot be returned under this "
                                  "policy; approve or veto it", label=step.label, id=step.id,
                                  ref=self.ref)
        return refused

    def withdraw_refusal(self, actor: str, wf: Workflow, machine: Machine) -> WorkflowError | None:
        if self.state != OPEN:
            return self._closed()
        if self.applicant != self.subject:
            return NotPermitted(
                "{ref} was opened by {applicant} for {subject}: only a case opened on their own "
                "behalf (an application, a self-nomination) may be withdrawn, and only by them; "
                "the later steps may veto it", ref=self.ref, applicant=self.applicant,
                subject=self.subject)
        if actor != self.applicant:
            return NotPermitted("only {applicant}, who opened {ref} on their own behalf, may "
                                "withdraw it", applicant=self.applicant, ref=self.ref)
        if destination(machine, "withdraw", self.step) is None:
            return StepNotAllowed("{ref} is at its final step {label}; it can no longer be "
                                  "withdrawn", ref=self.ref, label=wf.step(self.step).label)
        return None

    # -- rules --------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state != OPEN:
            raise self._closed()

    def _closed(self) -> StepNotAllowed:
        last = self.last
        return StepNotAllowed("{ref} is {state} ({action} by {actor}); nothing is pending",
                              ref=self.ref, state=self.state, action=last['action'],
                              actor=last['actor'])

    def sheet(self) -> signing.Sheet:
        """What signing this case depends on (the same facts the cases view keeps)."""
        return signing.Sheet(self.ref, self.state, self.step, self.applicant, self.subject,
                             self.unit_path, self.signers, self.last["action"],
                             self.last["actor"], getattr(self, "assignee", ""))

    def _signable(self, actor: str, grants: Grants, policy: Policy, wf: Workflow,
                  holders: Sequence[str] | None = None, on_behalf_of: str = "") -> Step:
        _refuse(self.sign_refusal(actor, grants, policy, wf, on_behalf_of, holders))
        return wf.step(self.step)

    # -- evolution ----------------------------------------------------------------------

    @event(Signed)
    def _signed(self, actor: str, step: str, action: str, to_step: str, to_state: str,
                comment: str, on_behalf_of: str = "") -> None:
        move = signing.signed(actor, step, action, to_step, to_state)
        self._move(move)
        if move.signs and on_behalf_of:
            self.signers = signed_for(self.signers, step, actor, on_behalf_of)

    @event(Vetoed)
    def _vetoed(self, actor: str, step: str, reason: str, on_behalf_of: str = "") -> None:
        self._move(signing.vetoed(actor, step))

    @event(Returned)
    def _returned(self, actor: str, step: str, to_step: str, reason: str,
                  on_behalf_of: str = "") -> None:
        self._move(signing.returned(actor, step, to_step))
        self.capped = {}  # re-scored and decided again

    @event(Withdrawn)
    def _withdrawn(self, actor: str, step: str, reason: str) -> None:
        self._move(signing.withdrawn(actor, step))

    def _move(self, move: signing.Move) -> None:
        self.state, self.step, self.last = move.state, move.step, move.last
        self.signers = move.signers(self.signers)
        # the step is left: the assignment ends, and only this sign-off can be taken back
        self.signoff = {"actor": move.actor, "step": move.at} if move.signs else {}
        self.worked, self.assignee = {}, ""


def _refuse(refused: WorkflowError | None) -> None:
    if refused is not None:
        raise refused


def _need_reason(reason: str, what: Phrase) -> None:
    if not reason.strip():
        raise BadInput("a {what} needs a reason (--reason TEXT)", what=what)
