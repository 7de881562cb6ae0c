"""What a case saves beside itself, as one table keyed by workflow kind: on open, signed, published, ended, final.

The domain decides everything about the case itself; an effect only loads the other aggregates a
decision moves (a class, an advisor, a roster, a quota), has them decide, and returns them to be
saved in the same transaction as the case, so every cross-case rule holds atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.domain import Aggregate

from ..domain.case import Case
from ..domain.errors import AlreadyExists
from ..domain.periods import parse
from ..domain.pipeline import OPEN, PUBLISHED
from ..domain.policy import Policy, Workflow
from ..domain.roster import PeriodRoster
from ..domain.tenure import DISMISSAL
from .hooks import Decided, Hook, Opening, Prepare
from .ports import Store

__all__ = ["Decided", "Opening", "KindEffects", "effects_of", "run"]


def as_given(store: Store, opening: Opening) -> tuple[str, dict[str, Any]]:
    """The period in its short form (any kind: a school year or a semester), the data as given."""
    return (parse(opening.period).key if opening.period else ""), opening.data


@dataclass(frozen=True)
class KindEffects:
    """The effects of one workflow kind, each hook a tuple of effects run in order."""

    prepare: Prepare = as_given  # checks and completes (period, data) before the case exists
    on_open: Hook = ()
    on_signed: Hook = ()
    on_published: Hook = ()
    on_ended: Hook = ()  # vetoed, returned, withdrawn, or re-opened by an objection
    on_final: Hook = ()


def run(hook: Hook, store: Store, decided: Decided) -> list[Aggregate]:
    """Every aggregate a hook's effects moved, in order, to save with the case
    (`run(effects_of(kind).on_signed, store, decided)`)."""
    return [moved for effect in hook for moved in effect(store, decided)]


# -- staffing: what `on_publish = "appoint" | "dismiss"` does, whatever the kind ------------

def check_vacancy(store: Store, d: Decided) -> list[Aggregate]:
    """An appointing case still open must still have a place to fill."""
    if d.wf.on_publish == "appoint" and d.case.class_code and d.case.state == OPEN:
        start = d.case.data.get("start") or store.today(d.policy)
        store.school_class(d.case.class_code).check_vacancy(
            d.policy.staffing.advisors_per_class, start, d.policy.staffing.term_years)
    return []


def appoint_or_dismiss(store: Store, d: Decided) -> list[Aggregate]:
    """A published recruitment appoints its candidate; a published dismissal ends every
    appointment its subject holds, on its publication date (Aksu 第九条 予以解聘: dismissed from
    the post of 班主任, not from one class), so no later month pays them an allowance."""
    case = d.case
    if case.state != PUBLISHED or d.wf.on_publish not in ("appoint", "dismiss"):
        return []
    if d.wf.on_publish == "dismiss":
        return dismiss(store, d)
    if not case.class_code:
        return []
    from . import tenure
    from .training import require_training

    klass, advisor = store.school_class(case.class_code), store.user(case.subject)
    require_training(d.policy, case.kind, advisor)
    start = case.data.get("start") or store.today(d.policy)
    users = {advisor.login: advisor}
    expired = tenure.expire_terms(store, klass, d.policy, start, users)  # a term ran out: free
    klass.appoint(case.subject, start, case.ref, d.actor, d.policy.staffing.advisors_per_class)
    advisor.take_class(klass.code, case.ref, d.policy.staffing.max_classes_per_advisor)
    return [klass, *users.values()] if expired else [klass, advisor]


def dismiss(store: Store, d: Decided) -> list[Aggregate]:
    """Every class the subject advises releases them, as of the publication date; a ground that
    fixes the year's result records it."""
    from . import dismissal_effects

    case, today = d.case, store.today(d.policy)
    advisor = store.user(case.subject)
    trigger = d.policy.trigger(str(case.data.get("ground", "")))
    ground = trigger.label if trigger else str(case.data.get("consequence", ""))
    reason = f"{d.wf.label}（{case.ref}）" + (f"：{ground}" if ground else "")
    moved: list[Aggregate] = []
    held = list(advisor.classes)
    for code in held:
        klass = store.school_class(code)
        if any(a["advisor"] == case.subject for a in klass.advisors):
            klass.release(case.subject, today, case.ref, d.actor, DISMISSAL, reason)
            moved.append(klass)
        advisor.release_class(code, case.ref)
    graded = dismissal_effects.set_year_result(store, d, advisor)
    return [*moved, advisor] if held or graded else moved


