"""The institution: initialisation and every adopted policy version, with its text and digest."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import NotFound
from .ids import institution_id


class Institution(Aggregate):
    TOPIC = "bzr.institution"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.institution.created"

    class Initialised(Aggregate.Created):
        TOPIC = "bzr.institution.initialised"
        class_version = 1
        name: str
        admin: str
        actor: str

    class PolicyAdopted(Aggregate.Event):
        TOPIC = "bzr.institution.policy_adopted"
        class_version = 1
        version: int
        policy_id: str
        digest: str
        text: str
        actor: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return institution_id()

    @event(Initialised)
    def __init__(self, name: str, admin: str, actor: str) -> None:
        self.name, self.admin = name, admin
        self.policies: list[dict[str, Any]] = []

    def adopt(self, policy_id: str, digest: str, text: str, actor: str) -> int:
        version = len(self.policies) + 1
        self._adopted(version=version, policy_id=policy_id, digest=digest, text=text, actor=actor)
        return version

    @event(PolicyAdopted)
    def _adopted(self, version: int, policy_id: str, digest: str, text: str, actor: str) -> None:
        self.policies.append({"version": version, "policy_id": policy_id, "digest": digest,
                              "text": text})

    @property
    def current_version(self) -> int:
        return len(self.policies)

    def policy_record(self, version: int | None = None) -> dict[str, Any]:
        version = version or self.current_version
        if not 1 <= version <= len(self.policies):
            raise NotFound(f"no policy version {version} (adopted: 1-{len(self.policies)})")
        return self.policies[version - 1]
