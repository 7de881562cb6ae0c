"""Labels whose key is built at run time (`"action." + entry.action`), marked for extraction;
the catalogue holds their text in each language."""

from __future__ import annotations

from . import N_


LABELS = (
    # action
    N_("action.added"),
    N_("action.adopted"),
    N_("action.applied"),
    N_("action.appointed"),
    N_("action.appraised"),
    N_("action.approved"),
    N_("action.cleared"),
    N_("action.consequence"),
    N_("action.dismissed"),
    N_("action.erased"),
    N_("action.finalised"),
    N_("action.flagged"),
    N_("action.granted"),
    N_("action.imported"),
    N_("action.initialised"),
    N_("action.invited"),
    N_("action.locked out"),
    N_("action.nominated"),
    N_("action.objected"),
    N_("action.opened"),
    N_("action.password changed"),
    N_("action.password invite"),
    N_("action.password reset"),
    N_("action.password set"),
    N_("action.published"),
    N_("action.rebuilt"),
    N_("action.recommended"),
    N_("action.registered"),
    N_("action.released"),
    N_("action.resubmitted"),
    N_("action.result imported"),
    N_("action.result recorded"),
    N_("action.returned"),
    N_("action.revoked"),
    N_("action.rewarded"),
    N_("action.scored"),
    N_("action.submitted"),
    N_("action.token issued"),
    N_("action.token revoked"),
    N_("action.updated"),
    N_("action.upheld"),
    N_("action.vetoed"),
    N_("action.withdrawn"),
    # case
    N_("case.pending"),
    N_("case.signed_by"),
    N_("case.title"),
    # err
    N_("err.AccountLocked"),
    N_("err.AlreadyExists"),
    N_("err.AlreadySigned"),
    N_("err.BadInput"),
    N_("err.Conflict"),
    N_("err.IntegrityFailure"),
    N_("err.LimitReached"),
    N_("err.NotFound"),
    N_("err.NotPermitted"),
    N_("err.NotSignedIn"),
    N_("err.RuleRefused"),
    N_("err.SeparationOfDuties"),
    N_("err.SignInFailed"),
    N_("err.StepNotAllowed"),
    N_("err.WorkflowError"),
    # login
    N_("login.failed"),
    N_("login.locked"),
    # outcome
    N_("outcome.dismissed"),
    N_("outcome.upheld"),
    # refused
    N_("refused"),
    # state
    N_("state.closed"),
    N_("state.open"),
    N_("state.published"),
    N_("state.vetoed"),
    N_("state.withdrawn"),
    # step
    N_("step.ahead"),
    N_("step.done"),
    N_("step.pending"),
    N_("step.skipped"),
    N_("step.stopped"),
)
