"""What an appraisal moves beside itself: a grade quota's places, the advisor's record, and the consequences a final result completes."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..domain.appraisal_rules import GradeQuota, Standing, grade_below, place_decision
from ..domain.pipeline import OPEN
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
    """Places by rank (Suzhou 第十条 二、2: 优秀班主任的比例为15%). Signing the grade quota's step on
    a result of its grade takes one of the period's places only if the places already given,
    with the undecided results of that grade waiting at the step that rank above it, leave one;
    otherwise the result is published as the grade below with its total kept and the reason
    recorded ("优秀名额已满：第 4 名，名额 3 个"). Never refused: a result is not re-scored to fit.
    An undecided result of equal total does not rank above: the office's order breaks the tie,
    and the reason says so. Signing the step on another grade gives a place back."""
    rule, case = grade_quota_of(d.policy), d.case
    if rule is None or case.last["step"] != rule.step:
        return []
    scored = case.scored_outcome(d.policy)
    if scored["grade"] != rule.grade:
        return give_grade_place_back(store, d)
    quota = store.load_or_start(PlacesQuota, **PlacesQuota.of_grade(
        rule.grade, case.period, rule.scope_of(case.unit)))
    if case.ref in quota.taken:
        return []
    roster = appraisal_roster(store, case.period)
    places = rule.places(roster_size(roster, quota.scope))
    total = Decimal(str(scored["total"] or 0))
    given = [Standing(ref, _total(store, d.policy, ref)) for ref in quota.taken]
    undecided = _waiting(store, d.policy, rule, roster, quota, case.ref)
    placed, rank, tied = place_decision(case.ref, total, given, undecided, places)
    step = d.wf.step(rule.step).label
    ties = [s.case for s in given if s.total == total]
    if placed:
        quota.take(case.ref, case.subject, places, rule.grade, grade=True)
        reason = f"{rule.grade}名额：第 {rank} 名，名额 {places} 个"
        if tied:
            reason += f"；与 {'、'.join(tied)} 同分（{total}），按{step}的先后先得名额"
        case.decide_place(d.actor, rule.step, True, rule.grade, reason)
    else:
        quota.pass_over(case.ref, case.subject, places, rank)
        reason = f"{rule.grade}名额已满：第 {rank} 名，名额 {places} 个"
        if ties:
            reason += f"；与 {'、'.join(ties)} 同分（{total}），按{step}的先后在后"
        rules = d.policy.appraisal
        below = grade_below(rules.grades, rule.grade) if rules else rule.grade
        case.decide_place(d.actor, rule.step, False, below, reason)
    return [quota]


def _total(store: Store, policy: Policy, ref: str) -> Decimal:
    return Decimal(str(store.case(ref).scored_outcome(policy)["total"] or 0))


def _waiting(store: Store, policy: Policy, rule: GradeQuota, roster: PeriodRoster,
             quota: PlacesQuota, ref: str) -> list[Standing]:
    """The period's results of the quota's grade, in its scope, waiting at its step."""
    waiting = []
    for advisor, other in roster.cases.items():
        if other == ref or other in quota.taken:
            continue
        if quota.scope != "*" and roster.units.get(advisor) != quota.scope:
            continue
        found = store.case(other)
        if found.state != OPEN or found.step != rule.step:
            continue
        result = found.scored_outcome(policy)
        if result["grade"] == rule.grade:
            waiting.append(Standing(other, Decimal(str(result["total"] or 0))))
    return waiting


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
