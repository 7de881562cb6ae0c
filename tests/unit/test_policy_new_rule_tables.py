"""The rule tables issue 15 added are checked like the others: a dismissal ground's year grade
must be a grade, and a parent-contact trigger's roles must be declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzr_workflow.domain.policy_file import PolicyInvalid, parse_policy

MINIMAL = (Path(__file__).parents[1] / "policies" / "minimal.toml").read_text("utf-8")


def refused(extra: str) -> PolicyInvalid:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(MINIMAL + extra, "x.toml")
    return caught.value


def test_a_ground_sets_a_grade_the_policy_has() -> None:
    """Aksu 第九条(2)(3): （年终工作考核定为不合格） — the grade must be one of appraisal.grades."""
    problem = refused('\n[[dismissal_triggers]]\nkey = "k"\nlabel = "L"\nyear_grade = "不合格"\n')
    assert "dismissal_triggers[0].year_grade" in str(problem) and "not a grade" in str(problem)
    ok = parse_policy(MINIMAL + '\n[[dismissal_triggers]]\nkey = "k"\nlabel = "L"\n'
                      'year_grade = "Fail"\n', "x.toml")
    assert ok.trigger("k") is not None and ok.trigger("k").year_grade == "Fail"  # type: ignore[union-attr]


def test_a_trigger_names_declared_roles() -> None:
    """Jiyuan 二(五): 1.辅导员…… 2.班主任…… — each trigger is some declared role's duty."""
    problem = refused('\n[[parent_contact_triggers]]\nkey = "ill"\nlabel = "生病"\n'
                      'roles = ["dean"]\n')
    assert "parent_contact_triggers[0].roles[0]" in str(problem) and "dean" in str(problem)
    problem = refused('\n[[parent_contact_triggers]]\nkey = "ill"\nlabel = "生病"\n'
                      'roles = ["office"]\n[[parent_contact_triggers]]\nkey = "ill"\n'
                      'label = "住院"\nroles = ["office"]\n')
    assert "duplicate" in str(problem)
