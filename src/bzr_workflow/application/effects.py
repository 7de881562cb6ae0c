"""What a case saves beside itself, as one table keyed by workflow kind: on open, signed, published, ended, final.

The domain decides everything about the case itself; an effect only loads the other aggregates a
decision moves (a class, an advisor, a roster, a quota), has them decide, and returns them to be
saved in the same transaction as the case, so every cross-case rule holds atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.domain import Aggregate

from ..domain.periods import parse
from ..domain.pipeline import OPEN, PUBLISHED
from . import appraisal_effects, award_effects, dismissal_effects
from .hooks import Decided, Hook, Opening, Prepare
from .ports import Store

__all__ = ["Decided", "Opening", "KindEffects", "EFFECTS", "effects_of", "run"]


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
        store.school_class(d.case.class_code).check_vacancy(d.policy.staffing.advisors_per_class)
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
    klass, advisor = store.school_class(case.class_code), store.user(case.subject)
    start = case.data.get("start") or store.today(d.policy)
    klass.appoint(case.subject, start, case.ref, d.actor, d.policy.staffing.advisors_per_class)
    advisor.take_class(klass.code, case.ref, d.policy.staffing.max_classes_per_advisor)
    return [klass, advisor]


def dismiss(store: Store, d: Decided) -> list[Aggregate]:
    """Every class the subject advises releases them, as of the publication date; a ground that
    fixes the year's result records it."""
    case, today = d.case, store.today(d.policy)
    advisor = store.user(case.subject)
    moved: list[Aggregate] = []
    held = list(advisor.classes)
    for code in held:
        klass = store.school_class(code)
        if any(a["advisor"] == case.subject for a in klass.advisors):
            klass.release(case.subject, today, case.ref, d.actor)
            moved.append(klass)
        advisor.release_class(code, case.ref)
    graded = dismissal_effects.set_year_result(store, d, advisor)
    return [*moved, advisor] if held or graded else moved


STAFFING = KindEffects(on_signed=(check_vacancy,), on_published=(appoint_or_dismiss,))
"""Every kind's effects start from these: a policy may make any declared kind appoint or dismiss."""

EFFECTS: dict[str, KindEffects] = {
    "appraisal": replace(STAFFING, on_open=(appraisal_effects.list_on_roster,),
                         on_signed=(*STAFFING.on_signed, appraisal_effects.take_grade_place),
                         on_ended=(appraisal_effects.give_grade_place_back,),
                         on_final=(appraisal_effects.record_result,)),
    "award": replace(STAFFING, prepare=award_effects.prepare,
                     on_open=(award_effects.list_nomination,),
                     on_signed=(*STAFFING.on_signed, award_effects.take_place),
                     on_ended=(award_effects.give_place_back,)),
    "dismissal": replace(STAFFING, prepare=dismissal_effects.prepare),
}


def effects_of(kind: str) -> KindEffects:
    """The effects of a workflow kind: its own entry, or staffing alone for a declared kind."""
    return EFFECTS.get(kind, STAFFING)
