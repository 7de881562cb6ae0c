"""The built-in Hefei policy checked value by value against its seed, 合肥工业大学数学学院班主任（班导师）工作实施办法."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.domain.pipeline import PUBLISHED, VETOED, destination, machine_for
from bzr_workflow.domain.policy import ENGINE_ROLES, Policy
from bzr_workflow.domain.policy_file import digest_of
from bzr_workflow.policies import builtin_text

HEFEI = "hfut-math"
POLICY_ID = HEFEI
SEED = Path(__file__).parents[3] / "shared" / "seeds" / "003_8ea40c87cad3cc54.txt"
TITLE = "合肥工业大学数学学院班主任（班导师）工作实施办法"

ROLES = [  # (id, label, scoped)
    ("college", "数学学院", False),
    ("student_work_head", "学院分管学生工作负责人", False),
    ("university_office", "学校有关职能部门", False),
    ("banzhuren", "班主任", True),
    ("bandaoshi", "班导师", True),
]
# kind: (label, prefix, opened_by, open_step, open_label, open_action, on_publish, requires)
WORKFLOWS = {
    "recruitment": ("班主任（班导师）的聘任", "R", "student_work_head", "nominate", "提名",
                    "nominated", "appoint", ("subject", "class")),
    "appraisal": ("班主任（班导师）工作考核", "A", "college", "open", "全面考核", "opened",
                  "record", ("subject", "period")),
    "award": ("优秀班主任（班导师）", "W", "student_work_head", "nominate", "评优", "nominated",
              "record", ("subject", "period")),
    # 三、4 不胜任者应及时解聘; 三、1 聘任…和调整等工作由学院统一负责
    "dismissal": ("解聘", "D", "student_work_head", "propose", "提出解聘", "proposed", "dismiss",
                  ("subject", "class")),
}
STEPS = {  # kind: [(id, label, role, action, returnable, return_to)]
    "recruitment": [("appoint", "聘任", "college", "appointed", True, "")],
    "dismissal": [("dismiss", "解聘", "college", "dismissed", True, "")],
    "appraisal": [
        ("hear_students", "听取学生意见", "student_work_head", "reviewed", True, ""),
        ("grade", "评定考核等级", "college", "graded", True, "hear_students"),
    ],
    "award": [
        ("report", "报请学校有关职能部门", "college", "recommended", True, ""),
        ("commend", "进行表彰", "university_office", "commended", True, ""),
    ],
}
CHOSEN_LABELS = ["提名", "提出解聘"]  # the seed names no opening step for recruitment or
# dismissal (三、4 只说应及时解聘): the policy's own words

INDICATORS = [  # (key, number, group, label, description), 二、工作职责
    ("y1_major", "二(一年级)1", "一年级班主任工作职责", "专业思想教育",
     "介绍专业学科背景及行业前景，详细解读本专业教学计划；推荐与本专业相关的学术资料。"),
    ("y1_adaptation", "二(一年级)2", "一年级班主任工作职责", "适应性教育",
     "解答专业学习中相关问题，解决学风、班风建设和人际交往等方面问题。"),
    ("y1_study_career", "二(一年级)3", "一年级班主任工作职责", "学业生涯教育",
     "组织学生学习学校相关管理规定，指导学生选课选教，指导学生制订大学学业生涯发展规划。"),
    ("y2_difficulty", "二(二年级)1", "二年级班主任工作职责", "学习困难学生帮助与指导",
     "经常与任课教师进行沟通，及时了解学习困难学生的学习情况；针对学习困难学生制订学习帮扶计划，定期督促、检查。"),
    ("y2_innovation", "二(二年级)2", "二年级班主任工作职责", "创新创业意识培育",
     "组织开展专业学术科技活动；联系行业企业，组织参观学习；组建科技创新兴趣小组，联系或担任指导教师，开展选题及预研工作。"),
    ("y2_second_classroom", "二(二年级)3", "二年级班主任工作职责", "第二课堂活动指导",
     "指导学生获取创新学分，鼓励和指导学生参加国家外语、计算机等等级考试及相关竞赛活动。"),
    ("y3_innovation", "二(三年级)1", "三年级班导师工作职责", "创新创业活动指导",
     "指导学生申报和参与各类科技创新创业竞赛；对创新创业项目进行过程指导，督促检查；推荐和吸收学生加入教师科研项目。"),
    ("y3_graduate_exam", "二(三年级)2", "三年级班导师工作职责", "考研指导",
     "根据学生考研志向和实际情况，进行分类指导；指导学生考研专业课程的学习；指导学生正确处理考研与专业学习的关系。"),
    ("y3_career", "二(三年级)3", "三年级班导师工作职责", "就业创业意识培养",
     "对学生进行就业创业意识和个体职业生涯规划辅导；推荐安排学生开展就业实习。"),
    ("y4_employment", "二(四年级)1", "四年级班导师工作职责", "就业创业指导工作",
     "积极联系行业用人单位，开拓就业渠道，提供就业信息；引导学生树立正确的就业观，调整择业就业心态；对就业困难学生进行帮扶。"),
    ("y4_ethics", "二(四年级)2", "四年级班导师工作职责", "职业道德教育",
     "开展就业诚信、敬业精神、职业道德规范等教育。"),
    ("y4_leaving", "二(四年级)3", "四年级班导师工作职责", "毕业离校教育",
     "在毕业生离校期间，深入学生寝室，及时了解学生动态；参与毕业纪念活动。"),
]
GRADES = [("不称职", True), ("基本称职", False), ("称职", False), ("优秀", False)]
ALL_GRADES = [g for g, _ in GRADES]
CONSEQUENCES = [  # (key, label, grades, then), each once a year, 四、保障措施 2
    ("personnel_file", "计入本人的业务档案", ALL_GRADES, "record"),
    ("prerequisite", "作为职称评聘、年度考核、评优晋级的先决条件", ["基本称职", "称职", "优秀"], "eligible"),
    ("annual_unqualified", "视为当年度考核不合格", ["不称职"], "record"),
    ("no_promotion", "取消当年职务晋升资格", ["不称职"], "record"),
    ("lower_appointment", "低聘或暂缓岗位聘任", ["不称职"], "record"),
]
ADVISOR_NORMS = [  # (activity, label, min, per, unit): bind both 班主任 and 班导师
    ("weekly_hours", "每周工作至少2至4个小时", 2, "week", "小时"),
    ("classroom_visit", "每两周至少深入教室1次", 1, "two_weeks", "次"),
    ("dormitory_visit", "每个月至少深入学生宿舍1次", 1, "month", "次"),
    ("parent_contact", "每学期至少联系学生家长5人次", 5, "semester", "人次"),
    ("class_meeting", "每月召开一次班会", 1, "month", "次"),
    ("themed_class_meeting", "每学期针对学生的实际情况至少召开两次主题班会", 2, "semester", "次"),
    ("class_league_meeting", "参加班（团）会至少两次", 2, "semester", "次"),
    ("work_plan", "每学期开学前制定本学期班主任（班导师）工作计划", 1, "semester", "份"),
    ("work_record", "填写工作记录表（附件1）", 1, "month", "份"),
    ("workload", "每学期相关工作量不低于30学时", 30, "semester", "学时"),
]
COLLEGE_NORM = ("advisor_seminar", "学院每学期至少召开一次班主任（班导师）工作研讨会或经验交流会",
                1, "semester", "college", "次")
NORMS = [(a, lb, n, per, role, u) for a, lb, n, per, u in ADVISOR_NORMS
         for role in ("banzhuren", "bandaoshi")] + [COLLEGE_NORM]
TRIGGERS = [("irresponsible", "工作责任心差"), ("tasks_not_done", "不能完成工作任务"), ("unfit", "不胜任")]


def verbatim_labels(policy: Policy) -> list[str]:
    """Every Chinese label the policy claims to copy from the seed."""
    ap, award = policy.written["appraisal"], policy.written["award"]
    labels = [policy.name, policy.institution, *(r.label for r in policy.roles.values()
                                                 if r.id not in ENGINE_ROLES)]
    for wf in policy.workflows.values():
        labels += [wf.label, wf.open_label, *(s.label for s in wf.steps)]
    labels += [x for i in ap["indicators"] for x in (i["group"], i["label"], i["description"])]
    labels += [g["label"] for g in ap["grades"]] + [c["label"] for c in ap["consequences"]]
    labels += [ap["label"], ap["note"], award["label"], policy.written["allowance"]["note"]]
    labels += [n["label"] for n in policy.written["norms"]]
    labels += [t["label"] for t in policy.written["dismissal_triggers"]]
    return [label for label in labels if label not in CHOSEN_LABELS]


# -- head and roles ---------------------------------------------------------------------------

def test_the_policy_names_the_seed_regulation(policy: Policy, seed: str) -> None:
    assert (policy.id, policy.name, policy.source) == (HEFEI, TITLE, "")
    assert seed.startswith(TITLE)


def test_the_institution_is_the_school_of_mathematics(policy: Policy) -> None:
    assert (policy.institution, policy.utc_offset) == ("合肥工业大学数学学院", "+08:00")


def test_appraisal_periods_are_academic_years(policy: Policy, seed: str) -> None:
    assert policy.period == "year"
    assert "每学年末，由学院对班主任（班导师）履行工作职责情况进行全面考核" in seed


def test_the_roles_are_those_of_the_seed(policy: Policy) -> None:
    declared = [(r.id, r.label, r.scoped) for r in policy.roles.values() if r.id not in ENGINE_ROLES]
    assert declared == ROLES


@pytest.mark.parametrize(("role", "heading"), [
    ("banzhuren", "一年级班主任工作职责"), ("banzhuren", "二年级班主任工作职责"),
    ("bandaoshi", "三年级班导师工作职责"), ("bandaoshi", "四年级班导师工作职责"),
])
def test_banzhuren_serves_years_one_and_two_and_bandaoshi_years_three_and_four(
        policy: Policy, seed: str, role: str, heading: str) -> None:
    assert heading in seed
    assert heading.endswith(policy.roles[role].label + "工作职责")


def test_the_policy_sets_no_staffing_the_seed_does_not_fix(policy: Policy) -> None:
    staffing = policy.staffing
    assert (staffing.advisors_per_class, staffing.max_classes_per_advisor, staffing.term_years) == (
        1, 0, 0)


# -- workflows --------------------------------------------------------------------------------

def test_the_workflows_are_recruitment_appraisal_and_award(policy: Policy) -> None:
    assert sorted(policy.workflows) == ["appraisal", "award", "dismissal", "recruitment"]


@pytest.mark.parametrize("kind", sorted(WORKFLOWS))
def test_a_workflow_opens_as_chosen_from_the_seed(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    assert (wf.label, wf.prefix, wf.opened_by, wf.open_step, wf.open_label, wf.open_action,
            wf.on_publish, wf.requires) == WORKFLOWS[kind]


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_a_workflow_has_its_steps_in_order(policy: Policy, kind: str) -> None:
    steps = policy.workflow(kind).steps
    rows = [(s.id, s.label, s.role, s.action, s.returnable, s.return_to) for s in steps]
    assert rows == STEPS[kind]


@pytest.mark.parametrize("kind", sorted(WORKFLOWS))
def test_no_one_signs_two_levels_of_a_case(policy: Policy, kind: str) -> None:
    assert policy.workflow(kind).signer_may_sign_twice is False


def test_recruitment_and_appraisal_are_the_college_s_charge(seed: str) -> None:
    assert "班主任（班导师）的聘任、考核、管理和调整等工作由学院统一负责" in seed


def test_the_award_pipeline_follows_the_seed_in_order(policy: Policy, seed: str) -> None:
    sentence = seed[seed.index("学院每学期至少召开一次"):seed.index("2、学院对班主任")]
    wf = policy.workflow("award")
    places = [sentence.index(label) for label in [wf.open_label, *(s.label for s in wf.steps)]]
    assert places == sorted(places)


@pytest.mark.parametrize("label", CHOSEN_LABELS)
def test_a_label_chosen_where_the_seed_is_silent_is_not_passed_off_as_the_seed_s(
        seed: str, label: str) -> None:
    assert label not in seed


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_a_case_runs_from_its_open_step_to_published(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for(digest_of(builtin_text(HEFEI) or ""), wf)
    visited, state = [], destination(machine, "resubmit", wf.open_step)
    while state not in (None, PUBLISHED):
        visited.append(state)
        state = destination(machine, "approve", state)
    assert (visited, state) == ([s[0] for s in STEPS[kind]], PUBLISHED)


@pytest.mark.parametrize(("kind", "step", "back"), [
    ("recruitment", "appoint", "nominate"), ("appraisal", "hear_students", "open"),
    ("appraisal", "grade", "hear_students"), ("award", "report", "nominate"),
    ("award", "commend", "nominate"),
])
def test_a_return_goes_back_to_the_chosen_step(
        policy: Policy, kind: str, step: str, back: str) -> None:
    machine = machine_for(digest_of(builtin_text(HEFEI) or ""), policy.workflow(kind))
    assert destination(machine, "return", step) == back


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_every_level_may_refuse(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for(digest_of(builtin_text(HEFEI) or ""), wf)
    assert {destination(machine, "veto", s.id) for s in wf.steps} == {VETOED}


# -- appraisal --------------------------------------------------------------------------------

def test_the_appraisal_is_graded_yearly_without_points(appraisal: dict[str, Any]) -> None:
    assert (appraisal["label"], appraisal["scoring"], appraisal["period"]) == (
        "班主任（班导师）工作考核", "grades", "year")
    assert not any("max" in i or "weight" in i for i in appraisal["indicators"])


def test_the_appraisal_hears_the_students(appraisal: dict[str, Any], policy: Policy) -> None:
    assert appraisal["note"] == "考核工作应公开、公平、公正，并注意听取学生意见。"
    assert "听取学生意见" in [s.label for s in policy.workflow("appraisal").steps]


def test_the_dimensions_are_the_twelve_duties_by_year(appraisal: dict[str, Any]) -> None:
    rows = [(i["key"], i["number"], i["group"], i["label"], i["description"])
            for i in appraisal["indicators"]]
    assert rows == INDICATORS


HEADINGS = ["一年级班主任工作职责", "二年级班主任工作职责", "三年级班导师工作职责",
            "四年级班导师工作职责", "三、工作要求"]


def year_section(seed: str, heading: str) -> str:
    """The duties under one year's heading, up to the next heading."""
    nxt = HEADINGS[HEADINGS.index(heading) + 1]
    return seed[seed.index(heading):seed.index(nxt)]


