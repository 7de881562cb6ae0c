"""Named domain refusals; each carries the CLI exit code of its family (see CLI.md)."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every refusal the engine gives a user; the message says what to do next.

    `zh` is the same refusal in Chinese where the engine has written one: the web shows it to
    zh-CN readers; the command line (the operator's tool) speaks English."""

    exit_code = 1

    def __init__(self, message: str = "", *, zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh


class RuleRefused(WorkflowError):
    """Refused by a rule: wrong step, already signed, limit reached, separation of duties."""

    exit_code = 1


class StepNotAllowed(RuleRefused):
    """The command does not fit the step the case is at."""


class AlreadySigned(RuleRefused):
    """The step the user meant to sign was signed by someone else first."""


class SeparationOfDuties(RuleRefused):
    """The same person may not act at two levels of one case."""


class LimitReached(RuleRefused):
    """A staffing limit (advisors per class, classes per advisor) would be broken."""


class AlreadyExists(RuleRefused):
    """Something with that key is already recorded."""


class BadInput(WorkflowError):
    """Usage error, unknown reference, malformed file or value out of range."""

    exit_code = 2


class NotFound(BadInput):
    """An unknown case, user, unit, class or policy."""


class NotPermitted(WorkflowError):
    """The acting user lacks the role, or the unit, that the step needs."""

    exit_code = 3


class SignInFailed(NotPermitted):
    """Wrong name or password: the same answer whichever of the two it was."""


class AccountLocked(NotPermitted):
    """Too many failed sign-ins of one name: signing in as it is refused for a while."""


class Conflict(WorkflowError):
    """The case kept changing under the command and retrying did not settle it."""

    exit_code = 4


class IntegrityFailure(WorkflowError):
    """Stored history does not match its seal."""

    exit_code = 5
