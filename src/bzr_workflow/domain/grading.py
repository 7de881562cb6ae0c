"""Appraisal arithmetic: checking scores, the total, the grade from the bands, and why (Decimal only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import BadInput, Phrase

Section = dict[str, Any]
OVERALL = "overall"
NUMBER = re.compile(r"^\d{1,4}(\.\d{1,2})?$", re.ASCII)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def dec(value: int | float | str) -> Decimal:
    """A TOML number as the Decimal it reads as (0.15, not the float's binary expansion)."""
    return Decimal(str(value))


@dataclass(frozen=True, kw_only=True)
class Item:
    """An indicator or bonus item. `group`, `number` and `description` are documentary."""

    key: str
    label: str
    max: Decimal | None = None
    weight: Decimal | None = None
    step: str = ""
    """The appraisal step that scores it ("" = the score step)."""


STUDENT_EVALUATION = "student_evaluation"
"""The key the students' evaluation is entered under (appraisal score --item student_evaluation=N)."""


@dataclass(frozen=True)
class Grade:
    label: str
    min: Decimal | None = None
    unqualified: bool = False


@dataclass(frozen=True)
class VetoItem:
    key: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Grading:
    """How an appraisal is scored and graded: points, weights, or grades given directly."""

    scoring: str
    indicators: tuple[Item, ...]
    grades: tuple[Grade, ...]
    bonus_items: tuple[Item, ...] = ()
    veto_items: tuple[VetoItem, ...] = ()
    bonus_cap: Decimal | None = None
    """The most the bonus items may add together (each item's own max defaults to it)."""
    ceiling: Decimal | None = None
    """The most a total may be, bonus included (Suzhou: 100); None = no ceiling."""
    student_evaluation: Item | None = None
    """The students' evaluation (Guilin 第十四条 尊重学生评价): a score entered with the others,
    out of its own max, shown beside them, never added to the total."""

    def grade_labels(self) -> list[str]:
        return [g.label for g in self.grades]

    def _items(self, bonus: bool) -> dict[str, Item]:
        items = {i.key: i for i in (self.bonus_items if bonus else self.indicators)}
        if self.student_evaluation is not None and not bonus:
            items[STUDENT_EVALUATION] = self.student_evaluation
        return items

    def normalise(self, key: str, value: str, bonus: bool = False) -> str:
        """The score as stored (plain decimal text, or a grade label); refuse what the policy
        would not."""
        items = self._items(bonus)
        if key not in items and not (key == OVERALL and self.scoring == "grades" and not bonus):
            kind = Phrase("bonus item") if bonus else Phrase("indicator")
            raise BadInput("unknown {kind} {key!r}; the policy has: {items}", kind=kind, key=key,
                           items=', '.join(items) or Phrase("none"))
        value = value.strip()
        if self.scoring == "grades" and not bonus and key != STUDENT_EVALUATION:
            if value not in self.grade_labels():
                raise BadInput("{key}={value!r}: give one of {grades}", key=key, value=value,
                               grades=', '.join(self.grade_labels()))
            return value
        top = self._maximum(items[key], bonus)
        if not NUMBER.match(value) or not Decimal(0) <= Decimal(value) <= top:
            raise BadInput("{key}={value!r}: give a number in 0-{top} (at most 2 decimals)",
                           key=key, value=value, top=_plain(top))
        return _plain(Decimal(value))

    def _maximum(self, item: Item, bonus: bool) -> Decimal:
        if item.max is not None:
            return item.max
        if not bonus and self.scoring == "weights":
            return Decimal(100)
        return self.bonus_cap if self.bonus_cap is not None else Decimal(100)

    def required(self) -> list[str]:
        """Items a result needs: every indicator's score, or, for graded dimensions, the overall
        grade (a dimension may not apply to everyone: Hefei grades each year's duties)."""
        if self.scoring == "grades":
            return [OVERALL]
        return [i.key for i in self.indicators]

    def veto_keys(self) -> list[str]:
        return [v.key for v in self.veto_items]

    def outcome(self, scores: dict[str, str], bonus: dict[str, str],
                flags: dict[str, dict[str, str]]) -> dict[str, Any]:
        """{total, grade, explanation, vetoed_items, missing} of an appraisal as it stands."""
        missing = [k for k in self.required() if k not in scores]
        total = None if missing or self.scoring == "grades" else self._total(scores, bonus)
        vetoed = [k for k in self.veto_keys() if k in flags]
        result = {"total": _plain(total) if total is not None else None, "vetoed_items": vetoed,
                  "missing": missing}
        if vetoed:
            return result | {"grade": self.unqualified(),
                             "explanation": self._veto_text(vetoed, flags)}
        if missing:
            return result | {"grade": None,
                             "explanation": "awaiting scores for: " + ", ".join(missing)}
        if total is None:
            return result | {"grade": scores[OVERALL], "explanation": self._graded_text(scores)}
        grade, why = self.band(total)
        return result | {"grade": grade, "explanation": f"{grade}: {why}"}

    def _total(self, scores: dict[str, str], bonus: dict[str, str]) -> Decimal:
        if self.scoring == "weights":
            base = sum((Decimal(scores[i.key]) * (i.weight or Decimal(0)) / 100
                        for i in self.indicators), Decimal(0))
        else:
            base = sum((Decimal(scores[i.key]) for i in self.indicators), Decimal(0))
        extra = sum((Decimal(v) for v in bonus.values()), Decimal(0))
        if self.bonus_cap is not None:
            extra = min(extra, self.bonus_cap)
        total = base + extra
        if self.ceiling is not None:
            total = min(total, self.ceiling)
        return total.quantize(Decimal("0.01"))

    def check_bonus(self, bonus: dict[str, str]) -> None:
        """The bonus items together stay within the policy's cap (refused, never cut silently)."""
        if self.bonus_cap is None:
            return
        given = sum((Decimal(v) for v in bonus.values()), Decimal(0))
        if given > self.bonus_cap:
            raise BadInput("the bonus items add up to {given}, above the policy's cap of {cap}",
                           given=_plain(given), cap=_plain(self.bonus_cap))

    def band(self, total: Decimal) -> tuple[str, str]:
        """The grade whose band holds `total`, and the band in words."""
        bands = sorted(((g.min or Decimal(0), g.label) for g in self.grades), key=lambda b: b[0])
        shown = _plain(total)
        for (start, label), high in zip(bands, [*bands[1:], None]):
            if high is None:
                return label, f"{shown} is {_plain(start)} or more"
            end = high[0]
            if total < end and total == total.to_integral():
                return label, f"{shown} is in {_plain(start)}-{_plain(end - 1)}"
            if total < end:
                return label, f"{shown} is at least {_plain(start)} and below {_plain(end)}"
        raise AssertionError("bands are validated to start at 0")

    def unqualified(self) -> str:
        """The grade a veto gives: the one marked unqualified, else the first."""
        failing = [g.label for g in self.grades if g.unqualified]
        return failing[0] if failing else self.grades[0].label

    def _veto_text(self, vetoed: list[str], flags: dict[str, dict[str, str]]) -> str:
        labels = {v.key: v.label for v in self.veto_items}
        parts = [f"veto {labels[k]} flagged by {flags[k]['actor']} on {flags[k]['on']}"
                 for k in vetoed]
        return f"{self.unqualified()}: " + "; ".join(parts)

    def _graded_text(self, scores: dict[str, str]) -> str:
        dims = ", ".join(f"{i.label} {scores[i.key]}" for i in self.indicators if i.key in scores)
        return f"{scores[OVERALL]}: graded overall" + (f" ({dims})" if dims else "")


def item_of(table: Mapping[str, Any]) -> Item:
    return Item(key=table["key"], label=table["label"],
                max=dec(table["max"]) if "max" in table else None,
                weight=dec(table["weight"]) if "weight" in table else None,
                step=table.get("step", ""))


def grading_parts(table: Mapping[str, Any]) -> dict[str, Any]:
    """The Grading fields of a validated [appraisal] table (AppraisalRules adds its own)."""
    return dict(
        scoring=table["scoring"], indicators=tuple(item_of(i) for i in table["indicators"]),
        grades=tuple(Grade(g["label"], dec(g["min"]) if "min" in g else None,
                           g.get("unqualified", False)) for g in table["grades"]),
        bonus_items=tuple(item_of(i) for i in table.get("bonus_items", [])),
        veto_items=tuple(VetoItem(v["key"], v["label"]) for v in table.get("veto_items", [])),
        bonus_cap=dec(table["bonus_cap"]) if "bonus_cap" in table else None,
        ceiling=dec(table["ceiling"]) if "ceiling" in table else None,
        student_evaluation=Item(key=STUDENT_EVALUATION, label=se["label"], max=dec(se["max"]),
                                step=se.get("step", "")) if (se := table.get("student_evaluation"))
        else None)