@pytest.mark.parametrize("row", INDICATORS, ids=[r[0] for r in INDICATORS])
def test_a_duty_is_verbatim_under_its_year_heading(
        seed: str, row: tuple[str, str, str, str, str]) -> None:
    _, number, group, label, description = row
    assert f"{number[-1]}．{label}：{description}" in year_section(seed, group)


def test_the_four_grades_are_those_of_the_seed_lowest_first(
        appraisal: dict[str, Any], seed: str) -> None:
    assert [(g["label"], g.get("unqualified", False)) for g in appraisal["grades"]] == GRADES
    assert "分为：优秀、称职、基本称职、不称职四等" in seed
    assert not any("min" in g for g in appraisal["grades"])


def test_there_are_no_veto_or_bonus_items(appraisal: dict[str, Any]) -> None:
    assert "veto_items" not in appraisal and "bonus_items" not in appraisal


def test_the_consequences_are_those_of_article_four_two(appraisal: dict[str, Any]) -> None:
    rows = [(c["key"], c["label"], c["grades"], c["then"]) for c in appraisal["consequences"]]
    assert rows == CONSEQUENCES


def test_every_consequence_holds_for_one_year(appraisal: dict[str, Any]) -> None:
    assert {(c["consecutive"], c["unit"]) for c in appraisal["consequences"]} == {(1, "year")}


