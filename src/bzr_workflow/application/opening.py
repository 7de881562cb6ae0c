"""Raising a new case under a workflow: its next reference and its first event."""

from __future__ import annotations

from typing import Any

from ..domain.case import Case
from ..domain.counter import CaseCounter
from ..domain.policy import Workflow
from .ports import Store



def counter(store: Store, prefix: str) -> CaseCounter:
    """The counter that hands out a workflow's references (R-1, R-2 ...)."""
    return store.load_or_start(CaseCounter, prefix=prefix)


def new_case(ref: str, wf: Workflow, version: int, refinement: int, *, subject: str,
             opener: str, unit_path: list[str], class_code: str = "", period: str = "",
             note: str = "", data: dict[str, Any] | None = None, action: str = "") -> Case:
    """A case raised under `wf`: at its first step, recording the rules it follows."""
    return Case(ref=ref, kind=wf.kind, policy_version=version,
                action=action or wf.open_action, open_step=wf.open_step,
                step=wf.first_step.id, subject=subject, opener=opener,
                unit=unit_path[-1] if unit_path else "", unit_path=unit_path,
                class_code=class_code, period=period, note=note, data=data or {},
                refinement=refinement, opener_signs=wf.opener_signs)
