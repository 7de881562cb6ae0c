"""The typed rows, sheets and reports the read door answers in (the shapes of CLI.md's JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

CaseRow = TypedDict("CaseRow", {
    "id": str, "kind": str, "state": str, "step": str | None, "step_label": str | None,
    "role": str | None, "subject": str | None, "opener": str | None, "period": str | None,
    "class": str | None, "unit": str | None, "policy_version": int,
    "last_action": str | None, "last_actor": str | None, "opened_at": str, "updated_at": str,
    "returned_reason": NotRequired[str | None], "assignee": NotRequired[str | None],
    "due": NotRequired[str | None], "overdue": NotRequired[bool],
    "subject_name": NotRequired[str | None], "opener_name": NotRequired[str | None],
    "last_actor_name": NotRequired[str | None], "class_name": NotRequired[str | None],
    "unit_name": NotRequired[str | None], "on_behalf_of": NotRequired[str | None],
    "on_behalf_of_name": NotRequired[str | None]})
"""A case as the views list it (inbox, cases); an inbox row also says why a returned case came
back (`returned_reason`); `assignee` names the one holder a step was reassigned to; when its
step falls due (`due`, None without a time limit) and whether it is `overdue`. Beside each
login and code, its name (`subject_name`, `class_name`, `unit_name` ...; None where none is
registered)."""

Overdue = TypedDict("Overdue", {
    "case": str, "kind": str, "subject": str | None, "step": str, "step_label": str | None,
    "role": str, "holders": list[str], "unit": str | None, "pending_since": str, "due": str,
    "days_late": int, "subject_name": NotRequired[str | None],
    "unit_name": NotRequired[str | None]})
"""An open step past its time limit (`overdue`): who holds its role, since when it has been
pending, when it fell due and how many started days late it is."""

AuditRow = TypedDict("AuditRow", {
    "at": str, "actor": str, "action": str, "case": str | None, "target": str | None,
    "step": str | None, "step_label": str | None, "to_step": str | None, "comment": str | None,
    "position": int, "via": str | None, "session": str | None, "address": str | None,
    "os_user": str | None, "host": str | None, "batch": str | None,
    "actor_name": NotRequired[str | None], "on_behalf_of": NotRequired[str | None],
    "on_behalf_of_name": NotRequired[str | None]})
"""One recorded decision or organisation change, and where the command came from (cli, web
or api; the web's session and address; the CLI's operating-system account and host; the bulk
sign-off it was an item of, `batch`)."""

AppointmentRow = TypedDict("AppointmentRow", {
    "advisor": str, "class": str, "start": str, "end": str | None, "state": str,
    "case": str | None, "appointed_by": str | None, "end_reason": str | None,
    "end_cause": str | None, "ended_by": str | None, "term_end": str | None,
    "full_term": bool | None, "advisor_name": NotRequired[str | None],
    "class_name": NotRequired[str | None]})

UserRow = TypedDict("UserRow", {"user": str, "name": str, "roles": list[str]})

ClassRow = TypedDict("ClassRow", {
    "class": str, "name": str, "unit": str, "students": int, "level": str, "graduating": bool,
    "year_of_study": int | None, "advisors": list[str], "unit_name": NotRequired[str | None],
    "advisor_names": NotRequired[list[str]]})

UnitRow = TypedDict("UnitRow", {"unit": str, "name": str, "parent": str | None, "path": str,
                                "parent_name": NotRequired[str | None]})

ResultRow = TypedDict("ResultRow", {
    "advisor": str, "period": str, "total": float | None, "grade": str | None,
    "vetoed_items": list[str], "state": str, "final": bool, "case": str, "unit": str | None,
    "step_label": str | None, "announcement_until": str | None, "objections_open": int,
    "explanation": str | None, "imported": bool, "digest": str | None,
    "advisor_name": NotRequired[str | None], "unit_name": NotRequired[str | None]})
"""One appraisal result of a period; an imported one (`import results`) has no case of its own
(`case` is import:DIGEST12) and names the file's SHA-256 `digest`."""

AwardRow = TypedDict("AwardRow", {
    "advisor": str, "period": str, "case": str | None, "result": str | None, "unit": str | None,
    "distinction": str | None,
    "state": str, "step_label": str | None, "amount": float | None, "certificate": str | None,
    "advisor_name": NotRequired[str | None], "unit_name": NotRequired[str | None]})

GradeCounts = dict[str, dict[str, int]]
"""Results per grade, per unit and for all ('*'); ungraded count as '-'."""

Target = tuple[str, str, str]
"""(advisor, class, unit): whom an appraisal is opened for."""


@dataclass(frozen=True)
class Results:
    """A period's results and the seal digest of the event position they reflect."""

    rows: list[ResultRow]
    head: str


class AllowanceSheet(TypedDict):
    """A month's allowance lines with their provenance, the position they reflect and its seal."""

    month: str
    lines: list[dict[str, Any]]
    total: float
    position: int
    payers: dict[str, float]
    note: str
    head: str
    signed: NotRequired[dict[str, str] | None]  # the head signed: store, public_key, signature


class FormWritten(TypedDict):
    case: str
    file: str
    format: str


class Verified(TypedDict):
    head: str
    position: int
    events: int
    verified: bool
    head_checked: NotRequired[str]
    checkpoints: NotRequired[list[str]]
    links_recomputed: NotRequired[bool]  # False: checked with the public key alone
    views: NotRequired[str]  # "verified", "not made yet" or "not checked: ..."
    views_position: NotRequired[int]
    view_rows: NotRequired[int]


class PolicyView(TypedDict):
    """A policy's roles, workflows and rules as `policy show --json` gives them."""

    id: str
    name: str
    source: str
    institution: str
    period: str
    periods: dict[str, str]
    roles: list[dict[str, Any]]
    workflows: dict[str, dict[str, Any]]
    staffing: dict[str, Any]
    appraisal: dict[str, Any]
    award: dict[str, Any]
    allowance: dict[str, Any]
    norms: list[dict[str, Any]]
    dismissal_triggers: list[dict[str, Any]]
    years_of_study: list[dict[str, Any]]
    parent_contact_triggers: list[dict[str, Any]]
    version: NotRequired[int]
    digest: NotRequired[str]
    refinement: NotRequired[int | None]


class PolicySummary(TypedDict):
    id: str
    name: str
    source: str
    workflows: list[str]


class Activity(TypedDict):
    activity: str
    label: str


class KindCount(TypedDict):
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class CaseList:
    """Cases listed for a page, their counts per kind and each kind's label (the policy's)."""

    rows: list[CaseRow]
    counts: list[KindCount]
    labels: dict[str, str]


class VerifyRun(TypedDict):
    at: str
    events: int
    head: str
    verified: bool
    detail: str


@dataclass(frozen=True)
class Integrity:
    """The chain's head (the digest sealing every event up to `position`) and the last verify."""

    position: int
    head: str
    last_verified: VerifyRun | None
