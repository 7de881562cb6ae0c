"""The bulk sign-off's parts through the application: a dry run's store decides in memory and
writes nothing, a case is signed only at the version it was shown at, a batch id's form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.application.batches import ALPHABET, new_batch_id
from bzr_workflow.application.cases import Cases
from bzr_workflow.application.dryrun import DryStore
from bzr_workflow.application.ports import Store
from bzr_workflow.domain.errors import Conflict

PERIOD = "2026-2027-1"
SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def scored(app: WorkflowApp, *advisors: str) -> list[str]:
    opened = app.appraisals.open_appraisals(PERIOD, [(a, "kj1", "nanning") for a in advisors],
                                            "li", True, early=True)
    for case in opened:
        app.appraisals.score(case["id"], "zhang", SITE)
    return [c["id"] for c in opened]


def test_a_dry_store_keeps_its_decisions_in_memory_and_writes_none(app: WorkflowApp) -> None:
    [ref] = scored(app, "chen")
    head = app.recorder.max_notification_id()
    dry = DryStore(app)
    Cases(cast(Store, dry), app.cases.holders).approve(ref, "zhang")
    assert dry.case(ref).step == "college_evaluation"  # the dry run's next command sees it
    assert app.case(ref).step == "site_appraisal"
    assert app.recorder.max_notification_id() == head


def test_a_case_is_signed_only_at_the_version_it_was_shown_at(app: WorkflowApp) -> None:
    [ref] = scored(app, "chen")
    version = app.case(ref).version
    with pytest.raises(Conflict) as refused:
        app.cases.approve(ref, "zhang", shown=version - 1)
    assert refused.value.exit_code == 4 and "changed after it was shown" in str(refused.value)
    assert app.cases.approve(ref, "zhang", shown=version)["step"] == "college_evaluation"


def test_a_batch_that_signs_nothing_has_no_id_and_one_that_signs_has_one(
        app: WorkflowApp) -> None:
    refs = scored(app, "chen", "liu")
    refused = app.batches.approve(refs, "huang")  # 柳州's head: neither is his
    assert (refused.batch, refused.signed, refused.exit_code) == (None, [], 3)
    done = app.batches.approve(refs, "zhang", shown={refs[0]: app.case(refs[0]).version,
                                                     refs[1]: 1})
    assert done.batch and done.signed == [refs[0]]
    assert [(r.case, r.error.exit_code) for r in done.refused] == [(refs[1], 4)]


def test_a_batch_id_says_its_day_and_reads_aloud() -> None:
    made = new_batch_id(datetime(2026, 12, 3, 10, 2, tzinfo=UTC))
    assert made.startswith("B-261203-") and len(made) == 15
    assert set(made[9:]) <= set(ALPHABET) and not set("01IO") & set(made[9:])
