"""Broken policy files: each is refused naming the file, the field and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzr_workflow.domain.policy_file import PolicyInvalid, parse_policy

POLICIES = Path(__file__).parents[1] / "policies"
BROKEN = POLICIES / "broken"

# (file name, field path of the first problem, fragment of its message)
ROWS = [
    ("not_toml.toml", "(file)", "not valid TOML"),
    ("unknown_top_key.toml", "colour", "unknown key"),
    ("unknown_step_key.toml", "workflows.recruitment.steps[0].colour", "unknown key"),
    ("label_number.toml", "roles[0].label", "must be text, not 5"),
    ("scoped_string.toml", "roles[0].scoped", "must be true/false, not 'yes'"),
    ("step_without_role.toml", "workflows.recruitment.steps[0].role", "missing required key"),
    ("no_policy_table.toml", "policy", "missing required table"),
    ("missing_roles.toml", "roles", "missing required"),
    ("empty_roles.toml", "roles", "must not be empty"),
    ("duplicate_role.toml", "roles[2].id", "duplicate id 'reviewer'"),
    ("reserved_admin.toml", "roles[2].id", "'admin' is reserved"),
    ("reserved_auditor.toml", "roles[2].id", "'auditor' is reserved"),
    ("undeclared_step_role.toml", "workflows.recruitment.steps[1].role", "undeclared role 'dean'"),
    ("undeclared_opener.toml", "workflows.recruitment.opened_by", "undeclared role 'dean'"),
    ("duplicate_step_id.toml", "workflows.recruitment.steps[1].id", "duplicate id 'review'"),
    ("return_to_later.toml", "workflows.recruitment.steps[0].return_to",
     "'approval' is not an earlier step"),
    ("no_steps.toml", "workflows.recruitment.steps", "must not be empty"),
    ("no_workflows.toml", "workflows", "must declare at least one workflow"),
    ("maxima_sum.toml", "appraisal.indicators", "maxima sum to 90, not 100"),
    ("weights_sum.toml", "appraisal.indicators", "weights sum to 90, not 100"),
    ("overlapping_grades.toml", "appraisal.grades", "bands overlap"),
    ("gapped_grades.toml", "appraisal.grades", "no grade covers scores below 10"),
    ("grade_min_range.toml", "appraisal.grades[1].min", "101 is outside 0-100"),
    ("grade_min_nan.toml", "appraisal.grades[0].min", "nan"),
    ("consequence_unknown_grade.toml", "appraisal.consequences[0].grades[0]",
     "'很差' is not a grade"),
    ("quota_share_percent.toml", "award.quota_share", "between 0 and 1 (0.15 for 15 %), not 15"),
    ("eligible_not_grade.toml", "award.eligible_grades[0]", "'Excellent' is not a grade"),
    ("funding_sum.toml", "allowance.funding", "shares sum to 90, not 100"),
    ("tiers_start.toml", "allowance.tiers", "must start at 0 students"),
    ("norm_undeclared_role.toml", "norms[0].role", "undeclared role 'dean'"),
    ("scoring_stars.toml", "appraisal.scoring",
     "must be one of points, weights, grades, not 'stars'"),
    ("several_problems.toml", "roles[2].id", "'admin' is reserved"),
]
CASES = [pytest.param(*row)
         for row in ROWS]


def refusal(name: str) -> PolicyInvalid:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy((BROKEN / name).read_text("utf-8"), name)
    return caught.value


def test_the_minimal_policy_parses() -> None:
    policy = parse_policy((POLICIES / "minimal.toml").read_text("utf-8"), "minimal.toml")
    assert policy.id == "minimal"
    assert [s.id for s in policy.workflow("recruitment").steps] == ["review", "approval"]
    assert set(policy.written) == {"appraisal", "award", "allowance", "norms"}


def test_every_broken_file_has_a_table_row() -> None:
    assert {row[0] for row in ROWS} == {p.name for p in BROKEN.glob("*.toml")}


@pytest.mark.parametrize(("name", "field", "fragment"), CASES)
def test_a_broken_file_is_refused_naming_file_field_and_problem(
        name: str, field: str, fragment: str) -> None:
    message = str(refusal(name))
    assert message.startswith(f"{name}: {field}: ")
    assert fragment in message


def test_lines_lists_every_problem_of_a_file() -> None:
    assert refusal("several_problems.toml").lines() == [
        "several_problems.toml: roles[2].id: 'admin' is reserved by the engine",
        "several_problems.toml: workflows.recruitment.opened_by: "
        "undeclared role 'dean' (or 'candidate')",
        "several_problems.toml: award.quota_share: "
        "must be a share between 0 and 1 (0.15 for 15 %), not 15",
        "several_problems.toml: allowance.funding: shares sum to 90, not 100",
    ]


def test_the_message_counts_the_problems_after_the_first() -> None:
    assert str(refusal("several_problems.toml")).endswith("(and 3 more problem(s))")


def test_a_file_with_one_problem_reports_only_that_one() -> None:
    error = refusal("maxima_sum.toml")
    assert error.problems == [("appraisal.indicators", "maxima sum to 90, not 100")]
    assert "more problem" not in str(error)


def test_a_missing_roles_list_is_reported_once() -> None:
    assert [field for field, _ in refusal("missing_roles.toml").problems] == ["roles"]


def test_brackets_in_strings_and_comments_do_not_count_as_nesting() -> None:
    from bzr_workflow.domain.policy_file import _bracket_depth

    text = 'a = "[[[[\\" {{"  # [[[[[\nb = \'\'\'[[[\'\'\'\nc = [[1], {d = 2}]\n'
    assert _bracket_depth(text) == 2
    assert _bracket_depth("x = " + "[" * 1000 + "]" * 1000) == 1000
