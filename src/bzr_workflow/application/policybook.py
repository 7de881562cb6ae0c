"""The application's one policy book: each adopted rule set parsed once, with its key and rule tables."""

from __future__ import annotations

from collections.abc import Callable

from transitions import Machine

from ..domain.institution import Institution
from ..domain.pipeline import machine_for
from ..domain.policy import Policy, Workflow
from ..domain.policy_file import parse_policy, parse_refined


class PolicyBook:
    """(policy version, unit refinement) -> the Policy in force, its key and its pipelines.

    A numbered version or refinement never changes once adopted, so what the book has read it
    keeps for the life of the application; `version=None` (the version in force now) is looked
    up in the institution each time, and its text parsed only when its digest is new."""

    def __init__(self, institution: Callable[[], Institution]) -> None:
        self._institution = institution
        self._keys: dict[tuple[int, int], str] = {}  # (version, refinement) -> key
        self._parsed: dict[str, Policy] = {}  # key -> Policy

    def policy(self, version: int | None = None, refinement: int = 0,
               inst: Institution | None = None) -> Policy:
        """A policy version as adopted, or as a unit's refinement (by number) overrides it."""
        known = self._keys.get((version, refinement)) if version is not None else None
        if known is not None and known in self._parsed:
            return self._parsed[known]
        inst = inst or self._institution()
        key = self.key(version, refinement, inst)
        if key not in self._parsed:
            record = inst.policy_record(version)
            if refinement:
                ref = inst.refinement_record(refinement)
                self._parsed[key] = parse_refined(record["text"], ref["text"],
                                                  f"refinement of unit {ref['unit']}")
            else:
                self._parsed[key] = parse_policy(record["text"], record["policy_id"])
        return self._parsed[key]

    def policy_of(self, version: int, refinement: int = 0) -> Policy:
        """`policy` for a numbered version: what the views ask for each case they project."""
        return self.policy(version, refinement)

    def key(self, version: int | None, refinement: int = 0,
            inst: Institution | None = None) -> str:
        """Names one effective rule set: the version's digest, and the refinement's if any."""
        if version is not None and (version, refinement) in self._keys:
            return self._keys[version, refinement]
        inst = inst or self._institution()
        key = str(inst.policy_record(version)["digest"])
        key += ":" + inst.refinement_record(refinement)["digest"] if refinement else ""
        if version is not None:
            self._keys[version, refinement] = key
        return key

    def for_unit(self, unit_path: list[str], inst: Institution | None = None) -> Policy:
        """The rules in force now at a unit: the current version, refined where the unit is."""
        inst = inst or self._institution()
        return self.policy(inst=inst, refinement=inst.refinement_for(unit_path))

    def machine(self, version: int, refinement: int, wf: Workflow) -> Machine:
        """The rule table of one workflow under one effective rule set."""
        return machine_for(self.key(version, refinement), wf)
