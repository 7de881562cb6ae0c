"""The built-in Aksu policy checked value by value against its seed (2020年8月修订)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.domain.pipeline import PUBLISHED, destination, machine_for
from bzr_workflow.domain.policy import ENGINE_ROLES, Policy

AKSU = "aksu-vtc-2020"
POLICY_ID = AKSU
SEED = Path(__file__).parents[3] / "shared" / "seeds" / "002_950ca6dde3392ad6.txt"

ROLES = [  # (id, label, scoped): 第七条, 第二十六条, 第二十九条, 第二十条
    ("dept", "系（部）", True),
    ("student_affairs", "学工部", False),
    ("college", "学院", False),
    ("advisor", "班主任", True),
]
WORKFLOWS = {  # kind: (label, prefix, opened_by, open label, open action, on_publish, requires)
    "recruitment": ("选聘", "R", "dept", "系（部）推荐", "recommended", "appoint",
                    ("subject", "class")),
    "award": ("奖励", "W", "dept", "系（部）推荐", "nominated", "record", ("subject", "period")),
    "appraisal": ("班主任考核", "A", "dept", "班主任考核", "opened", "record",
                  ("subject", "period")),
    "dismissal": ("解聘", "D", "dept", "提出评聘意见", "proposed", "dismiss",
                  ("subject", "class")),
}
STEPS = {  # kind: [(label, role, action)] after the open step
    "recruitment": [("学工部审核", "student_affairs", "reviewed"),  # 第七条
                    ("学院批准", "college", "approved")],
    "award": [("学工部审核", "student_affairs", "reviewed"),  # chosen: 第七条's bodies
              ("学院批准", "college", "published")],
    "appraisal": [("各系（部）执行", "dept", "appraised"),  # 第二十九条
                  ("考核结果上报学工部", "student_affairs", "recorded")],
    "dismissal": [("学工部审核", "student_affairs", "reviewed"),  # 第二十六条, 第七条
                  ("学院批准", "college", "approved")],
}
DIMENSIONS = [  # (label, description), 第二十七条 in its order
    ("德", "思想觉悟、工作态度和责任心、道德品质"),
    ("能", "组织管理协调能力和政策业务水平"),
    ("勤", "常规工作情况"),
    ("绩", "工作的量值和成绩"),
]
GRADES = [("不称职", True), ("称职", False), ("优秀", False)]  # 第二十八条, ascending
CONSEQUENCES = [  # (key, label, grades, consecutive, unit, then, kind)
    ("dismissal", "连续两学期工作考核不合格者", ["不称职"], 2, "semester", "open_case",
     "dismissal"),
    ("material_reward", "年度考核连续三年优秀", ["优秀"], 3, "year", "eligible", None),
    ("top_ten", "考核为优秀或称职者", ["优秀", "称职"], 1, "year", "eligible", None),
]
DISTINCTIONS = [  # (key, label, eligible grades, consecutive, unit, reward), 第三十二-三十三条
    ("material_reward", "年度考核连续三年优秀", ["优秀"], 3, "year",
     "学院给予一定的物质奖励，颁发荣誉证书"),
    ("regional_priority", "自治区“优秀班主任”评选", ["优秀"], 3, "year",
     "优先参加自治区“优秀班主任”评选"),
    ("top_ten", "十佳班主任", ["优秀", "称职"], 1, "year", "可参加学院“十佳班主任”评选"),
]
RATES = [("高职", 11, "高职生班主任11元/每生每月"), ("中职", 13, "中职生班主任13元/每生每月")]
NORMS = [  # (activity, label, min, per, role, unit, the seed's words), 第二十条
    ("dormitory_visit", "深入学生宿舍", 1, "week", "advisor", "次", "每周至少深入学生宿舍一次"),
    ("class_committee_meeting", "班委会", 1, "month", "advisor", "次", "每月至少召开一次班委会"),
    ("class_meeting", "班级全体会议", 3, "semester", "advisor", "次",
     "每学期至少召开三次班级全体会议"),
]
TRIGGERS = [  # (key, automatic), 第九条 1）-4）
    ("two_semesters_unqualified", True),
    ("serious_accident", False),
    ("policy_defiance", False),
    ("legal_punishment", False),
]


def article(seed: str, number: str, following: str) -> str:
    """The text of one article: from its number up to the next article's number."""
    start = seed.index(number)
    return seed[start:seed.index(following, start)]


