"""Recorded trainings (Aksu 第二十四条 新任班主任上岗前必须参加学工部组织的班主任培训): who records one, and the appointment that needs one first."""

from __future__ import annotations

from typing import Any

from ..domain.errors import BadInput, NotPermitted, RuleRefused
from ..domain.policy import Policy
from ..domain.signing import is_admin
from ..domain.timefmt import parse_date
from ..domain.user import User
from .service import Service
from .text import checked


class Trainings(Service):
    """`training record`: a training the policy declares, recorded on the person by the role
    the policy names (or an administrator)."""

    def record(self, advisor: str, on: str, note: str | None,
               actor: str | None) -> dict[str, Any]:
        day, note = parse_date(on), checked(note, "--note")

        def command() -> dict[str, Any]:
            me, policy = self.store.actor(actor), self.store.policy()
            training = policy.training
            if training is None:
                raise BadInput("policy {id} declares no training ([training] section)",
                               id=policy.id)
            if not is_admin(me.grants) and \
                    not any(role == training.recorded_by for role, _ in me.grants):
                raise NotPermitted("{login} may not record {label}: it is recorded by {role}",
                                   login=me.login, label=training.label,
                                   role=policy.role_label(training.recorded_by))
            person = self.store.user(advisor)
            person.record_training(training.label, day, note, me.login)
            self.store.save(person)
            return {"advisor": person.login, "name": person.name, "training": training.label,
                    "on": day, "trainings": person.trainings}
        return self.store.attempt(command)


def require_training(policy: Policy, kind: str, person: User) -> None:
    """An appointment by a workflow the policy's training is required for waits for one
    recorded on or before the day it is decided (上岗前: before taking the post)."""
    training = policy.training
    if training is None or training.required_for != kind:
        return
    if not any(t["training"] == training.label for t in person.trainings):
        raise RuleRefused("{advisor} has no recorded {label}: it is required before taking the "
                          "post (training record --advisor {advisor} --date DATE)",
                          advisor=person.login, label=training.label)
