"""A cases-view row as the read side hands it out, free of SQLAlchemy: its dict, its signing facts, its due instant, the names beside its logins."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ..domain.delegation import deputy_refusal
from ..domain.periods import Calendar
from ..domain.policy import APPLICANT, RULE
from ..domain.signing import Sheet, signing_refusal
from ..domain.timefmt import local_iso, zone
from ..domain.workdays import step_due
from .policyof import PolicyOf


def utc(value: datetime) -> datetime:
    """SQLite keeps UTC instants without an offset: read back, they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def case_row(row: Any, offset: str) -> dict[str, Any]:
    return {
        "id": row.ref, "kind": row.kind, "state": row.state, "step": row.step,
        "step_label": row.step_label, "role": row.role, "subject": row.subject,
        "opener": row.opener, "period": row.period, "class": row.class_code, "unit": row.unit,
        "policy_version": row.policy_version, "last_action": row.last_action,
        "last_actor": row.last_actor, "assignee": row.assignee, "opened_at": local_iso(utc(row.opened_at), offset),
        "updated_at": local_iso(utc(row.updated_at), offset),
    }


def sheet(row: Any) -> Sheet:
    """The signing facts of a case as its view row keeps them."""
    return Sheet(row.ref, row.state, row.step or "", row.applicant, row.subject or "",
                 [p for p in row.unit_path.split("/") if p], json.loads(row.signers),
                 row.last_action, row.last_actor, row.assignee or "")


def with_returned_reasons(rows: list[dict[str, Any]],
                          reasons: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each inbox row with `returned_reason`: the reason of a returned case's latest return
    (`reasons`, by case), None for any other case."""
    for row in rows:
        row["returned_reason"] = reasons.get(row["id"]) if row["last_action"] == "returned" \
            else None
    return rows


PEOPLE_NAMES = {"subject": "subject_name", "opener": "opener_name",
                "last_actor": "last_actor_name", "actor": "actor_name",
                "advisor": "advisor_name", "on_behalf_of": "on_behalf_of_name"}
"""The name key added beside each login key a row may have (its value sealed until opened)."""


def named(rows: list[dict[str, Any]]) -> tuple[set[str], set[str], set[str]]:
    """The logins, class codes and unit codes whose names `with_names` looks up."""
    logins = {r[k] for r in rows for k in PEOPLE_NAMES if r.get(k)}
    codes = {r["class"] for r in rows if r.get("class")}
    units = {r["unit"] for r in rows if r.get("unit")}
    return logins, codes, units


def with_names(rows: list[dict[str, Any]], people: Mapping[str, str], klasses: Mapping[str, str],
               places: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each row with the names found beside its logins and codes (None where none was)."""
    for row in rows:
        for key, name in PEOPLE_NAMES.items():
            if key in row:
                row[name] = people.get(row[key]) if row[key] else None
        if "class" in row:
            row["class_name"] = klasses.get(row["class"]) if row["class"] else None
        if "unit" in row:
            row["unit_name"] = places.get(row["unit"]) if row["unit"] else None
    return rows


Memo = dict[tuple[date, int, str], datetime]
"""Due instants already worked out in one read, by (local date pending, limit, offset) at
midnight: the rows of a list mostly share a few days (a working-day count costs ~0.2 ms)."""


def due_of(row: Any, policy_of: PolicyOf, calendar: Calendar,
           memo: Memo | None = None) -> datetime | None:
    """When the open step of a cases-view row falls due (None: its step has no time limit).
    The row's `updated_at` is when the case last moved, so when its step became pending."""
    if row.state != "open" or not row.step:
        return None
    policy = policy_of(row.policy_version, row.refinement)
    wf = policy.workflow(row.kind)
    if row.step not in wf.step_ids():
        return None
    limit = wf.step(row.step).time_limit
    if not limit:
        return None
    since = utc(row.updated_at).astimezone(zone(policy.utc_offset)).replace(microsecond=0)
    midnight = since.replace(hour=0, minute=0, second=0)
    key = (since.date(), limit, policy.utc_offset)
    if memo is None or key not in memo:
        day = step_due(calendar, midnight, limit, policy.utc_offset)
        if memo is None:
            return day + (since - midnight)
        memo[key] = day
    return memo[key] + (since - midnight)


def with_due(rows: list[dict[str, Any]], found: Mapping[str, Any], policy_of: PolicyOf,
             calendar: Calendar, now: datetime, offset: str) -> list[dict[str, Any]]:
    """Each listed case row with `due` (local ISO, None without a limit) and `overdue`, from
    its cases-view row in `found` (by case)."""
    memo: Memo = {}
    for row in rows:
        view = found.get(row["id"])
        due = due_of(view, policy_of, calendar, memo) if view is not None else None
        row["due"] = local_iso(due, offset) if due else None
        row["overdue"] = bool(due and now >= due)
    return rows


Term = tuple[str, str, "list[str] | None"]
"""One way a case may be signable by someone: (pending role, applicant, units); the applicant
is "" when any will do, the units None when any unit will do."""


def signable_terms(login: str, grants: Sequence[Sequence[str]],
                   below: Callable[[], dict[str, list[str]]]) -> list[Term]:
    """An index-friendly superset of the cases `signing_refusal` lets the user sign, one term
    per grant (each an arm of a UNION: SQLite's planner scans every open case for an OR of
    them): the pending role is one the user holds, in a unit at or below the grant's (`below`:
    each unit's code with the codes at or under it), or the user is the applicant, or (for
    holders of any role) the case is a rule's, returned to the opening role that amends it in
    its place."""
    tree: dict[str, list[str]] | None = None
    terms: list[Term] = [(APPLICANT, login, None)]
    if grants:
        terms.append((APPLICANT, RULE, None))
    for role, unit in grants:
        if not unit:
            terms.append((role, "", None))
            continue
        if tree is None:
            tree = below()
        terms.append((role, "", tree.get(unit, [unit])))
    return terms


def units_below(units: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Each unit's code with the codes at or under it, from (code, path) pairs."""
    below: dict[str, list[str]] = {}
    for code, path in units:
        for above in str(path).split("/"):
            below.setdefault(above, []).append(code)
    return below


def signable(rows: Iterable[Any], login: str, grants: Sequence[Sequence[str]],
             policy_of: PolicyOf, offset: str, keep: Callable[[Any], bool] | None = None,
             deputy: str = "") -> list[dict[str, Any]]:
    """The open cases of `rows` that `login` may sign; with `deputy`, those `deputy` may sign
    for `login` (past the deputy's own limits, never a case back with its applicant), each
    marked `on_behalf_of` `login`."""
    out = []
    for row in rows:
        policy = policy_of(row.policy_version, row.refinement)
        wf = policy.workflow(row.kind)
        if signing_refusal(sheet(row), login, grants, policy, wf) is None \
                and (keep is None or keep(row)) \
                and (not deputy or (row.step != wf.open_step
                                    and deputy_refusal(sheet(row), deputy, login, wf) is None)):
            out.append(case_row(row, offset) | ({"on_behalf_of": login} if deputy else {}))
    return out
