"""The built-in Suzhou Gaobo policy checked value by value against its seed (专接本、自考助学班主任)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.domain.pipeline import PUBLISHED, destination, machine_for
from bzr_workflow.domain.policy import ENGINE_ROLES, Policy
from bzr_workflow.domain.policy_file import digest_of, parse_policy
from bzr_workflow.policies import builtin_text

SUZHOU = "suzhou-gaobo-2023"
POLICY_ID = SUZHOU
SEED = Path(__file__).parents[3] / "shared" / "seeds" / "001_236956b3735c08f8.txt"

ROLES = [("school", "学院（部）", True), ("ce_office", "继续教育处", False), ("advisor", "班主任", True)]
OPENINGS = {  # kind: (opened_by, open_label, open_action, on_publish, requires)
    "recruitment": ("school", "班主任的选聘", "nominated", "appoint", ("subject", "class")),
    "appraisal": ("school", "年度考核", "opened", "record", ("subject", "period")),
    # 第二条 学校有权适时予以解聘: the school proposes, the office decides for the 学校
    "dismissal": ("school", "解聘", "proposed", "dismiss", ("subject", "class")),
}  # no award workflow: 第十条 二、2 rewards every 优秀班主任, the seed names no nomination
STEPS = {  # kind: [(id, label, role, action, returnable, return_to)]
    "recruitment": [("ce_filing", "结果报继续教育处备案", "ce_office", "filed", True, "")],
    "dismissal": [("ce_decision", "予以解聘", "ce_office", "dismissed", True, "")],
    "appraisal": [  # 第八条 (2)-(4); (1) is the advisor's own summary, not a step
        ("school_appraisal", "学院对班主任进行考核", "school", "appraised", True, ""),
        ("school_opinion", "学院签署意见", "school", "signed", True, "school_appraisal"),
        ("ce_approval", "报继续教育处审定", "ce_office", "approved", True, "school_appraisal"),
        ("announce", "公示备案", "ce_office", "published", False, ""),
    ],
}
INDICATORS = [  # (number, group, label, weight), 第九条: there is no 三 in the seed
    ("一", "自身政治思想及道德修养", "自身政治思想及道德修养", 15),
    ("二(一)", "学生教育管理工作", "学生思想政治工作", 20),
    ("二(二)", "学生教育管理工作", "学生日常管理工作", 30),
    ("二(三)", "学生教育管理工作", "学风建设", 20),
    ("四", "考勤", "考勤", 15),
]
BONUS_ITEMS = [  # 第九条 五、班主任工作考核加分项目: no amounts
    "重视工作调查研究，每学年有典型学生个案研究记录。",
    "撰写并发表自考生学生教育管理论文。",
    "学风建设成效显著，考试过级率高。",
    "学生教育管理资料齐全。",
    "班级学生的续费率高。",
]
GRADES = [("不合格", 0), ("合格", 60), ("优秀", 90)]  # minima are OUR choice: the seed has none
TIERS = [(0, 0.6), (30, 0.8), (60, 1.0), (80, 1.2)]  # 第十条 二、1
FUNDING = [("学校", 50), ("各二级学院继续教育专户", 50)]  # 第十条 一
TRIGGERS = ["不履行班主任职责", "玩忽职守", "因其他原因给工作造成不良影响", "因工作需要或其他特殊事由"]
SEED_PHRASES = [  # numbers the policy takes from the seed, as the seed writes them
    "60人配备一名班主任", "班主任每月补贴额度为600元/月", "不满30人，系数为0.6", "30-59人，系数为0.8",
    "60-79人，系数为1", "80人及以上，系数为1.2", "班主任每月补贴额度为220元/月",
    "50%的费用由学校承担，50%的费用由各二级学院继续教育专户中支出", "优秀班主任的比例为15%",
    "奖励标准1500元，发放荣誉证书", "考核结果分：优秀、合格、不合格", "每学期组织两次班会",
    "一、自身政治思想及道德修养（15%）", "二、学生教育管理工作（70%）", "（一）学生思想政治工作（20%）",
    "（二）学生日常管理工作（30%）", "（三）学风建设（20%）", "四、考勤（15%）",
    "五、班主任工作考核加分项目", "本规程自2023年10月1日起施行",
]


@pytest.fixture(scope="module")
def allowance(policy: Policy) -> dict[str, Any]:
    section: dict[str, Any] = policy.written["allowance"]
    return section


def verbatim_labels(p: Policy) -> list[str]:
    """Every Chinese label the policy claims is copied from the seed."""
    s = p.written
    labels = [p.name, p.institution, *(r.label for r in p.roles.values() if r.id not in ENGINE_ROLES)]
    for wf in p.workflows.values():
        labels += [wf.label, wf.open_label, *(step.label for step in wf.steps)]
    for ind in s["appraisal"]["indicators"] + s["appraisal"]["bonus_items"]:
        labels += [ind["label"], ind["group"]]
    labels += [s["appraisal"]["label"], s["award"]["label"]]
    labels += [g["label"] for g in s["appraisal"]["grades"]]
    labels += [f["payer"] for f in s["allowance"]["funding"]]
    return labels + [n["label"] for n in s["norms"]] + [t["label"] for t in s["dismissal_triggers"]]


def test_the_policy_names_the_seed_document(policy: Policy, seed: str) -> None:
    assert (policy.id, policy.source, policy.utc_offset) == (SUZHOU, "", "+08:00")
    assert seed.startswith("附件1：" + policy.name)


def test_appraisal_periods_are_years(policy: Policy) -> None:
    assert (policy.period, policy.written["appraisal"]["period"]) == ("year", "year")


def test_the_date_of_entry_into_force_is_noted(seed: str) -> None:
    assert "本规程自2023年10月1日起施行" in (builtin_text(SUZHOU) or "")
    assert "本规程自2023年10月1日起施行" in seed


@pytest.mark.parametrize("label", verbatim_labels(parse_policy(builtin_text(SUZHOU) or "", SUZHOU)))
def test_a_chinese_label_is_verbatim_in_the_seed(seed: str, label: str) -> None:
    assert re.sub(r"\s+", "", label) in seed


@pytest.mark.parametrize(("role", "label", "scoped"), ROLES)
def test_a_role_has_the_seed_label_and_scope(
        policy: Policy, role: str, label: str, scoped: bool) -> None:
    assert (policy.roles[role].label, policy.roles[role].scoped) == (label, scoped)


def test_one_advisor_per_class_and_sixty_students_per_advisor(policy: Policy) -> None:
    text = builtin_text(SUZHOU) or ""
    assert (policy.staffing.advisors_per_class, policy.staffing.max_classes_per_advisor) == (1, 0)
    assert "students_per_advisor = 60" in text


def test_the_policy_has_exactly_the_workflows_the_seed_describes(policy: Policy) -> None:
    assert sorted(policy.workflows) == sorted(OPENINGS)


@pytest.mark.parametrize(("kind", "opening"), OPENINGS.items())
def test_a_workflow_opens_as_the_seed_says(
        policy: Policy, kind: str, opening: tuple[str, str, str, str, tuple[str, ...]]) -> None:
    wf = policy.workflow(kind)
    assert (wf.opened_by, wf.open_label, wf.open_action, wf.on_publish, wf.requires) == opening


@pytest.mark.parametrize(("kind", "steps"), STEPS.items())
def test_a_workflow_has_the_steps_of_the_seed(
        policy: Policy, kind: str, steps: list[tuple[str, ...]]) -> None:
    wf = policy.workflow(kind)
    got = [(s.id, s.label, s.role, s.action, s.returnable, s.return_to) for s in wf.steps]
    assert got == steps


@pytest.mark.parametrize("kind", STEPS)
def test_one_person_signs_at_most_one_level(policy: Policy, kind: str) -> None:
    assert policy.workflow(kind).signer_may_sign_twice is False


def test_the_prefixes_are_unique(policy: Policy) -> None:
    prefixes = [wf.prefix for wf in policy.workflows.values()]
    assert sorted(prefixes) == ["A", "D", "R"]


def test_the_appraisal_steps_follow_article_8_in_order(policy: Policy, seed: str) -> None:
    article = seed[seed.index("第八条"):seed.index("第九条")]
    places = [article.index(s.label) for s in policy.workflow("appraisal").steps]
    assert places == sorted(places)


@pytest.mark.parametrize("kind", STEPS)
def test_a_case_runs_from_its_open_step_to_publication(policy: Policy, kind: str) -> None:
    wf = policy.workflow(kind)
    machine = machine_for(digest_of(builtin_text(SUZHOU) or ""), wf)
    path, state = [], destination(machine, "resubmit", wf.open_step)
    while state not in (None, PUBLISHED):
        path.append(state)
        state = destination(machine, "approve", str(state))
    assert (path, state) == ([s[0] for s in STEPS[kind]], PUBLISHED)


@pytest.mark.parametrize(("source", "dest"), [
    ("school_appraisal", "open"), ("school_opinion", "school_appraisal"),
    ("ce_approval", "school_appraisal"), ("announce", None)])
def test_an_appraisal_return_goes_back_where_the_policy_says(
        policy: Policy, source: str, dest: str | None) -> None:
    machine = machine_for(digest_of(builtin_text(SUZHOU) or ""), policy.workflow("appraisal"))
    assert destination(machine, "return", source) == dest


def test_the_appraisal_is_weighted_to_100(appraisal: dict[str, Any]) -> None:
    assert (appraisal["scoring"], appraisal["total"]) == ("weights", 100)
    assert sum(i["weight"] for i in appraisal["indicators"]) == 100


@pytest.mark.parametrize(("index", "row"), list(enumerate(INDICATORS)))
def test_an_indicator_has_the_seed_number_group_label_and_weight(
        appraisal: dict[str, Any], index: int, row: tuple[str, str, str, int]) -> None:
    ind = appraisal["indicators"][index]
    assert (ind["number"], ind["group"], ind["label"], ind["weight"]) == row


def test_there_are_five_indicators_and_no_group_three(appraisal: dict[str, Any]) -> None:
    numbers = [i["number"] for i in appraisal["indicators"]]
    assert len(numbers) == len(INDICATORS) and not any(n.startswith("三") for n in numbers)


def test_group_two_weighs_seventy_percent(appraisal: dict[str, Any]) -> None:
    group = [i["weight"] for i in appraisal["indicators"] if i["number"].startswith("二")]
    assert sum(group) == 70


@pytest.mark.parametrize("index", range(len(INDICATORS)))
def test_an_indicator_description_is_verbatim_in_the_seed(
        appraisal: dict[str, Any], seed: str, index: int) -> None:
    description = appraisal["indicators"][index]["description"]
    assert description and all(part in seed for part in re.split(r"\d、", description) if part)


def test_the_bonus_items_are_the_five_of_item_5_without_amounts(appraisal: dict[str, Any]) -> None:
    items = appraisal["bonus_items"]
    assert [b["label"] for b in items] == BONUS_ITEMS
    assert [b["number"] for b in items] == [f"五.{n}" for n in range(1, 6)]
    assert not any("max" in b or "weight" in b for b in items)


def test_the_bonus_is_capped_and_the_total_never_above_100_as_chosen(
        appraisal: dict[str, Any]) -> None:
    """五、班主任工作考核加分项目 gives no amount; the chosen cap (10) and ceiling (100, the seed's
    percent system) are declared in the policy, marked CHOSEN."""
    assert (appraisal["bonus_cap"], appraisal["ceiling"], appraisal["total"]) == (10, 100, 100)


def test_the_seed_has_no_veto_items(appraisal: dict[str, Any]) -> None:
    assert appraisal.get("veto_items", []) == []


def test_the_grades_are_the_three_of_article_7_with_chosen_minima(
        appraisal: dict[str, Any]) -> None:
    assert [(g["label"], g["min"]) for g in appraisal["grades"]] == GRADES
    assert [g.get("unqualified", False) for g in appraisal["grades"]] == [True, False, False]


def test_at_most_fifteen_percent_are_rated_excellent(appraisal: dict[str, Any]) -> None:
    """第十条 二、2: 考核分为不合格、合格、优秀，优秀班主任每学年给予奖励，优秀班主任的比例为15%。
    The 15 % binds the grade, counted over the year's roster, rounded down (our choice), the
    place taken at the office's 审定."""
    quota = appraisal["grade_quota"]
    got = (quota["grade"], quota["share"], quota["rounding"], quota["scope"], quota["step"])
    assert got == ("优秀", 0.15, "floor", "institution", "ce_approval")


