"""A person known to the engine: profile, roles held (per unit) and classes advised."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import AlreadyExists, LimitReached, NotFound, RuleRefused
from .ids import key_id
from .periods import upcast


class User(Aggregate):
    TOPIC = "bzr.user"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.user.created"

    class Registered(Aggregate.Created):
        TOPIC = "bzr.user.registered"
        class_version = 1
        login: str
        name: str
        actor: str

    class RoleGranted(Aggregate.Event):
        TOPIC = "bzr.user.role_granted"
        class_version = 1
        login: str
        role: str
        unit: str
        actor: str

    class RoleRevoked(Aggregate.Event):
        TOPIC = "bzr.user.role_revoked"
        class_version = 1
        login: str
        role: str
        unit: str
        actor: str

    class TrainingRecorded(Aggregate.Event):
        """A training the person attended (Aksu 第二十四条 新任班主任上岗前必须参加学工部组织的班主任
        培训), recorded by the role the policy names; `on` is the day it was held."""

        TOPIC = "bzr.user.training_recorded"
        class_version = 1
        login: str
        actor: str
        training: str
        on: str
        note: str

    class ClassTaken(Aggregate.Event):
        """The advisor's side of an appointment, kept so per-advisor limits hold atomically."""

        TOPIC = "bzr.user.class_taken"
        class_version = 1
        class_code: str
        case: str

    class ResultRecorded(Aggregate.Event):
        """A final appraisal result, kept on the advisor so rules over consecutive periods hold."""

        TOPIC = "bzr.user.result_recorded"
        class_version = 2
        login: str
        actor: str
        period: str
        grade: str
        total: str
        case: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period"] = upcast(state["period"])  # "2026" is the school year 2026-2027

    class ResultImported(Aggregate.Event):
        """A past final result brought in from a file (`import results`), so rules over
        consecutive periods count it from the first day; `digest` is the file's SHA-256."""

        TOPIC = "bzr.user.result_imported"
        class_version = 1
        login: str
        actor: str
        period: str
        grade: str
        total: str
        digest: str

    class ConsequenceRecorded(Aggregate.Event):
        TOPIC = "bzr.user.consequence_recorded"
        class_version = 2
        login: str
        actor: str
        key: str
        label: str
        then: str
        period: str
        caused_by: list[str]
        opened: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period"] = upcast(state["period"])  # "2026" is the school year 2026-2027

    class ProfileUpdated(Aggregate.Event):
        """Fields the recommendation form asks for (性别, 民族, 出生年月, 学历/学位, 政治面貌 ...)."""

        TOPIC = "bzr.user.profile_updated"
        class_version = 1
        login: str
        fields: dict[str, str]
        actor: str

    class PersonErased(Aggregate.Event):
        """The person's key was destroyed: their personal fields are unreadable from now on."""

        TOPIC = "bzr.user.person_erased"
        class_version = 1
        login: str
        actor: str

    class ClassReleased(Aggregate.Event):
        TOPIC = "bzr.user.class_released"
        class_version = 1
        class_code: str
        case: str

    # -- credentials: what was done, by whom; never a hash or a token ------------------------

    class PasswordSet(Aggregate.Event):
        """A password was set (how: set, reset, invite or changed); its hash is kept outside the log."""

        TOPIC = "bzr.user.password_set"
        class_version = 1
        login: str
        actor: str
        how: str

    class InvitationIssued(Aggregate.Event):
        TOPIC = "bzr.user.invitation_issued"
        class_version = 1
        login: str
        actor: str
        expires: str

    class TokenIssued(Aggregate.Event):
        TOPIC = "bzr.user.token_issued"
        class_version = 1
        login: str
        actor: str
        name: str

    class TokenRevoked(Aggregate.Event):
        TOPIC = "bzr.user.token_revoked"
        class_version = 1
        login: str
        actor: str
        name: str

    class LockedOut(Aggregate.Event):
        """Five failed sign-ins within the window: signing in is refused until `until`."""

        TOPIC = "bzr.user.locked_out"
        class_version = 1
        login: str
        until: str

    @staticmethod
    def create_id(login: str, *_: Any, **__: Any) -> UUID:
        return key_id("user", login)

    @event(Registered)
    def __init__(self, login: str, name: str, actor: str) -> None:
        self.login, self.name = login, name
        self.grants: list[list[str]] = []
        self.classes: list[str] = []
        self.results: dict[str, dict[str, str]] = {}
        self.profile: dict[str, str] = {}
        self.consequences: list[dict[str, Any]] = []
        self.has_password = False
        self.tokens: list[str] = []  # names of the live API tokens

    def holds(self, role: str, unit: str = "") -> bool:
        return [role, unit] in self.grants

    def grant(self, role: str, unit: str, actor: str) -> None:
        if self.holds(role, unit):
            raise RuleRefused("{login} already holds {grant}", login=self.login,
                              grant=_fmt(role, unit))
        self._granted(login=self.login, role=role, unit=unit, actor=actor)

    @event(RoleGranted)
    def _granted(self, login: str, role: str, unit: str, actor: str) -> None:
        self.grants.append([role, unit])

    def revoke(self, role: str, unit: str, actor: str) -> None:
        if not self.holds(role, unit):
            held = ", ".join(_fmt(r, u) for r, u in self.grants) or "no roles"
            raise RuleRefused("{login} does not hold {grant} (holds: {held})", login=self.login,
                              grant=_fmt(role, unit), held=held)
        self._revoked(login=self.login, role=role, unit=unit, actor=actor)

    @event(RoleRevoked)
    def _revoked(self, login: str, role: str, unit: str, actor: str) -> None:
        self.grants.remove([role, unit])

    def check_can_take(self, class_code: str, limit: int, renewing: bool = False) -> None:
        """Refused when the advisor holds the class already or `limit` classes; `renewing`: their
        appointment to this class is one whose term ran out, and a new one renews it."""
        if class_code in self.classes and not renewing:
            raise LimitReached("{login} already advises class {class_code}", login=self.login,
                               class_code=class_code)
        if limit and len(self.classes) - renewing >= limit:
            raise LimitReached(
                "{login} already advises {n_classes} classes ({classes}); the policy allows at "
                "most {limit}", login=self.login, n_classes=len(self.classes),
                classes=', '.join(self.classes), limit=limit)

    def take_class(self, class_code: str, case: str, limit: int) -> None:
        self.check_can_take(class_code, limit)
        self._took(class_code=class_code, case=case)

    @event(ClassTaken)
    def _took(self, class_code: str, case: str) -> None:
        self.classes.append(class_code)

    def update_profile(self, fields: dict[str, str], actor: str) -> None:
        changed = {k: v for k, v in fields.items() if self.profile.get(k) != v}
        if changed:
            self._profile(login=self.login, fields=changed, actor=actor)

    @event(ProfileUpdated)
    def _profile(self, login: str, fields: dict[str, str], actor: str) -> None:
        if "name" in fields:
            self.name = fields["name"]
        self.profile.update({k: v for k, v in fields.items() if k != "name"})

    def erased(self, actor: str) -> None:
        self._erased(login=self.login, actor=actor)

    @event(PersonErased)
    def _erased(self, login: str, actor: str) -> None:
        pass

    def record_result(self, period: str, grade: str, total: str, case: str, actor: str) -> None:
        self._result(login=self.login, actor=actor, period=period, grade=grade, total=total,
                     case=case)

    @event(ResultRecorded)
    def _result(self, login: str, actor: str, period: str, grade: str, total: str,
                case: str) -> None:
        self.results[period] = {"grade": grade, "total": total, "case": case}

    def import_result(self, period: str, grade: str, total: str, digest: str,
                      actor: str) -> None:
        if period in self.results:
            raise AlreadyExists("{login} already has a result for {period}: {grade} ({case})",
                                login=self.login, period=period,
                                grade=self.results[period]['grade'],
                                case=self.results[period]['case'])
        self._imported(login=self.login, actor=actor, period=period, grade=grade, total=total,
                       digest=digest)

    @event(ResultImported)
    def _imported(self, login: str, actor: str, period: str, grade: str, total: str,
                  digest: str) -> None:
        self.results[period] = {"grade": grade, "total": total, "case": f"import:{digest[:12]}"}

    @property
    def trainings(self) -> list[dict[str, str]]:
        """The trainings recorded for this person, oldest first."""
        return list(getattr(self, "_trainings", []))

    def record_training(self, training: str, on: str, note: str, actor: str) -> None:
        self._trained(login=self.login, actor=actor, training=training, on=on, note=note)

    @event(TrainingRecorded)
    def _trained(self, login: str, actor: str, training: str, on: str, note: str) -> None:
        self._trainings = [*getattr(self, "_trainings", []),
                           {"training": training, "on": on, "note": note, "actor": actor}]

    def record_consequence(self, key: str, label: str, then: str, period: str,
                           caused_by: list[str], actor: str, opened: str = "") -> None:
        self._consequence(login=self.login, actor=actor, key=key, label=label, then=then,
                          period=period, caused_by=caused_by, opened=opened)

    @event(ConsequenceRecorded)
    def _consequence(self, login: str, actor: str, key: str, label: str, then: str, period: str, caused_by: list[str],
                     opened: str) -> None:
        self.consequences.append({"key": key, "label": label, "then": then, "period": period,
                                  "caused_by": list(caused_by), "opened": opened})

    def release_class(self, class_code: str, case: str) -> None:
        if class_code in self.classes:
            self._released(class_code=class_code, case=case)

    @event(ClassReleased)
    def _released(self, class_code: str, case: str) -> None:
        self.classes.remove(class_code)

    # -- credentials -----------------------------------------------------------------------

    def password_set(self, actor: str, how: str) -> None:
        if how not in PASSWORD_HOWS:
            raise ValueError(f"how a password is set: one of {', '.join(PASSWORD_HOWS)}")
        self._password_set(login=self.login, actor=actor, how=how)

    @event(PasswordSet)
    def _password_set(self, login: str, actor: str, how: str) -> None:
        self.has_password = True

    def invited(self, actor: str, expires: str) -> None:
        self._invited(login=self.login, actor=actor, expires=expires)

    @event(InvitationIssued)
    def _invited(self, login: str, actor: str, expires: str) -> None:
        pass

    def next_token_name(self) -> str:
        """The first of token1, token2 ... that no live token has."""
        n = 1
        while f"token{n}" in self.tokens:
            n += 1
        return f"token{n}"

    def issue_token(self, name: str, actor: str) -> None:
        if name in self.tokens:
            raise AlreadyExists("{login} already has a token named {name!r}; revoke it first or "
                                "choose another --name", login=self.login, name=name)
        self._token_issued(login=self.login, actor=actor, name=name)

    @event(TokenIssued)
    def _token_issued(self, login: str, actor: str, name: str) -> None:
        self.tokens.append(name)

    def revoke_token(self, name: str, actor: str) -> None:
        if name not in self.tokens:
            live = ", ".join(self.tokens) or "none"
            raise NotFound("{login} has no live token named {name!r} (live tokens: {live})",
                           login=self.login, name=name, live=live)
        self._token_revoked(login=self.login, actor=actor, name=name)

    @event(TokenRevoked)
    def _token_revoked(self, login: str, actor: str, name: str) -> None:
        self.tokens.remove(name)

    def locked_out(self, until: str) -> None:
        self._locked_out(login=self.login, until=until)

    @event(LockedOut)
    def _locked_out(self, login: str, until: str) -> None:
        pass


PASSWORD_HOWS = ("set", "reset", "invite", "changed")
"""How a password came to be: set or reset by an administrator, set through an invitation, or
changed by its owner."""


def _fmt(role: str, unit: str) -> str:
    return f"{role}@{unit}" if unit else role

