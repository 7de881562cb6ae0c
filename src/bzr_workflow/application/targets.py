"""Whom a period's appraisals are opened for: named advisors (from their aggregates), or everyone appointed in the period (from the views); a read the edge hands to `appraisals.open_appraisals`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..domain.errors import RuleRefused
from .ports import Store

Target = tuple[str, str, str]  # (advisor, class, unit)


def named(store: Store, advisors: Sequence[str]) -> list[Target]:
    """(advisor, class, unit) for named advisors, from their current appointments; one
    who holds no class is appraised in the unit where they hold a role the policy's work
    norms name (Jiyuan appraises its 辅导员 and 班主任, whom no recruitment appoints)."""
    out = []
    norm_roles = {n.role for n in store.policy().norms}
    for login in advisors:
        user = store.user(login)
        if not user.classes:
            units = [unit for role, unit in user.grants if role in norm_roles and unit]
            if not units:
                raise RuleRefused("{login} advises no class and holds no role the work norms "
                                  "name in a unit, so has nothing to be appraised on",
                                  login=login)
            out.append((login, "", units[0]))
            continue
        klass = store.school_class(user.classes[0])
        out.append((user.login, klass.code, klass.unit))
    return out


def everyone(store: Store, appointed: list[Target],
             users: Iterable[Mapping[str, Any]]) -> list[Target]:
    """Every advisor appointed at some time in the period (`appointed`, from the views). Under
    a policy that appoints nobody (no recruitment workflow: Jiyuan), every holder of a role its
    work norms name, in that unit (`users`, the users view's rows)."""
    policy = store.policy()
    if "recruitment" in policy.workflows:
        return appointed
    norm_roles = {n.role for n in policy.norms}
    seen = {t[0] for t in appointed}
    for row in users:
        units = [unit for role, _, unit in (g.partition("@") for g in row["roles"])
                 if role in norm_roles and unit]
        if units and row["user"] not in seen:
            appointed.append((row["user"], "", units[0]))
            seen.add(row["user"])
    return appointed
