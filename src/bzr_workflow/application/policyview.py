"""A policy as `policy show` and `policy list` give it: built-in, from a file, or adopted in a store."""

from __future__ import annotations

from ..domain.periods import DEFAULT_TERMS, SEMESTER_FORM, YEAR_FORM
from ..domain.policy import Policy
from ..domain.policy_file import PolicyInvalid, parse_policy
from ..policies import builtin_ids, builtin_text
from .organisation import read_policy
from .readmodels import PolicySummary, PolicyView

__all__ = ["PolicyInvalid", "builtin_policies", "policy_file", "policy_file_view", "policy_view"]


def policy_view(p: Policy) -> PolicyView:
    workflows = {
        kind: {"label": wf.label, "prefix": wf.prefix, "opened_by": wf.opened_by,
               "open": {"id": wf.open_step, "label": wf.open_label, "action": wf.open_action},
               "on_publish": wf.on_publish, "signer_may_sign_twice": wf.signer_may_sign_twice,
               "opener_signs": wf.opener_signs,
               "steps": [{"id": s.id, "label": s.label, "role": s.role, "action": s.action,
                          "returnable": s.returnable, "clerical": s.clerical,
                          "countersign": s.countersign,
                          "time_limit": s.time_limit}
                         for s in wf.steps]}
        for kind, wf in p.workflows.items()}
    return {
        "id": p.id, "name": p.name, "source": p.source, "institution": p.institution,
        "period": p.period, "periods": periods_view(p),
        "roles": [{"id": r.id, "label": r.label, "scoped": r.scoped} for r in p.roles.values()],
        "workflows": workflows,
        "staffing": {"advisors_per_class": p.staffing.advisors_per_class,
                     "max_classes_per_advisor": p.staffing.max_classes_per_advisor,
                     "term_years": p.staffing.term_years},
        "appraisal": p.written.get("appraisal", {}), "award": p.written.get("award", {}),
        "allowance": p.written.get("allowance", {}), "norms": p.written.get("norms", []),
        "dismissal_triggers": p.written.get("dismissal_triggers", []),
        "years_of_study": [{"year": y.year, "role": y.role, "title": p.role_label(y.role),
                            "duties": y.duties or None} for y in p.years_of_study],
        "parent_contact_triggers": p.written.get("parent_contact_triggers", []),
    }


def periods_view(p: Policy) -> dict[str, str]:
    """How the policy's periods are written, and where their dates come from."""
    appraisal = p.period
    award = p.award.period_kind(appraisal) if p.award else ""
    forms = {"year": f"school year, {YEAR_FORM}", "semester": f"semester, {SEMESTER_FORM}"}
    out = {"appraisal": forms[appraisal]}
    if award:
        out["award"] = forms[award]
    out["calendar"] = f"the institution's (calendar show); a year not set: {DEFAULT_TERMS}"
    return out


def policy_file(ref: str) -> Policy:
    """A built-in policy or a policy file, parsed and validated (PolicyInvalid says what is wrong)."""
    return parse_policy(*read_policy(ref))


def policy_file_view(ref: str) -> PolicyView:
    return policy_view(policy_file(ref))


def builtin_policies() -> list[PolicySummary]:
    out: list[PolicySummary] = []
    for pid in builtin_ids():
        p = parse_policy(builtin_text(pid) or "", pid)
        out.append({"id": pid, "name": p.name, "source": p.source,
                    "workflows": sorted(p.workflows)})
    return out
