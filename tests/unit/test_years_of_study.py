"""Hefei's years of study: 班主任 for years 1-2, 班导师 for years 3-4, each year with its duties.

合肥 二、工作职责: "一年级班主任工作职责 … 二年级班主任工作职责 … 三年级班导师工作职责 … 四年级班导师工作职责"."""

from __future__ import annotations

import pytest

from bzr_workflow.domain.policy_file import PolicyInvalid, parse_policy
from bzr_workflow.domain.years import year_duties, year_entry, year_refusal
from bzr_workflow.policies import builtin_text

TEXT = builtin_text("hfut-math") or ""
HEFEI = parse_policy(TEXT, "hfut-math")


def test_years_one_and_two_are_banzhuren_three_and_four_bandaoshi() -> None:
    titles = {y.year: HEFEI.role_label(y.role) for y in HEFEI.years_of_study}
    assert titles == {1: "班主任", 2: "班主任", 3: "班导师", 4: "班导师"}


def test_each_years_duties_are_its_three_indicators() -> None:
    entry = year_entry(HEFEI.years_of_study, 2)
    assert entry is not None
    shown = year_duties(entry, "班主任", HEFEI.written["appraisal"]["indicators"])
    assert [i["label"] for i in shown["indicators_to_judge"]] == \
        ["学习困难学生帮助与指导", "创新创业意识培育", "第二课堂活动指导"]


@pytest.mark.parametrize("year", [None, 0, 5])
def test_a_class_needs_one_of_the_declared_years(year: int | None) -> None:
    assert year_refusal(HEFEI.years_of_study, year, "hfut-math") is not None


def test_duties_must_name_an_indicator_group() -> None:
    broken = TEXT.replace('duties = "四年级班导师工作职责"', 'duties = "五年级"')
    with pytest.raises(PolicyInvalid, match="years_of_study"):
        parse_policy(broken, "broken")
