"""A policy rendered for people and for `policy show --json` (the keys CLI.md lists)."""

from __future__ import annotations

from typing import Any

from ..domain.policy import Policy
from .output import table


def policy_json(p: Policy) -> dict[str, Any]:
    workflows = {
        kind: {"label": wf.label, "prefix": wf.prefix, "opened_by": wf.opened_by,
               "open": {"id": wf.open_step, "label": wf.open_label, "action": wf.open_action},
               "on_publish": wf.on_publish, "signer_may_sign_twice": wf.signer_may_sign_twice,
               "steps": [{"id": s.id, "label": s.label, "role": s.role, "action": s.action,
                          "returnable": s.returnable} for s in wf.steps]}
        for kind, wf in p.workflows.items()}
    return {
        "id": p.id, "name": p.name, "source": p.source, "institution": p.institution,
        "period": p.period,
        "roles": [{"id": r.id, "label": r.label, "scoped": r.scoped} for r in p.roles.values()],
        "workflows": workflows,
        "staffing": {"advisors_per_class": p.staffing.advisors_per_class,
                     "max_classes_per_advisor": p.staffing.max_classes_per_advisor,
                     "term_years": p.staffing.term_years},
        "appraisal": p.sections.get("appraisal", {}), "award": p.sections.get("award", {}),
        "allowance": p.sections.get("allowance", {}), "norms": p.sections.get("norms", []),
        "dismissal_triggers": p.sections.get("dismissal_triggers", []),
    }


def policy_text(data: dict[str, Any]) -> str:
    lines = [f"{data['id']}  {data['name']}  {data['source']}".rstrip()]
    if "version" in data:
        lines.append(f"version {data['version']}, sha256 {data['digest']}")
    lines += ["", "Roles", table(data["roles"], ["id", "label", "scoped"])]
    for kind, wf in data["workflows"].items():
        chain = " → ".join([wf["open"]["label"]] + [s["label"] for s in wf["steps"]])
        lines += ["", f"Workflow {kind} ({wf['label']}): {chain}",
                  table(wf["steps"], ["id", "label", "role", "action", "returnable"])]
    appraisal = data.get("appraisal") or {}
    if appraisal:
        measure = "max" if appraisal["scoring"] == "points" else "weight"
        lines += ["", f"Appraisal ({appraisal['scoring']})",
                  table(appraisal["indicators"], ["key", "group", measure, "label"]),
                  "Veto items (一票否决): " + "; ".join(v["label"] for v in
                                                   appraisal.get("veto_items", [])),
                  "Grades: " + ", ".join(f"{g['label']} ≥ {g.get('min', '-')}"
                                         for g in appraisal["grades"])]
    return "\n".join(lines)
