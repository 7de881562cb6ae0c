"""The built-in Jiyuan policy checked value by value against its seed, 学工[2018]10号."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bzr_workflow.domain.pipeline import PUBLISHED, VETOED, WITHDRAWN, destination, machine_for
from bzr_workflow.domain.policy import ENGINE_ROLES, Policy, Workflow
from bzr_workflow.domain.policy_file import digest_of, parse_policy
from bzr_workflow.policies import builtin_text

JIYUAN = "jiyuan-vtc-2018"
POLICY_ID = JIYUAN
SEED = Path(__file__).parents[3] / "shared" / "seeds" / "004_b2ee1e32aa02f181.txt"

ROLES = [  # (id, label, scoped)
    ("counsellor", "辅导员", True),
    ("advisor", "班主任", True),
    ("dept_leading_group", "系学生工作领导小组", True),
    ("college_authority", "学院主管部门", False),
    ("appraisal_group", "学生工作考核领导小组", True),
    ("department", "系部", True),
]
# kind: (label, prefix, opened_by, open_step, open_label, open_action, on_publish, requires)
WORKFLOWS = {
    "discipline": ("对违纪学生的处理", "J", "counsellor", "propose", "辅导员提出处理意见",
                   "proposed", "record", ("student",)),
    "appraisal": ("辅导员、班主任工作考核", "A", "appraisal_group", "open", "执行工作质量考评",
                  "opened", "record", ("subject", "period")),
    "award": ("评选优秀辅导员", "W", "appraisal_group", "basis", "考核结果", "proposed", "record",
              ("subject", "period")),
}
STEPS = {  # kind: [(id, label, role, action, returnable)] after the open step
    "discipline": [  # 一(八)
        ("dept_study", "系学生工作领导小组研究", "dept_leading_group", "reviewed", True),
        ("college_approval", "学院主管部门审批", "college_authority", "approved", True),
    ],
    "appraisal": [("result", "考核结果", "appraisal_group", "approved", True)],  # 四
    "award": [("select", "系部评选优秀辅导员", "department", "selected", True)],  # 四
}
BOTH = ("counsellor", "advisor")
# (activity, label, min, per, roles, unit, the seed's sentence that sets it)
NORMS = [
    ("semester_plan", "学期工作计划", 1, "semester", BOTH, "份",
     "每学期初根据院、系学生工作要点，辅导员、班主任要制定学期工作计划。"),
    ("weekly_plan", "周工作计划", 1, "week", BOTH, "份",
     "并在工作中根据工作的随机性、临时性制定周工作计划。"),
    ("student_work_meeting", "学生工作例会", 1, "week", BOTH, "次",
     "每周定期举行由辅导员、班主任参加的学生工作例会"),
    ("cadre_meeting", "学生干部例会", 1, "week", BOTH, "次",
     "全体参会班委的辅导员、班主任参加"),
    ("class_committee_meeting", "召开班委会例会", 1, "week", BOTH, "次",
     "辅导员、班主任每周要定期召开班委会例会"),
    ("individual_talks", "与学生个别谈心", 5, "week", ("counsellor",), "人",
     "辅导员一般每周与学生个别谈心不少于5人"),
    ("individual_talks", "与学生个别谈心", 2, "week", ("advisor",), "人",
     "班主任不少于2人。"),
    ("attendance_check", "检查学生上课情况", 2, "week", BOTH, "次",
     "每周至少检查学生上课情况2次"),
    ("dorm_hygiene_check", "宿舍卫生", 2, "week", BOTH, "次", "、宿舍卫生2次、"),
    ("dorm_talks", "深入宿舍谈心", 2, "week", BOTH, "次", "深入宿舍谈心2次。"),
    ("lesson_audit", "听课", 1, "week", BOTH, "次", "辅导员、班主任每周至少要听课1次以上。"),
    ("teacher_contact", "与任课教师联系", 1, "month", ("advisor",), "次",
     "班主任要与任课教师相互交换联系方式，每个月至少与任课教师联系一次"),
    ("grade_analysis", "统计与分析报告", 1, "semester", BOTH, "份",
     "开学一个月内应对所负责的年级学生的上学期的学习成绩进行统计分析"),
    ("lectures", "高水平的讲座或报告", 2, "semester", ("advisor",), "次",
     "班主任要对每学期每个年级要组织两次以上高水平的讲座或报告。"),
]
NORM_ROWS = [(a, label, n, per, role, unit)
             for a, label, n, per, roles, unit, _ in NORMS for role in roles]
SCHEMA_GAPS = [  # what the seed asks that the schema cannot hold, each noted in the file
    "五星级律达到80%以上", "每个年级", "每门专业基础课的第一堂课", "开学一个月内",
    "班级没有配备班主任情况下", "每个月至少与任课教师联系一次",
]


@pytest.fixture(scope="module")
def text() -> str:
    return builtin_text(JIYUAN) or ""


@pytest.fixture(scope="module")
def policy(text: str) -> Policy:
    return parse_policy(text, JIYUAN)


def verbatim(label: str, seed: str) -> bool:
    return re.sub(r"\s+", "", label) in seed


def test_the_policy_names_the_seed_document(policy: Policy, seed: str) -> None:
    assert (policy.id, policy.name, policy.source) == (JIYUAN, "辅导员、班主任工作指导纲要",
                                                       "学工[2018]10号")
    assert (policy.institution, policy.utc_offset, policy.period) == (
        "济源职业技术学院", "+08:00", "semester")
    for value in (policy.name, policy.source, policy.institution):
        assert verbatim(value, seed)


def test_the_roles_are_those_of_the_seed(policy: Policy) -> None:
    declared = [(r.id, r.label, r.scoped) for r in policy.roles.values() if r.id not in ENGINE_ROLES]
    assert declared == ROLES


@pytest.mark.parametrize(("role", "label", "scoped"), ROLES)
def test_a_role_label_is_verbatim_in_the_seed(seed: str, role: str, label: str,
                                              scoped: bool) -> None:
    assert verbatim(label, seed)


def test_the_workflows_are_discipline_appraisal_and_award_without_recruitment(
        policy: Policy) -> None:
    assert set(policy.workflows) == set(WORKFLOWS)
    prefixes = [wf.prefix for wf in policy.workflows.values()]
    assert len(set(prefixes)) == len(prefixes)


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_a_workflow_opens_as_the_seed_implies(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    got = (wf.label, wf.prefix, wf.opened_by, wf.open_step, wf.open_label, wf.open_action,
           wf.on_publish, wf.requires)
    assert got == WORKFLOWS[kind]
    assert wf.signer_may_sign_twice is False


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_a_workflow_has_the_steps_of_the_seed(policy: Policy, kind: str) -> None:
    steps = [(s.id, s.label, s.role, s.action, s.returnable) for s in policy.workflow(kind).steps]
    assert steps == STEPS[kind]


@pytest.mark.parametrize("label", sorted(
    {w[0] for w in WORKFLOWS.values()} | {w[4] for w in WORKFLOWS.values()}
    | {s[1] for steps in STEPS.values() for s in steps}))
def test_a_workflow_label_is_verbatim_in_the_seed(seed: str, label: str) -> None:
    assert verbatim(label, seed)


def test_the_discipline_pipeline_follows_article_1_8_in_order(policy: Policy, seed: str) -> None:
    article = seed[seed.index("（八）对违纪学生"):seed.index("（九）辅导员、班主任实行")]
    wf = policy.workflow("discipline")
    places = [article.index(label) for label in [wf.open_label, *(s.label for s in wf.steps)]]
    assert places == sorted(places)
    assert article.startswith("（八）" + wf.label)


def test_the_award_follows_the_appraisal_result_of_part_4(policy: Policy, seed: str) -> None:
    part = seed[seed.index("四、工作评比"):]
    assert "考核结果作为系部评选优秀辅导员的依据" in part
    assert policy.workflow("appraisal").final_step.label == policy.workflow("award").open_label


def path_to_publication(text: str, wf: Workflow) -> list[str]:
    """The states one case passes through, opened and then approved at every step."""
    machine = machine_for(digest_of(text), wf)
    state = destination(machine, "resubmit", wf.open_step)
    states = [wf.open_step]
    while state is not None:
        states.append(state)
        state = None if state == PUBLISHED else destination(machine, "approve", state)
    return states


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_one_case_runs_from_its_open_step_to_published(text: str, policy: Policy,
                                                       kind: str) -> None:
    wf = policy.workflow(kind)
    expected = [wf.open_step, *(s[0] for s in STEPS[kind]), PUBLISHED]
    assert path_to_publication(text, wf) == expected


@pytest.mark.parametrize("kind", WORKFLOWS)
def test_every_step_may_be_vetoed_or_returned_to_the_opener(text: str, policy: Policy,
                                                            kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for(digest_of(text), wf)
    for step in wf.steps:
        assert destination(machine, "veto", step.id) == VETOED
        assert destination(machine, "return", step.id) == wf.open_step
    assert destination(machine, "withdraw", wf.open_step) == WITHDRAWN
    assert destination(machine, "withdraw", wf.final_step.id) is None


def test_the_seed_gives_no_staffing_allowance_or_dismissal(policy: Policy) -> None:
    assert not {"allowance", "dismissal_triggers"} & set(policy.written)
    assert (policy.staffing.advisors_per_class, policy.staffing.max_classes_per_advisor,
            policy.staffing.term_years) == (1, 0, 0)  # the defaults: no [staffing]


def test_the_award_carries_only_the_honour_the_seed_names(policy: Policy, seed: str) -> None:
    award = policy.written["award"]
    assert award["label"] == "优秀辅导员" and verbatim(award["label"], seed)
    assert not {"eligible_grades", "quota_share", "amount", "certificate", "rounding"} & set(award)


def test_the_norms_are_those_of_the_seed_in_order(policy: Policy) -> None:
    got = [(n["activity"], n["label"], n["min"], n["per"], n["role"], n["unit"])
           for n in policy.written["norms"]]
    assert got == NORM_ROWS


@pytest.mark.parametrize(("activity", "label", "least", "per", "roles", "unit", "sentence"), NORMS)
def test_a_norm_label_and_its_sentence_are_verbatim_in_the_seed(
        seed: str, activity: str, label: str, least: int, per: str, roles: tuple[str, ...],
        unit: str, sentence: str) -> None:
    assert verbatim(label, seed)
    assert verbatim(sentence, seed)


def test_counsellors_talk_with_more_students_a_week_than_advisors(policy: Policy) -> None:
    talks = {n["role"]: n["min"] for n in policy.written["norms"]
             if n["activity"] == "individual_talks"}
    assert talks == {"counsellor": 5, "advisor": 2}


def test_advisor_only_norms_are_contact_with_teachers_and_lectures(policy: Policy) -> None:
    advisor_only = {n["activity"] for n in policy.written["norms"] if n["role"] == "advisor"} - {
        n["activity"] for n in policy.written["norms"] if n["role"] == "counsellor"}
    assert advisor_only == {"teacher_contact", "lectures"}


@pytest.mark.parametrize("phrase", SCHEMA_GAPS)
def test_what_the_schema_cannot_hold_is_noted_in_the_file(text: str, seed: str,
                                                          phrase: str) -> None:
    assert verbatim(phrase, seed)
    assert phrase in text


def test_there_is_one_schema_gap_comment_for_each_gap(text: str) -> None:
    assert text.count("# SCHEMA GAP:") == 6


def test_the_counsellor_stands_in_where_a_class_has_no_advisor(text: str, seed: str) -> None:
    assert "班级没有配备班主任情况下，班主任工作由辅导员完成" in seed
    assert "班主任工作由辅导员完成" in text


@pytest.mark.parametrize("trigger", [
    "学生思想状况出现重大变化", "学生行为违反校规校纪，经教育无改观者",
    "法定节假日、寒暑假未及时返校、未按时注册报到时", "学生生病、意外伤害（身体或心理原因）住院",
    "学生学习成绩下滑、受到学业警告时", "获得嘉奖、省级以上表彰、校级重大荣誉、助人为乐、见义勇为等学生",
])
def test_the_parent_contact_triggers_are_noted_verbatim(text: str, seed: str,
                                                        trigger: str) -> None:
    assert verbatim(trigger, seed)
    assert trigger in text
