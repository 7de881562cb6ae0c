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
SESSION_LIFETIME = timedelta(days=7)  # however it is used: then one signs in again
TOUCH_AFTER = timedelta(minutes=5)  # a session's expiry moves on at most this often
LOCK_WINDOW, LOCK_AFTER = timedelta(minutes=15), 5
MAX_INVITE_HOURS = 24 * 30
TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 366


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
        """Set (or reset) a password; every session, API token and unused invitation of the
        user ends."""
        _check_password(password)
        admin, how = self.store.require_admin(actor), ["set"]

        def decide(user: User) -> None:
            how[0] = "reset" if user.has_password else "set"
            _revoke_all(user, admin.login)
            user.password_set(admin.login, how[0])
        user = self._record(login, decide)
        self._store(user.login, password, reset=True)
        return {"user": user.login, "how": how[0]}

    def invite(self, login: str, actor: str | None, hours: int = 72) -> dict[str, Any]:
        """A one-time path where the user sets their own password, valid for `hours`."""
        if not 1 <= hours <= MAX_INVITE_HOURS:
            raise BadInput("--hours {hours}: an invitation lasts 1 to {MAX_INVITE_HOURS} hours",
                           hours=hours, MAX_INVITE_HOURS=MAX_INVITE_HOURS)
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
            raise NotPermitted("this invitation is used, expired or unknown; ask an administrator "
                               "for a new one")

        def decide(user: User) -> None:
            _revoke_all(user, user.login)
            user.password_set(user.login, "invite")
        self._record(login, decide)
        self._store(login, password, reset=True)
        return login

    def change_password(self, login: str, old: str, new: str, keep_session: str | None) -> None:
        """The user's own change; their other sessions end, `keep_session` stays. A wrong
        current password counts towards the sign-in lockout of the name."""
        _check_password(new)
        self._checked(login, old, SignInFailed("the current password is wrong; nothing was changed"))
        self._record(login, lambda u: u.password_set(login, "changed"))
        self._store(login, new, _sha(keep_session) if keep_session else None)

    # -- API tokens --------------------------------------------------------------------------

    def issue_token(self, login: str, name: str | None, actor: str | None,
                    days: int = TOKEN_DAYS) -> dict[str, Any]:
        """A new API token, shown this once (the user's own, or issued by an administrator),
        live for `days`; a password reset revokes it sooner."""
        if name is not None:
            check_code(name, "token name")
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise BadInput("--days {days}: a token lasts 1 to {most} days", days=days,
                           most=MAX_TOKEN_DAYS)
        who = self._self_or_admin(login, actor)
        chosen: list[str] = []

        def decide(user: User) -> None:
            chosen[:] = [name or user.next_token_name()]
            user.issue_token(chosen[0], who)
        user = self._record(login, decide)
        token, now = secrets.token_urlsafe(32), self.store.clock()
        expires = now + timedelta(days=days)
        self.tables.add_token(_sha(token), user.login, chosen[0], now, expires)
        return {"token": token, "name": chosen[0], "expires": self._local(expires)}

    def tokens(self, login: str, actor: str | None) -> list[dict[str, Any]]:
        """The user's live and expired API tokens (names and times: never the token)."""
        self._self_or_admin(login, actor)
        user, now = self.store.user(login), self.store.clock()
        return [{"user": user.login, "name": name, "created": self._local(created),
                 "expires": self._local(expires), "expired": expires <= now}
                for name, created, dies in self.tables.tokens_of(user.login)
                for expires in [dies or created + timedelta(days=TOKEN_DAYS)]]

    def revoke_token(self, login: str, name: str, actor: str | None) -> dict[str, Any]:
        who = self._self_or_admin(login, actor)

        def decide(user: User) -> None:
            user.revoke_token(name, who)
            self.tables.drop_token(user.login, name)  # dead at once, even should saving fail
        user = self._record(login, decide)
        return {"user": user.login, "name": name, "revoked": True}

    def bearer(self, token: str) -> str | None:
        """The login of a live, unexpired API token (one made before tokens expired lives
        its first TOKEN_DAYS)."""
        found = self.tables.token(_sha(token)) if token else None
        if found is None:
            return None
        login, created, expires = found
        return login if self.store.clock() < (expires or created + timedelta(days=TOKEN_DAYS)) \
            else None

    # -- signing in and out -------------------------------------------------------------------

    def sign_in(self, login: str, password: str, address: str) -> SignedIn:
        """A new session, or SignInFailed; the 5th failure of a name within 15 minutes locks it
        for 15 minutes (AccountLocked whatever the password). An unknown name gets the very
        same answers, after the same password check."""
        now = self.store.clock()
        login = self._checked(login, password, SignInFailed("wrong user name or password"))
        user, session_id, csrf = self.store.user(login), *_secrets()
        self.tables.add_session(_sha(session_id), user.login, csrf, now, now + SESSION_IDLE,
                                address or "")
        return SignedIn(user.login, user.name, session_id, csrf)

    def session(self, session_id: str) -> SessionUser | None:
        """The signed-in user of a live session; its idle limit moves on with use, never past
        SESSION_LIFETIME from signing in."""
        if not session_id:
            return None
        key, now = _sha(session_id), self.store.clock()
        found = self.tables.session(key)
        if found is None:
            return None
        login, csrf, created, expires = found
        ends = created + SESSION_LIFETIME
        if expires <= now or ends <= now:
            self.tables.drop_session(key)
            return None
        if now + SESSION_IDLE - expires > TOUCH_AFTER and expires < ends:
            self.tables.touch_session(key, min(now + SESSION_IDLE, ends))
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

    def _checked(self, login: str, password: str, failed: SignInFailed) -> str:
        """The stored login whose password `password` is, else SignInFailed(`failed`). The
        attempt is counted under the folded name before the password is checked, so workers
        together check at most LOCK_AFTER in LOCK_WINDOW; the last of them failing locks the
        name (AccountLocked whatever the password, until the lock lifts). An unknown name
        gets the very same answers, after the same password check."""
        name, now = _folded(login), self.store.clock()
        number, until = self.tables.reserve_attempt(name, now, LOCK_WINDOW, LOCK_AFTER)
        if until:
            raise AccountLocked("too many failed sign-ins of this name: signing in is locked until "
                                "{until}; try again then",
                                until=self._local(until)[:16].replace("T", " "))
        login = self._stored(login)  # `Zhang` or `ｚｈａｎｇ` signs in as zhang (domain/logins)
        if not self._verify(self.tables.hash_of(login) if _code(login) else None, password):
            if number >= LOCK_AFTER:
                locked = self.tables.lock(name, self.store.clock(), LOCK_WINDOW)
                account = self._account(login, name)
                if account:
                    self._record(account, lambda u: u.locked_out(self._local(locked)))
            raise failed
        self.tables.clear_failures(name)
        return login

    def _store(self, login: str, password: str, keep: str | None = None,
               reset: bool = False) -> None:
        """The new hash replaces the old one; the user's other sessions and unused
        invitations end, and on a `reset` (by an administrator or an invitation) their API
        tokens too."""
        now = self.store.clock()
        self.tables.put_hash(login, hash_password(password), now)
        self.tables.end_sessions(login, now, keep)
        self.tables.void_invites(login)
        if reset:
            self.tables.drop_tokens(login)

    def _verify(self, stored: str | None, password: str) -> bool:
        """argon2 runs whether or not there is a hash, so timing tells nothing."""
        return password_matches(stored, password)

    def _self_or_admin(self, login: str, actor: str | None) -> str:
        me = self.store.actor(actor)
        if me.login != self._stored(login) and not is_admin(me.grants):
            raise NotPermitted("{login} may manage only their own tokens; {owner}'s are "
                               "managed by an administrator (role admin)", login=me.login,
                               owner=login)
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



def _revoke_all(user: User, actor: str) -> None:
    """A password reset revokes every API token the user has, on record."""
    for name in list(user.tokens):
        user.revoke_token(name, actor)


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput("a password needs at least {MIN_PASSWORD} characters; nothing was set",
                       MIN_PASSWORD=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD or FORBIDDEN.search(password) or "\n" in password:
        raise BadInput("a password is one line of {MIN_PASSWORD}-{MAX_PASSWORD} characters "
                       "without control characters; nothing was set", MIN_PASSWORD=MIN_PASSWORD,
                       MAX_PASSWORD=MAX_PASSWORD)
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
