"""A test policy: Suzhou's with a nominated award under a 15 % quota (the generic award quota).

Suzhou itself has no award workflow (its 15 % binds the grade, issue 15); the award quota the
engine offers any policy is exercised on this derivative, whose award keeps the old shape: the
school nominates, 继续教育处 approves within the quota, and the certificate is issued.
"""

from __future__ import annotations

from pathlib import Path

from bzr_workflow.policies import builtin_text

AWARD_WORKFLOW = '''
[workflows.award]
label = "优秀班主任"
prefix = "W"
opened_by = "school"
open_step = "nominate"
open_label = "优秀班主任"
open_action = "nominated"
on_publish = "record"
requires = ["subject", "period"]

[[workflows.award.steps]]
id = "ce_approval"
label = "报继续教育处审定"
role = "ce_office"
action = "approved"
returnable = true

[[workflows.award.steps]]
id = "issue"
label = "发放荣誉证书"
role = "ce_office"
action = "published"
returnable = false

'''

QUOTA = '''quota_share = 0.15
quota_basis = "appraised"
quota_step = "ce_approval"
quota_scope = "institution"
rounding = "floor"
'''


def nominated_award_text() -> str:
    """Suzhou's policy text with a nominated award, its quota on the award, not the grade."""
    text = builtin_text("suzhou-gaobo-2023") or ""
    start = text.index("\n[appraisal.grade_quota]\n") + 1
    text = text[:start] + text[text.index("\n\n", start) + 2:]
    text = text.replace('id = "suzhou-gaobo-2023"', 'id = "suzhou-nominated-award"')
    text = text.replace("follows_grade = true\n", QUOTA)
    return text.replace("\n[workflows.appraisal]\n", AWARD_WORKFLOW + "[workflows.appraisal]\n", 1)


def nominated_award_file(folder: Path) -> str:
    path = folder / "suzhou-nominated-award.toml"
    path.write_text(nominated_award_text(), encoding="utf-8")
    return str(path)
