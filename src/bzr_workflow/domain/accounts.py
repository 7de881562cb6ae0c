"""The registry of logins and administrators: one consistency boundary, so that no two logins
look alike and the last administrator can never lose the role, even when commands race.

Every command that registers a login or gives or takes the admin role stores an event here in
the same transaction as the user's own: two such commands at the same moment conflict on this
aggregate's version, and the one re-run sees what the other did (two administrators revoking
each other at once: the second finds it is no longer one)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import BadInput, RuleRefused
from .ids import key_id
from .logins import fold, skeleton


class Accounts(Aggregate):
    TOPIC = "bzr.accounts"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.accounts.created"

    class Counted(Aggregate.Created):
        """The logins and administrators as they stood when the registry started (a store made
        before it existed is counted from its users' events)."""

        TOPIC = "bzr.accounts.counted"
        class_version = 1
        logins: list[str]
        admins: list[str]

    class LoginAdded(Aggregate.Event):
        TOPIC = "bzr.accounts.login_added"
        class_version = 1
        login: str

    class AdminAdded(Aggregate.Event):
        TOPIC = "bzr.accounts.admin_added"
        class_version = 1
        login: str

    class AdminRemoved(Aggregate.Event):
        TOPIC = "bzr.accounts.admin_removed"
        class_version = 1
        login: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return key_id("accounts", "")

    @event(Counted)
    def __init__(self, logins: list[str], admins: list[str]) -> None:
        self.logins: dict[str, str] = {}  # folded -> the login as stored
        self.skeletons: dict[str, str] = {}  # skeleton -> the login as stored
        for login in logins:
            self._remember(login)
        self.admins: list[str] = list(dict.fromkeys(admins))

    def _remember(self, login: str) -> None:
        self.logins.setdefault(fold(login), login)
        self.skeletons.setdefault(skeleton(login), login)

    # -- logins ---------------------------------------------------------------------------

    def stored(self, login: str) -> str | None:
        """The login as stored that `login` names once folded, if any (older stores may hold
        logins that are not folded: `Zhang` is found as `zhang`)."""
        return self.logins.get(fold(login))

    def check_new(self, login: str) -> None:
        """Refuse a login confusable with an existing one (the caller refuses an existing one)."""
        other = self.skeletons.get(skeleton(login))
        if other is not None and fold(other) != fold(login):
            raise BadInput("user {login!r} looks like the existing user {other!r} (confusable "
                           "letters); choose another login", login=login, other=other)

    def add_login(self, login: str) -> None:
        self.check_new(login)
        self._login_added(login=login)

    @event(LoginAdded)
    def _login_added(self, login: str) -> None:
        self._remember(login)

    # -- administrators -------------------------------------------------------------------

    def add_admin(self, login: str) -> None:
        if login not in self.admins:
            self._admin_added(login=login)

    @event(AdminAdded)
    def _admin_added(self, login: str) -> None:
        self.admins.append(login)

    def remove_admin(self, login: str) -> None:
        """Refused when `login` is the last administrator: nobody could then manage the store."""
        if login in self.admins and len(self.admins) <= 1:
            raise RuleRefused("{login} is the last administrator; grant admin to another user "
                              "before revoking it", login=login)
        if login in self.admins:
            self._admin_removed(login=login)

    @event(AdminRemoved)
    def _admin_removed(self, login: str) -> None:
        self.admins.remove(login)
