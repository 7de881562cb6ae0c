"""Who may open, read and sign a case, what is pending, and who has signed: one home for the aggregate, the application and the views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .access import Grants, covers, role_refusal
from .errors import (AlreadySigned, NotPermitted, Phrase, SeparationOfDuties, StepNotAllowed,
                     WorkflowError)
from .pipeline import OPEN, VETOED, WITHDRAWN
from .policy import ADMIN, AUDITOR, RULE, Policy, Step, Workflow


class Pending(NamedTuple):
    """The step a case waits at: its id, label and the role that signs it (Nones when closed)."""

    step: str | None
    label: str | None
    role: str | None


NOTHING_PENDING = Pending(None, None, None)

def pending(wf: Workflow, state: str, step: str) -> Pending:
    """What an open case at `step` waits for; nothing once it is closed."""
    if state != OPEN or not step:
        return NOTHING_PENDING
    s = wf.step(step)
    return Pending(s.id, s.label, s.role)


def may_open(wf: Workflow, grants: Grants, unit_path: Sequence[str]) -> bool:
    """Whether these grants open a case of `wf` in the unit on `unit_path`: an administrator
    there, or a holder of the workflow's opening role (a candidate applying for themselves is
    the caller's other case)."""
    return is_admin(grants) or covers(grants, wf.opened_by, unit_path)


def is_admin(grants: Grants) -> bool:
    """Whether these grants hold the administrator's role (institution-wide: it names no unit)."""
    return covers(grants, ADMIN, ())


def sees_everything(grants: Grants) -> bool:
    """Administrators and auditors read every case (both roles are institution-wide)."""
    return is_admin(grants) or covers(grants, AUDITOR, ())


def may_read(case: Sheet, login: str, grants: Grants, wf: Workflow) -> bool:
    """Whether `login` may read a case (its scores, veto flags, comments, personal fields):
    its subject or its opener (the applicant), a holder of one of its workflow's step roles or
    its opening role in its unit or above, an administrator or an auditor. Nobody else."""
    if login in (case.subject, case.applicant) or sees_everything(grants):
        return True
    roles = {wf.opened_by, *(s.role for s in wf.steps)}
    return any(covers(grants, role, case.unit_path) for role in roles)


def may_read_advisor(advisor: str, unit_paths: Sequence[Sequence[str]], login: str,
                     grants: Grants, wf: Workflow | None) -> bool:
    """Whether `login` may read an advisor's own record (the advisor page, the 考核登记表 /
    业务档案, a result imported with no case): the advisor, an administrator or an auditor,
    and the holders of the appraisal workflow's roles (`wf`: its opener and every signing step)
    in one of the units the advisor served in, or above. Nobody else."""
    if login == advisor or sees_everything(grants):
        return True
    if wf is None:
        return False
    roles = {wf.opened_by, *(s.role for s in wf.steps)}
    return any(covers(grants, role, path) for role in roles for path in unit_paths)


def advisor_refusal(login: str, advisor: str) -> NotPermitted:
    return NotPermitted("{login} may not read the record of {advisor}: it is read by the advisor, "
                        "those who appraise them in their unit or above, administrators and "
                        "auditors", login=login, advisor=advisor)


def reading_refusal(ref: str, login: str, unit_path: Sequence[str]) -> NotPermitted:
    """The refusal names the case the caller gave and nothing they could not know: not its
    unit, state or people (`unit_path` is kept for callers, never shown)."""
    return NotPermitted("{login} may not read {ref}: it is read by its subject, its opener, "
                        "holders of its workflow's roles in its unit or above, administrators "
                        "and auditors", login=login, ref=ref)


def results_readers(wf: Workflow | None) -> set[str]:
    """Who reads a period's appraisal results: the roles of the appraisal workflow (its opener
    and every signing step), the administrator and the auditor."""
    return {ADMIN, AUDITOR} | ({wf.opened_by, *(s.role for s in wf.steps)} if wf else set())


