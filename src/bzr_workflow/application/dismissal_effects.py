"""What a dismissal does beside staffing: its ground checked at opening, and the year's result a ground sets when it is published."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.errors import BadInput
from ..domain.periods import period_of_day, year_of
from ..domain.pipeline import PUBLISHED
from ..domain.user import User
from .hooks import Decided, Opening
from .ports import Store


def prepare(store: Store, opening: Opening) -> tuple[str, dict[str, Any]]:
    """A proposal names one of the grounds the policy lists that people decide (the automatic
    ones are the rule's own: it opens those cases itself, with no ground given)."""
    policy, data = opening.policy, opening.data
    decided = [t for t in policy.dismissal_triggers if not t.automatic]
    if not decided or data.get("consequence"):
        return opening.period, data
    names = ", ".join(f"{t.key} ({t.label})" for t in decided)
    ground = data.get("ground")
    if not ground:
        raise BadInput("a dismissal names its ground (--ground KEY), one of: {names}",
                       names=names)
    trigger = policy.trigger(ground)
    if trigger is None or trigger.automatic:
        raise BadInput("--ground {ground!r}: not a ground a proposal names under this policy; "
                       "one of: {names}", ground=ground, names=names)
    return opening.period, data


def set_year_result(store: Store, d: Decided, advisor: User) -> bool:
    """A published dismissal on a ground that fixes the year's result records it on the advisor
    (Aksu 第九条(2)(3): 年终工作考核定为不合格), for the school year of the publication date. The
    year then counts as failed wherever a rule counts years (十佳, three excellent years).
    Whether it recorded one; the caller saves `advisor` (loaded once for the whole command)."""
    case = d.case
    trigger = d.policy.trigger(str(case.data.get("ground", "")))
    if case.state != PUBLISHED or trigger is None or not trigger.year_grade:
        return False
    year = year_of(period_of_day(date.fromisoformat(store.today(d.policy)), "semester"))
    advisor.record_result(year, trigger.year_grade, "", case.ref, d.actor)
    return True
