"""Guilin as its offices read it: steps named by acts, clerical steps a small office signs
alone, and a recommendation form with Guilin's fields only where Guilin lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import SeparationOfDuties
from bzr_workflow.policies import builtin_text
from guilin_org import make_org

GUILIN_SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def opened(app: WorkflowApp) -> str:
    return str(app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li",
                                              True)[0]["id"])


def test_the_site_head_is_awaited_for_an_act(app: WorkflowApp) -> None:
    """第十四条: "…平时考核与学期考核相结合的原则开展班主任工作考核" — the site head 开展班主任工作考核."""
    shown = app.reads.show(opened(app))
    assert (shown["step_label"], shown["role"]) == ("开展班主任工作考核", "site_head")


def test_the_officer_who_evaluated_may_file_the_result(app: WorkflowApp) -> None:
    """第十三条: "定期组织开展班主任考核工作，做好考核材料的归档工作" — filing is clerical."""
    ref = opened(app)
    app.appraisals.score(ref, "zhang", GUILIN_SITE)
    app.cases.approve(ref, "zhang", "")
    app.appraisals.score(ref, "li", ["college_evaluation=13"])
    app.cases.approve(ref, "li", "")
    assert ref in [row["id"] for row in app.reads.inbox("li")]
    assert app.cases.approve(ref, "li", "已归档")["state"] == "published"


def test_the_officer_who_approved_may_publish_the_appointment(app: WorkflowApp) -> None:
    """第五条: "经继续教育学院审批同意后，向学生所在班级公布" — one officer approves and publishes."""
    ref = str(app.cases.recruit_apply("kj1", "chen", "2026-12-01", "", "chen")["id"])
    app.cases.approve(ref, "zhang", "同意推荐")
    app.cases.approve(ref, "li", "同意")
    assert app.cases.approve(ref, "li", "已公布")["state"] == "published"


def test_a_decision_is_still_one_level_per_person(app: WorkflowApp) -> None:
    """The one-level rule still holds between decisions (推荐单位审核, 继续教育学院审批)."""
    app.org.grant("zhao2", "ce_college", "admin")
    ref = str(app.cases.recruit_apply("kj1", "chen", "2026-12-01", "", "chen")["id"])
    app.cases.approve(ref, "zhao2", "同意推荐")
    with pytest.raises(SeparationOfDuties, match="推荐单位审核"):
        app.cases.approve(ref, "zhao2", "同意")


def nominated(app: WorkflowApp) -> str:
    advisor = app.user("chen")
    advisor.take_class("kj1", "R-0", 0)
    advisor.record_result("2026-2027-1", "优秀", "92", "A-9", "li")
    app.save(advisor)
    return str(app.awards.nominate("chen", "2026-2027-1", "三年来所带班级无一人违纪", None,
                                   "zhang")["id"])


def test_guilins_form_has_its_teaching_site(app: WorkflowApp) -> None:
    """附件2 优秀班主任推荐表: 姓名 性别 民族 出生年月 学历/学位 政治面貌 所在校外教学点 主要事迹."""
    form = app.reads.recommendation_form(nominated(app))
    assert form["fields"]["所在校外教学点"] == "南宁校外教学点"


def test_a_policy_listing_no_form_fields_gets_no_guilin_boxes(tmp_path: Path) -> None:
    """A form's fields come from its own policy: one without form_fields carries no
    所在校外教学点 (Guilin's teaching sites), only the name and the deeds."""
    text = "\n".join(line for line in (builtin_text("guilin-ut-ce-2024") or "").splitlines()
                     if not line.startswith("form_fields"))
    policy = tmp_path / "no-form.toml"
    policy.write_text(text.replace('id = "guilin-ut-ce-2024"', 'id = "no-form"'), "utf-8")
    app = open_app(parse_location(str(tmp_path / "store.db")), create=True)
    try:
        make_org(app, str(policy))
        form = app.reads.recommendation_form(nominated(app))
    finally:
        app.close()
    assert list(form["fields"]) == ["姓名"] and form["deeds"] == "三年来所带班级无一人违纪"
