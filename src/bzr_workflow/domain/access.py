"""Who may act at a step: role held in the case's unit (or above it), and separation of duties."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import NotPermitted, Phrase
from .policy import APPLICANT, Policy, Step

Grants = Sequence[Sequence[str]]


def covers(grants: Grants, role: str, unit_path: Sequence[str]) -> bool:
    """True when a grant of `role` is institution-wide or on a unit on the case's unit path."""
    return any(r == role and (not u or u in unit_path) for r, u in grants)


def describe_grants(grants: Grants) -> str | Phrase:
    return ", ".join(f"{r}@{u}" if u else r for r, u in grants) or Phrase("no roles")


def role_refusal(grants: Grants, step: Step, unit_path: Sequence[str], who: str,
                 policy: Policy, ref: str) -> NotPermitted | None:
    """Why `who` may not act at `step` for want of its role, or None when a grant covers it."""
    if step.role == APPLICANT or covers(grants, step.role, unit_path):
        return None
    unit = unit_path[-1] if unit_path else ""
    if policy.roles.get(step.role) and policy.roles[step.role].scoped:
        return NotPermitted("{ref} awaits {label} by a {role} ({role_label}) of {unit} (or a unit "
                            "above it); {who} holds {grants}", ref=ref, label=step.label,
                            role=step.role, role_label=policy.role_label(step.role), unit=unit,
                            who=who, grants=describe_grants(grants))
    return NotPermitted("{ref} awaits {label} by a {role} ({role_label}); {who} holds {grants}",
                        ref=ref, label=step.label, role=step.role,
                        role_label=policy.role_label(step.role), who=who,
                        grants=describe_grants(grants))


def require_role(grants: Grants, step: Step, unit_path: Sequence[str], who: str,
                 policy: Policy, ref: str) -> None:
    refused = role_refusal(grants, step, unit_path, who, policy, ref)
    if refused:
        raise refused
