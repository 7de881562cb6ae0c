"""Take back (拿回) and reassign (转办): who may take back their sign-off, who may hand a pending step to one named holder, and to whom."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .access import Grants, role_refusal
from .errors import NotPermitted, SeparationOfDuties, StepNotAllowed, WorkflowError
from .pipeline import OPEN, PUBLISHED
from .policy import Policy, Workflow
from .signing import ACTED, Sheet, is_admin, level_of, signing_refusal, step_label

if TYPE_CHECKING:
    from .case import Case

TAKEN_BACK, REASSIGNED = "taken back", "reassigned"
"""The history's actions of the two decisions."""


def takeback_refusal(case: Case, actor: str, wf: Workflow) -> WorkflowError | None:
    """Why `actor` may not take back a sign-off of the case now, or None when they may.

    Only the last sign-off is taken back, by its signer, while the case waits at the step it
    went to and nobody has acted there since (no signature, return or veto: those move the
    case; no scores or veto flags: `case.worked`). A published case is final (its appointment
    or result took effect); a closed one has nothing pending; a re-submission signs nothing, so
    there is nothing of it to take back (the first step may return the case again)."""
    last = case.last
    if case.state == PUBLISHED:
        return StepNotAllowed("{ref} is published ({action} by {who}); a published case is "
                              "final and its sign-off cannot be taken back", ref=case.ref,
                              action=last["action"], who=last["actor"])
    if case.state != OPEN:
        return StepNotAllowed("{ref} is {state} ({action} by {who}); there is no sign-off to "
                              "take back", ref=case.ref, state=case.state,
                              action=last["action"], who=last["actor"])
    signoff: dict[str, str] = getattr(case, "signoff", {})
    if signoff.get("actor") == actor:
        worked: dict[str, str] = getattr(case, "worked", {})
        if worked:
            return StepNotAllowed("{ref}: the next level already acted ({action} by {who} at "
                                  "{label}); the sign-off of {own} can no longer be taken back",
                                  ref=case.ref, action=worked["action"], who=worked["actor"],
                                  label=step_label(wf, case.step),
                                  own=step_label(wf, signoff["step"]))
        return None
    if last["action"] == "resubmitted" and last["actor"] == actor:
        return StepNotAllowed("{ref} was re-submitted by {who}; a re-submission is not a "
                              "sign-off and cannot be taken back (the first step may return "
                              "it again)", ref=case.ref, who=actor)
    mine = [level_of(s) for s, who in case.signers.items()
            if who == actor and ACTED not in s and level_of(s) != wf.open_step]
    if mine:
        return StepNotAllowed("{ref}: the next level already acted ({action} by {who}); the "
                              "sign-off of {own} by {actor} can no longer be taken back",
                              ref=case.ref, action=last["action"], who=last["actor"],
                              own=step_label(wf, mine[-1]), actor=actor)
    if signoff:
        return NotPermitted("{actor} did not sign {ref}; only {signer}, who signed {own} last, "
                            "may take that sign-off back", actor=actor, ref=case.ref,
                            signer=signoff["actor"], own=step_label(wf, signoff["step"]))
    return StepNotAllowed("{ref} has no sign-off to take back (its last action: {action} by "
                          "{who})", ref=case.ref, action=last["action"], who=last["actor"])


def reassign_refusal(sheet: Sheet, actor: str, grants: Grants,
                     wf: Workflow) -> WorkflowError | None:
    """Why `actor` may not reassign the pending step of the case, or None when they may: an
    administrator reassigns a signing step of an open case (a case back at its open step
    waits for its applicant alone)."""
    if sheet.state != OPEN:
        return StepNotAllowed("{ref} is {state} ({last_action} by {last_actor}); nothing is "
                              "pending", ref=sheet.ref, state=sheet.state,
                              last_action=sheet.last_action, last_actor=sheet.last_actor)
    if not is_admin(grants):
        return NotPermitted("only an administrator reassigns the pending step of a case; "
                            "{actor} is not one", actor=actor)
    if sheet.step == wf.open_step:
        return StepNotAllowed("{ref} awaits re-submission by {applicant}; only a signing step "
                              "is reassigned", ref=sheet.ref, applicant=sheet.applicant)
    return None


def assignee_refusal(sheet: Sheet, to: str, to_grants: Grants, policy: Policy,
                     wf: Workflow) -> WorkflowError | None:
    """Why the pending step may not be handed to `to`, or None when it may: they must hold its
    role in the case's unit or above, not be its subject, and be able to sign it (the one-level
    rule), and not be its assignee already."""
    step = wf.step(sheet.step)
    if to == sheet.assignee:
        return StepNotAllowed("{label} of {ref} is already assigned to {to}", label=step.label,
                              ref=sheet.ref, to=to)
    if role_refusal(to_grants, step, sheet.unit_path, to, policy, sheet.ref) is not None:
        return StepNotAllowed("{to} may not be assigned {label} of {ref}: it is signed by a "
                              "{role} ({role_label}) of the case's unit or above, and {to} is "
                              "not one", to=to, label=step.label, ref=sheet.ref,
                              role=step.role, role_label=policy.role_label(step.role))
    if to == sheet.subject:
        return SeparationOfDuties("{to} is the subject of {ref} and may not be assigned its "
                                  "step", to=to, ref=sheet.ref)
    return signing_refusal(sheet._replace(assignee=to), to, to_grants, policy, wf)
