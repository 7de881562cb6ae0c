"""The pipeline rule table: one transitions.Machine per (policy digest, workflow)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from transitions import Machine

from bzr_workflow.domain.pipeline import (
    CLOSED_STATES, PUBLISHED, VETOED, WITHDRAWN, destination, machine_for, table_destination,
    triggers_from,
)
from bzr_workflow.domain.policy import Step, Workflow
from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.policies import builtin_text


def step(step_id: str, returnable: bool = True, return_to: str = "") -> Step:
    return Step(step_id, step_id.title(), "reviewer", "ok", returnable, return_to)


# open → a → b (returns to a) → c (not returnable) → published
WF = Workflow(kind="w", label="W", prefix="W", opened_by="candidate", open_step="open",
              open_label="Open", open_action="opened", on_publish="none", requires=("subject",),
              steps=(step("a"), step("b", return_to="a"), step("c", returnable=False)))
STEPS = ["a", "b", "c"]


@pytest.fixture
def machine() -> Machine:
    return machine_for("test-digest", WF)


def test_the_machine_starts_at_the_open_step(machine: Machine) -> None:
    assert machine.initial == "open"


@pytest.mark.parametrize(("source", "dest"), [("a", "b"), ("b", "c"), ("c", PUBLISHED)])
def test_approve_moves_one_step_on_and_the_last_publishes(
        machine: Machine, source: str, dest: str | None) -> None:
    assert destination(machine, "approve", source) == dest


@pytest.mark.parametrize("source", STEPS)
def test_veto_from_any_step_closes_the_case_as_vetoed(machine: Machine, source: str) -> None:
    assert destination(machine, "veto", source) == VETOED


@pytest.mark.parametrize(("source", "dest"), [("a", "open"), ("b", "a"), ("c", None)])
def test_return_goes_to_the_open_step_or_return_to_and_only_from_returnable_steps(
        machine: Machine, source: str, dest: str | None) -> None:
    assert destination(machine, "return", source) == dest


@pytest.mark.parametrize(("source", "dest"), [
    ("open", WITHDRAWN), ("a", WITHDRAWN), ("b", WITHDRAWN), ("c", None)])
def test_withdraw_is_allowed_everywhere_but_at_the_last_step(
        machine: Machine, source: str, dest: str | None) -> None:
    assert destination(machine, "withdraw", source) == dest


@pytest.mark.parametrize(("source", "dest"), [("open", "a"), ("a", None), ("b", None)])
def test_resubmit_leads_from_the_open_step_to_the_first_step_only(
        machine: Machine, source: str, dest: str | None) -> None:
    assert destination(machine, "resubmit", source) == dest


def test_the_open_step_can_only_be_resubmitted_or_withdrawn(machine: Machine) -> None:
    assert triggers_from(machine, "open") == ["resubmit", "withdraw"]


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_nothing_leaves_a_closed_state(machine: Machine, state: str) -> None:
    assert triggers_from(machine, state) == []


def test_an_unknown_trigger_leads_nowhere(machine: Machine) -> None:
    assert destination(machine, "publish", "a") is None


def test_machine_for_is_cached_per_digest_and_workflow() -> None:
    assert machine_for("d1", WF) is machine_for("d1", WF)
    assert machine_for("d1", WF) is machine_for("d1", replace(WF))


def test_another_digest_or_workflow_gets_another_machine() -> None:
    assert machine_for("d1", WF) is not machine_for("d2", WF)
    assert machine_for("d1", WF) is not machine_for("d1", replace(WF, steps=WF.steps[:2]))


def test_the_machine_has_no_automatic_to_state_triggers(machine: Machine) -> None:
    assert machine.auto_transitions is False
    for state in ["open", *STEPS, *CLOSED_STATES]:
        assert not [t for t in triggers_from(machine, state) if t.startswith("to_")]
    assert destination(machine, f"to_{PUBLISHED}", "a") is None


GUILIN = parse_policy(builtin_text("guilin-ut-ce-2024") or "", "guilin").workflow("recruitment")


@pytest.mark.parametrize(("state", "triggers"), [
    ("apply", ["resubmit", "withdraw"]),
    ("site_review", ["approve", "return", "veto", "withdraw"]),
    ("college_approval", ["approve", "return", "veto", "withdraw"]),
    ("announce", ["approve", "veto"]),
])
def test_the_guilin_recruitment_table(state: str, triggers: list[str]) -> None:
    assert triggers_from(machine_for("guilin", GUILIN), state) == triggers


def test_a_guilin_return_goes_back_to_the_personal_application() -> None:
    machine = machine_for("guilin", GUILIN)
    assert destination(machine, "return", "college_approval") == "apply"


@pytest.mark.parametrize("policy_id", ["guilin-ut-ce-2024", "suzhou-gaobo-2023", "aksu-vtc-2020",
                                       "hfut-math", "jiyuan-vtc-2018"])
def test_the_table_lookup_used_when_parsing_agrees_with_the_machine(policy_id: str) -> None:
    """Policy checks read the rule table directly; commands ask the Machine: same answers."""
    policy = parse_policy(builtin_text(policy_id), policy_id)
    for wf in policy.workflows.values():
        machine = machine_for("agree:" + policy_id, wf)
        for source in [*wf.step_ids(), *CLOSED_STATES, "nowhere"]:
            for trigger in ("approve", "veto", "return", "withdraw", "resubmit", "publish"):
                assert table_destination(wf, trigger, source) == \
                    destination(machine, trigger, source), (wf.kind, trigger, source)