def chinese_labels(policy: Policy) -> list[str]:
    """Every Chinese label the policy claims is copied from the seed."""
    s = policy.written
    ap, aw, al = s["appraisal"], s["award"], s["allowance"]
    return [
        policy.name, policy.institution,
        *(r.label for r in policy.roles.values() if r.id not in ENGINE_ROLES),
        *(text for wf in policy.workflows.values()
          for text in (wf.label, wf.open_label, *(st.label for st in wf.steps))),
        ap["label"], *(i["label"] for i in ap["indicators"]), *(i["group"] for i in ap["indicators"]),
        *(i["description"] for i in ap["indicators"]), *(g["label"] for g in ap["grades"]),
        *(c["label"] for c in ap["consequences"]),
        aw["label"], *(d["label"] for d in aw["distinctions"]),
        *(d["reward"] for d in aw["distinctions"]),
        *al["rates"], *al["excluded_kinds"],
        *(n["label"] for n in s["norms"]), *(n["unit"] for n in s["norms"]),
        *(t["label"] for t in s["dismissal_triggers"]),
    ]


def test_the_policy_names_the_seed_document(policy: Policy, seed: str) -> None:
    assert (policy.id, policy.name, policy.institution, policy.source) == (
        AKSU, "阿克苏职业技术学院班主任工作职责（试行）", "阿克苏职业技术学院", "")
    assert seed.startswith(policy.name + "（2020年8月修订）")


def test_appraisal_periods_are_semesters_as_article_9_counts_them(
        policy: Policy, appraisal: dict[str, Any], seed: str) -> None:
    assert (policy.period, appraisal["period"]) == ("semester", "semester")
    assert "连续两学期工作考核不合格者" in article(seed, "第九条", "第十条")


def test_every_chinese_label_is_verbatim_in_the_seed(policy: Policy, seed: str) -> None:
    missing = [label for label in chinese_labels(policy) if re.sub(r"\s+", "", label) not in seed]
    assert missing == []


def test_the_roles_are_the_four_bodies_of_the_seed(policy: Policy) -> None:
    declared = [(r.id, r.label, r.scoped) for r in policy.roles.values() if r.id not in ENGINE_ROLES]
    assert declared == ROLES


def test_the_policy_declares_exactly_its_four_workflows(policy: Policy) -> None:
    assert sorted(policy.workflows) == sorted(WORKFLOWS)


@pytest.mark.parametrize(("kind", "row"), WORKFLOWS.items())
def test_a_workflow_opens_as_the_seed_says(policy: Policy, kind: str, row: tuple[Any, ...]) -> None:
    wf = policy.workflow(kind)
    assert (wf.label, wf.prefix, wf.opened_by, wf.open_label, wf.open_action, wf.on_publish,
            wf.requires) == row


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_no_one_signs_two_levels_of_a_case(policy: Policy, kind: str) -> None:
    assert policy.workflow(kind).signer_may_sign_twice is False


@pytest.mark.parametrize(("kind", "steps"), STEPS.items())
def test_a_workflow_has_the_steps_of_its_articles(
        policy: Policy, kind: str, steps: list[tuple[str, str, str]]) -> None:
    assert [(s.label, s.role, s.action) for s in policy.workflow(kind).steps] == steps


def test_recruitment_follows_article_7_in_order(policy: Policy, seed: str) -> None:
    text = article(seed, "第七条", "第八条")
    wf = policy.workflow("recruitment")
    places = [text.index(label) for label in [wf.open_label, *(s.label for s in wf.steps)]]
    assert places == sorted(places)


def test_the_recruitment_opener_is_the_scoped_department_not_the_candidate(
        policy: Policy) -> None:
    wf = policy.workflow("recruitment")
    assert not wf.opened_by_candidate and policy.roles[wf.opened_by].scoped


