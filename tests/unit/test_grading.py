"""Totals, grades and explanations from a policy's appraisal section (pure rules, Decimal only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bzr_workflow.domain.errors import BadInput
from bzr_workflow.domain.grading import Grading, grading_parts
from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.policies import builtin_text


def section(pid: str) -> dict[str, Any]:
    data: dict[str, Any] = parse_policy(builtin_text(pid) or "", pid).written["appraisal"]
    return data


def outcome(section: dict[str, Any], scores: dict[str, str], bonus: dict[str, str],
            flags: dict[str, dict[str, str]]) -> dict[str, Any]:
    return Grading(**grading_parts(section)).outcome(scores, bonus, flags)


def normalise_score(section: dict[str, Any], key: str, value: str) -> str:
    return Grading(**grading_parts(section)).normalise(key, value)


GUILIN, SUZHOU, AKSU = section("guilin-ut-ce-2024"), section("suzhou-gaobo-2023"), section("aksu-vtc-2020")
GUILIN_KEYS = ["political", "guidance", "contact", "teaching_notices", "integrity",
               "college_evaluation"]


def guilin_scores(total: int) -> dict[str, str]:
    """Scores that add up to `total`, filling indicators in order up to their maxima."""
    out, left = {}, total
    for key, top in zip(GUILIN_KEYS, [20, 15, 15, 15, 20, 15]):
        out[key] = str(min(top, left))
        left -= min(top, left)
    return out


@pytest.mark.parametrize("total, grade", [(59, "不合格"), (60, "合格"), (69, "合格"), (70, "良好"),
                                          (79, "良好"), (80, "优秀"), (100, "优秀"), (0, "不合格")])
def test_guilin_band_edges(total: int, grade: str) -> None:
    result = outcome(GUILIN, guilin_scores(total), {}, {})
    assert (result["total"], result["grade"]) == (str(total), grade)


def test_the_explanation_says_which_band_the_total_is_in() -> None:
    assert outcome(GUILIN, guilin_scores(74), {}, {})["explanation"] == "良好: 74 is in 70-79"
    assert outcome(GUILIN, guilin_scores(85), {}, {})["explanation"] == "优秀: 85 is 80 or more"


def test_a_veto_fails_a_95_point_appraisal() -> None:
    flags = {"ethics": {"reason": "收受学生礼金", "actor": "li", "on": "2026-12-03"}}
    result = outcome(GUILIN, guilin_scores(95), {}, flags)
    assert (result["total"], result["grade"], result["vetoed_items"]) == ("95", "不合格", ["ethics"])
    assert result["explanation"] == "不合格: veto 存在师德师风问题的。 flagged by li on 2026-12-03"


def test_a_veto_decides_the_grade_even_before_every_score_is_in() -> None:
    flags = {"other": {"reason": "x", "actor": "li", "on": "2026-12-03"}}
    assert outcome(GUILIN, {}, {}, flags)["grade"] == "不合格"


def test_without_every_score_there_is_no_total_and_the_explanation_says_what_is_missing() -> None:
    result = outcome(GUILIN, {"political": "18"}, {}, {})
    assert (result["total"], result["grade"]) == (None, None)
    assert result["explanation"].startswith("awaiting scores for: guidance, contact")


def test_a_score_above_the_indicators_maximum_is_refused() -> None:
    with pytest.raises(BadInput, match="political.*0-20"):
        normalise_score(GUILIN, "political", "21")


def test_an_unknown_indicator_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(BadInput, match="unknown indicator 'politics'.*political"):
        normalise_score(GUILIN, "politics", "10")


@pytest.mark.parametrize("value", ["abc", "1e3", "NaN", "-1", "12.345"])
def test_a_score_must_be_a_plain_number_in_range(value: str) -> None:
    with pytest.raises(BadInput):
        normalise_score(GUILIN, "political", value)


def test_scores_are_kept_as_decimal_text() -> None:
    assert normalise_score(GUILIN, "political", "17.50") == "17.5"


def test_suzhou_weights_give_fractional_totals() -> None:
    scores = {i["key"]: "87" for i in SUZHOU["indicators"]}
    scores[SUZHOU["indicators"][0]["key"]] = "93"  # weight 15: 0.9 points more
    result = outcome(SUZHOU, scores, {}, {})
    assert Decimal(result["total"]) == Decimal("87.9")


def test_suzhou_scores_are_out_of_100_whatever_the_weight() -> None:
    key = SUZHOU["indicators"][2]["key"]
    assert normalise_score(SUZHOU, key, "100") == "100"
    with pytest.raises(BadInput, match="0-100"):
        normalise_score(SUZHOU, key, "101")


def test_bonus_items_add_to_the_total() -> None:
    scores = {i["key"]: "80" for i in SUZHOU["indicators"]}
    bonus_key = SUZHOU["bonus_items"][0]["key"]
    result = outcome(SUZHOU, scores, {bonus_key: "2.5"}, {})
    assert result["total"] == "82.5"


def test_a_suzhou_total_is_never_above_the_policys_ceiling() -> None:
    """Suzhou 五、加分项目 on top of a full 100: the total stays at the ceiling (100), not 110."""
    scores = {i["key"]: "100" for i in SUZHOU["indicators"]}
    bonus = {b["key"]: "2" for b in SUZHOU["bonus_items"]}
    result = outcome(SUZHOU, scores, bonus, {})
    assert (result["total"], result["grade"]) == ("100", "优秀")


def test_suzhou_bonus_items_together_are_refused_above_the_cap() -> None:
    grading = Grading(**grading_parts(SUZHOU))
    keys = [b["key"] for b in SUZHOU["bonus_items"]]
    with pytest.raises(BadInput, match="add up to 12, above the policy's cap of 10") as refused:
        grading.check_bonus({keys[0]: "6", keys[1]: "6"})
    assert refused.value.exit_code == 2
    grading.check_bonus({keys[0]: "4", keys[1]: "6"})
    with pytest.raises(BadInput, match="0-10"):
        grading.normalise(keys[0], "30", bonus=True)


def test_bonus_is_capped_where_the_policy_caps_it() -> None:
    capped = dict(SUZHOU, bonus_cap=3)
    scores = {i["key"]: "80" for i in SUZHOU["indicators"]}
    bonus = {b["key"]: "2" for b in SUZHOU["bonus_items"][:3]}
    assert outcome(capped, scores, bonus, {})["total"] == "83"


def test_aksu_grades_each_dimension_and_gives_an_overall_grade() -> None:
    scores = {"morality": "优秀", "ability": "称职", "diligence": "优秀", "achievement": "称职",
              "overall": "称职"}
    result = outcome(AKSU, scores, {}, {})
    assert (result["total"], result["grade"]) == (None, "称职")
    assert "德 优秀" in result["explanation"]


def test_a_graded_dimension_must_be_one_of_the_policys_grades() -> None:
    with pytest.raises(BadInput, match="one of 不称职, 称职, 优秀"):
        normalise_score(AKSU, "morality", "良好")
