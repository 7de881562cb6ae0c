"""Who may act at a step: role held in the case's unit (or above it), and separation of duties."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import NotPermitted
from .policy import APPLICANT, Policy, Step

Grants = Sequence[Sequence[str]]


def covers(grants: Grants, role: str, unit_path: Sequence[str]) -> bool:
    """True when a grant of `role` is institution-wide or on a unit on the case's unit path."""
    return any(r == role and (not u or u in unit_path) for r, u in grants)


def describe_grants(grants: Grants) -> str:
    return ", ".join(f"{r}@{u}" if u else r for r, u in grants) or "no roles"


def role_refusal(grants: Grants, step: Step, unit_path: Sequence[str], who: str,
                 policy: Policy, ref: str) -> NotPermitted | None:
    """Why `who` may not act at `step` for want of its role, or None when a grant covers it."""
    if step.role == APPLICANT or covers(grants, step.role, unit_path):
        return None
    unit = unit_path[-1] if unit_path else ""
    scoped = bool(policy.roles.get(step.role) and policy.roles[step.role].scoped)
    scope = f" of {unit} (or a unit above it)" if scoped else ""
    where = f"{unit}（或其上级单位）的" if scoped else ""
    return NotPermitted(
        f"{ref} awaits {step.label} by a {step.role} ({policy.role_label(step.role)}){scope};"
        f" {who} holds {describe_grants(grants)}",
        zh=f"{ref} 等待「{step.label}」，应由{where}{policy.role_label(step.role)}办理；"
           f"{who} 的角色：{describe_grants(grants)}")


def require_role(grants: Grants, step: Step, unit_path: Sequence[str], who: str,
                 policy: Policy, ref: str) -> None:
    refused = role_refusal(grants, step, unit_path, who, policy, ref)
    if refused:
        raise refused
