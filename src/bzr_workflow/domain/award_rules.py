"""Who may receive an award: the grade it needs in the period, or a run of results, and its places."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .consequences import qualifying
from .errors import RuleRefused

Results = dict[str, dict[str, str]]


class NotEligible(RuleRefused):
    """The advisor's results do not meet the award's rule."""


def rule_of(award: dict[str, Any], distinction: str) -> dict[str, Any]:
    """The eligibility rule: the award's own, or one of its distinctions (Aksu's 十佳)."""
    if not distinction:
        return {"key": "", "label": award.get("label", "award"),
                "grades": award.get("eligible_grades", []), "consecutive": 1}
    for d in award.get("distinctions", []):
        if d["key"] == distinction:
            return {**d, "grades": d["eligible_grades"]}
    keys = ", ".join(d["key"] for d in award.get("distinctions", [])) or "none"
    raise RuleRefused(f"unknown distinction {distinction!r}; the policy has: {keys}")


def check_eligible(rule: dict[str, Any], results: Results, period: str, who: str) -> list[str]:
    """The results that make `who` eligible; a refusal names the rule and the result that failed."""
    if not rule["grades"]:
        return []
    causes = qualifying(rule, results, period)
    if causes:
        return causes
    need = " or ".join(rule["grades"])
    run = int(rule.get("consecutive", 1))
    span = f" in {run} consecutive {rule.get('unit', 'period')}s up to {period}" if run > 1 \
        else f" in {period}"
    held = results.get(period)
    got = f"{held['grade']} ({held['case']})" if held else "no final appraisal result"
    raise NotEligible(f"{who} is not eligible for {rule['label']}: it needs {need}{span};"
                      f" {period}: {got}")


def places(award: dict[str, Any], rule: dict[str, Any], appraised: int) -> int | None:
    """How many may receive it, or None where the policy sets no limit."""
    if rule.get("key"):
        return int(rule["places"]) if rule.get("places") else None
    if "quota_places" in award:
        return int(award["quota_places"])
    if "quota_share" not in award:
        return None
    exact = Decimal(str(award["quota_share"])) * appraised
    mode = award.get("rounding", "floor")
    if mode == "ceil":
        return math.ceil(exact)
    if mode == "round":
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return math.floor(exact)
