"""The policy's years of study: which advisor title and which duties a class's year calls for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import BadInput


@dataclass(frozen=True)
class YearOfStudy:
    """One year of study (Hefei 二、工作职责: 一年级班主任 … 四年级班导师): the role whose title the
    class's advisor bears, and the indicator group of that year's duties, judged at appraisal."""

    year: int
    role: str
    duties: str = ""


def years_of(items: Sequence[Mapping[str, Any]]) -> tuple[YearOfStudy, ...]:
    """The typed [[years_of_study]] of a validated policy file."""
    return tuple(YearOfStudy(y["year"], y["role"], y.get("duties", "")) for y in items)


def year_refusal(years: Sequence[YearOfStudy], year: int | None, policy_id: str) -> BadInput | None:
    """Why a class's year of study is not acceptable under these years (None: it is).
    A policy that declares years needs one of them; one that declares none takes any or none."""
    known = [y.year for y in years]
    if not known:
        return None
    if year is None or year == 0:
        return BadInput("--year-of-study is required under {policy}: the advisor's title and "
                        "duties follow the class's year of study (one of {known})",
                        policy=policy_id, known=", ".join(map(str, known)))
    if year not in known:
        return BadInput("--year-of-study {year} is not a year of study of {policy} (one of "
                        "{known})", year=year, policy=policy_id, known=", ".join(map(str, known)))
    return None


def year_entry(years: Sequence[YearOfStudy], year: int) -> YearOfStudy | None:
    return next((y for y in years if y.year == year), None)


def year_duties(entry: YearOfStudy, title: str,
                indicators: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What an appraisal of the advisor of a class in this year judges: their title, the year's
    duties and the indicators of that group (as the policy file writes them)."""
    judged = [{k: i[k] for k in ("key", "number", "label") if k in i}
              for i in indicators if entry.duties and i.get("group") == entry.duties]
    return {"year_of_study": entry.year, "title": title, "duties": entry.duties or None,
            "indicators_to_judge": judged}