def list_application(store: Store, d: Decided) -> list[Aggregate]:
    """One open application per candidate and class: an appointing case joins the class's
    roster of open applications (saved with the case, so two at once cannot both join)."""
    case = d.case
    if d.wf.on_publish != "appoint" or not case.class_code or not case.subject:
        return []
    roster = _applications(store, case.kind, case.class_code)
    if case.subject in roster.cases:
        raise AlreadyExists("{subject} already has an open {label} for class {code} ({case}); "
                            "withdraw it or wait for its outcome before applying again",
                            subject=case.subject, label=d.wf.label, code=case.class_code,
                            case=roster.cases[case.subject])
    roster.list_cases({case.subject: case.ref})
    return [roster]


def delist_application(store: Store, d: Decided) -> list[Aggregate]:
    """An application published, vetoed or withdrawn is no longer open: its candidate may
    apply to the class again (a returned one is still open, awaiting its candidate)."""
    case = d.case
    if d.wf.on_publish != "appoint" or not case.class_code or case.state == OPEN:
        return []
    roster = _applications(store, case.kind, case.class_code)
    if roster.cases.get(case.subject) != case.ref:
        return []  # opened before the roster kept open applications
    roster.delist(case.subject)
    return [roster]


def _applications(store: Store, kind: str, class_code: str) -> PeriodRoster:
    return store.load_or_start(PeriodRoster, kind=f"{kind}:{class_code}", period=OPEN_APPLICATIONS)


OPEN_APPLICATIONS = "open"
"""The roster of a class's open applications is keyed by this in place of a period."""

STAFFING = KindEffects(on_open=(list_application,), on_signed=(check_vacancy,),
                       on_published=(appoint_or_dismiss, delist_application),
                       on_ended=(delist_application,))
"""Every kind's effects start from these: a policy may make any declared kind appoint or dismiss."""

def _appraisal() -> KindEffects:
    from . import appraisal_effects

    return replace(STAFFING, on_open=(appraisal_effects.list_on_roster,),
                   on_signed=(*STAFFING.on_signed, appraisal_effects.take_grade_place),
                   on_ended=(appraisal_effects.give_grade_place_back,),
                   on_final=(appraisal_effects.record_result,))


def _award() -> KindEffects:
    from . import award_effects

    return replace(STAFFING, prepare=award_effects.prepare,
                   on_open=(award_effects.list_nomination,),
                   on_signed=(*STAFFING.on_signed, award_effects.take_place),
                   on_ended=(award_effects.give_place_back,))


def _dismissal() -> KindEffects:
    from . import dismissal_effects

    return replace(STAFFING, prepare=dismissal_effects.prepare)


KINDS: dict[str, Callable[[], KindEffects]] = {"appraisal": _appraisal, "award": _award,
                                               "dismissal": _dismissal}
"""The kinds with effects of their own beyond staffing, each made (and its module imported)
when a case of that kind is first decided: a sign-off imports only its own kind's effects."""
_MADE: dict[str, KindEffects] = {}


def effects_of(kind: str) -> KindEffects:
    """The effects of a workflow kind: its own entry, or staffing alone for a declared kind."""
    made = _MADE.get(kind)
    if made is None:
        make = KINDS.get(kind)
        made = _MADE[kind] = make() if make else STAFFING
    return made
