"""Who someone is: argon2id passwords, sessions, API tokens, invitations and the sign-in lockout."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from ..domain.errors import AccountLocked, BadInput, NotPermitted, SignInFailed, WorkflowError
from ..domain.signing import is_admin
from ..domain.timefmt import local_iso
from ..domain.user import User
from ..adapters.credstore import CredentialTables
from ..adapters.passwords import hash_password, password_matches
from .organisation import CODE, check_code
from .service import Service
from .text import FORBIDDEN

MIN_PASSWORD, MAX_PASSWORD = 8, 1024
SESSION_IDLE = timedelta(hours=12)
TOUCH_AFTER = timedelta(minutes=5)  # a session's expiry moves on at most this often
LOCK_WINDOW, LOCK_AFTER = timedelta(minutes=15), 5
MAX_INVITE_HOURS = 24 * 30
FAILED = "wrong user name or password"
INVITE_DEAD = "this invitation is used, expired or unknown; ask an administrator for a new one"


class SignedIn(NamedTuple):
    login: str
    name: str
    session_id: str  # the cookie's value: shown once, stored only as its sha256
    csrf: str


class SessionUser(NamedTuple):
    login: str
    csrf: str
    session_key: str  # names the session in records without being its secret


class Credentials(Service):
    """Credentials live in tables outside the log (a replaced hash is gone); what was done to
    them, by whom, is an event on the User."""

    @cached_property
    def tables(self) -> CredentialTables:
        return CredentialTables(self.store.location)

    def close(self) -> None:
        if "tables" in self.__dict__:
            self.tables.close()

    # -- passwords, set by an administrator or through an invitation --------------------------

    def set_password(self, login: str, password: str, actor: str | None) -> dict[str, Any]:
        """Set (or reset) a password; every session of the user ends."""
        _check_password(password)
        admin, how = self.store.require_admin(actor), ["set"]

        def decide(user: User) -> None:
            how[0] = "reset" if user.has_password else "set"
            user.password_set(admin.login, how[0])
        user = self._record(login, decide)
        self._store(user.login, password)
        return {"user": user.login, "how": how[0]}

    def invite(self, login: str, actor: str | None, hours: int = 72) -> dict[str, Any]:
        """A one-time path where the user sets their own password, valid for `hours`."""
        if not 1 <= hours <= MAX_INVITE_HOURS:
            raise BadInput(f"--hours {hours}: an invitation lasts 1 to {MAX_INVITE_HOURS} hours")
        admin = self.store.require_admin(actor)
        expires = self.store.clock() + timedelta(hours=hours)
        shown = local_iso(expires, self.store.policy().utc_offset)
        user = self._record(login, lambda u: u.invited(admin.login, shown))
        token = secrets.token_urlsafe(32)
        self.tables.add_invite(_sha(token), user.login, expires)
        return {"user": user.login, "path": f"/invite/{token}", "expires": shown}

    def invitation(self, token: str) -> str | None:
        """The login an unused, unexpired invitation names."""
        return self.tables.invite(_sha(token), self.store.clock()) if token else None

    def accept_invite(self, token: str, password: str, confirm: str) -> str:
        """Set the password an invitation asks for (once); returns the login."""
        if password != confirm:
            raise BadInput("the password and its confirmation differ")
        _check_password(password)
        login = self.tables.use_invite(_sha(token), self.store.clock()) if token else None
        if login is None:
            raise NotPermitted(INVITE_DEAD)
        self._record(login, lambda u: u.password_set(login, "invite"))
        self._store(login, password)
        return login

    def change_password(self, login: str, old: str, new: str, keep_session: str | None) -> None:
        """The user's own change; their other sessions end, `keep_session` stays."""
        _check_password(new)
        if not self._verify(self.tables.hash_of(login), old):
            raise SignInFailed("the current password is wrong; nothing was changed")
        self._record(login, lambda u: u.password_set(login, "changed"))
        self._store(login, new, _sha(keep_session) if keep_session else None)

    # -- API tokens --------------------------------------------------------------------------

    def issue_token(self, login: str, name: str | None, actor: str | None) -> dict[str, Any]:
        """A new API token, shown this once (the user's own, or issued by an administrator)."""
        if name is not None:
            check_code(name, "token name")
        who = self._self_or_admin(login, actor)
        chosen: list[str] = []

        def decide(user: User) -> None:
            chosen[:] = [name or user.next_token_name()]
            user.issue_token(chosen[0], who)
        user = self._record(login, decide)
        token = secrets.token_urlsafe(32)
        self.tables.add_token(_sha(token), user.login, chosen[0], self.store.clock())
        return {"token": token, "name": chosen[0]}

    def revoke_token(self, login: str, name: str, actor: str | None) -> dict[str, Any]:
        who = self._self_or_admin(login, actor)

        def decide(user: User) -> None:
            user.revoke_token(name, who)
            self.tables.drop_token(user.login, name)  # dead at once, even should saving fail
        user = self._record(login, decide)
        return {"user": user.login, "name": name, "revoked": True}

    def bearer(self, token: str) -> str | None:
        """The login of a live API token."""
        return self.tables.token_login(_sha(token)) if token else None

    # -- signing in and out -------------------------------------------------------------------

    def sign_in(self, login: str, password: str, address: str) -> SignedIn:
        """A new session, or SignInFailed; the 5th failure of a name within 15 minutes locks it
        for 15 minutes (AccountLocked whatever the password). An unknown name gets the very
        same answers, after the same password check."""
        name, now = _folded(login), self.store.clock()
        until = self.tables.locked_until(name, now)
        if until:
            raise AccountLocked(self._locked_message(until))
        login = self._stored(login)  # `Zhang` or `ｚｈａｎｇ` signs in as zhang (domain/logins)
        if not self._verify(self.tables.hash_of(login) if _code(login) else None, password):
            until = self.tables.count_failure(name, now, LOCK_WINDOW, LOCK_AFTER)
            account = self._account(login, name) if until else None
            if until and account:
                self._record(account, lambda u: u.locked_out(self._local(until)))
            raise SignInFailed(FAILED)
        self.tables.clear_failures(name)
        user, session_id, csrf = self.store.user(login), *_secrets()
        self.tables.add_session(_sha(session_id), user.login, csrf, now, now + SESSION_IDLE,
                                address or "")
        return SignedIn(user.login, user.name, session_id, csrf)

    def session(self, session_id: str) -> SessionUser | None:
        """The signed-in user of a live session; its idle limit moves on with use."""
        if not session_id:
            return None
        key, now = _sha(session_id), self.store.clock()
        found = self.tables.session(key)
        if found is None:
            return None
        login, csrf, expires = found
        if expires <= now:
            self.tables.drop_session(key)
            return None
        if now + SESSION_IDLE - expires > TOUCH_AFTER:
            self.tables.touch_session(key, now + SESSION_IDLE)
        return SessionUser(login, csrf, key[:16])

    def sign_out(self, session_id: str) -> None:
        if session_id:
            self.tables.drop_session(_sha(session_id))

    # -- helpers -------------------------------------------------------------------------------

    def _record(self, login: str, decide: Callable[[User], None]) -> User:
        """Load the user, decide, save the event (re-run on conflict)."""
        store = self.store

        def command() -> User:
            user = store.user(login)
            decide(user)
            store.save(user)
            return user
        return store.attempt(command)

    def _store(self, login: str, password: str, keep: str | None = None) -> None:
        """The new hash replaces the old one; the user's other sessions end."""
        now = self.store.clock()
        self.tables.put_hash(login, hash_password(password), now)
        self.tables.end_sessions(login, now, keep)

    def _verify(self, stored: str | None, password: str) -> bool:
        """argon2 runs whether or not there is a hash, so timing tells nothing."""
        return password_matches(stored, password)

    def _self_or_admin(self, login: str, actor: str | None) -> str:
        me = self.store.actor(actor)
        if me.login != self._stored(login) and not is_admin(me.grants):
            raise NotPermitted(f"{me.login} may manage only their own tokens;"
                               f" {login}'s are managed by an administrator (role admin)")
        return me.login

    def _stored(self, login: str) -> str:
        """The stored login a typed one names, or the typed one when none does."""
        if not _code(login):
            return login
        try:
            return self.store.user(login).login
        except WorkflowError:
            return login

    def _account(self, login: str, folded: str) -> str | None:
        """The real account a locked name locks, if any (only those get a LockedOut event)."""
        for candidate in dict.fromkeys((login, folded)):
            if _code(candidate) and self.store.exists(User.create_id(candidate)):
                return candidate
        return None

    def _local(self, when: datetime) -> str:
        return local_iso(when, self.store.policy().utc_offset)

    def _locked_message(self, until: datetime) -> str:
        return (f"too many failed sign-ins of this name: signing in is locked until"
                f" {self._local(until)[:16].replace('T', ' ')}; try again then")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput(f"a password needs at least {MIN_PASSWORD} characters; nothing was set")
    if len(password) > MAX_PASSWORD or FORBIDDEN.search(password) or "\n" in password:
        raise BadInput(f"a password is one line of {MIN_PASSWORD}-{MAX_PASSWORD} characters"
                       " without control characters; nothing was set")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput("the password is not valid text; nothing was set") from None


def _code(login: str) -> bool:
    return bool(CODE.fullmatch(login or ""))


def _folded(login: str) -> str:
    """The name failures are counted under: NFKC, case-folded (anything too long or with
    control characters by its digest, so any input fits the table)."""
    folded = unicodedata.normalize("NFKC", login or "").casefold()
    if len(folded) > 128 or FORBIDDEN.search(folded) or "\x00" in folded or "\n" in folded:
        return "sha256:" + _sha(folded)
    return folded


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _secrets() -> tuple[str, str]:
    return secrets.token_urlsafe(32), secrets.token_urlsafe(32)
