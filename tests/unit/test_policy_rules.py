"""The typed policy rules the parser builds: each rule read through its object, as mypy sees it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from bzr_workflow.domain import policy_schema as S
from bzr_workflow.domain.allowance import ClassState
from bzr_workflow.domain.award_rules import NotEligible
from bzr_workflow.domain.errors import BadInput, RuleRefused, StepNotAllowed
from bzr_workflow.domain.grading import Grading, grading_parts
from bzr_workflow.domain.policy import Policy
from bzr_workflow.domain.policy_file import PolicyInvalid, parse_policy
from bzr_workflow.policies import builtin_text
from nominated_award import nominated_award_text


def builtin(pid: str) -> Policy:
    return parse_policy(builtin_text(pid) or "", pid)


SUZHOU, AKSU, GUILIN = builtin("suzhou-gaobo-2023"), builtin("aksu-vtc-2020"), builtin(
    "guilin-ut-ce-2024")
NOMINATED = parse_policy(nominated_award_text(), "suzhou-nominated-award")
JIYUAN, HEFEI = builtin("jiyuan-vtc-2018"), builtin("hfut-math")


def test_the_15_percent_quota_is_award_rules_places() -> None:
    award = NOMINATED.award
    assert award is not None
    rule = award.rule()
    assert (award.quota_basis, award.quota_scope, award.quota_step) == (
        "appraised", "institution", "ce_approval")
    assert [award.places(rule, n) for n in (0, 6, 7, 20, 33)] == [0, 0, 1, 3, 4]
    assert award.scope("unit-a") == "*"
    assert award.granted() == ("1500", True)


def test_an_award_without_a_quota_step_counts_places_at_its_final_step() -> None:
    assert GUILIN.award is not None and GUILIN.award.quota_step == \
        GUILIN.workflow("award").final_step.id
    assert GUILIN.award.places(GUILIN.award.rule(), 100) is None
    assert GUILIN.award.title == "桂林理工大学高等学历继续教育优秀班主任推荐表"


def test_a_distinction_is_its_own_rule_with_its_own_run() -> None:
    assert AKSU.award is not None
    rule = AKSU.award.rule("material_reward")
    assert (rule.consecutive, rule.unit) == (3, "year")
    with pytest.raises(RuleRefused, match="unknown distinction 'nope'"):
        AKSU.award.rule("nope")


def test_the_award_rule_checks_eligibility_against_results() -> None:
    assert SUZHOU.award is not None
    rule = SUZHOU.award.rule()
    assert rule.check_eligible({"2026-2027": {"grade": "优秀", "case": "A-1"}}, "2026-2027", "li") == ["A-1"]
    with pytest.raises(NotEligible, match="needs 优秀 in 2026-2027; 2026-2027: 合格 \\(A-2\\)"):
        rule.check_eligible({"2026-2027": {"grade": "合格", "case": "A-2"}}, "2026-2027", "li")


def test_consecutive_years_makes_the_award_need_a_run_of_years() -> None:
    text = nominated_award_text().replace(
        'quota_basis = "appraised"', 'quota_basis = "appraised"\nconsecutive_years = 2')
    award = parse_policy(text, "two-years").award
    assert award is not None and award.consecutive_years == 2
    one = {"2026-2027": {"grade": "优秀", "case": "A-2"}}
    with pytest.raises(NotEligible, match="in 2 consecutive years up to 2026-2027"):
        award.rule().check_eligible(one, "2026-2027", "li")
    two = one | {"2025-2026": {"grade": "优秀", "case": "A-1"}}
    assert award.rule().check_eligible(two, "2026-2027", "li") == ["A-1", "A-2"]
    with pytest.raises(PolicyInvalid, match="award.consecutive_years: must be 1 or more"):
        parse_policy(text.replace("consecutive_years = 2", "consecutive_years = 0"), "zero")


def test_appraisal_rules_know_their_steps_and_grade_like_the_section() -> None:
    rules = GUILIN.appraisal
    assert rules is not None and rules.score_step == "site_appraisal"
    later = {i.step for i in rules.indicators if i.step} - {rules.score_step}
    keys = rules.items_at("site_appraisal") + [k for s in sorted(later) for k in rules.items_at(s)]
    # every required score, and the optional students' evaluation (第十四条 尊重学生评价)
    assert sorted(keys) == sorted([*rules.required(), "student_evaluation"])
    assert rules.items_at("elsewhere") == []
    scores = {k: "10" for k in keys}
    assert rules.outcome(scores, {}, {}) == Grading(
        **grading_parts(GUILIN.written["appraisal"])).outcome(scores, {}, {})
    with pytest.raises(StepNotAllowed, match="where nothing is scored"):
        wf = GUILIN.workflow("appraisal")
        idle = next(s.id for s in wf.steps if not rules.items_at(s.id))
        rules.check_scorable(wf, idle, keys[:1], False, "K-1")
    with pytest.raises(BadInput, match="unknown veto item"):
        rules.check_veto_item("nope")


def test_graded_appraisal_scores_the_overall_grade_at_its_score_step() -> None:
    rules = AKSU.appraisal
    assert rules is not None
    assert rules.items_at(rules.score_step)[-1] == "overall"
    assert rules.outcome({"overall": "优秀"}, {}, {})["grade"] == "优秀"


def test_consequences_fire_once_per_scope() -> None:
    bad = {"2025-2026-2": {"grade": "不称职", "case": "K-1"},
           "2026-2027-1": {"grade": "不称职", "case": "K-2"}}
    [due] = AKSU.consequences.due(bad, "2026-2027-1", [])
    assert (due.rule.key, due.rule.then, due.rule.kind, due.caused_by) == (
        "dismissal", "open_case", "dismissal", ["K-1", "K-2"])
    assert AKSU.consequences.due(bad, "2026-2027-1", [{"key": "dismissal",
                                                      "period": "2026-2027-1"}]) == []
    assert JIYUAN.consequences.due(bad, "2026-2027-1", []) == []


def test_allowance_rules_give_the_amount_and_its_rule() -> None:
    rules = SUZHOU.allowance
    assert rules is not None
    amount, why, _ = rules.amount(ClassState("", 45, False, ""), "")
    coefficient = max((t for t in rules.tiers if t.min_students <= 45),
                      key=lambda t: t.min_students).coefficient
    assert amount == Decimal(600) * coefficient
    assert why == f"600 × {coefficient} (45 students)"
    assert rules.amount(ClassState("", 45, True, ""), "")[0] == Decimal(220)
    assert sum(f.share for f in rules.funding) == 100
    assert AKSU.allowance is not None
    assert AKSU.allowance.amount(ClassState("", 10, False, "高职"), "专职")[1] == \
        "excluded: 专职 advisors are paid otherwise"


def test_norms_are_typed_and_evaluate_themselves() -> None:
    talks = next(n for n in AKSU.norms if n.per == "week")
    report = talks.evaluate([], date(2026, 9, 7), date(2026, 9, 13))
    assert (report["met"], report["of"]) == (0, 1)


def test_keys_no_rule_reads_are_marked_documentary() -> None:
    assert not S.STAFFING.keys["term_years"].documentary  # the term ends appointments (Aksu)
    assert S.STAFFING.keys["students_per_advisor"].documentary
    assert S.DISTINCTION.keys["reward"].documentary
    assert S.INDICATOR.keys["description"].documentary
    assert not S.AWARD.keys["quota_basis"].documentary
    assert not S.AWARD.keys["consecutive_years"].documentary
    assert (AKSU.staffing.term_years, SUZHOU.staffing.students_per_advisor) == (3, 60)
    assert HEFEI.allowance is not None and HEFEI.allowance.formula == "none"


def test_suzhou_caps_the_grade_at_15_percent_of_the_roster_rounded_down() -> None:
    """001 第十条 二、2: 优秀班主任的比例为15% — 15 % of 19 = 2.85 → 2 (floor, the policy's choice)."""
    assert SUZHOU.appraisal is not None and SUZHOU.appraisal.grade_quota is not None
    quota = SUZHOU.appraisal.grade_quota
    assert (quota.grade, quota.share, quota.step) == ("优秀", Decimal("0.15"), "ce_approval")
    assert [quota.places(n) for n in (0, 6, 7, 19, 20, 33)] == [0, 0, 1, 2, 3, 4]
    assert quota.scope_of("cs") == "*"
    assert SUZHOU.award is not None and SUZHOU.award.follows_grade
    assert SUZHOU.award.granted() == ("1500", True) and "award" not in SUZHOU.workflows


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('grade = "优秀"', 'grade = "特优"', "appraisal.grade_quota.grade: '特优' is not a grade"),
    ("share = 0.15", "share = 15", "appraisal.grade_quota.share: must be a share between 0 and 1"),
    ('step = "ce_approval"', 'step = "approve"',
     "appraisal.grade_quota.step: 'approve' is not a step of workflows.appraisal"),
    ('rounding = "floor"\nscope', 'rounding = "down"\nscope',
     "appraisal.grade_quota.rounding: must be one of floor, round, ceil"),
    ("follows_grade = true", 'follows_grade = true\nquota_basis = "appraised"', None),
    ('eligible_grades = ["优秀"]\nfollows', "follows",
     "award.follows_grade: an award that follows the grade needs eligible_grades"),
])
def test_a_grade_quota_is_checked_when_the_policy_is_read(old: str, new: str,
                                                          problem: str | None) -> None:
    text = builtin_text("suzhou-gaobo-2023") or ""
    assert old in text
    if problem is None:
        parse_policy(text.replace(old, new), "fine")
        return
    with pytest.raises(PolicyInvalid, match=re.escape(problem)):
        parse_policy(text.replace(old, new), "broken")


def test_results_are_ranked_by_total_with_shared_ranks_and_the_unscored_last() -> None:
    from bzr_workflow.domain.appraisal_rules import ranked

    rows = [{"case": "A-1", "total": "80"}, {"case": "A-2", "total": None},
            {"case": "A-3", "total": "92.5"}, {"case": "A-4", "total": "80"},
            {"case": "A-5", "total": "99", "vetoed_items": ["ethics"]}]
    assert [(r["case"], r["rank"]) for r in ranked(rows)] == [
        ("A-3", 1), ("A-1", 2), ("A-4", 2), ("A-2", None), ("A-5", None)]
