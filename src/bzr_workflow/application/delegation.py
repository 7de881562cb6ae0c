"""Delegation commands (delegate, --list, --revoke) and who signs a decision: the actor in their own right, or as a holder's deputy."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..domain.access import Grants
from ..domain.case import Case
from ..domain.delegation import (ACTIVE, DelegationRegister, Deputyship, Terms, check_terms,
                                 deputy_refusal, deputyship_id, normalise_id, window_refusal)
from ..domain.errors import BadInput, NotFound, NotPermitted, WorkflowError
from ..domain.policy import Policy, Workflow
from ..domain.signing import is_admin, sees_everything
from ..domain.timefmt import parse_date
from ..domain.user import User
from .ports import Store
from .service import Service


class Acting(NamedTuple):
    """Who decides and with which grants: the actor's own (`on_behalf_of` ""), or as deputy
    the holder's own grants (only those of the delegated role) for `on_behalf_of`."""

    login: str
    grants: Grants
    on_behalf_of: str


def find_signer(store: Store, case: Case, me: User, policy: Policy,
                wf: Workflow) -> tuple[Acting, WorkflowError | None]:
    """Who signs `case`'s pending step if `me` decides now, and why no delegation lets them
    when one would have (revoked, outside its dates, or the deputy's own limits).

    Their own right wins: delegations are looked up only when it refuses (a sign-off in one's
    own right costs nothing more), and then in the one aggregate of what `me` received. Of
    several holders who could each sign the case, the delegation given first (lowest DG-
    number) is used. A step back with its applicant is never signed by a deputy."""
    own = Acting(me.login, me.grants, "")
    if case.sign_refusal(me.login, me.grants, policy, wf) is None or case.step == wf.open_step:
        return own, None
    book: Deputyship | None = store.find(deputyship_id(me.login))
    if book is None:
        return own, None
    today, blocked = store.today(policy), None
    for terms in book.all():
        if not terms.covers_kind(case.kind):
            continue
        grants = terms.grants(store.user(terms.holder).grants)
        if case.sign_refusal(terms.holder, grants, policy, wf) is not None:
            continue  # the holder could not sign this case either: not theirs to lend
        refused = (window_refusal(terms, today) if terms.state(today) != ACTIVE
                   else deputy_refusal(case.sheet(), me.login, terms.holder, wf))
        if refused is None:
            return Acting(me.login, grants, terms.holder), None
        blocked = blocked or refused
    return own, blocked


def acting(store: Store, case: Case, me: User, policy: Policy, wf: Workflow) -> Acting:
    """`find_signer`, raising the reason a delegation that would cover the case does not."""
    who, blocked = find_signer(store, case, me, policy, wf)
    if blocked is not None:
        raise blocked
    return who


def active_for(store: Store, deputy: str, today: str) -> list[Terms]:
    """The delegations `deputy` holds today, the first given first (for their inbox)."""
    book: Deputyship | None = store.find(deputyship_id(deputy))
    return [t for t in book.all() if t.state(today) == ACTIVE] if book else []


class Delegations(Service):
    """Giving, listing and revoking delegations (a `Deputyship` per deputy, and the register
    of ids)."""

    def give(self, actor: str | None, to: str | None, start: str | None, until: str | None,
             role: str | None = None, kind: str | None = None,
             holder: str | None = None) -> dict[str, Any]:
        """`actor` names `to` their deputy from `start` to `until`; an administrator may set
        one up for an absent `holder` (`--for`)."""
        if not to or not start or not until:
            raise BadInput("a delegation needs --to USER, --from DATE and --until DATE")
        begin, end = parse_date(start), parse_date(until)
        store = self.store

        def command() -> dict[str, Any]:
            me = store.actor(actor)
            giver = me
            if holder:
                if not is_admin(me.grants):
                    raise NotPermitted("{login} is not an administrator (role admin); only an "
                                       "administrator sets up a delegation for someone else "
                                       "(--for)", login=me.login)
                giver = store.user(holder)
            deputy = store.user(to)
            policy = store.policy()
            check_terms(giver.login, deputy.login, begin, end, store.today(policy), role or "",
                        kind or "", giver.grants, policy)
            register = store.load_or_start(DelegationRegister)
            book = store.load_or_start(Deputyship, deputy=deputy.login)
            delegation = register.register(giver.login, deputy.login)
            book.give(me.login, delegation, giver.login, begin, end, role or "", kind or "")
            store.save(register, book)
            return book.get(delegation).as_dict(store.today(policy))
        return store.attempt(command)

    def revoke(self, actor: str | None, delegation: str) -> dict[str, Any]:
        """The holder, or an administrator, ends a delegation (before or during its dates)."""
        wanted = normalise_id(delegation)
        store = self.store

        def command() -> dict[str, Any]:
            me = store.actor(actor)
            register = store.load_or_start(DelegationRegister)
            book = store.load_or_start(Deputyship, deputy=register.deputy_of(wanted))
            book.revoke(me.login, wanted, is_admin(me.grants))
            store.save(book)
            return book.get(wanted).as_dict(store.today(store.policy()))
        return store.attempt(command)

    def listing(self, actor: str | None) -> list[dict[str, Any]]:
        """The delegations `actor` gave and received; an administrator or auditor sees all."""
        store = self.store
        me = store.actor(actor)
        everyone = sees_everything(me.grants)
        register: DelegationRegister | None = store.find(DelegationRegister.create_id())
        if register is None:
            return []
        today = store.today(store.policy())
        out = []
        for deputy in register.concerning(None if everyone else me.login):
            book: Deputyship | None = store.find(deputyship_id(deputy))
            for terms in book.all() if book else []:
                if everyone or me.login in (terms.holder, terms.deputy):
                    out.append(terms.as_dict(today))
        names: dict[str, str] = {}
        for row in out:
            for key in ("holder", "deputy"):
                login = row[key]
                if login not in names:
                    names[login] = _name(store, login)
                row[f"{key}_name"] = names[login]
        return sorted(out, key=lambda d: int(d["id"].rsplit("-", 1)[1]))

    def choices(self, actor: str | None) -> dict[str, Any]:
        """What the delegation form offers `actor`: the roles they hold that sign a step, and
        the policy's workflow kinds, each with its label; `admin`: they revoke anyone's."""
        me, policy = self.store.actor(actor), self.store.policy()
        signing = {s.role for wf in policy.workflows.values() for s in wf.steps}
        roles = sorted({r for r, _ in me.grants if r in signing})
        return {"roles": [(r, policy.role_label(r)) for r in roles],
                "kinds": [(k, wf.label) for k, wf in policy.workflows.items()],
                "admin": is_admin(me.grants),
                "role_labels": {r: policy.role_label(r) for r in policy.roles}}


def _name(store: Store, login: str) -> str:
    try:
        return store.user(login).name
    except NotFound:
        return login