def test_the_unqualified_consequences_follow_the_seed_sentence_in_order(
        appraisal: dict[str, Any], seed: str) -> None:
    sentence = "班主任（班导师）工作考核不合格，视为当年度考核不合格，取消当年职务晋升资格，低聘或暂缓岗位聘任。"
    labels = [c["label"] for c in appraisal["consequences"] if c["grades"] == ["不称职"]]
    assert sentence in seed
    assert [sentence.index(label) for label in labels] == sorted(sentence.index(x) for x in labels)


# -- award and allowance ------------------------------------------------------------------------

def test_the_award_is_for_excellent_advisors_each_semester(policy: Policy) -> None:
    award = policy.written["award"]
    assert (award["label"], award["period"], award["eligible_grades"]) == (
        "优秀班主任（班导师）", "semester", ["优秀"])


def test_the_award_has_no_quota_amount_or_certificate_the_seed_does_not_fix(policy: Policy) -> None:
    award = policy.written["award"]
    assert not {"quota_share", "amount", "certificate", "distinctions"} & set(award)


def test_the_workload_subsidy_has_no_formula(policy: Policy, seed: str) -> None:
    allowance = policy.written["allowance"]
    assert (allowance["formula"], allowance["note"]) == ("none", "给与一定的工作量补贴")
    assert "给与一定的工作量补贴" in seed