def may_read_results(grants: Grants, wf: Workflow | None) -> bool:
    """Whether these grants read a period's ranked results (`wf`: the appraisal workflow, if
    the policy has one); an advisor sees their own result on their case instead."""
    roles = results_readers(wf)
    return any(role in roles for role, _ in grants)


def results_refusal(login: str, wf: Workflow | None) -> NotPermitted:
    return NotPermitted("{login} holds no role of the appraisal; results are read by {roles}",
                        login=login, roles=', '.join(sorted(results_readers(wf))))


class Sheet(NamedTuple):
    """What signing depends on, as the aggregate and the cases view both hold it."""

    ref: str
    state: str
    step: str
    applicant: str
    subject: str
    unit_path: Sequence[str]
    signers: Mapping[str, str]  # step id -> who signed it
    last_action: str
    last_actor: str
    assignee: str = ""  # the one holder the pending step was reassigned to ("" when none)


def signing_refusal(sheet: Sheet, actor: str, grants: Grants, policy: Policy,
                    wf: Workflow, holders: Sequence[str] | None = None) -> WorkflowError | None:
    """Why `actor` may not sign the pending step of the case, or None when they may.

    The case must be open. A case back at its open step waits for its applicant alone. Any
    other step needs its role held in the case's unit or above, and the signer may be neither
    the case's subject nor (unless the workflow allows it) someone who signed another level;
    a step the policy marks clerical (公布, 归档) counts as no level for that rule. At a
    countersign step (会签 / 或签) a holder signs once: a second signature is refused, unless
    (`holders` given: the step's holders now) nobody else is awaited, when it moves the step
    on (see `countersign_state`). A step reassigned to one holder (转办) is theirs alone."""
    if sheet.state != OPEN:
        return StepNotAllowed("{ref} is {state} ({last_action} by {last_actor}); nothing is "
                              "pending", ref=sheet.ref, state=sheet.state,
                              last_action=sheet.last_action, last_actor=sheet.last_actor)
    step = wf.step(sheet.step)
    if step.id == wf.open_step:
        if sheet.applicant == RULE:  # returned to the rule's opening: the opening role amends it
            return role_refusal(grants, Step(step.id, step.label, wf.opened_by, step.action),
                                sheet.unit_path, actor, policy, sheet.ref)
        if actor != sheet.applicant:
            return NotPermitted("{ref} was returned to {applicant} for amendment; only they may "
                                "re-submit it", ref=sheet.ref, applicant=sheet.applicant)
        return None
    refused = role_refusal(grants, step, sheet.unit_path, actor, policy, sheet.ref)
    if refused:
        return refused
    if sheet.assignee and actor != sheet.assignee:
        return NotPermitted("{label} of {ref} was reassigned to {assignee}; only they may sign "
                            "it", label=step.label, ref=sheet.ref, assignee=sheet.assignee)
    if actor == sheet.subject:
        return SeparationOfDuties("{actor} is the subject of {ref} and may not sign it",
                                  actor=actor, ref=sheet.ref)
    other = other_levels(sheet, actor, wf)
    if other:
        return SeparationOfDuties(
            "{actor} already acted at {other} of {ref}; one person signs at most one level "
            "of a case under this policy", actor=actor, other=step_label(wf, other[0]),
            ref=sheet.ref)
    return _countersign_refusal(sheet, actor, step, wf, holders)


def other_levels(sheet: Sheet, who: str, wf: Workflow) -> list[str]:
    """The levels of the case other than the pending one that `who` signed or acted at (none
    when the workflow lets a signer sign twice, or the pending step is clerical)."""
    step = wf.step(sheet.step)
    if wf.signer_may_sign_twice or step.clerical:
        return []
    return [level_of(s) for s, signer in sheet.signers.items()
            if signer == who and level_of(s) != step.id and not _clerical(wf, level_of(s))]


def _clerical(wf: Workflow, step_id: str) -> bool:
    return step_id in wf.step_ids() and wf.step(step_id).clerical


ACTED = "~"
"""A signers key `STEP~LOGIN`: LOGIN entered scores or veto flags at STEP. Entering a level's
scores or flags is acting at that level, for the one-level rule as much as signing it is."""


