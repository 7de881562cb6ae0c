"""What a notice says and whom it is for: the causes a case event gives (a step pending, a return,
a 公示 opening), an overdue step's, and their Chinese texts from the catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..catalogue import N_, render
from ..domain.access import covers
from ..domain.case import Case
from ..domain.pipeline import OPEN
from ..domain.policy import APPLICANT, Policy

LANG = "zh-CN"  # the institution's language: notices are read in Chinese

TEXTS: dict[str, tuple[str, str]] = {
    "pending": (N_("{kind} of {subject} ({ref}) awaits {step}"),
                N_("{name}: the {kind} of {subject} ({ref}) has reached {step} and awaits "
                   "your decision as {role}.")),
    "returned": (N_("{kind} ({ref}) was returned to {step}"),
                 N_("{name}: your {kind} ({ref}) was returned to {step} by {actor}; change it "
                    "as asked and submit it again.")),
    "announced": (N_("{kind} ({ref}) is under public announcement"),
                  N_("{name}: the result of your {kind} ({ref}) is under public announcement "
                     "(公示) until {until}.")),
    "overdue": (N_("{kind} of {subject} ({ref}): {step} is overdue"),
                N_("{name}: {step} of the {kind} of {subject} ({ref}) fell due on {due} and "
                   "still awaits your decision.")),
}
LINK = N_("Open the case: {link}")

MOVES = (Case.Opened, Case.Signed, Case.Returned, Case.Vetoed, Case.Withdrawn,
         Case.ObjectionResolved, Case.Finalised)
"""The events that move a case to another step or close it."""
TOPICS = [Case.Opened.TOPIC, Case.Signed.TOPIC, Case.Returned.TOPIC,
          Case.AnnouncementOpened.TOPIC, Case.ObjectionResolved.TOPIC]
"""The case events the notices follow."""


@dataclass
class Cause:
    """One reason to tell people something: `key` names it uniquely (the case's event and the
    cause's kind, or the overdue step and its due date); `recipients` are logins."""

    key: str
    cause: str
    case: str
    person: str
    recipients: list[str]
    params: dict[str, Any] = field(default_factory=dict)


def holders(users: Sequence[Mapping[str, Any]], role: str, unit_path: Sequence[str]) -> list[str]:
    """The logins holding `role` in the case's unit or above it (the users view's rows)."""
    found = []
    for user in users:
        grants = [str(g).split("@", 1) + [""] for g in user["roles"]]
        if covers([g[:2] for g in grants], role, unit_path):
            found.append(str(user["user"]))
    return found


def causes_of(ev: Any, case: Case, later: Sequence[Any], policy: Policy,
              users: Sequence[Mapping[str, Any]]) -> list[Cause]:
    """What a case event gives people to know: a step pending (when no later event has moved
    the case on since), a return (the applicant), a 公示 opening (the subject)."""
    wf = policy.workflow(case.kind)
    base = {"ref": case.ref, "kind": wf.label}
    key = f"{ev.originator_id}/{ev.originator_version}"
    actor = str(getattr(ev, "actor", "") or getattr(ev, "opener", ""))
    current = not any(e.originator_version > ev.originator_version for e in later
                      if isinstance(e, MOVES))
    found: list[Cause] = []

    def pending(step_id: str) -> None:
        if not current:
            return
        step = wf.step(step_id)
        people = ([case.applicant] if step.role == APPLICANT
                  else [h for h in holders(users, step.role, case.unit_path)
                        if h != case.subject])
        found.append(Cause(f"{key}/pending", "pending", case.ref, case.subject,
                           [p for p in people if p and p != actor],
                           base | {"step": step.label, "role": policy.role_label(step.role)}))

    if isinstance(ev, Case.Opened):
        pending(ev.step)
    elif isinstance(ev, Case.Signed) and ev.to_state == OPEN:
        pending(ev.to_step)
    elif isinstance(ev, Case.ObjectionResolved) and ev.to_step:
        pending(ev.to_step)
    elif isinstance(ev, Case.Returned):
        if case.applicant and case.applicant != actor:
            found.append(Cause(f"{key}/returned", "returned", case.ref, case.subject,
                               [case.applicant], base | {"step": wf.step(ev.to_step).label,
                                                         "actor": actor}))
        if wf.step(ev.to_step).role != APPLICANT:
            pending(ev.to_step)
    elif isinstance(ev, Case.AnnouncementOpened) and case.subject:
        found.append(Cause(f"{key}/announced", "announced", case.ref, case.subject,
                           [case.subject], base | {"until": ev.until}))
    return [c for c in found if c.recipients]


def overdue_cause(item: Mapping[str, Any], case: Case, policy: Policy) -> Cause:
    """An overdue step's notice (`{case, step, step_label, role, holders, due}`), once per
    (case, step, due)."""
    wf = policy.workflow(case.kind)
    key = f"overdue/{case.ref}/{item['step']}/{item['due']}"
    label = str(item.get("step_label") or wf.step(str(item["step"])).label)
    return Cause(key, "overdue", case.ref, case.subject, [str(h) for h in item["holders"]],
                 {"ref": case.ref, "kind": wf.label, "step": label, "due": _shown_due(str(item["due"])),
                  "role": policy.role_label(str(item.get("role") or ""))})


def words(cause: Cause, name: str, names: Mapping[str, str], base_url: str) -> tuple[str, str]:
    """(subject, text) of a cause's notice to `name` (a person, or the people a group's robot
    is told of), people named by name, in Chinese."""
    params = dict(cause.params)
    params["subject"] = names.get(cause.person, cause.person)
    if "actor" in params:
        params["actor"] = names.get(params["actor"], params["actor"])
    params["name"] = name
    subject_id, text_id = TEXTS[cause.cause]
    subject, text = render(subject_id, params, LANG), render(text_id, params, LANG)
    if base_url:
        link = f"{base_url.rstrip('/')}/cases/{cause.case}"
        text += "\n" + render(LINK, {"link": link}, LANG)
    return subject, text


def _shown_due(due: str) -> str:
    """A due instant as people read it (2026-12-14 13:20, in the zone it was given in); a bare
    date stays as it is."""
    return due[:16].replace("T", " ")
