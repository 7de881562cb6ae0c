"""The appraisals view: scores, flags, grade and announcement of each appraisal case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.case import Case
from . import tables as t
from .batch import BatchWriter, Kept
from .cases import CaseProjection, Handlers

if TYPE_CHECKING:
    from .policyof import PolicyOf


def kept() -> Kept:
    """The appraisal rows a batch keeps (a fresh holder per projector)."""
    return Kept(t.appraisals, "ref", ("scores", "bonus", "flags", "total", "grade", "explanation",
                                      "vetoed_items", "announcement_until", "objections_open",
                                      "final", "capped_grade", "capped_reason"),
                {"scores": False, "bonus": False, "flags": False, "vetoed_items": True})


class AppraisalProjection:
    """Appraisal events → rows of bzr_appraisals; total, grade and why recomputed once a batch."""

    def __init__(self, writer: BatchWriter, cases: CaseProjection, policy_of: PolicyOf) -> None:
        self.writer, self.cases, self.policy_of = writer, cases, policy_of
        self._regrade_due: set[str] = set()

    def handlers(self) -> Handlers:
        return {Case.Opened: self.opened, Case.Scored: self.scored,
                Case.VetoFlagged: self.veto_flagged, Case.VetoCleared: self.veto_cleared,
                Case.AnnouncementOpened: self.announced, Case.ObjectionLodged: self.objected,
                Case.ObjectionResolved: self.objection_resolved, Case.Finalised: self.finalised,
                Case.PlaceDecided: self.place_decided, Case.Returned: self.returned,
                Case.TakenBack: self.taken_back}

    def prefetch(self, case_rows: list[dict[str, Any]]) -> None:
        refs = [r["ref"] for r in case_rows if r["kind"] == "appraisal"]
        if refs:
            self.writer.load(t.appraisals, "ref", refs)

    def before_flush(self) -> None:
        """Recompute total, grade and why from the stored scores and flags (once per batch)."""
        for ref in self._regrade_due:
            row, case = self.writer.row(t.appraisals, ref), self.writer.row(t.cases, ref)
            rules = self.policy_of(case["policy_version"], case["refinement"]).appraisal
            result = rules.outcome(row["scores"], row["bonus"], row["flags"]) if rules \
                else {"total": None, "grade": None, "explanation": "", "vetoed_items": []}
            row.update(total=result["total"], grade=result["grade"],
                       explanation=result["explanation"], vetoed_items=result["vetoed_items"])
            if row.get("capped_grade") and result["grade"] is not None:  # a full quota's
                row.update(grade=row["capped_grade"],
                           explanation=f"{result['explanation']}; {row['capped_reason']}")
        self._regrade_due.clear()

    def opened(self, ev: Case.Opened, position: int) -> None:
        if ev.kind != "appraisal":
            return
        self.writer.add(t.appraisals, dict(
            ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
            scores={}, bonus={}, flags={}, total=None, grade=None, explanation="",
            vetoed_items=[], announcement_until=None, objections_open=0, final=False,
            capped_grade=None, capped_reason=None))
        self._regrade_due.add(ev.ref)

    def _row(self, case_id: Any) -> dict[str, Any]:
        return self.writer.row(t.appraisals, self.cases.row(case_id)["ref"], write=True)

    def _rescore(self, ev: Any) -> dict[str, Any]:
        row = self._row(ev.originator_id)
        self._regrade_due.add(row["ref"])
        return row

    def scored(self, ev: Case.Scored, position: int) -> None:
        self.rescored(self.cases.row(ev.originator_id)["ref"], ev)

    def rescored(self, ref: str, ev: Case.Scored) -> None:
        """Case.Scored of the case `ref` (its row looked up by the caller)."""
        row = self.writer.row(t.appraisals, ref, write=True)
        self._regrade_due.add(ref)
        row["scores"].update({k: v[1] for k, v in ev.changes.items()})
        row["bonus"].update({k: v[1] for k, v in ev.bonus_changes.items()})

    def veto_flagged(self, ev: Case.VetoFlagged, position: int) -> None:
        self._rescore(ev)["flags"][ev.item] = {"actor": ev.actor, "reason": ev.reason, "on": ev.on}

    def veto_cleared(self, ev: Case.VetoCleared, position: int) -> None:
        self._rescore(ev)["flags"].pop(ev.item, None)

    def announced(self, ev: Case.AnnouncementOpened, position: int) -> None:
        self._row(ev.originator_id).update(announcement_until=ev.until, objections_open=0)

    def objected(self, ev: Case.ObjectionLodged, position: int) -> None:
        self._row(ev.originator_id)["objections_open"] += 1

    def place_decided(self, ev: Case.PlaceDecided, position: int) -> None:
        """Case.PlaceDecided: placed, the scores' grade; beyond the places, the grade below."""
        self._rescore(ev).update(capped_grade=None if ev.placed else ev.grade,
                                 capped_reason=None if ev.placed else ev.reason)

    def returned(self, ev: Case.Returned, position: int) -> None:
        """A returned appraisal is decided again at the quota's step (Case._returned)."""
        if self.cases.row(ev.originator_id)["kind"] == "appraisal":
            self._rescore(ev).update(capped_grade=None, capped_reason=None)

    def taken_back(self, ev: Case.TakenBack, position: int) -> None:
        """A sign-off of the grade quota's step taken back: decided again (Case._taken_back)."""
        case = self.cases.row(ev.originator_id)
        if case["kind"] != "appraisal":
            return
        rules = self.policy_of(case["policy_version"], case["refinement"]).appraisal
        quota = rules.grade_quota if rules else None
        if quota is not None and quota.step == ev.to_step:
            self._rescore(ev).update(capped_grade=None, capped_reason=None)

    def objection_resolved(self, ev: Case.ObjectionResolved, position: int) -> None:
        row = self._row(ev.originator_id)
        if ev.to_step:
            self._regrade_due.add(row["ref"])
            row.update(objections_open=0, announcement_until=None, capped_grade=None,
                       capped_reason=None)
        else:
            row["objections_open"] -= 1

    def finalised(self, ev: Case.Finalised, position: int) -> None:
        self._row(ev.originator_id)["final"] = True