def acted_at(signers: Mapping[str, str], step: str, actor: str) -> dict[str, str]:
    """The signers once `actor` entered scores or flags at `step`."""
    return {**signers, f"{step}{ACTED}{actor}": actor}


def level_of(key: str) -> str:
    """The step a signers key is about (a signature's key is the step itself)."""
    return key.split(ACTED, 1)[0].split(COUNTERSIGNED, 1)[0]


# -- countersign (会签 / 或签) ----------------------------------------------------------------

COUNTERSIGNED = "+"
"""A signers key `STEP+LOGIN`: LOGIN countersigned STEP, which still gathers signatures. When
the case leaves the step (its last signature, a veto, a return) every such key becomes
`STEP~LOGIN` (`settled`): they acted at that level, which the one-level rule keeps counting,
and a later round at the same step (after a return) gathers its signatures afresh. Logins are
codes ([\\w.-]), so neither "+" nor "~" is ever part of one."""


def countersigned(signers: Mapping[str, str], step: str, who: str) -> dict[str, str]:
    """The signers once `who` (the holder: a deputy signs in their name) countersigned `step`."""
    return {**signers, f"{step}{COUNTERSIGNED}{who}": who}


def gathered(signers: Mapping[str, str], step: str) -> list[str]:
    """Who has countersigned `step` in the round now open, in the order they signed."""
    return [who for key, who in signers.items() if key == f"{step}{COUNTERSIGNED}{who}"]


def settled(signers: Mapping[str, str]) -> dict[str, str]:
    """The signers once the case left the step it was at: gathered countersignatures become
    acts at their level (see COUNTERSIGNED)."""
    return {key.replace(COUNTERSIGNED, ACTED, 1): who for key, who in signers.items()}


class Countersign(NamedTuple):
    """Where a countersign step stands: its rule ("all" or N), who signed (this round), who
    may still sign, and how many more signatures move it on."""

    rule: int | str
    signed: list[str]
    awaited: list[str]
    needed: int


def countersign_state(sheet: Sheet, wf: Workflow,
                      holders: Sequence[str]) -> Countersign | None:
    """The countersign progress of the pending step, or None when it is no countersign step.

    `holders` are the users holding the step's role in the case's unit or above NOW (the
    application reads them at each signature: a holder granted meanwhile is awaited too, one
    revoked is no longer awaited, and a signature once given stands). Awaited are the holders
    who may sign it (not the subject, not someone who acted at another level) and have not.
    "all" (会签) needs every awaited holder; N (或签 at 1) needs N signatures in all; if fewer
    holders than N may sign, the step waits for a holder to be granted."""
    if sheet.state != OPEN or not sheet.step or sheet.step == wf.open_step:
        return None
    step = wf.step(sheet.step)
    if step.countersign is None:
        return None
    signed = gathered(sheet.signers, step.id)
    awaited = [h for h in dict.fromkeys(holders) if h not in signed and h != sheet.subject
               and not other_levels(sheet, h, wf)]
    needed = len(awaited) if step.countersign == "all" \
        else max(0, int(step.countersign) - len(signed))
    return Countersign(step.countersign, signed, awaited, needed)


def completes(sheet: Sheet, wf: Workflow, holders: Sequence[str], who: str) -> bool:
    """Whether `who`'s signature moves a countersign step on (a plain step: always)."""
    after = sheet._replace(signers=countersigned(sheet.signers, sheet.step, who))
    state = countersign_state(after, wf, holders)
    return state is None or state.needed == 0


def _countersign_refusal(sheet: Sheet, actor: str, step: Step, wf: Workflow,
                         holders: Sequence[str] | None) -> WorkflowError | None:
    if step.countersign is None or actor not in gathered(sheet.signers, step.id):
        return None
    state = countersign_state(sheet, wf, holders) if holders is not None else None
    if state is not None and state.needed == 0:
        return None  # nobody else is awaited (a holder left): their signature moves it on
    return AlreadySigned("{actor} already countersigned {label} of {ref}; it awaits the other "
                         "holders' signatures", actor=actor, label=step.label, ref=sheet.ref)


