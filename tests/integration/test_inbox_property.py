"""For generated organisations and sign-offs, each user's inbox is exactly the open cases `approve` accepts from them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import WorkflowError

# Nominations are opened by a unit's head for someone else (the opener may count as a signer);
# applications are opened by candidates for themselves. Heads sign twice in a nomination.
POLICY = """
[policy]
id = "generated"
name = "Generated"
utc_offset = "+08:00"

[[roles]]
id = "head"
label = "Head"
scoped = true

[[roles]]
id = "office"
label = "Office"

[workflows.nomination]
label = "Nomination"
prefix = "N"
opened_by = "head"
open_label = "Nominate"
open_action = "nominated"
on_publish = "none"
requires = ["subject"]
signer_may_sign_twice = {twice}
opener_signs = {opener_signs}

[[workflows.nomination.steps]]
id = "review"
label = "Review"
role = "head"
action = "reviewed"

[[workflows.nomination.steps]]
id = "approval"
label = "Approval"
role = "office"
action = "approved"

[[workflows.nomination.steps]]
id = "confirm"
label = "Confirm"
role = "head"
action = "confirmed"
returnable = false

[workflows.application]
label = "Application"
prefix = "P"
opened_by = "candidate"
open_label = "Apply"
open_action = "applied"
on_publish = "none"
requires = ["subject"]

[[workflows.application.steps]]
id = "review"
label = "Review"
role = "head"
action = "recommended"

[[workflows.application.steps]]
id = "approval"
label = "Approval"
role = "office"
action = "approved"
"""

USERS = ["u0", "u1", "u2", "u3", "u4"]


class Accepted(Exception):
    """Raised in place of storing: approve decided to accept."""


@st.composite
def organisations(draw: Any) -> dict[str, Any]:
    """Units as a tree, users with role grants, cases and the decisions tried on them."""
    n_units = draw(st.integers(1, 4))
    parents = [draw(st.integers(0, i - 1)) if i else -1 for i in range(n_units)]
    units = [f"d{i}" for i in range(n_units)]
    grant = st.one_of(st.sampled_from(units).map(lambda u: f"head@{u}"), st.just("office"))
    grants = {u: draw(st.lists(grant, max_size=2, unique=True)) for u in USERS}
    cases = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["nomination", "application"]))
        opener = draw(st.sampled_from([*USERS, "admin"]))
        heads = [g.partition("@")[2] for g in grants.get(opener, []) if g.startswith("head@")]
        unit = draw(st.sampled_from(heads if kind == "nomination" and heads else units))
        cases.append((kind, opener, draw(st.sampled_from(USERS)), unit))
    move = st.tuples(st.integers(0, 5), st.permutations(USERS),
                     st.sampled_from(["advance", "advance", "approve", "return", "veto"]))
    return {"twice": draw(st.booleans()), "opener_signs": draw(st.booleans()),
            "units": list(zip(units, parents)), "grants": grants,
            "cases": cases, "moves": draw(st.lists(move, max_size=12))}


@contextmanager
def built(org: dict[str, Any]) -> Iterator[tuple[WorkflowApp, list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp, "policy.toml")
        policy.write_text(POLICY.format(twice=str(org["twice"]).lower(),
                                        opener_signs=str(org["opener_signs"]).lower()), "utf-8")
        app = open_app(parse_location(str(Path(tmp, "store.db"))), create=True)
        try:
            app.org.init(str(policy), "admin", "", None)
            for code, parent in org["units"]:
                app.org.add_unit(code, code, f"d{parent}" if parent >= 0 else "", "admin")
            for login in USERS:
                app.org.add_user(login, login, org["grants"][login], "admin")
            refs = [opened for opened in (_open(app, *c) for c in org["cases"]) if opened]
            for index, order, action in org["moves"]:
                if refs:
                    _try(app, action, refs[index % len(refs)], list(order))
            yield app, refs
        finally:
            app.close()


def _open(app: WorkflowApp, kind: str, opener: str, subject: str, unit: str) -> str | None:
    try:
        who = opener if kind == "application" else subject
        return str(app.cases.open_case(kind, who, None, None, "", opener, unit=unit)["id"])
    except WorkflowError:
        return None


def _try(app: WorkflowApp, action: str, ref: str, order: list[str]) -> bool | None:
    """`advance`: approved by the first user (in the drawn order) who may; else one user tries."""
    if action == "advance":
        for who in order:
            if _try(app, "approve", ref, [who]) is None:
                return
        return
    who = order[0]
    try:
        if action == "approve":
            app.cases.approve(ref, who, "ok")
        elif action == "return":
            app.cases.return_case(ref, who, "again")
        else:
            app.cases.veto(ref, who, "no")
    except WorkflowError:
        return False
    return None


def approve_accepts(app: WorkflowApp, ref: str, who: str) -> bool:
    """Call the real approve, but fail its write: nothing is stored, the decision is seen."""
    recorder: Any = app.recorder

    def refuse_to_store(*_: Any, **__: Any) -> Any:
        raise Accepted

    recorder.insert_events = refuse_to_store
    try:
        app.cases.approve(ref, who, "ok")
    except Accepted:
        return True
    except WorkflowError:
        return False
    finally:
        del recorder.insert_events
    raise AssertionError(f"approve of {ref} by {who} neither stored nor refused")


def inbox(app: WorkflowApp, login: str) -> set[str]:
    """The inbox as every interface asks for it, through the application's read door."""
    return {row["id"] for row in app.reads.inbox(login)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_each_inbox_is_the_open_cases_approve_accepts(org: dict[str, Any]) -> None:
    with built(org) as (app, refs):
        for login in ["admin", *USERS]:
            accepted = {ref for ref in refs if approve_accepts(app, ref, login)}
            assert inbox(app, login) == accepted, login
