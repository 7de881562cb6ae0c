"""Unit refinements (Guilin 第十六条): a unit's file merged over the institution's policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bzr_workflow.domain.case import Case
from bzr_workflow.domain.policy_file import PolicyInvalid, parse_refined, refinement_unit
from bzr_workflow.policies import builtin_text

BASE = builtin_text("guilin-ut-ce-2024") or ""
NANNING = (Path(__file__).parents[1] / "policies" / "refinements"
           / "nanning-extra-review.toml").read_text("utf-8")


def test_a_refinement_names_its_unit() -> None:
    assert refinement_unit(NANNING, "nanning.toml") == "nanning"


def test_a_refined_pipeline_replaces_the_steps_and_adds_the_units_role() -> None:
    policy = parse_refined(BASE, NANNING, "nanning.toml")
    steps = [s.label for s in policy.workflow("recruitment").steps]
    assert steps == ["教学点教务初审", "推荐单位审核", "继续教育学院审批", "向学生所在班级公布"]
    assert {"site_registrar", "site_head", "ce_college"} <= set(policy.roles)


def test_what_a_refinement_does_not_name_stays_as_the_institution_wrote_it() -> None:
    policy = parse_refined(BASE, NANNING, "nanning.toml")
    assert [i["max"] for i in policy.written["appraisal"]["indicators"]] == [20, 15, 15, 15, 20, 15]


def test_a_refinement_without_a_unit_is_refused() -> None:
    with pytest.raises(PolicyInvalid, match="x.toml: refinement.unit: missing"):
        refinement_unit("[[roles]]\nid='a'\nlabel='A'\n", "x.toml")


def test_a_unit_may_not_rewrite_the_policys_identity() -> None:
    text = '[refinement]\nunit = "nanning"\n[policy]\nid = "mine"\nname = "mine"\n'
    with pytest.raises(PolicyInvalid, match="x.toml: policy: a unit may not refine this"):
        refinement_unit(text, "x.toml")


def test_a_refined_policy_is_validated_as_a_whole() -> None:
    broken = NANNING.replace('role = "site_registrar"', 'role = "nobody"')
    with pytest.raises(PolicyInvalid, match=r"x.toml: workflows.recruitment.steps\[0\].role: "
                                            "undeclared role 'nobody'"):
        parse_refined(BASE, broken, "x.toml")


def test_a_case_opened_before_refinements_existed_replays_as_following_none() -> None:
    state = {"ref": "R-1", "kind": "recruitment", "note": ""}
    Case.Opened.upcast_v1_v2(state)
    assert state["refinement"] == 0 and json.dumps(state)
