"""What the administration pages read: units, people with their roles by the policy's labels, the grants to choose from, classes, a person's profile and tokens, policy versions; each for administrators only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import BadInput
from .organisation import OTHER_FIELDS, PROFILE_FIELDS, Organisation
from .ports import Store

if TYPE_CHECKING:
    from .credentials import Credentials
    from .reads import Reads


class AdminViews:
    """The read side of the administration pages. Every method asks first whether `admin` is
    an administrator (NotPermitted, 403, otherwise), then answers from the views (names opened
    from the sealed personal fields) and the policy in force."""

    def __init__(self, store: Store, reads: Reads, org: Organisation,
                 credentials: Credentials) -> None:
        self.store, self.reads, self.org, self.credentials = store, reads, org, credentials

    def _require(self, admin: str) -> None:
        self.store.require_admin(admin)

    def units(self, admin: str) -> list[dict[str, Any]]:
        self._require(admin)
        return [dict(u) for u in self.reads.units()]

    def grant_label(self, spec: str, units: dict[str, str] | None = None) -> str:
        """`advisor@nanning` as people read it: 班主任 · 南宁校外教学点 (the role's label from the
        policy in force, the unit's name)."""
        role, _, unit = spec.partition("@")
        roles = self.store.policy().roles
        label = roles[role].label if role in roles else role
        if not unit:
            return label
        names = units if units is not None else {u["unit"]: u["name"] for u in self.reads.units()}
        return f"{label} · {names.get(unit, unit)}"

    def grant_choices(self, admin: str) -> list[dict[str, str]]:
        """Every ROLE or ROLE@UNIT the policy in force lets one grant, with its label."""
        self._require(admin)
        units = {u["unit"]: u["name"] for u in self.reads.units()}
        choices = []
        for role in self.store.policy().roles.values():
            specs = [f"{role.id}@{code}" for code in units] if role.scoped else [role.id]
            choices += [{"grant": s, "label": self.grant_label(s, units)} for s in specs]
        return choices

    def people(self, admin: str) -> list[dict[str, Any]]:
        """Everyone registered: name, login, each role as `{grant, label}`."""
        self._require(admin)
        units = {u["unit"]: u["name"] for u in self.reads.units()}
        return [{"user": u["user"], "name": u["name"],
                 "roles": [{"grant": g, "label": self.grant_label(g, units)}
                           for g in u["roles"]]}
                for u in self.reads.users()]

    def person(self, login: str, admin: str) -> dict[str, Any]:
        """One person for their page: roles labelled, profile fields (labelled), API tokens."""
        self._require(admin)
        user = self.store.user(login)
        units = {u["unit"]: u["name"] for u in self.reads.units()}
        profile = self.org.profile(user)
        fields = [{"field": k, "label": label, "value": profile.get(k, "")}
                  for k, label in (PROFILE_FIELDS | OTHER_FIELDS).items()]
        grants = [f"{r}@{u}" if u else r for r, u in user.grants]
        return {"user": user.login, "name": user.name,
                "roles": [{"grant": g, "label": self.grant_label(g, units)} for g in grants],
                "fields": fields, "tokens": self.credentials.tokens(user.login, admin),
                "has_password": user.has_password}

    def classes(self, admin: str) -> dict[str, Any]:
        """The classes, and what the policy in force asks of a new one: the levels the
        allowance pays for, the years of study it declares."""
        self._require(admin)
        policy = self.store.policy()
        levels = [name for name, _ in policy.allowance.rates] if policy.allowance else []
        years = [{"year": y.year, "label": self._role_label(y.role)}
                 for y in policy.years_of_study]
        return {"classes": [dict(c) for c in self.reads.classes()],
                "units": [dict(u) for u in self.reads.units()], "levels": levels,
                "years": years}

    def _role_label(self, role: str) -> str:
        roles = self.store.policy().roles
        return roles[role].label if role in roles else role

    def policy_history(self, admin: str) -> list[dict[str, Any]]:
        self._require(admin)
        names = {u["user"]: u["name"] for u in self.reads.users()}
        return [row | {"by_name": names.get(row["by"])} for row in self.org.policy_history()]

    def policy_diff(self, a: str, b: str, admin: str) -> dict[str, Any]:
        """`policy diff A B` of two adopted versions, each line marked for the page."""
        self._require(admin)
        for ref in (a, b):  # adopted versions only: never a file of the server's
            if not (ref.isascii() and ref.isdigit() and len(ref) <= 9):
                raise BadInput("policy version {ref!r} must be a version number such as 1 or 2",
                               ref=ref)
        found = self.org.policy_diff(a, b)
        found["lines"] = [{"text": line, "kind": _kind(line)} for line in found["diff"]]
        return found


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "added", "-": "removed"}.get(line[:1], "same")
