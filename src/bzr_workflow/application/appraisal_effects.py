"""What an appraisal moves beside itself: a grade quota's places, the advisor's record, and the consequences a final result completes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ..domain.appraisal_rules import GradeQuota
from ..domain.case import Case
from ..domain.consequences import Due
from ..domain.errors import AlreadyExists
from ..domain.policy import Policy
from ..domain.quota import AwardQuota
from ..domain.roster import PeriodRoster
from ..domain.policy import RULE
from .opening import counter, new_case

if TYPE_CHECKING:
    from .app import WorkflowApp
    from .effects import Decided

KIND = "appraisal"


def appraisal_roster(app: WorkflowApp, period: str) -> PeriodRoster:
    """Who has an appraisal opened for the period, and in which unit."""
    return app.load_or_start(PeriodRoster, kind=KIND, period=period)


def list_on_roster(app: WorkflowApp, d: Decided) -> list[Aggregate]:
    """An appraisal opened one at a time (`case open appraisal`) joins the period's roster, as
    bulk opening lists its cases: one appraisal per advisor and period."""
    case = d.case
    if not case.period or not case.subject:
        return []
    roster = appraisal_roster(app, case.period)
    if case.subject in roster.cases:
        raise AlreadyExists("{subject} already has an appraisal for {period} ({case})",
                            subject=case.subject, period=case.period,
                            case=roster.cases[case.subject])
    roster.list_cases({case.subject: case.ref}, {case.subject: case.unit})
    return [roster]


def grade_quota_of(policy: Policy) -> GradeQuota | None:
    """The policy's cap on a grade ([appraisal.grade_quota]), if it has one."""
    return policy.appraisal.grade_quota if policy.appraisal else None


def grade_quota_key(rule: GradeQuota, period: str, scope: str) -> dict[str, str]:
    """The natural keys of the AwardQuota that counts a grade's places (apart from awards')."""
    return {"award": f"grade:{rule.grade}", "period": period, "scope": scope}


def roster_size(app: WorkflowApp, period: str, scope: str) -> int:
    """A quota's basis: the advisors whose appraisal was opened for the period (withdrawn ones
    are delisted), in the whole institution ("*") or in one unit."""
    roster = appraisal_roster(app, period)
    if scope == "*":
        return len(roster.cases)
    return sum(1 for a in roster.cases if roster.units.get(a) == scope)


def take_grade_place(app: WorkflowApp, d: Decided) -> list[Aggregate]:
    """Signing the grade quota's step on a result of its grade takes one of the period's
    places (refused when all are taken); signing it on another grade gives a place back."""
    rule, case = grade_quota_of(d.policy), d.case
    if rule is None or case.last["step"] != rule.step:
        return []
    if case.outcome(d.policy)["grade"] != rule.grade:
        return give_grade_place_back(app, d)
    quota = app.load_or_start(AwardQuota,
                              **grade_quota_key(rule, case.period, rule.scope_of(case.unit)))
    places = rule.places(roster_size(app, case.period, quota.scope))
    quota.take(case.ref, case.subject, places, rule.grade, grade=True)
    return [quota]


def give_grade_place_back(app: WorkflowApp, d: Decided) -> list[Aggregate]:
    """A result vetoed, returned, withdrawn or re-opened by an upheld objection gives its place
    back; a withdrawn appraisal also leaves the period's roster (the quota's basis)."""
    rule, case = grade_quota_of(d.policy), d.case
    moved: list[Aggregate] = []
    if case.state == "withdrawn":
        roster = appraisal_roster(app, case.period)
        if roster.cases.get(case.subject) == case.ref:
            roster.delist(case.subject)
            moved.append(roster)
    if rule is None:
        return moved
    quota_id = AwardQuota.create_id(**grade_quota_key(rule, case.period, rule.scope_of(case.unit)))
    if app.exists(quota_id):
        quota: AwardQuota = app.repository.get(quota_id)
        if case.ref in quota.taken:
            quota.release(case.ref)
            moved.append(quota)
    return moved


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
