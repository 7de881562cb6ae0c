"""Deciding a period's results at a grade quota's step at once, best first (`appraisal decide --period`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..domain.errors import BadInput, WorkflowError
from ..domain.periods import parse
from ..domain.pipeline import OPEN
from .appraisal_effects import appraisal_roster, grade_quota_of
from .cases import Cases
from .ports import Store
from .service import Service


class Ranking(Service):
    """The office's 审定 of a whole period (Suzhou 第十条 二、2): every result waiting at the
    grade quota's step signed in rank order, so places go by rank whatever order the results
    arrived in."""

    def __init__(self, store: Store, cases: Cases) -> None:
        super().__init__(store)
        self.cases = cases

    def decide(self, period: str, actor: str | None, comment: str = "") -> dict[str, Any]:
        """Sign each result of `period` waiting at the quota's step, highest total first (equal
        totals in the order the cases were opened), each as if alone: what was signed stays
        signed, a refusal is listed with its exit code. Returns {signed, refused, results}."""
        policy = self.store.policy()
        rule = grade_quota_of(policy)
        if rule is None:
            raise BadInput("policy {id} caps no grade ([appraisal.grade_quota]): sign each "
                           "result with `approve`", id=policy.id)
        self.store.actor(actor)
        key = parse(period).key
        waiting = []
        for n, ref in enumerate(appraisal_roster(self.store, key).cases.values()):
            case = self.store.case(ref)
            if case.state == OPEN and case.step == rule.step:
                total = case.scored_outcome(self.store.case_policy(case))["total"]
                waiting.append((-Decimal(str(total or 0)), n, ref))
        signed, refused, results = [], [], []
        for _, _, ref in sorted(waiting):
            try:
                shown = self.cases.approve(ref, actor, comment, rule.step)
            except WorkflowError as exc:
                refused.append({"case": ref, "code": exc.exit_code, "error": str(exc)})
                continue
            signed.append(ref)
            results.append({"case": ref, "advisor": shown.get("subject"),
                            "total": shown.get("total"), "grade": shown.get("grade")})
        return {"period": key, "step": rule.step, "signed": signed, "refused": refused,
                "results": results}
