"""What an effect is handed (a case just decided, or one about to be opened) and the shapes of effects, apart from the table that lists them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from ..domain.case import Case
from ..domain.policy import Policy, Workflow
from .ports import Store


@dataclass(frozen=True)
class Decided:
    """A case as a command just left it, with the rules and the person who moved it."""

    case: Case
    policy: Policy
    wf: Workflow
    actor: str


@dataclass(frozen=True)
class Opening:
    """A case about to be raised: what it will record, before the rules of its kind check it."""

    policy: Policy
    subject: str
    period: str
    unit_path: list[str]
    data: dict[str, Any]


Effect = Callable[[Store, Decided], list[Aggregate]]
"""Loads what a decision moves beside the case, has it decide, returns it to save with the case."""
Prepare = Callable[[Store, Opening], tuple[str, dict[str, Any]]]
"""Checks and completes a case's (period, data) before it exists."""
Hook = tuple[Effect, ...]
