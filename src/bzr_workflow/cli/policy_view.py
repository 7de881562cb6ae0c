"""A policy rendered for people from the view `policy show --json` prints (the keys CLI.md lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .output import table

if TYPE_CHECKING:
    from ..application.readmodels import PolicyView


def policy_text(data: PolicyView) -> str:
    lines = [f"{data['id']}  {data['name']}  {data['source']}".rstrip()]
    if "version" in data:
        lines.append(f"version {data['version']}, sha256 {data['digest']}")
    if data.get("refinement"):
        lines.append(f"as refined for the unit (refinement {data['refinement']})")
    if data.get("periods"):
        lines += ["", "Periods: " + "; ".join(f"{k} by {v}" if k != "calendar" else f"dates: {v}"
                                              for k, v in data["periods"].items())]
    lines += ["", "Roles", table(data["roles"], ["id", "label", "scoped"])]
    for kind, wf in data["workflows"].items():
        chain = " → ".join([wf["open"]["label"]] + [s["label"] for s in wf["steps"]])
        lines += ["", f"Workflow {kind} ({wf['label']}): {chain}",
                  table(wf["steps"], ["id", "label", "role", "action", "returnable",
                                      "clerical", "countersign", "time_limit"])]
    lines += _appraisal_text(data.get("appraisal") or {})
    lines += _grade_quota_text(data)
    for title, section in (("Award", data["award"]), ("Allowance", data["allowance"])):
        if section:
            shown = {k: v for k, v in section.items() if not isinstance(v, list)}
            lines += ["", f"{title}: " + "; ".join(f"{k} {v}" for k, v in shown.items())]
            if section.get("follows_grade"):
                lines.append("  follows the grade: every final " + "/".join(
                    section.get("eligible_grades", [])) + " result is rewarded by the engine"
                    " (@rule) when it becomes final, with no nomination")
    if data.get("years_of_study"):
        lines += ["", "Years of study (the class's year names its advisor's title and duties)",
                  table(data["years_of_study"], ["year", "title", "role", "duties"])]
    if data.get("norms"):
        lines += ["", "Norms", table(data["norms"], ["activity", "label", "min", "per", "role"])]
    if data.get("dismissal_triggers"):
        lines += ["", "Dismissal triggers: " + "; ".join(
            t["label"] + (" (automatic)" if t.get("automatic") else "")
            + (f" (the year's result: {t['year_grade']})" if t.get("year_grade") else "")
            for t in data["dismissal_triggers"])]
    if data.get("parent_contact_triggers"):
        lines += ["", "Parent-contact triggers (log add --activity trigger --trigger KEY)",
                  table([{**t, "roles": ", ".join(t["roles"])}
                         for t in data["parent_contact_triggers"]], ["key", "label", "roles"])]
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


def _grade_quota_text(data: PolicyView) -> list[str]:
    quota = (data.get("appraisal") or {}).get("grade_quota")
    if not quota:
        return []
    steps = data["workflows"].get("appraisal", {}).get("steps", [])
    label = next((s["label"] for s in steps if s["id"] == quota["step"]), quota["step"])
    scope = "in each unit" if quota.get("scope") == "unit" else "in the institution"
    return [f"Grade quota: at most {quota['share'] * 100:g} % of the period's appraised advisors"
            f" {scope} rated {quota['grade']} (share {quota['share']}, rounding"
            f" {quota.get('rounding', 'floor')}); a place is taken when {label} ({quota['step']})"
            " is signed on that grade and given back when the result is returned or re-graded"]
