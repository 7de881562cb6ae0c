"""Loading the registry of logins and administrators, counting an older store's users the first
time it is needed, and finding the stored login a typed one names."""

from __future__ import annotations

from ..domain.accounts import Accounts
from ..domain.logins import fold
from ..domain.policy import ADMIN
from ..domain.user import User
from .ports import Store


_TOPICS = [User.Registered.TOPIC, User.RoleGranted.TOPIC, User.RoleRevoked.TOPIC]


def count_users(store: Store) -> tuple[list[str], list[str]]:
    """(every login, the administrators) from the users' events, in the order they came."""
    logins: dict[str, None] = {}
    admins: dict[str, set[str]] = {}  # login -> units it holds admin at ('' institution-wide)
    for ev in store.events_with(_TOPICS):
        if isinstance(ev, User.Registered):
            logins[ev.login] = None
        elif isinstance(ev, User.RoleGranted) and ev.role == ADMIN:
            admins.setdefault(ev.login, set()).add(ev.unit)
        elif isinstance(ev, User.RoleRevoked) and ev.role == ADMIN:
            admins.get(ev.login, set()).discard(ev.unit)
    return list(logins), [login for login, units in admins.items() if units]


def accounts(store: Store) -> Accounts:
    """The registry, or a new one counted from the users' events, to save with the command's
    other aggregates (two commands starting it at once conflict on its first version)."""
    found: Accounts | None = store.find(Accounts.create_id())
    if found is not None:
        return found
    logins, admins = count_users(store)
    return Accounts(logins=logins, admins=admins)


def legacy_login(store: Store, folded: str) -> str | None:
    """In a store made before logins were folded, the stored login that folds to `folded`
    (`Zhang`, typed as `zhang` or `ZHANG`); None when there is none."""
    registry: Accounts | None = store.find(Accounts.create_id())
    if registry is not None:
        found = registry.stored(folded)
    else:
        found = next((s for s in count_users(store)[0] if fold(s) == folded), None)
    return found if found is not None and found != folded else None
