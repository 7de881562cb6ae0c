"""Reads a policy from TOML text: shape check, rule checks, then the immutable Policy model."""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from . import policy_schema as S
from .errors import BadInput
from .pipeline import PUBLISHED, table_destination
from .allowance import allowance_of
from .years import years_of
from .appraisal_rules import appraisal_of
from .award_rules import award_of
from .consequences import consequences_of
from .norms import contact_trigger_of, norm_of
from .policy import (ADMIN, APPLICANT, AUDITOR, ENGINE_ROLES, Policy, Role, Staffing, Step,
                     Training, Trigger, Workflow)
from .policy import Cover

Problem = tuple[str, str]


class PolicyInvalid(BadInput):
    """A policy file that cannot be adopted; `problems` lists every (field, problem)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source, self.problems = source, problems
        (where, problem), more = problems[0], len(problems) - 1
        if more:
            super().__init__("{source}: {where}: {problem} (and {more} more problem(s))",
                             source=source, where=where, problem=problem, more=more)
        else:
            super().__init__("{source}: {where}: {problem}", source=source, where=where,
                             problem=problem)

    def lines(self) -> list[str]:
        return [f"{self.source}: {path}: {problem}" for path, problem in self.problems]


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


MAX_DEPTH = 16
"""Tables and arrays nested deeper than this are refused (a policy needs four or five)."""


def _load(text: str, source: str) -> dict[str, Any]:
    if _bracket_depth(text) > SCAN_DEPTH:  # refused before the parser recurses that deep
        raise PolicyInvalid(source, [("(file)", f"nested more than {MAX_DEPTH} levels deep")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid(source, [("(file)", f"not valid TOML: {exc}")]) from None
    except RecursionError:  # the parser recurses once per level of nesting
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise PolicyInvalid(source, [("(file)", f"nested more than {MAX_DEPTH} levels deep")])
    return data


SCAN_DEPTH = 64
"""Brackets and braces open deeper than this in the text are refused unparsed: the parser
recurses once per level, and running it into Python's recursion limit leaves any object
collected meanwhile to fail in its finaliser."""


def _bracket_depth(text: str) -> int:
    """How deep `[` and `{` open in TOML text, outside strings and comments, counted without
    recursion (an unterminated string ends the count: the parser will say what is wrong)."""
    depth = deepest = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i = _string_end(text, i + len(quote), quote)
        else:
            if c in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif c in "]}":
                depth -= 1
            i += 1
    return deepest


def _string_end(text: str, start: int, quote: str) -> int:
    """Where a string that opened before `start` with `quote` ends (the text's end if never)."""
    while True:
        at = text.find(quote, start)
        if at < 0:
            return len(text)
        slashes = len(text[start:at]) - len(text[start:at].rstrip("\\"))
        if quote[0] == '"' and slashes % 2:  # an escaped quote: the string goes on
            start = at + 1
            continue
        return at + len(quote)


def _depth(data: Any) -> int:
    """How deeply tables and arrays nest, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value \
            if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def parse_policy(text: str, source: str) -> Policy:
    """Parse and validate policy text; raise PolicyInvalid naming the file, field and problem."""
    return _validated(_load(text, source), source)


REFINABLE = ("roles", "workflows", "appraisal", "award", "allowance", "norms", "staffing",
             "dismissal_triggers", "years_of_study")


def refinement_unit(text: str, source: str) -> str:
    """The unit a refinement file names in its [refinement] table; checks its top-level keys."""
    data = _load(text, source)
    head: dict[str, Any] = data.get("refinement") or {}
    problems: list[Problem] = []
    if not isinstance(head, dict) or not isinstance(head.get("unit"), str) or not head["unit"]:
        problems.append(("refinement.unit", "missing: name the unit this refinement is for"))
    elif set(head) - {"unit", "note"}:
        extra = ", ".join(sorted(set(head) - {"unit", "note"}))
        problems.append(("refinement", f"unknown key(s): {extra}"))
    for key in sorted(set(data) - {"refinement", *REFINABLE}):
        problems.append((key, f"a unit may not refine this (it may refine: {', '.join(REFINABLE)})"))
    if problems:
        raise PolicyInvalid(source, problems)
    return str(head["unit"])


def parse_refined(base_text: str, refinement_text: str, source: str) -> Policy:
    """The institution's policy as a unit's refinement overrides it (第十六条 of Guilin's seed).

    Tables merge key by key; a list replaces the institution's list, except roles, which are
    added to the institution's. The result is validated as a whole policy.
    """
    refinement_unit(refinement_text, source)
    base, refinement = _load(base_text, "(base)"), _load(refinement_text, source)
    refinement.pop("refinement")
    roles = refinement.pop("roles", [])
    merged = _merge(base, refinement)
    merged["roles"] = [*merged.get("roles", []), *roles]
    return _validated(merged, source)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _validated(data: dict[str, Any], source: str) -> Policy:
    problems = list(_shape(data, S.POLICY, ""))
    problems += [(k, "missing required table") for k in S.REQUIRED_TOP if k not in data]
    if not problems:
        problems = list(_rules(data))
    if problems:
        raise PolicyInvalid(source, problems)
    return _build(data)


def _type_name(types: Any) -> str:
    names = {bool: "true/false", int: "whole number", float: "number", str: "text"}
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _is(value: Any, types: Any) -> bool:
    types = types if isinstance(types, tuple) else (types,)
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _shape(value: Any, spec: Any, path: str) -> Iterator[Problem]:
    if isinstance(spec, S.Table):
        yield from _shape_table(value, spec, path)
    elif isinstance(spec, S.ArrayOf):
        if not isinstance(value, list):
            yield path, "must be a list"
            return
        if spec.required and not value:
            yield path, "must not be empty"
        for i, item in enumerate(value):
            yield from _shape(item, spec.item, f"{path}[{i}]")
    elif not _is(value, spec.types):
        yield path, f"must be {_type_name(spec.types)}, not {value!r}"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, f"must be a finite number, not {value!r}"
    elif spec.choices and value not in spec.choices:
        yield path, f"must be one of {', '.join(spec.choices)}, not {value!r}"


def _shape_table(value: Any, spec: S.Table, path: str) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield path or "(file)", "must be a table"
        return
    prefix = f"{path}." if path else ""
    for key, item in value.items():
        sub = spec.keys.get("*") if spec.open_keys else spec.keys.get(key)
        if spec.open_keys and sub is None:
            if not _is(item, S.NUMBER) or (isinstance(item, float) and not math.isfinite(item)):
                yield f"{prefix}{key}", f"must be a finite number, not {item!r}"
        elif sub is None:
            yield f"{prefix}{key}", f"unknown key (expected one of: {', '.join(spec.keys)})"
        else:
            yield from _shape(item, sub, f"{prefix}{key}")
    for key, sub in spec.keys.items():
        if key != "*" and getattr(sub, "required", False) and key not in value:
            yield f"{prefix}{key}", "missing required key"


def _dupes(items: list[dict[str, Any]], key: str, path: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item[key] in seen:
            yield f"{path}[{i}].{key}", f"duplicate {key} {item[key]!r}"
        seen.add(item[key])


def _rules(data: dict[str, Any]) -> Iterator[Problem]:
    roles = data["roles"]
    yield from _dupes(roles, "id", "roles")
    for i, role in enumerate(roles):
        if role["id"] in (*ENGINE_ROLES, APPLICANT, "candidate"):
            yield f"roles[{i}].id", f"{role['id']!r} is reserved by the engine"
    role_ids = {r["id"] for r in roles} | {ADMIN}
    if not data["workflows"]:
        yield "workflows", "must declare at least one workflow"
    for kind, wf in data["workflows"].items():
        yield from _workflow_rules(kind, wf, role_ids)
        yield from _time_limit_rules(kind, wf)
    if "appraisal" in data:
        yield from _appraisal_rules(data["appraisal"])
        yield from _score_steps(data["appraisal"], data["workflows"].get("appraisal"))
        yield from _grade_quota_rules(data["appraisal"], data["workflows"].get("appraisal"))
    if "award" in data:
        yield from _award_rules(data["award"], data.get("appraisal"))
        step = data["award"].get("quota_step")
        steps = [s["id"] for s in data["workflows"].get("award", {}).get("steps", [])]
        if step and step not in steps:
            yield "award.quota_step", f"{step!r} is not a step of workflows.award (one of: {', '.join(steps)})"
    yield from _grade_references(data)
    if "allowance" in data:
        yield from _allowance_rules(data["allowance"])
    for i, norm in enumerate(data.get("norms", [])):
        if norm["role"] not in role_ids:
            yield f"norms[{i}].role", f"undeclared role {norm['role']!r}"
    triggers = data.get("parent_contact_triggers", [])
    yield from _dupes(triggers, "key", "parent_contact_triggers")
    for i, trigger in enumerate(triggers):
        for j, role in enumerate(trigger["roles"]):
            if role not in role_ids:
                yield f"parent_contact_triggers[{i}].roles[{j}]", f"undeclared role {role!r}"
    for key in ("role", "for_role"):
        if "cover" in data and data["cover"][key] not in role_ids:
            yield f"cover.{key}", f"undeclared role {data['cover'][key]!r}"
    training = data.get("training")
    if training and training["recorded_by"] not in role_ids:
        yield "training.recorded_by", f"undeclared role {training['recorded_by']!r}"
    if training and training["required_for"] not in data["workflows"]:
        yield "training.required_for", f"{training['required_for']!r} is not a declared workflow"
    yield from _year_rules(data, role_ids)
    ends_by = data.get("staffing", {}).get("ends_by")
    if ends_by and ends_by not in role_ids:
        yield "staffing.ends_by", f"undeclared role {ends_by!r}"
    if data.get("staffing", {}).get("term_years", 0) < 0:
        yield "staffing.term_years", "a term counts whole years from 0 (no term)"


def _year_rules(data: dict[str, Any], role_ids: set[str]) -> Iterator[Problem]:
    """Each year of study once, with a declared role and, for duties, an indicator group."""
    years = data.get("years_of_study", [])
    yield from _dupes(years, "year", "years_of_study")
    groups = {i.get("group") for i in data.get("appraisal", {}).get("indicators", [])}
    for i, year in enumerate(years):
        if year["year"] < 1:
            yield f"years_of_study[{i}].year", "a year of study counts from 1"
        if year["role"] not in role_ids:
            yield f"years_of_study[{i}].role", f"undeclared role {year['role']!r}"
        if year.get("duties") and year["duties"] not in groups:
            yield f"years_of_study[{i}].duties", \
                f"{year['duties']!r} is not a group of appraisal.indicators"


def _workflow_rules(kind: str, wf: dict[str, Any], role_ids: set[str]) -> Iterator[Problem]:
    path = f"workflows.{kind}"
    if wf["opened_by"] != "candidate" and wf["opened_by"] not in role_ids:
        yield f"{path}.opened_by", f"undeclared role {wf['opened_by']!r} (or 'candidate')"
    steps = wf["steps"]
    yield from _dupes(steps, "id", f"{path}.steps")
    open_step = wf.get("open_step", "open")
    earlier = [open_step]
    for i, step in enumerate(steps):
        if step["role"] not in role_ids:
            yield f"{path}.steps[{i}].role", f"undeclared role {step['role']!r}"
        if step["id"] in (open_step, *S_CLOSED):
            yield f"{path}.steps[{i}].id", f"{step['id']!r} is reserved"
        target = step.get("return_to")
        if target and target not in earlier:
            yield (f"{path}.steps[{i}].return_to",
                   f"{target!r} is not an earlier step (one of: {', '.join(earlier)})")
        earlier.append(step["id"])
        yield from _countersign_rules(f"{path}.steps[{i}].countersign", step)
    if steps and not _reaches_publication(kind, wf):
        yield f"{path}.steps", "the pipeline cannot reach publication"


S_CLOSED = ("published", "vetoed", "withdrawn")


def _countersign_rules(path: str, step: dict[str, Any]) -> Iterator[Problem]:
    """`countersign` is "all" (会签) or how many holders must sign (或签 at 1), at least 1."""
    value = step.get("countersign")
    if isinstance(value, str) and value != "all":
        yield path, f'must be "all" or a whole number of holders (1 or more), not {value!r}'
    elif isinstance(value, int) and value < 1:
        yield path, f'must be "all" or a whole number of holders (1 or more), not {value!r}'


def _reaches_publication(kind: str, wf: dict[str, Any]) -> bool:
    workflow = _workflow(kind, wf)
    state, seen = workflow.open_step, set()
    for trigger in ["resubmit"] + ["approve"] * len(workflow.steps):
        nxt = table_destination(workflow, trigger, state)
        if nxt is None or nxt in seen:
            return False
        seen.add(nxt)
        state = nxt
    return state == PUBLISHED


def _sum(items: list[dict[str, Any]], key: str) -> Decimal:
    return sum((Decimal(str(item.get(key, 0))) for item in items), Decimal(0))


def _appraisal_rules(ap: dict[str, Any]) -> Iterator[Problem]:
    scoring, inds = ap["scoring"], ap["indicators"]
    yield from _dupes(inds, "key", "appraisal.indicators")
    need = {"points": "max", "weights": "weight"}.get(scoring)
    for i, ind in enumerate(inds):
        if need and need not in ind:
            yield f"appraisal.indicators[{i}].{need}", f"missing: {scoring} scoring needs it"
    total = Decimal(str(ap.get("total", 100)))
    if scoring == "points" and _sum(inds, "max") != total:
        yield "appraisal.indicators", f"maxima sum to {_sum(inds, 'max')}, not {total}"
    if scoring == "weights" and _sum(inds, "weight") != 100:
        yield "appraisal.indicators", f"weights sum to {_sum(inds, 'weight')}, not 100"
    yield from _dupes(ap.get("veto_items", []), "key", "appraisal.veto_items")
    yield from _grade_rules(ap["grades"], scoring, total)


def _score_steps(ap: dict[str, Any], wf: dict[str, Any] | None) -> Iterator[Problem]:
    """Scores are entered at a step of the appraisal workflow: it must have that step."""
    named = [("appraisal.score_step", ap["score_step"])] if "score_step" in ap else []
    named += [(f"appraisal.indicators[{i}].step", ind["step"])
              for i, ind in enumerate(ap["indicators"]) if "step" in ind]
    steps = [s["id"] for s in (wf or {}).get("steps", [])]
    for path, step in named:
        if step not in steps:
            yield path, f"{step!r} is not a step of workflows.appraisal (one of: {', '.join(steps)})"


def _grade_quota_rules(ap: dict[str, Any], wf: dict[str, Any] | None) -> Iterator[Problem]:
    """A grade quota names a grade of the policy, a share, and a step of the appraisal workflow."""
    quota = ap.get("grade_quota")
    if quota is None:
        return
    labels = [g["label"] for g in ap["grades"]]
    if quota["grade"] not in labels:
        yield ("appraisal.grade_quota.grade",
               f"{quota['grade']!r} is not a grade of appraisal.grades (one of: {', '.join(labels)})")
    if not 0 < quota["share"] <= 1:
        yield ("appraisal.grade_quota.share",
               f"must be a share between 0 and 1 (0.15 for 15 %), not {quota['share']}")
    steps = [s["id"] for s in (wf or {}).get("steps", [])]
    if quota["step"] not in steps:
        yield ("appraisal.grade_quota.step",
               f"{quota['step']!r} is not a step of workflows.appraisal (one of: {', '.join(steps)})")


def _grade_rules(grades: list[dict[str, Any]], scoring: str, total: Decimal) -> Iterator[Problem]:
    yield from _dupes(grades, "label", "appraisal.grades")
    if scoring == "grades":
        return
    mins = [(Decimal(str(g["min"])) if "min" in g else None) for g in grades]
    for i, low in enumerate(mins):
        if low is None:
            yield f"appraisal.grades[{i}].min", f"missing: {scoring} scoring needs band minima"
        elif not 0 <= low <= total:
            yield f"appraisal.grades[{i}].min", f"{low} is outside 0-{total}"
    known = sorted(m for m in mins if m is not None)
    if len(set(known)) != len(known):
        yield "appraisal.grades", "bands overlap: two grades start at the same score"
    if known and known[0] != 0:
        yield "appraisal.grades", f"bands leave a gap: no grade covers scores below {known[0]}"


def _award_rules(aw: dict[str, Any], ap: dict[str, Any] | None) -> Iterator[Problem]:
    if aw.get("consecutive_years", 1) < 1:
        yield "award.consecutive_years", f"must be 1 or more, not {aw['consecutive_years']}"
    share = aw.get("quota_share")
    if share is not None and not 0 < share <= 1:
        yield "award.quota_share", f"must be a share between 0 and 1 (0.15 for 15 %), not {share}"
    labels = {g["label"] for g in (ap or {}).get("grades", [])}
    if "quota_share" in aw and "quota_places" in aw:
        yield "award.quota_places", "give quota_share or quota_places, not both"
    for i, grade in enumerate(aw.get("eligible_grades", [])):
        if grade not in labels:
            yield f"award.eligible_grades[{i}]", f"{grade!r} is not a grade of appraisal.grades"
    if aw.get("follows_grade") and not aw.get("eligible_grades"):
        yield "award.follows_grade", "an award that follows the grade needs eligible_grades"


def _grade_references(data: dict[str, Any]) -> Iterator[Problem]:
    """Grades named in consequences and allowance withholding must be grades of the policy."""
    labels = {g["label"] for g in data.get("appraisal", {}).get("grades", [])}
    named = [(f"appraisal.consequences[{i}].grades[{j}]", g)
             for i, c in enumerate(data.get("appraisal", {}).get("consequences", []))
             for j, g in enumerate(c["grades"])]
    named += [(f"award.distinctions[{i}].eligible_grades[{j}]", g)
              for i, d in enumerate(data.get("award", {}).get("distinctions", []))
              for j, g in enumerate(d["eligible_grades"])]
    named += [(f"dismissal_triggers[{i}].year_grade", t["year_grade"])
              for i, t in enumerate(data.get("dismissal_triggers", [])) if "year_grade" in t]
    named += [(f"allowance.withhold_grades[{j}]", g)
              for j, g in enumerate(data.get("allowance", {}).get("withhold_grades", []))]
    for path, grade in named:
        if grade not in labels:
            yield path, f"{grade!r} is not a grade of appraisal.grades"


def _allowance_rules(al: dict[str, Any]) -> Iterator[Problem]:
    tiers = al.get("tiers", [])
    if al["formula"] == "tiered" and ("base" not in al or not tiers):
        yield "allowance", "a tiered formula needs base and tiers"
    if al["formula"] == "per_student" and not al.get("rates"):
        yield "allowance.rates", "a per_student formula needs rates"
    starts = [t["min_students"] for t in tiers]
    if tiers and (starts != sorted(set(starts)) or starts[0] != 0):
        yield "allowance.tiers", "tiers must start at 0 students and rise without repeats"
    funding = al.get("funding", [])
    if funding and _sum(funding, "share") != 100:
        yield "allowance.funding", f"shares sum to {_sum(funding, 'share')}, not 100"


def _time_limit(step: dict[str, Any]) -> int:
    """A step's time limit in working days (0, the default: none)."""
    return int(step.get("time_limit", 0))


def _time_limit_rules(kind: str, wf: dict[str, Any]) -> Iterator[Problem]:
    for n, step in enumerate(wf.get("steps", [])):
        limit = step.get("time_limit", 0) if isinstance(step, dict) else 0
        if isinstance(limit, int) and not 0 <= limit <= 365:
            yield (f"workflows.{kind}.steps[{n}].time_limit",
                   f"a time limit is 0 (none) to 365 working days, not {limit}")


def _workflow(kind: str, wf: dict[str, Any]) -> Workflow:
    steps = tuple(Step(s["id"], s["label"], s["role"], s["action"],
                       s.get("returnable", True), s.get("return_to", ""),
                       s.get("clerical", False), s.get("countersign"),
                       time_limit=_time_limit(s))
                  for s in wf["steps"])
    return Workflow(
        kind=kind, label=wf["label"], prefix=wf["prefix"], opened_by=wf["opened_by"],
        open_step=wf.get("open_step", "open"), open_label=wf["open_label"],
        open_action=wf["open_action"], on_publish=wf.get("on_publish", "none"),
        requires=tuple(wf.get("requires", ["subject"])), steps=steps,
        signer_may_sign_twice=wf.get("signer_may_sign_twice", False),
        opener_signs=wf.get("opener_signs", True),
    )


def _build(data: dict[str, Any]) -> Policy:
    head = data["policy"]
    roles = {r["id"]: Role(r["id"], r["label"], r.get("scoped", False)) for r in data["roles"]}
    roles.setdefault(ADMIN, Role(ADMIN, "系统管理员", False))
    roles.setdefault(AUDITOR, Role(AUDITOR, "审计员", False))
    st = data.get("staffing", {})
    staffing = Staffing(st.get("advisors_per_class", 1), st.get("max_classes_per_advisor", 0),
                        st.get("term_years", 0), st.get("students_per_advisor", 0),
                        st.get("ends_by", ""))
    workflows = {k: _workflow(k, wf) for k, wf in data["workflows"].items()}
    written: dict[str, Any] = {k: data[k] for k in ("appraisal", "award", "allowance", "norms",
                                                    "dismissal_triggers", "years_of_study",
                                                    "parent_contact_triggers", "training",
                                                    "cover")
                               if k in data}
    ap, aw = data.get("appraisal"), data.get("award")
    return Policy(
        id=head["id"], name=head["name"], source=head.get("source", ""),
        institution=head.get("institution", ""), utc_offset=head.get("utc_offset", "+08:00"),
        period=head.get("period", "semester"), roles=roles, workflows=workflows,
        staffing=staffing,
        appraisal=appraisal_of(ap, _end(workflows, "appraisal", 0)) if ap else None,
        award=award_of(aw, _end(workflows, "award", -1),
                       (ap or {}).get("period") or head.get("period", "semester")) if aw else None,
        allowance=allowance_of(data["allowance"]) if "allowance" in data else None,
        norms=tuple(norm_of(n) for n in data.get("norms", [])),
        consequences=consequences_of(ap),
        dismissal_triggers=tuple(Trigger(t["key"], t["label"], t.get("automatic", False),
                                         t.get("year_grade", ""))
                                 for t in data.get("dismissal_triggers", [])),
        years_of_study=years_of(data.get("years_of_study", [])),
        contact_triggers=tuple(contact_trigger_of(t)
                               for t in data.get("parent_contact_triggers", [])),
        cover=Cover(data["cover"]["role"], data["cover"]["for_role"]) if "cover" in data
        else None,
        training=Training(**{k: data["training"][k] for k in ("label", "recorded_by",
                                                               "required_for")})
        if "training" in data else None,
        written=written,
    )


def _end(workflows: dict[str, Workflow], kind: str, at: int) -> str:
    """The first (0) or last (-1) step of a workflow, or "" where the policy has none."""
    wf = workflows.get(kind)
    return wf.steps[at].id if wf and wf.steps else ""
