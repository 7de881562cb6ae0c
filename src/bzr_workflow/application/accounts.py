"""Loading the registry of logins and administrators, counting an older store's users the first
time it is needed, and finding the stored login a typed one names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from ..domain.accounts import Accounts
from ..domain.logins import fold
from ..domain.policy import ADMIN
from ..domain.user import User

if TYPE_CHECKING:
    from .app import WorkflowApp

_PAGE = 1000
_TOPICS = [User.Registered.TOPIC, User.RoleGranted.TOPIC, User.RoleRevoked.TOPIC]


def count_users(app: WorkflowApp) -> tuple[list[str], list[str]]:
    """(every login, the administrators) from the users' events, in the order they came."""
    logins: dict[str, None] = {}
    admins: dict[str, set[str]] = {}  # login -> units it holds admin at ('' institution-wide)
    start: int | None = None
    while True:
        notes = app.recorder.select_notifications(start, _PAGE, None, _TOPICS,
                                                  inclusive_of_start=start is None)
        for note in notes:
            ev = app.mapper.to_domain_event(note)
            if isinstance(ev, User.Registered):
                logins[ev.login] = None
            elif isinstance(ev, User.RoleGranted) and ev.role == ADMIN:
                admins.setdefault(ev.login, set()).add(ev.unit)
            elif isinstance(ev, User.RoleRevoked) and ev.role == ADMIN:
                admins.get(ev.login, set()).discard(ev.unit)
        if len(notes) < _PAGE:
            break
        start = notes[-1].id
    return list(logins), [login for login, units in admins.items() if units]


def accounts(app: WorkflowApp) -> Accounts:
    """The registry, or a new one counted from the users' events, to save with the command's
    other aggregates (two commands starting it at once conflict on its first version)."""
    try:
        found: Accounts = app.repository.get(Accounts.create_id())
        return found
    except AggregateNotFoundError:
        logins, admins = count_users(app)
        return Accounts(logins=logins, admins=admins)


def legacy_login(app: WorkflowApp, folded: str) -> str | None:
    """In a store made before logins were folded, the stored login that folds to `folded`
    (`Zhang`, typed as `zhang` or `ZHANG`); None when there is none."""
    try:
        registry: Accounts = app.repository.get(Accounts.create_id())
        found = registry.stored(folded)
    except AggregateNotFoundError:
        found = next((s for s in count_users(app)[0] if fold(s) == folded), None)
    return found if found is not None and found != folded else None
