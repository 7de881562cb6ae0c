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
               "opener_signs": wf.opener_signs,
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
        "appraisal": p.written.get("appraisal", {}), "award": p.written.get("award", {}),
        "allowance": p.written.get("allowance", {}), "norms": p.written.get("norms", []),
        "dismissal_triggers": p.written.get("dismissal_triggers", []),
    }


def policy_text(data: dict[str, Any]) -> str:
    lines = [f"{data['id']}  {data['name']}  {data['source']}".rstrip()]
    if "version" in data:
        lines.append(f"version {data['version']}, sha256 {data['digest']}")
    if data.get("refinement"):
        lines.append(f"as refined for the unit (refinement {data['refinement']})")
    lines += ["", "Roles", table(data["roles"], ["id", "label", "scoped"])]
    for kind, wf in data["workflows"].items():
        chain = " → ".join([wf["open"]["label"]] + [s["label"] for s in wf["steps"]])
        lines += ["", f"Workflow {kind} ({wf['label']}): {chain}",
                  table(wf["steps"], ["id", "label", "role", "action", "returnable"])]
    lines += _appraisal_text(data.get("appraisal") or {})
    for title, key in (("Award", "award"), ("Allowance", "allowance")):
        if data.get(key):
            shown = {k: v for k, v in data[key].items() if not isinstance(v, list)}
            lines += ["", f"{title}: " + "; ".join(f"{k} {v}" for k, v in shown.items())]
    if data.get("norms"):
        lines += ["", "Norms", table(data["norms"], ["activity", "label", "min", "per", "role"])]
    if data.get("dismissal_triggers"):
        lines += ["", "Dismissal triggers: " + "; ".join(
            t["label"] + (" (automatic)" if t.get("automatic") else "")
            for t in data["dismissal_triggers"])]
    return "\n".join(lines)


def _appraisal_text(appraisal: dict[str, Any]) -> list[str]:
    if not appraisal:
        return []
    scoring = appraisal["scoring"]
    columns = ["key", "number", "group", "label"]
    columns[3:3] = {"points": ["max"], "weights": ["weight"]}.get(scoring, [])
    lines = ["", f"Appraisal ({scoring})", table(appraisal["indicators"], columns)]
    if appraisal.get("veto_items"):
        lines.append("Veto items (一票否决): " + "; ".join(v["label"] for v in appraisal["veto_items"]))
    lines.append("Grades: " + ", ".join(g["label"] + (f" ≥ {g['min']}" if "min" in g else "")
                                        for g in appraisal["grades"]))
    return lines