def step_label(wf: Workflow, step_id: str) -> str:
    return wf.open_label if step_id == "open" else wf.step(step_id).label


# -- who has signed, and the last action ----------------------------------------------------

def signers_at_opening(open_step: str, opener: str, subject: str,
                       opener_signs: bool) -> dict[str, str]:
    """Opening a case for someone else is itself a level when the workflow says so: the opener
    then counts as the signer of the open step (and signs no other level)."""
    return {open_step: opener} if opener_signs and opener != subject else {}


class Move(NamedTuple):
    """What one decision does to a case: its new state and step, and the last action on it.
    `signs` says whether the actor now counts as the signer of `at`."""

    state: str
    step: str
    action: str
    actor: str
    at: str
    signs: bool = False

    def signers(self, before: Mapping[str, str]) -> dict[str, str]:
        """The signers after this move (countersignatures gathered at the step left settle)."""
        after = settled(before)
        return {**after, self.at: self.actor} if self.signs else after

    @property
    def last(self) -> dict[str, str]:
        return {"actor": self.actor, "action": self.action, "step": self.at}


def signed(actor: str, step: str, action: str, to_step: str, to_state: str) -> Move:
    """A level signed (or a returned case re-submitted, which signs nothing)."""
    return Move(to_state, to_step, action, actor, step, signs=action != "resubmitted")


def vetoed(actor: str, step: str) -> Move:
    return Move(VETOED, "", "vetoed", actor, step)


def returned(actor: str, step: str, to_step: str) -> Move:
    return Move(OPEN, to_step, "returned", actor, step)


def withdrawn(actor: str, step: str) -> Move:
    return Move(WITHDRAWN, "", "withdrawn", actor, step)


def taken_back(actor: str, step: str, to_step: str) -> Move:
    """A signer takes back their sign-off of `to_step`: the case waits there again."""
    return Move(OPEN, to_step, "taken back", actor, to_step)


def forget(signers: Mapping[str, str], step: str) -> dict[str, str]:
    """The signers without the signature of `step` (taken back); scores and flags entered
    there still count as acting at it."""
    return {k: v for k, v in signers.items() if k != step}


def reopened(actor: str, outcome: str, to_step: str) -> Move:
    """An upheld objection sends a published appraisal back to `to_step`."""
    return Move(OPEN, to_step, f"objection {outcome}", actor, "")


def officers(policy: Policy) -> set[str]:
    """The office's roles: the administrator, the auditor, and every role that opens or signs a
    workflow of the policy (a plain advisor holds none of them)."""
    return {ADMIN, AUDITOR} | {r for wf in policy.workflows.values()
                               for r in (wf.opened_by, *(s.role for s in wf.steps))}


def may_read_office(grants: Grants, policy: Policy) -> bool:
    """Whether these grants read the office's sheets (a month's allowance for every advisor)."""
    roles = officers(policy)
    return any(role in roles for role, _ in grants)


def office_refusal(login: str, what: Phrase) -> NotPermitted:
    return NotPermitted("{login} holds no office role; {what} is read by the office, "
                        "administrators and auditors", login=login, what=what)


def may_read_work(login: str, grants: Grants, advisor: str, policy: Policy) -> bool:
    """Whether `login` reads `advisor`'s work log and norms: their own, or the office's."""
    return login.casefold() == advisor.casefold() or may_read_office(grants, policy)


def openable(policy: Policy, grants: Grants, unit_paths: Sequence[Sequence[str]]) -> list[str]:
    """The workflow kinds these grants may open somewhere (`unit_paths`: the institution's
    units' paths, and the root `()`), by `may_open`; a candidate's own application
    (recruitment opened by the candidate) is `/apply`'s, not listed here."""
    return [kind for kind, wf in policy.workflows.items()
            if any(may_open(wf, grants, path) for path in unit_paths)]
