"""What a final appraisal result sets in motion under the policy: rules over consecutive results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .periods import SCHOOL_YEAR, SEMESTER, previous, semesters_of, year_of

NO_RESULT = "no final appraisal result"

Results = dict[str, dict[str, str]]


@dataclass(frozen=True, kw_only=True)
class GradeRun:
    """A run of final results: one of `grades` in `consecutive` periods (or school years)."""

    grades: tuple[str, ...]
    consecutive: int = 1
    unit: str = ""
    """"year" counts semester results by school year; "semester" or "" counts periods."""
    results_by: str = ""
    """"semester" where the appraisal gives a result each semester, so that a rule counted in
    years reads a school year's two semesters (Aksu's 十佳 nominated for 2026-2027)."""

    def qualifying(self, results: Results, period: str) -> list[str]:
        """The cases whose results complete the run up to `period`, or []."""
        grades, count = set(self.grades), self.consecutive
        if self.by_year(period):
            return _year_causes(grades, count, results, period)
        causes, at = [], period
        for _ in range(count):
            result = results.get(at)
            if not result or result["grade"] not in grades:
                return []
            causes.append(result["case"])
            at = previous(at)
        return list(reversed(causes))

    def by_year(self, period: str) -> bool:
        """Whether semester results are counted by school year: the rule counts years and the
        period is a semester, or a school year whose results come by semester (Aksu's 十佳)."""
        if self.unit != "year":
            return False
        return bool(SEMESTER.match(period)) or \
            (self.results_by == "semester" and bool(SCHOOL_YEAR.match(period)))

    def scope(self, period: str) -> str:
        """A rule counted in years fires once a year, even where results come by semester."""
        return year_of(period) if self.by_year(period) else period

    def year_shortfall(self, results: Results, period: str) -> tuple[str, str]:
        """Counted by school year: the first semester, latest year first, that is missing or
        short, and what it holds ("no final appraisal result", or its grade and case)."""
        year = year_of(period)
        for _ in range(self.consecutive):
            for term in semesters_of(year):
                held = results.get(term)
                if not held:
                    return term, NO_RESULT
                if held["grade"] not in self.grades:
                    return term, f"{held['grade']} ({held['case']})"
            year = previous(year)
        return year_of(period), NO_RESULT


@dataclass(frozen=True, kw_only=True)
class Consequence(GradeRun):
    """One rule of appraisal.consequences: the run that completes it and what it then does."""

    key: str
    label: str
    then: str
    """open_case (a case of `kind`), record, or eligible."""
    kind: str = ""


@dataclass(frozen=True)
class Due:
    """A consequence a result completed: the rule, the period, and the cases that caused it."""

    rule: Consequence
    period: str
    caused_by: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Consequences:
    """The policy's consequence rules (appraisal.consequences), in the file's order."""

    rules: tuple[Consequence, ...] = ()

    def due(self, results: Results, period: str,
            already: Sequence[Mapping[str, Any]]) -> list[Due]:
        """Consequences the result of `period` completes that have not fired in its scope."""
        out = []
        for rule in self.rules:
            scope = rule.scope(period)
            if any(c["key"] == rule.key and rule.scope(c["period"]) == scope for c in already):
                continue
            causes = rule.qualifying(results, period)
            if causes:
                out.append(Due(rule, period, causes))
        return out


def consequence_of(table: Mapping[str, Any]) -> Consequence:
    return Consequence(key=table["key"], label=table["label"], grades=tuple(table["grades"]),
                       consecutive=int(table.get("consecutive", 1)), unit=table.get("unit", ""),
                       then=table["then"], kind=table.get("kind", ""))


def consequences_of(appraisal: Mapping[str, Any] | None) -> Consequences:
    return Consequences(tuple(consequence_of(c) for c in (appraisal or {}).get("consequences", [])))


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
