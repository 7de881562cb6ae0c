"""Appraisal arithmetic: checking scores, the total, the grade from the bands, and why (Decimal only)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import BadInput

Section = dict[str, Any]
OVERALL = "overall"
NUMBER = re.compile(r"^\d{1,4}(\.\d{1,2})?$")


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _items(section: Section, bonus: bool) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in section.get("bonus_items" if bonus else "indicators", [])}


def grade_labels(section: Section) -> list[str]:
    return [g["label"] for g in section["grades"]]


def normalise_score(section: Section, key: str, value: str, bonus: bool = False) -> str:
    """The score as stored (plain decimal text, or a grade label); refuse what the policy would not."""
    items = _items(section, bonus)
    if key not in items and not (key == OVERALL and section["scoring"] == "grades" and not bonus):
        kind = "bonus item" if bonus else "indicator"
        raise BadInput(f"unknown {kind} {key!r}; the policy has: {', '.join(items) or 'none'}")
    value = value.strip()
    if section["scoring"] == "grades" and not bonus:
        if value not in grade_labels(section):
            raise BadInput(f"{key}={value!r}: give one of {', '.join(grade_labels(section))}")
        return value
    top = _maximum(section, items[key], bonus)
    if not NUMBER.match(value) or not Decimal(0) <= Decimal(value) <= top:
        raise BadInput(f"{key}={value!r}: give a number in 0-{_plain(top)} (at most 2 decimals)")
    return _plain(Decimal(value))


def _maximum(section: Section, item: dict[str, Any], bonus: bool) -> Decimal:
    if "max" in item:
        return Decimal(str(item["max"]))
    if not bonus and section["scoring"] == "weights":
        return Decimal(100)
    return Decimal(str(section.get("bonus_cap", 100)))


def required(section: Section) -> list[str]:
    """Items a result needs: every indicator's score, or, for graded dimensions, the overall
    grade (a dimension may not apply to everyone: Hefei grades each year's duties)."""
    if section["scoring"] == "grades":
        return [OVERALL]
    return list(_items(section, False))


def outcome(section: Section, scores: dict[str, str], bonus: dict[str, str],
            flags: dict[str, dict[str, str]]) -> dict[str, Any]:
    """{total, grade, explanation, vetoed_items, missing} of an appraisal as it stands."""
    missing = [k for k in required(section) if k not in scores]
    total = None if missing or section["scoring"] == "grades" else _total(section, scores, bonus)
    vetoed = [k for k in (v["key"] for v in section.get("veto_items", [])) if k in flags]
    result = {"total": _plain(total) if total is not None else None, "vetoed_items": vetoed,
              "missing": missing}
    if vetoed:
        return result | {"grade": _unqualified(section),
                         "explanation": _veto_text(section, vetoed, flags)}
    if missing:
        return result | {"grade": None, "explanation": "awaiting scores for: " + ", ".join(missing)}
    if total is None:
        return result | {"grade": scores[OVERALL], "explanation": _graded_text(section, scores)}
    grade, why = band(section, total)
    return result | {"grade": grade, "explanation": f"{grade}: {why}"}


def _total(section: Section, scores: dict[str, str], bonus: dict[str, str]) -> Decimal:
    if section["scoring"] == "weights":
        base = sum((Decimal(scores[i["key"]]) * Decimal(str(i["weight"])) / 100
                    for i in section["indicators"]), Decimal(0))
    else:
        base = sum((Decimal(scores[i["key"]]) for i in section["indicators"]), Decimal(0))
    extra = sum((Decimal(v) for v in bonus.values()), Decimal(0))
    if "bonus_cap" in section:
        extra = min(extra, Decimal(str(section["bonus_cap"])))
    return (base + extra).quantize(Decimal("0.01"))


def band(section: Section, total: Decimal) -> tuple[str, str]:
    """The grade whose band holds `total`, and the band in words."""
    bands = sorted(section["grades"], key=lambda g: Decimal(str(g["min"])))
    shown = _plain(total)
    for low, high in zip(bands, [*bands[1:], None]):
        start = Decimal(str(low["min"]))
        if high is None:
            return low["label"], f"{shown} is {_plain(start)} or more"
        end = Decimal(str(high["min"]))
        if total < end and total == total.to_integral():
            return low["label"], f"{shown} is in {_plain(start)}-{_plain(end - 1)}"
        if total < end:
            return low["label"], f"{shown} is at least {_plain(start)} and below {_plain(end)}"
    raise AssertionError("bands are validated to start at 0")


def _unqualified(section: Section) -> str:
    failing = [str(g["label"]) for g in section["grades"] if g.get("unqualified")]
    return failing[0] if failing else str(section["grades"][0]["label"])


def _veto_text(section: Section, vetoed: list[str], flags: dict[str, dict[str, str]]) -> str:
    labels = {v["key"]: v["label"] for v in section.get("veto_items", [])}
    parts = [f"veto {labels[k]} flagged by {flags[k]['actor']} on {flags[k]['on']}" for k in vetoed]
    return f"{_unqualified(section)}: " + "; ".join(parts)


def _graded_text(section: Section, scores: dict[str, str]) -> str:
    dims = ", ".join(f"{i['label']} {scores[i['key']]}" for i in section["indicators"]
                     if i["key"] in scores)
    return f"{scores[OVERALL]}: graded overall" + (f" ({dims})" if dims else "")
