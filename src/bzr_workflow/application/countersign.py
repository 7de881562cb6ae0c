"""Countersign (会签 / 或签) as the application sees it: a pending step's holders read from the users view, and the progress a case shows (who signed, who is awaited, by name)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..domain import signing
from ..domain.case import Case
from ..domain.errors import NotFound
from ..domain.pipeline import OPEN
from ..domain.policy import Workflow
from .ports import Store

Holders = Callable[[str, Sequence[str]], list[str]]
"""(role, unit path) -> the logins holding the role there or above (Reads.holders)."""


def step_holders(case: Case, wf: Workflow, holders: Holders) -> list[str] | None:
    """The holders of the pending step now when it is a countersign step; None otherwise
    (then nothing is read: a plain step needs no list of its holders)."""
    if case.state != OPEN or not case.step or case.step == wf.open_step:
        return None
    step = wf.step(case.step)
    if step.countersign is None:
        return None
    return holders(step.role, case.unit_path)


def progress(store: Store, case: Case, wf: Workflow,
             holders: Sequence[str] | None) -> dict[str, Any] | None:
    """`{rule, needed, signed, awaited}` of the pending countersign step (None for any other):
    `signed` and `awaited` are `{user, name}` each, in the order they signed / by login."""
    state = signing.countersign_state(case.sheet(), wf, holders) if holders is not None \
        else None
    if state is None:
        return None
    return {"rule": state.rule, "needed": state.needed,
            "signed": [_person(store, u) for u in state.signed],
            "awaited": [_person(store, u) for u in state.awaited]}


def _person(store: Store, login: str) -> dict[str, str]:
    try:
        return {"user": login, "name": store.user(login).name}
    except NotFound:
        return {"user": login, "name": login}