# -- norms and dismissal ------------------------------------------------------------------------

def test_the_norms_are_those_of_the_seed(policy: Policy) -> None:
    rows = [(n["activity"], n["label"], n["min"], n["per"], n["role"], n["unit"])
            for n in policy.written["norms"]]
    assert rows == NORMS


@pytest.mark.parametrize("role", ["banzhuren", "bandaoshi"])
def test_both_advisor_roles_carry_every_advisor_norm(policy: Policy, role: str) -> None:
    norms = policy.written["norms"]
    mine = [(n["activity"], n["min"], n["per"]) for n in norms if n["role"] == role]
    assert mine == [(a, n, per) for a, _, n, per, _ in ADVISOR_NORMS]


@pytest.mark.parametrize(("text", "activity", "minimum"), [
    ("每周工作至少2至4个小时", "weekly_hours", 2),
    ("每学期至少联系学生家长5人次", "parent_contact", 5),
    ("至少召开两次主题班会", "themed_class_meeting", 2),
    ("每学期相关工作量不低于30学时", "workload", 30),
    ("本表每月填写一份", "work_record", 1),
])
def test_a_norm_minimum_is_the_seed_s_number(
        policy: Policy, seed: str, text: str, activity: str, minimum: int) -> None:
    assert text in seed
    assert {n["min"] for n in policy.written["norms"] if n["activity"] == activity} == {minimum}


def test_the_dismissal_triggers_are_the_three_of_the_seed(policy: Policy, seed: str) -> None:
    triggers = policy.written["dismissal_triggers"]
    assert [(t["key"], t["label"]) for t in triggers] == TRIGGERS
    assert not any(t["automatic"] for t in triggers)
    assert "对工作责任心差、不能完成工作任务及不胜任者应及时解聘" in seed


# -- every label is the seed's --------------------------------------------------------------------

def test_every_label_claimed_verbatim_is_in_the_seed(policy: Policy, seed: str) -> None:
    missing = [label for label in verbatim_labels(policy) if re.sub(r"\s+", "", label) not in seed]
    assert missing == []
