"""What a final appraisal result sets in motion under the policy: rules over consecutive results."""

from __future__ import annotations

from typing import Any

from .periods import SEMESTER, previous, year_of

Results = dict[str, dict[str, str]]


def due(section: dict[str, Any], results: Results, period: str,
        already: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consequences the result of `period` completes, each naming the cases that caused it."""
    out = []
    for rule in section.get("consequences", []):
        scope = _scope(rule, period)
        if any(c["key"] == rule["key"] and _scope(rule, c["period"]) == scope for c in already):
            continue
        causes = qualifying(rule, results, period)
        if causes:
            out.append({**rule, "period": period, "caused_by": causes})
    return out


def _by_year(rule: dict[str, Any], period: str) -> bool:
    return rule.get("unit") == "year" and bool(SEMESTER.match(period))


def _scope(rule: dict[str, Any], period: str) -> str:
    """A rule counted in years fires once a year, even where results come by semester."""
    return year_of(period) if _by_year(rule, period) else period


def qualifying(rule: dict[str, Any], results: Results, period: str) -> list[str]:
    """The cases whose results meet `rule` up to `period` ({grades, consecutive, unit}), or []."""
    grades, count = set(rule["grades"]), int(rule.get("consecutive", 1))
    if _by_year(rule, period):
        return _year_causes(grades, count, results, period)
    causes, at = [], period
    for _ in range(count):
        result = results.get(at)
        if not result or result["grade"] not in grades:
            return []
        causes.append(result["case"])
        at = previous(at)
    return list(reversed(causes))


def _year_causes(grades: set[str], count: int, results: Results, period: str) -> list[str]:
    """Semester results counted by school year: a year counts once both its terms have a result
    and each qualifies."""
    by_year: dict[str, list[dict[str, str]]] = {}
    for p, r in results.items():
        by_year.setdefault(year_of(p), []).append(r)
    causes: list[str] = []
    year = year_of(period)
    for _ in range(count):
        held = by_year.get(year, [])
        if len(held) < 2 or any(r["grade"] not in grades for r in held):
            return []
        causes = [r["case"] for r in held] + causes
        first = int(year[:4]) - 1
        year = f"{first}-{first + 1}"
    return causes