def test_the_award_follows_the_grade_without_a_nomination(policy: Policy) -> None:
    """第十条 二、2: 优秀班主任每学年给予奖励 — every 优秀, no nomination (no award workflow)."""
    award = policy.written["award"]
    got = (award["label"], award["period"], award["eligible_grades"], award["follows_grade"])
    assert got == ("优秀班主任", "year", ["优秀"], True)
    assert "award" not in policy.workflows and not {"quota_share", "quota_step"} & set(award)


def test_the_award_pays_1500_yuan_and_a_certificate(policy: Policy) -> None:
    award = policy.written["award"]
    assert (award["amount"], award["certificate"]) == (1500, True)


def test_the_allowance_is_600_a_month_times_a_head_count_coefficient(
        allowance: dict[str, Any]) -> None:
    assert (allowance["formula"], allowance["base"], allowance["per"]) == ("tiered", 600, "month")
    assert [(t["min_students"], t["coefficient"]) for t in allowance["tiers"]] == TIERS


def test_graduating_classes_after_teaching_get_220_a_month(allowance: dict[str, Any]) -> None:
    assert allowance["graduating_rate"] == 220


def test_the_allowance_is_paid_half_by_the_school_half_by_the_college_account(
        allowance: dict[str, Any]) -> None:
    assert [(f["payer"], f["share"]) for f in allowance["funding"]] == FUNDING


def test_the_allowance_choices_where_the_seed_is_silent(allowance: dict[str, Any]) -> None:
    assert (allowance["part_month"], allowance.get("withhold_grades", [])) == ("prorate", [])


def test_the_only_norm_is_two_class_meetings_a_semester(policy: Policy) -> None:
    norms = [(n["activity"], n["label"], n["min"], n["per"], n["role"], n["unit"])
             for n in policy.written["norms"]]
    assert norms == [("class_meeting", "班会", 2, "semester", "advisor", "次")]


def test_the_dismissal_and_adjustment_grounds_are_those_of_article_2(policy: Policy) -> None:
    triggers = policy.written["dismissal_triggers"]
    assert [t["label"] for t in triggers] == TRIGGERS
    assert not any(t["automatic"] for t in triggers)


@pytest.mark.parametrize("phrase", SEED_PHRASES)
def test_a_number_the_policy_takes_is_written_so_in_the_seed(seed: str, phrase: str) -> None:
    assert phrase in seed
