"""The permission questions every face asks of domain/signing: who is an administrator, who reads a period's results; and a quota's basis."""

from __future__ import annotations

from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.domain.roster import PeriodRoster, roster_size
from bzr_workflow.domain.signing import is_admin, may_read_results
from bzr_workflow.policies import builtin_text

SUZHOU = parse_policy(builtin_text("suzhou-gaobo-2023") or "", "suzhou")
APPRAISAL = SUZHOU.workflow("appraisal")


def test_an_administrator_holds_the_admin_role() -> None:
    assert is_admin([["ce_office", ""], ["admin", ""]])


def test_an_office_holder_is_no_administrator() -> None:
    assert not is_admin([["ce_office", ""]])


def test_a_signer_of_the_appraisal_reads_the_results() -> None:
    assert may_read_results([["ce_office", ""]], APPRAISAL)


def test_an_auditor_reads_the_results() -> None:
    assert may_read_results([["auditor", ""]], APPRAISAL)


def test_an_advisor_with_no_role_reads_no_results() -> None:
    assert not may_read_results([], APPRAISAL)


def test_without_an_appraisal_only_administrators_and_auditors_read_results() -> None:
    assert not may_read_results([["ce_office", ""]], None)


def test_a_quota_counts_the_roster_in_its_unit_or_everywhere() -> None:
    roster = PeriodRoster(kind="appraisal", period="2026-2027")
    roster.list_cases({"a": "A-1", "b": "A-2", "c": "A-3"}, {"a": "cs", "b": "cs", "c": "ee"})
    assert (roster_size(roster, "*"), roster_size(roster, "cs")) == (3, 2)
