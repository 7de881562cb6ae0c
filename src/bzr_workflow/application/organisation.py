"""Organisation commands: init, policies, units, users and their roles, classes."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ..domain.accounts import Accounts
from ..domain.errors import AlreadyExists, BadInput, NotFound, NotPermitted, RuleRefused
from ..domain.ids import institution_id
from ..domain.institution import Institution
from ..domain.periods import DEFAULT_TERMS, calendar_year, parse, period_of_day, year_calendar
from ..domain.logins import check_single_script, fold
from ..domain.maintenance import Maintenance
from ..domain.policy import ADMIN, Policy
from ..domain.policy_file import digest_of, parse_policy, parse_refined, refinement_unit
from ..domain.school_class import SchoolClass
from ..domain.signing import is_admin
from ..domain.timefmt import local_iso, parse_date
from ..domain.unit import Unit
from ..domain.user import User
from ..domain.years import year_refusal
from ..policies import builtin_ids, builtin_text
from .accounts import accounts
from ..adapters.personal import CLEAR_PROFILE, open_value
from .ports import Store
from .service import Service
from .text import checked, checked_name


CODE = re.compile(r"^[\w.\-]{1,64}$")
MAX_STUDENTS = 10_000
MAX_YEAR = 20
PROFILE_FIELDS = {"gender": "性别", "ethnicity": "民族", "birth": "出生年月",
                  "education": "学历/学位", "political_status": "政治面貌"}
OTHER_FIELDS = {"employment": "专职/兼职", "phone": "联系电话", "address": "通信地址",
                "id_number": "身份证号", "email": "电子邮箱"}
EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[^@\s<>,;]{1,255}$")


def read_policy(ref: str) -> tuple[str, str]:
    """(text, source name) of a built-in policy id or a policy file path."""
    text = builtin_text(ref)
    if text is not None:
        return text, ref
    path = Path(ref)
    if not path.exists():
        raise NotFound("unknown policy {ref!r}: give a file path or one of {builtin}", ref=ref,
                       builtin=', '.join(builtin_ids()))
    from ..adapters.infile import ARG_MAX_BYTES, read_capped

    raw = read_capped(ref, ARG_MAX_BYTES, "policy file")  # regular, at most 1 MiB
    try:
        return raw.decode("utf-8"), str(path)
    except UnicodeDecodeError as exc:
        raise BadInput("{ref}: cannot read the policy file as UTF-8 text ({exc})", ref=ref,
                       exc=exc) from None


def diff_policies(a: tuple[str, str], b: tuple[str, str]) -> dict[str, Any]:
    """Unified diff of two (text, name) policies."""
    lines = list(difflib.unified_diff(a[0].splitlines(), b[0].splitlines(), a[1], b[1],
                                      lineterm=""))
    return {"from": a[1], "to": b[1], "identical": not lines, "diff": lines}


def check_init(policy_ref: str, admin: str) -> None:
    """What `init` refuses before any file or table exists: a policy that cannot be read or
    does not parse, and an administrator login that is not a valid code."""
    text, source = read_policy(policy_ref)
    parse_policy(text, source)
    new_login(admin)


def policy_diff(a: str, b: str, org: Callable[[], Organisation]) -> dict[str, Any]:
    """A diff of two policies; the store is opened only when a side is an adopted version."""
    if (a.isascii() and a.isdigit()) or (b.isascii() and b.isdigit()):
        return org().policy_diff(a, b)
    return diff_policies(read_policy(a), read_policy(b))


def profile_of(store: Store, user: User) -> dict[str, str]:
    """A person's profile in clear; personal fields read as erased once their key is gone
    (the 附件2 form reads it too: award_effects)."""
    old = [v for v in user.profile.values() if str(v).startswith("enc1:")]
    key = store.person_keys.key(user.login) if old else None  # stores before enc2
    return {k: open_value(key, v) for k, v in user.profile.items()}


def check_code(value: str, what: str) -> str:
    if not CODE.match(value or ""):
        raise BadInput("{what} {value!r} must be 1-64 letters, digits, '.', '-' or '_'",
                       what=what, value=value)
    return value


def new_login(value: str) -> str:
    """A login to register, in its one stored form: NFKC, case-folded (`Admin` → `admin`), a
    valid code, its letters of one script (domain/logins)."""
    login = fold(value)
    check_code(login, "user")
    check_single_script(login)
    return login


def parse_grant(spec: str, policy: Policy) -> tuple[str, str]:
    role, _, unit = spec.partition("@")
    if role not in policy.roles:
        raise BadInput("unknown role {role!r}; {id} has: {roles}", role=role, id=policy.id,
                       roles=', '.join(policy.roles))
    scoped = policy.roles[role].scoped
    if scoped and not unit:
        raise BadInput("role {role} is granted per unit: write {role}@UNIT", role=role)
    if unit and not scoped:
        raise BadInput("role {role} is institution-wide: write it without @{unit}", role=role,
                       unit=unit)
    return role, unit


class Organisation(Service):
    """The institution, its policies, units, people and their roles, and classes."""

    def init(self, policy_ref: str, admin: str, name: str, actor: str | None) -> dict[str, Any]:
        admin = new_login(admin)
        actor = fold(actor) if actor else None
        name = checked(name, "--name", 200)
        text, source = read_policy(policy_ref)
        policy = parse_policy(text, source)
        def command() -> dict[str, Any]:
            if self.store.exists(institution_id()):
                inst = self.store.institution()
                raise RuleRefused("{where} is already initialised for {name}",
                                  where=self.store.location.describe(), name=inst.name)
            inst = Institution(name=name or policy.institution or policy.name, admin=admin,
                               actor=actor or admin)
            version = inst.adopt(policy.id, digest_of(text), text, actor or admin)
            user = User(login=admin, name=admin, actor=actor or admin)
            user.grant(ADMIN, "", actor or admin)
            self.store.save(inst, user, Accounts(logins=[admin], admins=[admin]))
            return {"institution": inst.name, "policy": policy.id, "version": version,
                    "admin": admin}
        return self.store.attempt(command)

    def adopt_policy(self, policy_ref: str, actor: str | None) -> dict[str, Any]:
        text, source = read_policy(policy_ref)
        policy = parse_policy(text, source)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            inst = self.store.institution()
            current = inst.policy_record()
            if current["digest"] == digest_of(text):
                raise RuleRefused("that policy text is already in force as version "
                                  "{current_version}", current_version=inst.current_version)
            for unit, ref in inst.active_refinements().items():
                parse_refined(text, ref["text"], f"unit {unit}'s refinement over {source}")
            version = inst.adopt(policy.id, digest_of(text), text, str(actor))
            self.store.save(inst)
            return {"policy": policy.id, "version": version, "digest": digest_of(text)}
        return self.store.attempt(command)

    def refine_policy(self, ref: str, actor: str | None) -> dict[str, Any]:
        """Record a unit's own rules over the institution's (Guilin 第十六条)."""
        text, source = read_policy(ref)
        unit = refinement_unit(text, source)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            inst = self.store.institution()
            self.store.unit(unit)
            policy = parse_refined(inst.policy_record()["text"], text, source)
            number = inst.refine(unit, digest_of(text), text, str(actor))
            self.store.save(inst)
            return {"unit": unit, "refinement": number, "digest": digest_of(text),
                    "workflows": sorted(policy.workflows)}
        return self.store.attempt(command)

    def clear_refinement(self, unit: str, actor: str | None) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            inst = self.store.institution()
            if unit not in inst.active_refinements():
                raise RuleRefused("unit {unit} has no refinement in force", unit=unit)
            number = inst.refine(unit, "", "", str(actor))
            self.store.save(inst)
            return {"unit": unit, "refinement": number, "cleared": True}
        return self.store.attempt(command)

    def set_calendar(self, year: str, terms: Sequence[tuple[int, str]], holidays: Sequence[str],
                     actor: str | None) -> dict[str, Any]:
        """Set one school year's academic calendar (its terms and holidays); periods, norms and
        deadlines read it from then on."""
        key, spans, holiday_spans = year_calendar(year, terms, holidays)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            inst = self.store.institution()
            inst.set_calendar(key, list(spans), holiday_spans, str(actor))
            self.store.save(inst)
            return calendar_year(inst.calendar(), parse(key).first, True)
        return self.store.attempt(command)

    def calendar(self) -> dict[str, Any]:
        """Each school year the institution set, and the one today falls in (by default if
        not set)."""
        inst = self.store.institution()
        cal = inst.calendar()
        current = parse(period_of_day(date.fromisoformat(self.store.today(self.store.policy())),
                                      "year", cal)).first
        firsts = sorted({parse(y).first for y in inst.calendars} | {current})
        return {"default": DEFAULT_TERMS, "current": f"{current}-{current + 1}",
                "years": [calendar_year(cal, f, f"{f}-{f + 1}" in inst.calendars)
                          for f in firsts]}

    def policy_history(self) -> list[dict[str, Any]]:
        """Every adopted version and unit refinement: when, by whom, its digest."""
        offset = self.store.policy().utc_offset
        rows = []
        for ev in self.store.events_of(institution_id()):
            if isinstance(ev, Institution.PolicyAdopted):
                rows.append({"version": ev.version, "policy": ev.policy_id, "unit": None,
                             "digest": ev.digest, "at": local_iso(ev.timestamp, offset),
                             "by": ev.actor})
            elif isinstance(ev, Institution.PolicyRefined):
                rows.append({"refinement": ev.number, "unit": ev.unit,
                             "digest": ev.digest or "(cleared)",
                             "at": local_iso(ev.timestamp, offset), "by": ev.actor})
        return rows

    def policy_diff(self, a: str, b: str) -> dict[str, Any]:
        """A unified diff between two policies: adopted versions (1, 2 ...), built-in ids or files."""
        return diff_policies(self._policy_text(a), self._policy_text(b))

    def _policy_text(self, ref: str) -> tuple[str, str]:
        if ref.isascii() and ref.isdigit():
            record = self.store.institution().policy_record(int(ref))
            return str(record["text"]), f"version {ref} ({record['policy_id']})"
        return read_policy(ref)

    def record_maintenance(self, what: str, actor: str | None, detail: str) -> dict[str, Any]:
        """Record maintenance about to be done (`what`, a past-tense verb): only an
        administrator may do it, and `audit` shows who did, and when."""
        def command() -> dict[str, Any]:
            admin = self.store.require_admin(actor)
            log = self.store.load_or_start(Maintenance)
            log.performed(what, admin.login, detail)
            self.store.save(log)
            return {"what": what, "by": admin.login}
        return self.store.attempt(command)

    def add_unit(self, code: str, name: str, parent: str, actor: str | None) -> dict[str, Any]:
        check_code(code, "unit")
        name = checked_name(name, "--name")

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            if self.store.exists(Unit.create_id(code)):
                raise AlreadyExists("unit {code} already exists", code=code)
            path = [*self.store.unit(parent).path, code] if parent else [code]
            unit = Unit(code=code, name=name, parent=parent, path=path, actor=str(actor))
            self.store.save(unit)
            return {"unit": code, "name": name, "parent": parent or None, "path": path}
        return self.store.attempt(command)

    def add_user(self, login: str, name: str, roles: list[str], actor: str | None) -> dict[str, Any]:
        login = new_login(login)
        name = checked_name(name, "--name")

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            grants = [self.checked_grant(spec) for spec in roles]
            registry = accounts(self.store)
            user = self.register(registry, login, name, grants, str(actor))
            self.store.save(user, registry)
            return _user_dict(user)
        return self.store.attempt(command)

    def register(self, registry: Accounts, login: str, name: str,
                 grants: list[tuple[str, str]], actor: str) -> User:
        """A new user with their roles, entered in the registry (refused when the login, once
        folded, exists or looks like an existing one)."""
        existing = registry.stored(login)
        if existing is not None or self.store.exists(User.create_id(login)):
            raise AlreadyExists("user {login} already exists", login=existing or login)
        registry.add_login(login)
        user = User(login=login, name=name, actor=actor)
        for role, unit in grants:
            user.grant(role, unit, actor)
            if role == ADMIN:
                registry.add_admin(login)
        return user

    def checked_grant(self, spec: str) -> tuple[str, str]:
        """A grant checked against the rules in force at its unit (a refinement may add roles)."""
        unit = spec.partition("@")[2]
        path = self.store.unit(unit).path if unit else []
        return parse_grant(spec, self.store.policy_for_unit(path))

    def grant(self, login: str, spec: str, actor: str | None) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            role, unit = self.checked_grant(spec)
            user = self.store.user(login)
            user.grant(role, unit, str(actor))
            if role != ADMIN:
                self.store.save(user)
                return _user_dict(user)
            registry = accounts(self.store)
            registry.add_admin(user.login)
            self.store.save(user, registry)
            return _user_dict(user)
        return self.store.attempt(command)

    def revoke(self, login: str, spec: str, actor: str | None) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            admin = self.store.require_admin(actor)
            role, _, unit = spec.partition("@")
            user = self.store.user(login)
            if role == ADMIN and user.login == admin.login:
                raise RuleRefused("an administrator may not revoke their own admin role")
            user.revoke(role, unit, str(actor))
            if role != ADMIN or is_admin(user.grants):
                self.store.save(user)
                return _user_dict(user)
            # the count of administrators lives in the registry, saved with the user: a revoke
            # racing another conflicts there, and its re-run sees the other's
            registry = accounts(self.store)
            if admin.login not in registry.admins:  # revoked meanwhile: the registry decides
                raise NotPermitted("{login} is not an administrator (role admin)",
                                   login=admin.login)
            registry.remove_admin(user.login)
            self.store.save(user, registry)
            return _user_dict(user)
        return self.store.attempt(command)

    def update_user(self, login: str, fields: dict[str, str | None],
                    actor: str | None) -> dict[str, Any]:
        """Record profile fields the forms need; an empty value clears one."""
        given = {k: (v or "").strip() for k, v in fields.items() if v is not None}
        unknown = sorted(set(given) - {"name", *PROFILE_FIELDS, *OTHER_FIELDS})
        if unknown or not given:
            flags = ", ".join("--" + k.replace("_", "-") for k in [*PROFILE_FIELDS, *OTHER_FIELDS])
            raise BadInput("give one or more of: --name, {flags}", flags=flags)
        if given.get("birth"):
            given["birth"] = parse_date(given["birth"] + "-01")[:7]
        if given.get("email") and not EMAIL.match(given["email"]):
            raise BadInput("{email!r} is not an e-mail address", email=given["email"])

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            user = self.store.user(login)
            values = {k: checked(v, k) for k, v in given.items()}
            # stored under the person's key (personal.OWNED); after an erasure, under a new one
            user.update_profile(values, str(actor))
            self.store.save(user)
            return {"user": user.login, "name": user.name, **self.profile(user)}
        return self.store.attempt(command)

    def profile(self, user: User) -> dict[str, str]:
        """A person's profile in clear; personal fields read as erased once their key is gone."""
        return profile_of(self.store, user)

    def erase_person(self, login: str, actor: str | None) -> dict[str, Any]:
        """Destroy the person's key: their personal fields read as erased everywhere, while every
        stored event, and so the seal, stays as it was."""
        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            user = self.store.user(login)
            user.erased(str(actor))
            self.store.save(user)
            return {"user": user.login, "erased": self.store.person_keys.keys.erase(user.login),
                    "fields": sorted(k for k in user.profile if k not in CLEAR_PROFILE)}
        try:
            return self.store.attempt(command)
        finally:  # nothing this process holds in clear outlives the key
            self.store.person_keys.forget()
            self.store.forget_cached()

    def add_class(self, code: str, name: str, unit: str, students: int, level: str,
                  graduating: bool, actor: str | None,
                  year_of_study: int | None = None) -> dict[str, Any]:
        check_code(code, "class")
        name, level = checked_name(name, "--name"), checked(level, "--level", 64)
        _check_students(students)
        _check_year(year_of_study)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            self.check_class_rules(self.store.unit(unit).path, level, year_of_study, "--level")
            if self.store.exists(SchoolClass.create_id(code)):
                raise AlreadyExists("class {code} already exists", code=code)
            klass = SchoolClass(code=code, name=name, unit=unit, students=students, level=level,
                                graduating=graduating, actor=str(actor),
                                year_of_study=year_of_study or 0)
            self.store.save(klass)
            return _class_dict(klass)
        return self.store.attempt(command)

    def check_class_rules(self, unit_path: list[str], level: str, year_of_study: int | None,
                          level_name: str) -> None:
        """What the rules in force in the class's unit need of it: a level the allowance has a
        rate for (never a silent 0), a year of study where the policy declares years."""
        policy = self.store.policy_for_unit(unit_path)
        refused = policy.allowance.level_refusal(level) if policy.allowance else None
        if refused:
            raise BadInput("{level_name}: {refused} under {id}", level_name=level_name,
                           refused=refused, id=policy.id)
        refused = year_refusal(policy.years_of_study, year_of_study, policy.id)
        if refused:
            raise refused

    def update_class(self, code: str, students: int | None, graduating: bool | None,
                     effective: str | None, actor: str | None, level: str | None = None,
                     year_of_study: int | None = None) -> dict[str, Any]:
        if students is not None:
            _check_students(students)
        _check_year(year_of_study)
        if level is not None:
            level = checked(level, "--level", 64)
        when = parse_date(effective) if effective else ""

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            klass = self.store.school_class(code)
            self.check_class_rules(self.store.unit(klass.unit).path,
                                   klass.level if level is None else level,
                                   klass.year_of_study if year_of_study is None
                                   else year_of_study, "--level")
            day = when or self.store.today(self.store.policy())
            if students is not None or graduating is not None \
                    or (level is None and year_of_study is None):
                klass.update(students, graduating, day, str(actor))
            if level is not None or year_of_study is not None:
                klass.reclassify(level, year_of_study, day, str(actor))
            self.store.save(klass)
            return _class_dict(klass)
        return self.store.attempt(command)


def _check_students(students: int) -> None:
    if not 0 <= students <= MAX_STUDENTS:
        raise BadInput("--students {students} is out of range (0-{MAX_STUDENTS})",
                       students=students, MAX_STUDENTS=MAX_STUDENTS)


def _check_year(year: int | None) -> None:
    if year is not None and not 1 <= year <= MAX_YEAR:
        raise BadInput("--year-of-study {year} is out of range (1-{MAX_YEAR})", year=year,
                       MAX_YEAR=MAX_YEAR)


def _user_dict(user: User) -> dict[str, Any]:
    return {"user": user.login, "name": user.name,
            "roles": [f"{r}@{u}" if u else r for r, u in user.grants]}


def _class_dict(klass: SchoolClass) -> dict[str, Any]:
    return {"class": klass.code, "name": klass.name, "unit": klass.unit,
            "students": klass.students, "level": klass.level, "graduating": klass.graduating,
            "year_of_study": klass.year_of_study or None}
