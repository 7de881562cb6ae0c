"""Named domain refusals; each carries the CLI exit code of its family (see CLI.md)."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every refusal the engine gives a user; the message says what to do next.

    `msgid` is the English source text with `{named}` placeholders (gettext's convention) and
    `params` fill them: `str(exc)` is the English line, and the catalogue (bzr_workflow.catalogue)
    renders the same id in the reader's language at the edge. The domain never imports the
    catalogue. A param that is itself a refusal is rendered in the same language."""

    exit_code = 1

    def __init__(self, msgid: str = "", /, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid)

    def __str__(self) -> str:
        """The English line, made when asked: a load names its refusal before it knows
        whether the aggregate is there, and most are never raised (the msgid is `args[0]`)."""
        return format_message(self.msgid, self.params)


class Phrase:
    """A piece of a message (a param of a refusal: "row 3", " in 2026-2027") that the catalogue
    renders in the reader's language with the message; `str()` is the English."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return format_message(self.msgid, self.params)

    def __repr__(self) -> str:
        return f"Phrase({self.msgid!r}, **{self.params!r})"


def format_message(msgid: str, params: dict[str, object]) -> str:
    """The English line: the msgid with its placeholders filled (nested refusals and phrases
    as their English); a msgid with no params is its own text (braces stay as written)."""
    if not params:
        return msgid
    return msgid.format(**{k: str(v) if isinstance(v, (WorkflowError, Phrase)) else v
                           for k, v in params.items()})


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


class TooLarge(BadInput):
    """An upload above its cap (a file, or a request's files together): HTTP 413, exit 2."""
