"""Where and when an appraisal is scored: which step enters which items, and what a step needs first."""

from __future__ import annotations

from typing import Any

from .errors import BadInput, StepNotAllowed
from .grading import OVERALL, required
from .policy import Policy, Workflow

Section = dict[str, Any]


def section_of(policy: Policy) -> Section:
    section: Section | None = policy.sections.get("appraisal")
    if not section:
        raise BadInput(f"policy {policy.id} carries no appraisal scoring ([appraisal] section)")
    return section


def score_step(section: Section, wf: Workflow) -> str:
    return str(section.get("score_step") or wf.first_step.id)


def items_at(section: Section, wf: Workflow, step: str) -> list[str]:
    """The indicators scored at `step` (and the overall grade, for graded appraisals)."""
    default = score_step(section, wf)
    keys = [i["key"] for i in section["indicators"] if i.get("step", default) == step]
    if section["scoring"] == "grades" and step == default:
        keys.append(OVERALL)
    return keys


def check_scorable(section: Section, wf: Workflow, step: str, keys: list[str], ref: str) -> None:
    """Scores are entered at their step; bonus items at the main scoring step."""
    allowed = items_at(section, wf, step)
    wrong = [k for k in keys if k not in allowed]
    if wrong:
        here = ", ".join(allowed) or "nothing"
        raise StepNotAllowed(f"{ref} is at {wf.step(step).label}, where {here} is scored;"
                             f" {', '.join(wrong)} is not scored here")


def ready_to_sign(section: Section, wf: Workflow, step: str, scores: dict[str, str],
                  summary: str, vetoed: bool, ref: str) -> None:
    """A scoring step is signed only once its items are scored (a veto makes scores moot)."""
    if section.get("self_summary") and step == score_step(section, wf) and not summary:
        raise StepNotAllowed(f"{ref} has no self-summary yet: the advisor submits it first"
                             " (appraisal submit)")
    needed = set(required(section))
    missing = [k for k in items_at(section, wf, step) if k in needed and k not in scores]
    if missing and not vetoed:
        raise StepNotAllowed(f"{ref}: score {', '.join(missing)} before signing"
                             f" {wf.step(step).label} (appraisal score {ref} --item KEY=VALUE)")
