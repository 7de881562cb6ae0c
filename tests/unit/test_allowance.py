"""A month's allowance lines: coefficients by head count, graduating and per-student rates,
part months, dated head-count changes, exclusions and funding split."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bzr_workflow.domain.allowance import Appointment, ClassState, allowance_of
from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.policies import builtin_text


def section(pid: str) -> dict[str, Any]:
    data: dict[str, Any] = parse_policy(builtin_text(pid) or "", pid).written["allowance"]
    return data


def month_lines(section: dict[str, Any], month: str, appointments: list[Appointment],
                histories: dict[str, list[ClassState]], kinds: dict[str, str],
                withheld: dict[str, str]) -> list[dict[str, Any]]:
    return allowance_of(section).month_lines(month, appointments, histories, kinds, withheld)


SUZHOU, AKSU = section("suzhou-gaobo-2023"), section("aksu-vtc-2020")
SERVING = Appointment("adv", "c1", "2026-01-01", None, "R-1")


def one(sec: dict[str, Any], history: list[ClassState], month: str = "2026-10",
        appt: Appointment = SERVING, kind: str = "", withheld: str = "") -> dict[str, Any]:
    [line] = month_lines(sec, month, [appt], {"c1": history}, {"adv": kind} if kind else {},
                         {"adv": withheld} if withheld else {})
    return line


def students(n: int, graduating: bool = False, level: str = "高职") -> list[ClassState]:
    return [ClassState("", n, graduating, level)]


@pytest.mark.parametrize("n, amount", [(0, "360"), (29, "360"), (30, "480"), (59, "480"),
                                       (60, "600"), (79, "600"), (80, "720"), (200, "720")])
def test_suzhou_coefficient_edges(n: int, amount: str) -> None:
    assert one(SUZHOU, students(n))["amount"] == Decimal(amount)


def test_the_rule_says_base_coefficient_and_head_count() -> None:
    line = one(SUZHOU, students(45))
    assert (line["rule"], line["rate"], line["coefficient"]) == ("600 × 0.8 (45 students)", "600", "0.8")


def test_a_graduating_class_gets_the_flat_rate() -> None:
    line = one(SUZHOU, students(90, graduating=True))
    assert (line["amount"], line["rule"]) == (Decimal("220"), "graduating class: 220 per month")


def test_suzhou_funding_is_split_half_and_half() -> None:
    payers = one(SUZHOU, students(45))["funding"]
    assert [(p["payer"], p["amount"]) for p in payers] == [
        ("学校", Decimal("240.00")), ("各二级学院继续教育专户", Decimal("240.00"))]


def test_suzhou_names_the_classs_school_for_its_half() -> None:
    """第十条 一: 50%的费用由各二级学院继续教育专户中支出 — the class's unit pays it."""
    [line] = allowance_of(SUZHOU).month_lines("2026-10", [SERVING], {"c1": students(45)}, {}, {},
                                             {"c1": ("cs", "计算机学院")})
    assert line["funding"][1] == {"payer": "计算机学院（各二级学院继续教育专户）",
                                  "amount": Decimal("240.00"), "unit": "cs"}


@pytest.mark.parametrize("level, rate", [("高职", 11), ("中职", 13)])
def test_aksu_pays_per_student_by_level(level: str, rate: int) -> None:
    assert one(AKSU, students(40, level=level))["amount"] == Decimal(rate * 40)


def test_aksu_full_time_advisors_are_excluded_with_a_reason() -> None:
    line = one(AKSU, students(40), kind="专职")
    assert (line["amount"], line["rule"]) == (Decimal(0), "excluded: 专职 advisors are paid otherwise")


def test_a_head_count_change_applies_from_the_month_it_is_in_force() -> None:
    history = [ClassState("", 45, False, ""), ClassState("2026-11-15", 62, False, ""),
               ClassState("2027-01-01", 85, False, "")]
    by_month = {m: one(SUZHOU, history, m)["amount"] for m in ("2026-11", "2026-12", "2027-01")}
    assert by_month == {"2026-11": Decimal(480), "2026-12": Decimal(600), "2027-01": Decimal(720)}
    assert one(SUZHOU, history, "2027-01")["students_since"] == "2027-01-01"


def test_a_part_month_is_prorated_by_days_served() -> None:
    late = Appointment("adv", "c1", "2026-10-11", None, "R-2")
    line = one(SUZHOU, students(45), appt=late)
    assert (line["amount"], line["days"]) == (Decimal("325.16"), 21)
    assert line["rule"].endswith("× 21/31 days served")


def test_an_appointment_that_ended_before_the_month_has_no_line() -> None:
    gone = Appointment("adv", "c1", "2026-01-01", "2026-09-30", "R-3")
    assert month_lines(SUZHOU, "2026-10", [gone], {"c1": students(45)}, {}, {}) == []


def test_an_appointment_starting_after_the_month_has_no_line() -> None:
    future = Appointment("adv", "c1", "2026-11-01", None, "R-4")
    assert month_lines(SUZHOU, "2026-10", [future], {"c1": students(45)}, {}, {}) == []


def test_a_withheld_allowance_is_zero_and_says_why() -> None:
    line = one(SUZHOU, students(45), withheld="不合格 in 2026 (A-3)")
    assert line["amount"] == Decimal(0) and line["rule"].startswith("withheld: 不合格 in 2026")


# 阿克苏 第三十条: "高职生班主任11元/每生每月；中职生班主任13元/每生每月" — the rate follows the level.
@pytest.mark.parametrize("level, refused", [("高职", False), ("中职", False), ("", True),
                                            ("本科", True)])
def test_a_per_student_rate_needs_a_level_it_has_a_rate_for(level: str, refused: bool) -> None:
    assert (allowance_of(AKSU).level_refusal(level) is not None) == refused


def test_a_tiered_allowance_takes_any_level() -> None:
    assert allowance_of(SUZHOU).level_refusal("") is None
