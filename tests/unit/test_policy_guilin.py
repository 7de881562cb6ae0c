"""The built-in Guilin policy checked value by value against its seed, 桂理工继教〔2024〕47号."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.domain.policy import Policy

GUILIN = "guilin-ut-ce-2024"
POLICY_ID = GUILIN
SEED = Path(__file__).parents[3] / "shared" / "seeds" / "000_095ec3059f369a38.txt"

STEPS = [  # (label, role, action) after the open step, 第五条
    ("推荐单位审核", "site_head", "recommended"),
    ("继续教育学院审批", "ce_college", "approved"),
    ("向学生所在班级公布", "ce_college", "published"),
]
INDICATORS = [  # (number, group, max), 附件1
    ("1", "思想政治素质", 20),
    ("2", "履行职责情况", 15),
    ("3", "履行职责情况", 15),
    ("4", "履行职责情况", 15),
    ("5", "廉洁自律情况", 20),
    ("6", "桂林理工大学继续教育学院综合评价", 15),
]
VETO_ITEMS = [  # 附件1, 一票否决项
    "存在师德师风问题的。",
    "未完全履行班主任工作职责，未对学生进行思想政治教育，未对学生开展学业指导和日常管理，"
    "未组织学生参加相关集体活动，未及时通告发布相关教学信息的。",
    "因工作失职造成严重不良后果的。",
    "其他不合格情形。",
]
# The PDF's page break puts row 4's score cell (15) before that row's last line, 上报工作。
ROW_4_PAGE_BREAK = ("清查、15上报工作", "清查、上报工作")
GRADES = [("不合格", 0), ("合格", 60), ("良好", 70), ("优秀", 80)]
FORM_FIELDS = ["姓名", "性别", "民族", "出生年月", "学历/学位", "政治面貌", "所在校外教学点", "主要事迹"]


def grade_for(score: float, grades: list[dict[str, Any]]) -> str:
    """The band a score falls in: the grade with the highest minimum not above it (src has none)."""
    return str(max((g for g in grades if g["min"] <= score), key=lambda g: g["min"])["label"])


def test_the_policy_names_the_seed_document(policy: Policy, seed: str) -> None:
    assert policy.id == GUILIN
    assert policy.source in seed
    assert policy.name in seed


def test_recruitment_is_opened_by_the_candidate_with_a_personal_application(policy: Policy) -> None:
    wf = policy.workflow("recruitment")
    assert (wf.opened_by, wf.open_label, wf.open_action) == ("candidate", "个人报名", "applied")


def test_recruitment_has_the_three_steps_of_article_5(policy: Policy) -> None:
    steps = policy.workflow("recruitment").steps
    assert [(s.label, s.role, s.action) for s in steps] == STEPS


@pytest.mark.parametrize(("role", "scoped"), [("site_head", True), ("ce_college", False)])
def test_only_the_recommending_unit_role_is_scoped_to_a_unit(
        policy: Policy, role: str, scoped: bool) -> None:
    assert policy.roles[role].scoped is scoped


def test_the_pipeline_labels_follow_article_5_in_order(policy: Policy, seed: str) -> None:
    article = seed[seed.index("第五条"):seed.index("第三章")].replace("（校外教学点、助学单位）", "")
    wf = policy.workflow("recruitment")
    labels = [wf.open_label, *(s.label for s in wf.steps)]
    places = [article.index(label) for label in labels]
    assert places == sorted(places)


def test_the_appraisal_scores_points_out_of_100(appraisal: dict[str, Any]) -> None:
    assert (appraisal["scoring"], appraisal["total"]) == ("points", 100)
    assert sum(i["max"] for i in appraisal["indicators"]) == 100


def test_there_are_six_indicators(appraisal: dict[str, Any]) -> None:
    assert len(appraisal["indicators"]) == len(INDICATORS)


@pytest.mark.parametrize(("index", "row"), list(enumerate(INDICATORS)))
def test_an_indicator_has_the_seed_group_number_and_maximum(
        appraisal: dict[str, Any], index: int, row: tuple[str, str, int]) -> None:
    ind = appraisal["indicators"][index]
    assert (ind["number"], ind["group"], ind["max"]) == row


@pytest.mark.parametrize("index", range(len(INDICATORS)))
def test_an_indicator_label_is_verbatim_in_the_seed_after_its_number(
        appraisal: dict[str, Any], seed: str, index: int) -> None:
    ind, annex = appraisal["indicators"][index], seed.replace(*ROW_4_PAGE_BREAK)
    at = annex.index(ind["label"])
    assert annex[at - len(ind["number"]):at] == ind["number"]
    assert ind["group"] in seed


def test_the_veto_items_are_the_four_of_the_seed(appraisal: dict[str, Any]) -> None:
    assert [v["label"] for v in appraisal["veto_items"]] == VETO_ITEMS


@pytest.mark.parametrize("label", VETO_ITEMS)
def test_a_veto_item_is_verbatim_in_the_seed(seed: str, label: str) -> None:
    assert label in seed


def test_the_grade_bands_are_the_four_of_the_seed_note(
        appraisal: dict[str, Any], seed: str) -> None:
    assert [(g["label"], g["min"]) for g in appraisal["grades"]] == GRADES
    assert "不合格：<60分，合格：60-69分，良好：70-79分，优秀：≧80分" in seed


def test_only_the_lowest_band_is_unqualified(appraisal: dict[str, Any]) -> None:
    assert [g.get("unqualified", False) for g in appraisal["grades"]] == [True, False, False, False]


@pytest.mark.parametrize(("score", "grade"), [
    (0, "不合格"), (59, "不合格"), (59.5, "不合格"), (60, "合格"), (69, "合格"),
    (70, "良好"), (79, "良好"), (80, "优秀"), (100, "优秀"),
])
def test_a_score_falls_in_the_band_of_the_seed_note(
        appraisal: dict[str, Any], score: float, grade: str) -> None:
    assert grade_for(score, appraisal["grades"]) == grade


def test_the_award_is_for_excellent_advisors_with_a_certificate(policy: Policy) -> None:
    award = policy.written["award"]
    assert (award["eligible_grades"], award["certificate"]) == (["优秀"], True)


def test_the_award_form_has_the_fields_of_annex_2_in_order(policy: Policy, seed: str) -> None:
    fields = policy.written["award"]["form_fields"]
    assert fields == FORM_FIELDS
    assert "".join(fields) in seed[seed.index("优秀班主任推荐表姓名"):]


APPRAISAL_STEPS = [("site_appraisal", "开展班主任工作考核", "site_head"),
                   ("college_evaluation", "桂林理工大学继续教育学院综合评价", "ce_college"),
                   ("archive", "做好考核材料的归档工作", "ce_college")]
AWARD_STEPS = [("site_opinion", "校外教学点负责人意见", "site_head"),
               ("college_opinion", "桂林理工大学继续教育学院意见", "ce_college"),
               ("commend", "予以表彰和奖励", "ce_college")]


@pytest.mark.parametrize("kind, steps", [("appraisal", APPRAISAL_STEPS), ("award", AWARD_STEPS)])
def test_appraisal_and_award_pipelines_use_the_seeds_words(policy: Policy, seed: str, kind: str,
                                                           steps: list[tuple[str, str, str]]) -> None:
    wf = policy.workflow(kind)
    assert [(s.id, s.label, s.role) for s in wf.steps] == steps
    for label in [wf.open_label, wf.label, *(s.label for s in wf.steps)]:
        assert label in seed


def test_the_site_scores_indicators_1_to_5_and_the_college_scores_6(
        appraisal: dict[str, Any]) -> None:
    steps = [i.get("step", appraisal["score_step"]) for i in appraisal["indicators"]]
    assert steps == ["site_appraisal"] * 5 + ["college_evaluation"]


def test_the_site_heads_step_names_the_act_not_the_principle(policy: Policy) -> None:
    """第十四条: "坚持注重工作实绩、尊重学生评价、平时考核与学期考核相结合的原则开展班主任工作考核".
    The principle says how the site head appraises; the step names what they do."""
    labels = [s.label for s in policy.workflow("appraisal").steps]
    assert labels[0] == "开展班主任工作考核" and "平时考核与学期考核相结合" not in labels


def test_publishing_and_filing_are_the_clerical_steps(policy: Policy) -> None:
    """第五条: "经继续教育学院审批同意后，向学生所在班级公布"; 第十三条: "做好考核材料的归档工作"."""
    clerical = {(kind, s.id) for kind, wf in policy.workflows.items() for s in wf.steps
                if s.clerical}
    assert clerical == {("recruitment", "announce"), ("appraisal", "archive")}
