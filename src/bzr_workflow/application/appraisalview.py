"""What the appraisal pages show beside the case: the scoring form of the step at hand (each indicator's number, the seed's text, its maximum or weight, the running total and the grade it would give), and a period's 公示 (public list; objectors for the office alone)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.access import role_refusal
from ..domain.appraisal_rules import AppraisalRules
from ..domain.case import Case
from ..domain.errors import BadInput, NotFound
from ..domain.grading import NUMBER, OVERALL, STUDENT_EVALUATION, Item
from ..domain.periods import parse_period
from ..domain.policy import Policy
from ..domain.signing import signing_refusal
from .appraisal_effects import KIND
from .readers import refuse_unreadable
from .service import Service


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


class AppraisalViews(Service):
    """The scoring form and the 公示, from the case aggregates (the views keep neither the
    policy's texts nor the objections)."""

    # -- the scoring form ---------------------------------------------------------------

    def scoring_form(self, ref: str, reader: str,
                     entered: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """The form the reader fills at the case's step now, or None (not an appraisal, not
        open, or not theirs to score). `entered` (a preview: KEY or bonus.KEY -> text) stands
        in for the recorded scores in the running total; nothing is written."""
        me, case = self.store.actor(reader), self.store.case(ref)
        refuse_unreadable(self.store, case, me.login, me.grants)
        if case.kind != KIND or case.state != "open":
            return None
        policy, wf, _ = self.store.case_rules(case)
        rules = policy.appraisal
        if rules is None or signing_refusal(case.sheet(), me.login, me.grants, policy, wf):
            return None
        keys = rules.items_at(case.step)
        written = _written(policy)
        scores, bonus = dict(case.scores), dict(case.bonus)
        values = {k: scores.get(k, "") for k in keys}
        bonus_on = case.step == rules.score_step and bool(rules.bonus_items)
        bonus_values = {i.key: bonus.get(i.key, "") for i in rules.bonus_items} if bonus_on else {}
        if entered is not None:
            values |= {k: entered.get(k, "").strip() for k in keys}
            bonus_values |= {k: entered.get(f"bonus.{k}", "").strip() for k in bonus_values}
        items = [self._item(rules, written, k, values[k]) for k in keys]
        extra = [_row(i, written.get(("bonus", i.key), {}), bonus_values[i.key],
                      i.max if i.max is not None else rules.bonus_cap, "bonus")
                 for i in rules.bonus_items if i.key in bonus_values]
        trial = scores | {k: v for k, v in values.items() if _valid(rules, k, v)}
        trial_bonus = bonus | {k: v for k, v in bonus_values.items() if _valid(rules, k, v, True)}
        return {"step": case.step, "step_label": wf.step(case.step).label,
                "scoring": rules.scoring, "items": items, "bonus": extra,
                "bonus_cap": _plain(rules.bonus_cap) if rules.bonus_cap is not None else None,
                "veto_items": [{"key": v.key, "label": v.label,
                                "flagged": case.flags.get(v.key)} for v in rules.veto_items],
                "grades": [{"label": g.label, "min": _plain(g.min) if g.min is not None else None}
                           for g in rules.grades],
                "preview": entered is not None,
                "result": _would_give(rules, trial, trial_bonus, dict(case.flags))}

    def _item(self, rules: AppraisalRules, written: dict[tuple[str, str], dict[str, Any]],
              key: str, value: str) -> dict[str, Any]:
        if key == OVERALL:
            return {"key": OVERALL, "number": "", "group": "", "label": "", "max": None,
                    "weight": None, "value": value, "choices": rules.grade_labels()}
        known = {i.key: i for i in rules.indicators}
        if rules.student_evaluation is not None:  # Guilin 第十四条 尊重学生评价: out of its own max
            known[STUDENT_EVALUATION] = rules.student_evaluation
        item = known[key]
        top = item.max if key == STUDENT_EVALUATION or rules.scoring != "weights" else None
        return _row(item, written.get(("item", key), {}), value, top, rules.scoring) | {
            "choices": rules.grade_labels() if rules.scoring == "grades" else None}

    # -- the 公示 -------------------------------------------------------------------------

    def announcements(self, period: str, reader: str) -> dict[str, Any]:
        """The period's published results under announcement (公示), shown to every signed-in
        person; those who resolve its objections (the role of the final step) also see the
        objections, who lodged them, and the results whose announcement has ended and await
        finalisation."""
        me, policy = self.store.actor(reader), self.store.policy()
        if policy.appraisal is None or KIND not in policy.workflows:
            raise BadInput("policy {id} carries no appraisal scoring ([appraisal] section)",
                           id=policy.id)
        canonical = parse_period(period, policy.period)
        today = self.store.today(policy)
        rows, office = [], False
        for ref in self._published_refs(canonical):
            case = self.store.case(ref)
            if not case.announcement or case.final:
                continue
            case_policy, wf, _ = self.store.case_rules(case)
            resolves = role_refusal(me.grants, wf.final_step, case.unit_path, me.login,
                                    case_policy, case.ref) is None
            running = today <= str(case.announcement["until"])
            if not running and not resolves:
                continue
            office = office or resolves
            rows.append(self._announced(case, case_policy, running, resolves, me.login))
        return {"period": canonical, "today": today, "office": office, "results": rows,
                "objector_names": self._names({o["actor"] for r in rows
                                               for o in r.get("objections", [])})}

    def _published_refs(self, period: str) -> list[str]:
        from .appraisal_effects import appraisal_roster

        refs = appraisal_roster(self.store, period).cases.values()
        return sorted(refs, key=lambda r: int(r.rsplit("-", 1)[1]))

    def _announced(self, case: Case, policy: Policy, running: bool, resolves: bool,
                   login: str) -> dict[str, Any]:
        result = case.outcome(policy)
        subject = self.store.user(case.subject)
        unit = case.unit_path[-1] if case.unit_path else ""
        row: dict[str, Any] = {
            "case": case.ref, "advisor": subject.login, "name": subject.name,
            "class": case.class_code, "class_name": self._class_name(case.class_code),
            "unit": unit, "unit_name": self.store.unit(unit).name if unit else "",
            "total": result["total"], "grade": result["grade"],
            "until": case.announcement["until"], "running": running,
            "objected": any(o["actor"] == login for o in case.announcement["objections"])}
        if resolves:
            objections = case.announcement["objections"]
            row |= {"objections": [dict(o) for o in objections],
                    "finalisable": not running and not any(not o["outcome"]
                                                           for o in objections)}
        return row

    def _class_name(self, code: str) -> str:
        if not code:
            return ""
        try:
            return str(self.store.school_class(code).name)
        except NotFound:
            return code

    def _names(self, logins: set[str]) -> dict[str, str]:
        out = {}
        for login in logins:
            try:
                out[login] = self.store.user(login).name
            except NotFound:
                out[login] = login
        return out


def _written(policy: Policy) -> dict[tuple[str, str], dict[str, Any]]:
    """The seed's own rows of [appraisal] (number, group, description, documentary)."""
    table = policy.written.get("appraisal", {})
    return {**{("item", i["key"]): i for i in table.get("indicators", [])},
            **{("bonus", i["key"]): i for i in table.get("bonus_items", [])}}


def _row(item: Item, written: Mapping[str, Any], value: str, top: Decimal | None,
         scoring: str) -> dict[str, Any]:
    return {"key": item.key, "number": str(written.get("number", "")),
            "group": str(written.get("group", "")), "label": item.label,
            "description": str(written.get("description", "")),
            "max": _plain(top) if top is not None else (
                "100" if scoring in ("weights", "bonus") else None),
            "weight": _plain(item.weight) if item.weight is not None else None,
            "value": value}


def _valid(rules: AppraisalRules, key: str, value: str, bonus: bool = False) -> bool:
    if not value:
        return False
    try:
        rules.normalise(key, value, bonus)
    except BadInput:
        return False
    return True


def _would_give(rules: AppraisalRules, scores: dict[str, str], bonus: dict[str, str],
                flags: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The running total of what is entered, and the grade it gives: the result itself once
    every item is in; otherwise the band the partial total falls in (marked partial)."""
    outcome = rules.outcome(scores, bonus, flags)
    labels = {i.key: i.label for i in rules.indicators}
    missing = [{"key": k, "label": labels.get(k, k)} for k in outcome["missing"]]
    vetoed = [v.label for v in rules.veto_items if v.key in outcome["vetoed_items"]]
    if rules.scoring == "grades":
        return {"total": None, "grade": outcome["grade"], "partial": bool(missing),
                "missing": missing, "vetoed": vetoed, "band": None}
    total = _partial_total(rules, scores, bonus)
    grade, band = rules.band(total) if not vetoed else (outcome["grade"], None)
    bands = sorted(((g.min or Decimal(0), g.label) for g in rules.grades), key=lambda b: b[0])
    span = None
    if band is not None:
        for (start, label), higher in zip(bands, [*bands[1:], None]):
            if label == grade:
                span = {"from": _plain(start),
                        "below": _plain(higher[0]) if higher is not None else None}
    return {"total": _plain(total), "grade": grade, "partial": bool(missing),
            "missing": missing, "vetoed": vetoed, "band": span}


def _partial_total(rules: AppraisalRules, scores: dict[str, str],
                   bonus: dict[str, str]) -> Decimal:
    def number(text: str) -> Decimal:
        try:
            return Decimal(text) if NUMBER.match(text) else Decimal(0)
        except InvalidOperation:
            return Decimal(0)
    if rules.scoring == "weights":
        base = sum((number(scores[i.key]) * (i.weight or Decimal(0)) / 100
                    for i in rules.indicators if i.key in scores), Decimal(0))
    else:
        base = sum((number(scores[i.key]) for i in rules.indicators if i.key in scores),
                   Decimal(0))
    extra = sum((number(v) for v in bonus.values()), Decimal(0))
    if rules.bonus_cap is not None:
        extra = min(extra, rules.bonus_cap)
    return (base + extra).quantize(Decimal("0.01"))
