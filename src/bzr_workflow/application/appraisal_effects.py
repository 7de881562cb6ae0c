"""What an appraisal moves beside itself: a grade quota's places, the advisor's record, and the consequences a final result completes."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from ..domain.appraisal_rules import GradeQuota
from ..domain.case import Case
from ..domain.consequences import Due
from ..domain.errors import AlreadyExists
from ..domain.policy import Policy
from ..domain.quota import PlacesQuota
from ..domain.roster import PeriodRoster, roster_size
from ..domain.policy import RULE
from .hooks import Decided
from .opening import counter, new_case
from .ports import Store

KIND = "appraisal"


def appraisal_roster(store: Store, period: str) -> PeriodRoster:
    """Who has an appraisal opened for the period, and in which unit."""
    return store.load_or_start(PeriodRoster, kind=KIND, period=period)


def list_on_roster(store: Store, d: Decided) -> list[Aggregate]:
    """An appraisal opened one at a time (`case open appraisal`) joins the period's roster, as
    bulk opening lists its cases: one appraisal per advisor and period."""
    case = d.case
    if not case.period or not case.subject:
        return []
    roster = appraisal_roster(store, case.period)
    if case.subject in roster.cases:
        raise AlreadyExists("{subject} already has an appraisal for {period} ({case})",
                            subject=case.subject, period=case.period,
                            case=roster.cases[case.subject])
    roster.list_cases({case.subject: case.ref}, {case.subject: case.unit})
    return [roster]


def grade_quota_of(policy: Policy) -> GradeQuota | None:
    """The policy's cap on a grade ([appraisal.grade_quota]), if it has one."""
    return policy.appraisal.grade_quota if policy.appraisal else None


def grade_places_id(rule: GradeQuota, period: str, scope: str) -> UUID:
    """The id of the quota that counts the grade's places in the period and scope."""
    return PlacesQuota.create_id(**PlacesQuota.of_grade(rule.grade, period, scope))


def take_grade_place(store: Store, d: Decided) -> list[Aggregate]:
    """Signing the grade quota's step on a result of its grade takes one of the period's
    places (refused when all are taken); signing it on another grade gives a place back."""
    rule, case = grade_quota_of(d.policy), d.case
    if rule is None or case.last["step"] != rule.step:
        return []
    if case.outcome(d.policy)["grade"] != rule.grade:
        return give_grade_place_back(store, d)
    quota = store.load_or_start(PlacesQuota, **PlacesQuota.of_grade(
        rule.grade, case.period, rule.scope_of(case.unit)))
    places = rule.places(roster_size(appraisal_roster(store, case.period), quota.scope))
    quota.take(case.ref, case.subject, places, rule.grade, grade=True)
    return [quota]


def give_grade_place_back(store: Store, d: Decided) -> list[Aggregate]:
    """A result vetoed, returned, withdrawn or re-opened by an upheld objection gives its place
    back; a withdrawn appraisal also leaves the period's roster (the quota's basis)."""
    rule, case = grade_quota_of(d.policy), d.case
    moved: list[Aggregate] = []
    if case.state == "withdrawn":
        roster = appraisal_roster(store, case.period)
        if roster.cases.get(case.subject) == case.ref:
            roster.delist(case.subject)
            moved.append(roster)
    if rule is None:
        return moved
    quota: PlacesQuota | None = store.find(
        grade_places_id(rule, case.period, rule.scope_of(case.unit)))
    if quota is not None:
        if case.ref in quota.taken:
            quota.release(case.ref)
            moved.append(quota)
    return moved


def record_result(store: Store, d: Decided) -> list[Aggregate]:
    """A final result goes on the advisor's record, with the consequences it completes."""
    case = d.case
    if not case.final:
        return []
    result = case.outcome(d.policy)
    advisor = store.user(case.subject)
    advisor.record_result(case.period, result["grade"] or "", result["total"] or "", case.ref,
                          d.actor)
    moved: list[Aggregate] = [advisor]
    for due in d.policy.consequences.due(advisor.results, case.period, advisor.consequences):
        opened = ""
        if due.rule.then == "open_case":
            opened, more = _open_consequence(store, due, case, advisor.results)
            moved += more
        advisor.record_consequence(due.rule.key, due.rule.label, due.rule.then, case.period,
                                   due.caused_by, RULE, opened)  # the rule's act, not d.actor's
    return moved


def _open_consequence(store: Store, due: Due, case: Case,
                      results: dict[str, dict[str, str]]) -> tuple[str, list[Aggregate]]:
    """A case the policy opens by itself (Aksu: two unqualified semesters → dismissal).

    The rule opens it in place of the person who would (the department's proposal): its opener
    and first actor is RULE, and its note and data name the results that caused it. The officer
    whose signature happened to record the last of them did not open it, so signs no level of it."""
    kind = due.rule.kind or "dismissal"
    inst = store.institution()
    refinement = inst.refinement_for(case.unit_path)
    wf = store.policy(inst=inst, refinement=refinement).workflow(kind)
    refs = counter(store, wf.prefix)
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
