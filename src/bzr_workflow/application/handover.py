"""Take back (拿回) and reassign (转办): the commands, what a take-back gives back (a quota's place), and whom a step may be reassigned to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from ..domain.case import Case
from ..domain.handover import assignee_refusal, reassign_refusal
from ..domain.policy import Policy
from ..domain.quota import PlacesQuota
from . import award_effects
from .appraisal_effects import grade_places_id, grade_quota_of
from .ports import Store
from .readers import refuse_unreadable
from .render import case_dict
from .service import Service
from .text import checked

Users = Callable[[], list[dict[str, Any]]]
"""The registered users as the views list them: {user, name, roles: ["ROLE@UNIT" | "ROLE"]}."""


class Handovers(Service):
    """A signer takes back their last sign-off; an administrator hands a pending step to one
    holder of its role."""

    def __init__(self, store: Store, users: Users) -> None:
        super().__init__(store)
        self.users = users

    def take_back(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        """The case waits again at the step whose sign-off `actor` takes back; a place of a
        quota that sign-off took (a grade's, an award's) is given back, to be decided again
        when the step is signed again."""
        reason, store = checked(reason, "--reason"), self.store

        def command() -> dict[str, Any]:
            me, case = store.actor(actor), store.case(ref)
            refuse_unreadable(store, case, me.login, me.grants)
            policy, wf, _ = store.case_rules(case)
            case.take_back(me.login, wf, reason)
            store.save(case, *give_places_back(store, case, policy))
            return case_dict(case, policy)
        return store.attempt(command)

    def reassign(self, ref: str, actor: str | None, to: str | None,
                 reason: str | None) -> dict[str, Any]:
        """Only `to` signs the pending step from now until the case leaves it."""
        reason, store = checked(reason, "--reason"), self.store
        target = checked(to, "--to")

        def command() -> dict[str, Any]:
            me, case = store.actor(actor), store.case(ref)
            refuse_unreadable(store, case, me.login, me.grants)
            policy, wf, _ = store.case_rules(case)
            # who may reassign is asked before the target is looked up: a refused caller
            # learns nothing of who is registered
            refused = reassign_refusal(case.sheet(), me.login, me.grants, wf)
            if refused is not None:
                raise refused
            holder = store.user(target)
            case.reassign(me.login, me.grants, policy, wf, holder.login, holder.grants, reason)
            store.save(case)
            return case_dict(case, policy)
        return store.attempt(command)

    def assignees(self, ref: str) -> list[dict[str, str]]:
        """Everyone the pending step of case `ref` may be reassigned to: {user, name}, by
        login (the case page's 转办 form; its caller may reassign, so may read the case)."""
        case = self.store.case(ref)
        policy, wf, _ = self.store.case_rules(case)
        sheet = case.sheet()
        out = []
        for row in self.users():
            grants = [r.split("@", 1) if "@" in r else [r, ""] for r in row["roles"]]
            if assignee_refusal(sheet, row["user"], grants, policy, wf) is None:
                out.append({"user": row["user"], "name": row["name"]})
        return out


def give_places_back(store: Store, case: Case, policy: Policy) -> list[Aggregate]:
    """A sign-off of a quota's step taken back gives back the place it took (the quota step
    of a grade, Suzhou's 15 % of 优秀; or of an award): the case now waits at that step."""
    found: PlacesQuota | None = None
    grade_rule = grade_quota_of(policy) if case.kind == "appraisal" else None
    if grade_rule is not None and case.step == grade_rule.step:
        found = store.find(grade_places_id(grade_rule, case.period,
                                           grade_rule.scope_of(case.unit)))
    elif case.kind == award_effects.KIND:
        award = award_effects.rules_of(policy)
        if case.step == award.quota_step:
            rule = award.rule(case.data.get("distinction", ""))
            found = store.find(PlacesQuota.create_id(**PlacesQuota.of_award(
                award_effects.KIND, rule.key, case.period, award.scope(case.unit))))
    if found is None or case.ref not in found.taken:
        return []
    found.release(case.ref)
    return [found]
