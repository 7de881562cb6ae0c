"""Where and when an appraisal is scored: which step enters which items, and what a step needs first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .award_rules import share_of
from .errors import BadInput, Phrase, StepNotAllowed
from .grading import OVERALL, Grade, Grading, dec, grading_parts
from .policy import Policy, Workflow

Section = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class GradeQuota:
    """[appraisal.grade_quota]: at most `share` of the period's roster may be rated `grade`
    (Suzhou 第十条 二、2: 优秀班主任的比例为15%). The roster is every advisor whose appraisal was
    opened for the period (and not withdrawn), in the whole institution or, with
    scope = "unit", in the case's unit. A place is taken when `step` is signed on a result of
    that grade, and given back when the result is returned, vetoed or re-graded."""

    grade: str
    share: Decimal
    rounding: str = "floor"
    scope: str = "institution"
    step: str

    def places(self, roster: int) -> int:
        """How many of `roster` appraised advisors may hold the grade."""
        return share_of(self.share, roster, self.rounding)

    def scope_of(self, unit: str) -> str:
        """The quota's scope for a case in `unit`: that unit, or "*" for the institution."""
        return (unit or "*") if self.scope == "unit" else "*"


def grade_below(grades: tuple[Grade, ...], grade: str) -> str:
    """The grade a result of `grade` beyond its places is published as: the next grade down
    by minimum (Suzhou: 优秀 → 合格), or by the policy's order where grades have no minimum."""
    labels = [g.label for g in grades]
    given = next(g for g in grades if g.label == grade)
    if given.min is not None:
        lower = [g for g in grades if g.min is not None and g.min < given.min]
        if lower:
            return max(lower, key=lambda g: g.min or 0).label
    at = labels.index(grade)
    return labels[at - 1] if at else grade


@dataclass(frozen=True)
class Standing:
    """A result of the capped grade as the quota's step ranks it: its case, total and whether it
    has been decided (holds a place) or not yet (awaits the step)."""

    case: str
    total: Decimal


def place_decision(case: str, total: Decimal, given: list[Standing],
                   undecided: list[Standing], places: int) -> tuple[bool, int, list[str]]:
    """Places by rank (Suzhou 第十条 二、2, 优秀班主任的比例为15%): the result `case` of `total`
    takes a place only if the places already given, with the undecided results at the step
    that rank strictly above it, leave one. Whether it takes one, its rank (1 + those counted
    above it), and the undecided cases of equal total it was decided before (the office's
    order breaks the tie: the one signed first is decided first)."""
    above = [s for s in undecided if s.total > total and s.case != case]
    tied = [s.case for s in undecided if s.total == total and s.case != case]
    rank = 1 + len(given) + len(above)
    return rank <= places, rank, tied


@dataclass(frozen=True, kw_only=True)
class AppraisalRules(Grading):
    """The policy's [appraisal]: its grading, where it is scored, and what publication does.

    `label`, `period`, `total` (checked when the file is read) and `note` are documentary.
    """

    score_step: str
    """The step that scores the indicators (and bonus items) unless an indicator names another."""
    self_summary: bool = False
    """The advisor submits a self-summary before the score step is signed (Suzhou)."""
    announcement_days: int = 0
    """Days a published result stays under public announcement (公示) before it is final."""
    grade_quota: GradeQuota | None = None
    """A cap on how many may be rated a grade in a period (Suzhou's 15 % of 优秀)."""

    def items_at(self, step: str) -> list[str]:
        """The indicators scored at `step` (and the overall grade, for graded appraisals)."""
        keys = [i.key for i in self.indicators if (i.step or self.score_step) == step]
        if self.scoring == "grades" and step == self.score_step:
            keys.append(OVERALL)
        evaluation = self.student_evaluation
        if evaluation is not None and (evaluation.step or self.score_step) == step:
            keys.append(evaluation.key)
        return keys

    def check_scorable(self, wf: Workflow, step: str, keys: list[str], bonus: bool,
                       ref: str) -> None:
        """Scores are entered at their step; bonus items at the main scoring step."""
        allowed = self.items_at(step)
        wrong = [k for k in keys if k not in allowed]
        if wrong:
            here = ", ".join(allowed) or "nothing"
            raise StepNotAllowed("{ref} is at {label}, where {here} is scored; {wrong} is not "
                                 "scored here", ref=ref, label=wf.step(step).label, here=here,
                                 wrong=', '.join(wrong))
        if bonus and step != self.score_step:
            raise StepNotAllowed("bonus items are scored at {label}",
                                 label=wf.step(self.score_step).label)

    def ready_to_sign(self, wf: Workflow, step: str, scores: dict[str, str], summary: str,
                      vetoed: bool, ref: str) -> None:
        """A scoring step is signed only once its items are scored (a veto makes scores moot)."""
        if self.self_summary and step == self.score_step and not summary:
            raise StepNotAllowed("{ref} has no self-summary yet: the advisor submits it first "
                                 "(appraisal submit)", ref=ref)
        needed = set(self.required())
        missing = [k for k in self.items_at(step) if k in needed and k not in scores]
        if missing and not vetoed:
            raise StepNotAllowed("{ref}: score {missing} before signing {label} (appraisal "
                                 "score {ref} --item KEY=VALUE)", ref=ref,
                                 missing=', '.join(missing), label=wf.step(step).label)

    def check_veto_item(self, item: str) -> None:
        keys = self.veto_keys()
        if item not in keys:
            raise BadInput("unknown veto item {item!r}; the policy has: {keys}", item=item,
                           keys=', '.join(keys) or Phrase("none"))


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A period's results by total, highest first, each with its rank (equal totals share one:
    1, 1, 3); results not yet scored or vetoed come last with rank None. Ties keep their order."""
    scored = sorted((r for r in rows if r.get("total") is not None and not r.get("vetoed_items")),
                    key=lambda r: -Decimal(str(r["total"])))
    seen = {id(r) for r in scored}
    out, rank, last = [], 0, None
    for n, row in enumerate(scored, 1):
        if row["total"] != last:
            rank, last = n, row["total"]
        out.append(row | {"rank": rank})
    return out + [r | {"rank": None} for r in rows if id(r) not in seen]


def grade_quota_of(table: Mapping[str, Any] | None) -> GradeQuota | None:
    """The typed rules of a validated [appraisal.grade_quota] table, if the policy has one."""
    if not table:
        return None
    return GradeQuota(grade=table["grade"], share=dec(table["share"]),
                      rounding=table.get("rounding", "floor"),
                      scope=table.get("scope", "institution"), step=table["step"])


def appraisal_of(table: Mapping[str, Any], first_step: str) -> AppraisalRules:
    """The typed rules of a validated [appraisal] table; `first_step` is the appraisal
    workflow's first step, where scoring happens unless `score_step` says otherwise."""
    return AppraisalRules(
        **grading_parts(table), score_step=table.get("score_step") or first_step,
        self_summary=table.get("self_summary", False),
        announcement_days=int(table.get("announcement_days", 0)),
        grade_quota=grade_quota_of(table.get("grade_quota")))


def rules_of(policy: Policy) -> AppraisalRules:
    """The policy's appraisal rules; refuse a policy without an [appraisal] section."""
    if policy.appraisal is None:
        raise BadInput("policy {id} carries no appraisal scoring ([appraisal] section)",
                       id=policy.id)
    return policy.appraisal
