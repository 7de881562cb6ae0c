"""The numbers behind the figures people look at (web/charts.py draws them): a period's grades
per unit, each indicator's average against its maximum, the places a grade quota gives and
those taken; a month's allowance per unit. Plain rows, under the reading rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .documents import Asked, _results, names

if TYPE_CHECKING:
    from .reads import Reads


def result_figures(reads: Reads, period: str, unit: str | None = None,
                   reader: str | None = None) -> dict[str, Any]:
    """What the results page draws for `period` (only what `reader` may read; the quota's
    counts name no one and stay whole, as on the ranked results)."""
    rows = _results(reads, Asked(period=period, unit=unit, reader=reader))
    _, units, _ = names(reads)
    appraisal = reads.policy_view().get("appraisal") or {}
    grades = [g["label"] for g in appraisal.get("grades", [])]
    per_unit: dict[str, dict[str, int]] = {}
    for row in rows:
        code = row.get("unit") or ""
        counts = per_unit.setdefault(code, {})
        grade = row["grade"] or ""
        counts[grade] = counts.get(grade, 0) + 1
    distribution = [{"unit": code, "name": units.get(code, code) or "—", "counts": counts}
                    for code, counts in per_unit.items()]
    scale = appraisal.get("total") or 100
    indicators = []
    scored = [reads.store.case(r["case"]).scores for r in rows]
    for item in appraisal.get("indicators", []):
        found = [_float(s[item["key"]]) for s in scored if item["key"] in s]
        numbers = [n for n in found if n is not None]
        most = item.get("max") if item.get("max") is not None else scale
        indicators.append({"key": item["key"], "label": item["label"], "max": float(most),
                           "weight": item.get("weight"), "count": len(numbers),
                           "average": round(sum(numbers) / len(numbers), 1) if numbers else None})
    places = reads.grade_places(period, unit)
    quota = None if places is None else {
        "grade": places["grade"], "places": places["places"], "taken": len(places["taken"]),
        "roster": places["roster"], "share": places["share"], "rounding": places["rounding"]}
    return {"period": period, "grades": grades, "ungraded": "", "distribution": distribution,
            "indicators": indicators, "quota": quota, "count": len(rows)}


def allowance_figures(reads: Reads, months: list[str],
                      reader: str | None = None) -> dict[str, Any]:
    """Each month's allowance total per unit (the units `reader` may read), for the allowance
    page's figure."""
    totals: dict[str, dict[str, float]] = {}
    for month in months:
        doc = reads.document("allowance-sheet", month=month, reader=reader)
        for section in doc["sections"]:
            money = next(v for k, v in section["totals"] if k == "金额合计")
            totals.setdefault(section["heading"], {})[month] = money
    return {"months": months, "units": [{"name": unit, "totals": by_month}
                                        for unit, by_month in totals.items()]}


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