def test_the_appraisal_is_run_by_departments_and_reported_to_student_affairs(
        policy: Policy, seed: str) -> None:
    wf = policy.workflow("appraisal")
    assert (wf.opened_by, wf.final_step.role) == ("dept", "student_affairs")
    assert "班主任考核由各系（部）执行，考核结果上报学工部" in seed


def test_the_dismissal_proposal_and_review_are_those_of_article_26(seed: str) -> None:
    assert "提出评聘意见，上报学院学工部审核" in article(seed, "第二十六条", "第二十七条")


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_one_case_of_each_workflow_runs_from_its_open_step_to_publication(
        policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for("test:" + AKSU, wf)
    visited = [destination(machine, "resubmit", wf.open_step)]
    for _ in wf.steps:
        visited.append(destination(machine, "approve", visited[-1] or ""))
    assert visited == [*(s.id for s in wf.steps), PUBLISHED]


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_every_step_returns_the_case_to_its_opener(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for("test:" + AKSU, wf)
    assert [destination(machine, "return", s.id) for s in wf.steps] == [wf.open_step] * len(wf.steps)


def test_staffing_is_one_advisor_per_class_at_most_three_classes_for_a_term_of_three_years(
        policy: Policy, seed: str) -> None:
    st = policy.staffing
    assert (st.advisors_per_class, st.max_classes_per_advisor, st.term_years) == (1, 3, 3)
    assert "原则上每个班配备1个班主任，特殊情况下可以每2至3个班配备1个班主任" in seed
    assert "班主任任期一般要担任一届（三年）" in seed


def test_the_seed_names_both_sources_of_candidates(seed: str) -> None:
    text = article(seed, "第八条", "第九条")
    assert "从具有丰富学生管理经验的教职工中选拔" in text and "从具有学生干部经历的青年教师中选拔" in text


def test_the_appraisal_is_graded_on_four_qualitative_dimensions(
        appraisal: dict[str, Any], seed: str) -> None:
    assert appraisal["scoring"] == "grades"
    assert [(i["label"], i["description"]) for i in appraisal["indicators"]] == DIMENSIONS
    assert "考核内容包括德、能、勤、绩四个方面" in seed


@pytest.mark.parametrize(("label", "description"), DIMENSIONS)
def test_a_dimension_is_described_in_the_words_of_article_27(
        seed: str, label: str, description: str) -> None:
    assert f"“{label}”主要考核{description}" in article(seed, "第二十七条", "第二十八条")


def test_the_dimensions_carry_no_numbers(appraisal: dict[str, Any]) -> None:
    assert all("max" not in i and "weight" not in i for i in appraisal["indicators"])


def test_the_grades_are_the_three_of_article_28_and_only_the_lowest_is_unqualified(
        appraisal: dict[str, Any], seed: str) -> None:
    assert [(g["label"], g.get("unqualified", False)) for g in appraisal["grades"]] == GRADES
    assert all("min" not in g for g in appraisal["grades"])
    assert "考核结果分为：优秀、称职、不称职" in seed


def test_the_appraisal_has_no_veto_items_or_bonus(appraisal: dict[str, Any]) -> None:
    assert [k for k in ("veto_items", "bonus_items", "bonus_cap") if k in appraisal] == []


@pytest.mark.parametrize("row", CONSEQUENCES, ids=[c[0] for c in CONSEQUENCES])
def test_a_consequence_follows_the_seed(appraisal: dict[str, Any], row: tuple[Any, ...]) -> None:
    c = next(c for c in appraisal["consequences"] if c["key"] == row[0])
    assert (c["key"], c["label"], c["grades"], c["consecutive"], c["unit"], c["then"],
            c.get("kind")) == row


def test_there_are_exactly_three_consequences(appraisal: dict[str, Any]) -> None:
    assert [c["key"] for c in appraisal["consequences"]] == [c[0] for c in CONSEQUENCES]


def test_the_dismissal_consequence_opens_a_declared_workflow(
        policy: Policy, appraisal: dict[str, Any]) -> None:
    kinds = {c["kind"] for c in appraisal["consequences"] if c["then"] == "open_case"}
    assert kinds == {"dismissal"} and policy.workflow("dismissal").on_publish == "dismiss"


@pytest.mark.parametrize("row", DISTINCTIONS, ids=[d[0] for d in DISTINCTIONS])
def test_a_distinction_follows_articles_32_and_33(policy: Policy, row: tuple[Any, ...]) -> None:
    d = next(d for d in policy.written["award"]["distinctions"] if d["key"] == row[0])
    assert (d["key"], d["label"], d["eligible_grades"], d["consecutive"], d["unit"],
            d["reward"]) == row


def test_each_eligibility_consequence_names_a_distinction_with_the_same_rule(
        policy: Policy, appraisal: dict[str, Any]) -> None:
    honours = {d["key"]: d for d in policy.written["award"]["distinctions"]}
    for c in (c for c in appraisal["consequences"] if c["then"] == "eligible"):
        d = honours[c["key"]]
        assert (d["eligible_grades"], d["consecutive"], d["unit"]) == (
            c["grades"], c["consecutive"], c["unit"])


def test_the_reward_articles_say_what_the_distinctions_claim(seed: str) -> None:
    assert "年度考核连续三年优秀，学院给予一定的物质奖励，颁发荣誉证书" in seed
    assert "考核为优秀或称职者，可参加学院“十佳班主任”评选" in seed


def test_the_award_is_yearly_and_fixes_no_amount_quota_or_form(policy: Policy) -> None:
    award = policy.written["award"]
    assert (award["label"], award["period"]) == ("奖励", "year")
    assert [k for k in ("amount", "quota_share", "form_fields", "eligible_grades") if k in award] == []


def test_the_allowance_is_per_student_per_month(policy: Policy) -> None:
    allowance = policy.written["allowance"]
    assert (allowance["formula"], allowance["per"]) == ("per_student", "month")


@pytest.mark.parametrize(("level", "yuan", "words"), RATES)
def test_a_class_level_has_the_rate_of_article_30(
        policy: Policy, seed: str, level: str, yuan: int, words: str) -> None:
    assert policy.written["allowance"]["rates"][level] == yuan
    assert words in article(seed, "第三十条", "第三十一条")


def test_only_the_two_levels_have_rates_internship_classes_sharing_them(
        policy: Policy, seed: str) -> None:
    assert sorted(policy.written["allowance"]["rates"]) == sorted(r[0] for r in RATES)
    assert "带实习班级可享受相对应同标准的班主任津贴" in seed


def test_full_time_advisors_are_outside_the_formula(policy: Policy, seed: str) -> None:
    assert policy.written["allowance"]["excluded_kinds"] == ["专职"]
    assert "专职班主任津贴享受学院科员岗位津贴" in article(seed, "第三十一条", "第三十二条")


def test_the_allowance_choices_where_the_seed_is_silent(policy: Policy) -> None:
    allowance = policy.written["allowance"]
    assert allowance["part_month"] == "prorate"
    assert [k for k in ("funding", "withhold_grades") if k in allowance] == []


@pytest.mark.parametrize("row", NORMS, ids=[n[0] for n in NORMS])
def test_a_work_norm_is_that_of_article_20(
        policy: Policy, seed: str, row: tuple[Any, ...]) -> None:
    norm = next(n for n in policy.written["norms"] if n["activity"] == row[0])
    assert (norm["activity"], norm["label"], norm["min"], norm["per"], norm["role"],
            norm["unit"]) == row[:6]
    assert row[6] in article(seed, "第二十条", "第二十一条")


def test_there_are_exactly_three_work_norms(policy: Policy) -> None:
    assert [n["activity"] for n in policy.written["norms"]] == [n[0] for n in NORMS]


def test_the_dismissal_grounds_are_the_four_of_article_9_in_order(
        policy: Policy, seed: str) -> None:
    triggers = policy.written["dismissal_triggers"]
    assert [(t["key"], t["automatic"]) for t in triggers] == TRIGGERS
    text = article(seed, "第九条", "第十条")
    places = [text.index(t["label"]) for t in triggers]
    assert places == sorted(places)
