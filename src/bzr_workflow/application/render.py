"""A case as the primitive dict every interface shows (the JSON shape CLI.md promises)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from ..domain import signing
from ..domain.case import Case
from ..domain.policy import Policy
from ..domain.timefmt import local_iso


def pending(case: Case, policy: Policy) -> tuple[str | None, str | None, str | None]:
    """(step id, step label, role) now pending, or Nones when the case is closed."""
    return signing.pending(policy.workflow(case.kind), case.state, case.step)


def case_dict(case: Case, policy: Policy) -> dict[str, Any]:
    step, label, role = pending(case, policy)
    wf = policy.workflow(case.kind)
    return {
        "id": case.ref, "kind": case.kind, "kind_label": wf.label, "state": case.state,
        "step": step, "step_label": label, "role": role,
        "role_label": policy.role_label(role) if role else None,
        "subject": case.subject or None, "opener": case.opener,
        "period": case.period or None, "class": case.class_code or None,
        "unit": case.unit or None, "note": case.note, "data": dict(case.data),
        "policy": policy.id, "policy_version": case.policy_version,
        "refinement": case.refinement or None,
        "opened_at": local_iso(case.created_on, policy.utc_offset),
        "updated_at": local_iso(case.modified_on, policy.utc_offset),
        "last": dict(case.last),
        "assignee": getattr(case, "assignee", "") or None,
    } | (appraisal_fields(case, policy) if case.kind == "appraisal" else {})


def case_dict_like(first: dict[str, Any], ref: str, subject: str, class_code: str,
                   unit: str) -> dict[str, Any]:
    """`case_dict` of a sibling case opened by the same command under the same rules (same
    instant, no decision yet): the first case's dict with the identity fields changed."""
    out = first.copy()
    for key in ("data", "last", "scores", "bonus", "veto_flags", "vetoed_items"):
        if key in out:  # the containers a sibling must not share (all empty or the opener's)
            out[key] = out[key].copy()
    out.update(id=ref, subject=subject or None, unit=unit or None)
    out["class"] = class_code or None
    return out


class SiblingDicts(Sequence[dict[str, Any]]):
    """The dicts of cases a bulk command opened, made as they are read: `case_dict_like` of the
    first case under each rule set, from (ref, subject, class, unit, first) kept per case. A
    list of 10,000 dicts would be most of the bulk open's memory; this is a tuple each."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, str, str, str, dict[str, Any]]] = []

    def add(self, ref: str, subject: str, class_code: str, unit: str,
            first: dict[str, Any]) -> None:
        self._rows.append((ref, subject, class_code, unit, first))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._dict(row) for row in self._rows[index]]
        return self._dict(self._rows[index])

    @staticmethod
    def _dict(row: tuple[str, str, str, str, dict[str, Any]]) -> dict[str, Any]:
        ref, subject, class_code, unit, first = row
        return first if first["id"] == ref else case_dict_like(first, ref, subject, class_code,
                                                                  unit)

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, (list, SiblingDicts)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def appraisal_fields(case: Case, policy: Policy) -> dict[str, Any]:
    """Scores, total, grade and why, the veto flags, and the announcement, as they stand."""
    result = case.outcome(policy) if policy.appraisal else {}
    return {"total": result.get("total"), "grade": result.get("grade"),
            "explanation": result.get("explanation"),
            "vetoed_items": result.get("vetoed_items", []),
            "scores": dict(case.scores), "bonus": dict(case.bonus),
            "veto_flags": {k: dict(v) for k, v in case.flags.items()},
            "summary": case.summary or None, "attachments": [dict(a) for a in case.attachments],
            "announcement": case.announcement or None,
            "final": case.final}
