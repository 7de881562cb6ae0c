"""What a final appraisal result sets in motion: the advisor's record, and the consequences it completes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ..domain.case import Case
from ..domain.consequences import Due
from ..domain.roster import PeriodRoster
from ..domain.signing import RULE
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
            opened, more = _open_consequence(app, due, case, advisor.results)
            moved += more
        advisor.record_consequence(due.rule.key, due.rule.label, due.rule.then, case.period,
                                   due.caused_by, RULE, opened)  # the rule's act, not d.actor's
    return moved


def _open_consequence(app: WorkflowApp, due: Due, case: Case,
                      results: dict[str, dict[str, str]]) -> tuple[str, list[Aggregate]]:
    """A case the policy opens by itself (Aksu: two unqualified semesters → dismissal).

    The rule opens it in place of the person who would (the department's proposal): its opener
    and first actor is RULE, and its note and data name the results that caused it. The officer
    whose signature happened to record the last of them did not open it, so signs no level of it."""
    kind = due.rule.kind or "dismissal"
    inst = app.institution()
    refinement = inst.refinement_for(case.unit_path)
    wf = app.policy(inst=inst, refinement=refinement).workflow(kind)
    refs = counter(app, wf.prefix)
    ref = refs.allocate()[0]
    by_case = {r["case"]: (p, r["grade"]) for p, r in results.items()}
    caused = [{"case": ref_, "period": by_case.get(ref_, ("", ""))[0],
               "grade": by_case.get(ref_, ("", ""))[1]} for ref_ in due.caused_by]
    causes = ", ".join(f"{c['case']} ({c['period']} {c['grade']})" for c in caused)
    opened = new_case(
        ref, wf, inst.current_version, refinement, subject=case.subject, opener=RULE,
        unit_path=case.unit_path, class_code=case.class_code, period=case.period,
        note=f"{due.rule.label}: opened by the rule after {causes}",
        data={"consequence": due.rule.key, "caused_by": due.caused_by, "results": caused},
        action="opened")
    return ref, [refs, opened]
