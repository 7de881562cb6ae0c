"""What a final appraisal result sets in motion: the advisor's record, and the consequences it completes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ..domain.case import Case
from ..domain.consequences import Due
from ..domain.roster import PeriodRoster
from .opening import counter, new_case

if TYPE_CHECKING:
    from .app import WorkflowApp
    from .effects import Decided

KIND = "appraisal"


def appraisal_roster(app: WorkflowApp, period: str) -> PeriodRoster:
    """Who has an appraisal opened for the period, and in which unit."""
    return app.load_or_start(PeriodRoster, kind=KIND, period=period)


def record_result(app: WorkflowApp, d: Decided) -> list[Aggregate]:
    """A final result goes on the advisor's record, with the consequences it completes."""
    case = d.case
    if not case.final:
        return []
    result = case.outcome(d.policy)
    advisor = app.user(case.subject)
    advisor.record_result(case.period, result["grade"] or "", result["total"] or "", case.ref,
                          d.actor)
    moved: list[Aggregate] = [advisor]
    for due in d.policy.consequences.due(advisor.results, case.period, advisor.consequences):
        opened = ""
        if due.rule.then == "open_case":
            opened, more = _open_consequence(app, due, case, d.actor)
            moved += more
        advisor.record_consequence(due.rule.key, due.rule.label, due.rule.then, case.period,
                                   due.caused_by, d.actor, opened)
    return moved


def _open_consequence(app: WorkflowApp, due: Due, case: Case,
                      actor: str) -> tuple[str, list[Aggregate]]:
    """A case the policy opens by itself (Aksu: two unqualified semesters → dismissal)."""
    kind = due.rule.kind or "dismissal"
    inst = app.institution()
    refinement = inst.refinement_for(case.unit_path)
    wf = app.policy(inst=inst, refinement=refinement).workflow(kind)
    refs = counter(app, wf.prefix)
    ref = refs.allocate()[0]
    causes = ", ".join(due.caused_by)
    opened = new_case(
        ref, wf, inst.current_version, refinement, subject=case.subject, opener=actor,
        unit_path=case.unit_path, class_code=case.class_code, period=case.period,
        note=f"{due.rule.label}: opened by the policy after {causes}",
        data={"consequence": due.rule.key, "caused_by": due.caused_by}, action="opened")
    return ref, [refs, opened]
