"""The read door (`app.reads`): typed answers from the views, with the seal digest they reflect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import BadInput

REFINEMENT = str(Path(__file__).parents[1] / "policies" / "refinements" / "nanning-extra-review.toml")


@pytest.fixture
def suzhou(db_url: str) -> Iterator[WorkflowApp]:
    """A Suzhou store (it pays allowances) with one advisor appointed to one class."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("s1", ["school@cs"]), ("o1", ["ce_office"]), ("adv", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    ref = app.cases.recruit_apply("c1", "adv", "2026-09-01", "", "s1")["id"]
    app.cases.approve(ref, "o1", "")
    yield app
    app.close()


def test_the_inbox_lists_what_awaits_the_site_head_of_the_cases_unit(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    assert [row["id"] for row in app.reads.inbox("zhang")] == [ref]


def test_the_inbox_of_another_sites_head_is_empty(app: WorkflowApp) -> None:
    app.cases.recruit_apply("kj1", None, None, "", "chen")
    assert app.reads.inbox("huang") == []


def test_the_inbox_as_of_an_instant_before_the_case_is_empty(app: WorkflowApp) -> None:
    app.cases.recruit_apply("kj1", None, None, "", "chen")
    assert app.reads.inbox("zhang", as_of="2000-01-01") == []


def test_the_inbox_refuses_an_instant_it_cannot_read(app: WorkflowApp) -> None:
    with pytest.raises(BadInput):
        app.reads.inbox("zhang", as_of="yesterday")


def test_the_allowance_sheet_carries_the_seal_digest_of_its_position(suzhou: WorkflowApp) -> None:
    sheet = suzhou.reads.allowance("2026-10")
    assert sheet["total"] == 480.0 and sheet["head"] == suzhou.reads.verify()["head"]


def test_an_allowance_sheet_of_an_earlier_position_carries_that_positions_digest(
        suzhou: WorkflowApp) -> None:
    first = suzhou.reads.allowance("2026-10")
    suzhou.org.update_class("c1", 61, None, "2026-10-01", "admin")
    again = suzhou.reads.allowance("2026-10", position=first["position"])
    assert (again["head"], again["total"]) == (first["head"], first["total"])


def test_a_policy_without_allowances_says_so(app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="allowance"):
        app.reads.allowance("2026-10")


def test_the_policy_view_names_the_adopted_version_and_its_digest(app: WorkflowApp) -> None:
    view = app.reads.policy_view()
    assert (view["id"], view["version"], view["refinement"]) == ("guilin-ut-ce-2024", 1, None)
    assert len(view["digest"]) == 64


def test_the_policy_view_of_a_refined_unit_shows_its_own_pipeline(app: WorkflowApp) -> None:
    app.org.refine_policy(REFINEMENT, "admin")
    view = app.reads.policy_view(unit="nanning")
    steps = [s["label"] for s in view["workflows"]["recruitment"]["steps"]]
    assert view["refinement"] == 1 and steps[0] == "教学点教务初审"


def test_results_carry_the_seal_digest_of_the_views_position(app: WorkflowApp) -> None:
    assert app.reads.results("2026-2027-1").head == app.reads.verify()["head"]
