"""Who is reading: the one reading rule (domain/signing.may_read) asked of aggregates and view rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..domain.access import Grants
from ..domain.case import Case
from ..domain.policy import Policy
from ..domain.signing import Sheet, may_read, reading_refusal, sees_everything
from .ports import Store


class Reader:
    """A signed-in person who may read only some cases (administrators and auditors read all,
    and so `reader()` gives None for them, as it does for the operator's CLI)."""

    def __init__(self, login: str, grants: Sequence[Sequence[str]],
                 policy_of: Callable[[int, int], Policy]) -> None:
        self.login, self.grants, self.policy_of = login, grants, policy_of

    def may_read(self, sheet: Sheet, kind: str, version: int, refinement: int) -> bool:
        wf = self.policy_of(version, refinement).workflow(kind)
        return may_read(sheet, self.login, self.grants, wf)

    def row(self, row: Any) -> bool:
        """A row of the cases view."""
        from ..projections.rows import sheet

        return self.may_read(sheet(row), row.kind, row.policy_version, row.refinement)

    def case(self, case: Case) -> bool:
        return self.may_read(case.sheet(), case.kind, case.policy_version, case.refinement)


def reader(store: Store, login: str | None) -> Reader | None:
    """The reading rule for `login`, or None when nothing is hidden from them."""
    if login is None:
        return None
    grants = store.user(login).grants
    return None if sees_everything(grants) else Reader(login, grants, store.policy_of)



def refuse_unreadable(store: Store, case: Case, login: str, grants: Grants) -> None:
    """The reading rule before any other: a command on a case its actor may not read is refused
    "may not read" before anything looks at the case's state, so a refusal tells a stranger
    nothing about the case (its subject, state, step, last signer or time)."""
    if sees_everything(grants):
        return
    wf = store.policy_of(case.policy_version, case.refinement).workflow(case.kind)
    if not may_read(case.sheet(), login, grants, wf):
        raise reading_refusal(case.ref, login, case.unit_path)


def require_readable(store: Store, ref: str, login: str | None) -> None:
    """Refuse (NotPermitted) when `login` may not read the case; nothing for the CLI (None)."""
    who = reader(store, login)
    if who is None:
        return
    case = store.case(ref)
    if not who.case(case):
        raise reading_refusal(case.ref, who.login, case.unit_path)
