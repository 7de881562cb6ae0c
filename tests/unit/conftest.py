"""Fixtures of the seed-policy tests: the built-in policy a module names (POLICY_ID), its seed
text with whitespace removed (SEED), and its appraisal section."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bzr_workflow.domain.policy import Policy
from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.policies import builtin_text


@pytest.fixture(scope="module")
def policy(request: pytest.FixtureRequest) -> Policy:
    pid: str = request.module.POLICY_ID
    return parse_policy(builtin_text(pid) or "", pid)


@pytest.fixture(scope="module")
def seed(request: pytest.FixtureRequest) -> str:
    """The seed with all whitespace removed: the PDF extraction breaks lines mid-word."""
    return re.sub(r"\s+", "", request.module.SEED.read_text("utf-8"))


@pytest.fixture(scope="module")
def appraisal(policy: Policy) -> dict[str, Any]:
    section: dict[str, Any] = policy.written["appraisal"]
    return section
