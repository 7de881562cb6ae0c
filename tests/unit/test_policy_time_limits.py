"""A step's time limit in the policy (time_limit, working days): parsed, shown, checked, chosen
for every step of the built-in policies, and absent (0) from a file that does not write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzr_workflow.application.policyview import policy_view
from bzr_workflow.domain.policy_file import PolicyInvalid, parse_policy
from bzr_workflow.policies import builtin_ids, builtin_text

MINIMAL = (Path(__file__).parents[1] / "policies" / "minimal.toml").read_text("utf-8")


@pytest.mark.parametrize("policy_id", builtin_ids())
def test_every_step_of_a_built_in_policy_has_five_working_days(policy_id: str) -> None:
    policy = parse_policy(builtin_text(policy_id) or "", policy_id)
    limits = {(kind, s.id): s.time_limit for kind, wf in policy.workflows.items()
              for s in wf.steps}
    assert limits and set(limits.values()) == {5}
    shown = policy_view(policy)["workflows"]
    assert {s["time_limit"] for wf in shown.values() for s in wf["steps"]} == {5}


def test_a_policy_that_writes_no_time_limit_has_none() -> None:
    policy = parse_policy(MINIMAL, "minimal.toml")
    assert {s.time_limit for wf in policy.workflows.values() for s in wf.steps} == {0}


def test_a_negative_time_limit_is_refused_naming_the_step() -> None:
    text = MINIMAL.replace('\naction = "', '\ntime_limit = -1\naction = "', 1)
    with pytest.raises(PolicyInvalid, match=r"steps\[0\]\.time_limit.*0 \(none\) to 365"):
        parse_policy(text, "minimal.toml")


def test_a_time_limit_in_words_is_refused() -> None:
    text = MINIMAL.replace('\naction = "', '\ntime_limit = "五天"\naction = "', 1)
    with pytest.raises(PolicyInvalid, match="time_limit"):
        parse_policy(text, "minimal.toml")
