"""A workflow's pipeline as a rule table: one cached transitions.Machine per (policy, workflow)."""

from __future__ import annotations

from functools import lru_cache

from transitions import Machine

from .policy import Workflow

PUBLISHED, VETOED, WITHDRAWN, OPEN = "published", "vetoed", "withdrawn", "open"
CLOSED_STATES = (PUBLISHED, VETOED, WITHDRAWN)


def _transitions(wf: Workflow) -> list[dict[str, str]]:
    steps = wf.steps
    table = [{"trigger": "resubmit", "source": wf.open_step, "dest": steps[0].id},
             {"trigger": "withdraw", "source": wf.open_step, "dest": WITHDRAWN}]
    for i, step in enumerate(steps):
        after = steps[i + 1].id if i + 1 < len(steps) else PUBLISHED
        table.append({"trigger": "approve", "source": step.id, "dest": after})
        table.append({"trigger": "veto", "source": step.id, "dest": VETOED})
        if step.returnable:
            table.append({"trigger": "return", "source": step.id,
                          "dest": step.return_to or wf.open_step})
        if i + 1 < len(steps):
            table.append({"trigger": "withdraw", "source": step.id, "dest": WITHDRAWN})
    return table


@lru_cache(maxsize=256)
def machine_for(digest: str, wf: Workflow) -> Machine:
    """The rule table of one workflow under one policy version (digest keys the cache)."""
    states = [*wf.step_ids(), *CLOSED_STATES]
    return Machine(model=None, states=states, transitions=_transitions(wf),
                   initial=wf.open_step, auto_transitions=False)


def table_destination(wf: Workflow, trigger: str, source: str) -> str | None:
    """`destination` read straight off the rule table, for checking a policy as it is parsed
    (building a Machine per workflow costs ~1 ms, and every command parses its policy)."""
    for row in _transitions(wf):
        if row["trigger"] == trigger and row["source"] == source:
            return row["dest"]
    return None


def destination(machine: Machine, trigger: str, source: str) -> str | None:
    """Where `trigger` leads from `source`, or None when the table has no such move."""
    found = machine.get_transitions(trigger=trigger, source=source)
    return str(found[0].dest) if found else None


def triggers_from(machine: Machine, source: str) -> list[str]:
    return sorted(machine.get_triggers(source))
