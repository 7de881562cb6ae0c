"""A case as the primitive dict every interface shows (the JSON shape CLI.md promises)."""

from __future__ import annotations

from typing import Any

from ..domain.case import Case
from ..domain.policy import Policy
from ..domain.timefmt import local_iso


def pending(case: Case, policy: Policy) -> tuple[str | None, str | None, str | None]:
    """(step id, step label, role) now pending, or Nones when the case is closed."""
    if case.state != "open" or not case.step:
        return None, None, None
    step = policy.workflow(case.kind).step(case.step)
    return step.id, step.label, step.role


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


def appraisal_fields(case: Case, policy: Policy) -> dict[str, Any]:
    """Scores, total, grade and why, the veto flags, and the announcement, as they stand."""
    result = case.outcome(policy) if policy.sections.get("appraisal") else {}
    return {"total": result.get("total"), "grade": result.get("grade"),
            "explanation": result.get("explanation"),
            "vetoed_items": result.get("vetoed_items", []),
            "scores": dict(case.scores), "bonus": dict(case.bonus),
            "veto_flags": {k: dict(v) for k, v in case.flags.items()},
            "summary": case.summary or None, "announcement": case.announcement or None,
            "final": case.final}
