"""The JSON API fuzzed by schemathesis from its own OpenAPI document, against the served app: no 5xx,
no traceback in any body, every refusal WEB.md's `{"error", "code"}`."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from bzr_workflow.application import open_app, parse_location
from webrun import Served, guilin_served, issue_token  # noqa: F401 (a fixture)

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 20
"""Per operation and generation mode: bounded, so that the whole fuzz takes well under a minute."""


def judge(operation: str, status: int, body: str, content_type: str) -> None:
    assert status < 500, (operation, status, body[:500])
    assert "Traceback" not in body and 'File "' not in body, (operation, body[:500])
    if status >= 400:
        assert content_type.startswith("application/json"), (operation, status, content_type)
        refusal = json.loads(body)
        assert isinstance(refusal, dict) and {"error", "code"} <= set(refusal), \
            (operation, status, refusal)
        assert isinstance(refusal["error"], str) and "\n" not in refusal["error"]
        assert refusal["code"] in (1, 2, 3, 4), (operation, status, refusal)


def test_the_api_answers_whatever_it_is_sent_without_a_5xx_or_a_traceback(
        guilin_served: tuple[Served, str]) -> None:
    served, db = guilin_served
    app = open_app(parse_location(db))
    for who, klass in (("chen", "kj1"), ("liu", "tm1")):  # some cases for the fuzz to find
        app.cases.recruit_apply(klass, None, None, "", who)
    app.close()
    auth = {"Authorization": f"Bearer {issue_token(db, 'zhang', 'fuzz')}"}
    schema = schemathesis.openapi.from_url(served.url + "/api/v1/openapi.json")
    started, seen = time.monotonic(), 0
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy, signed=st.booleans())
            def fuzz(case: Any, signed: bool) -> None:
                response = case.call(base_url=served.url, headers=auth if signed else {},
                                     timeout=30)
                judge(label, response.status_code, response.text,
                      "".join(response.headers.get("content-type", [])))

            try:
                fuzz()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode == schemathesis.GenerationMode.NEGATIVE, label
                continue
            seen += 1
    assert seen >= 12  # every sign-off and reading operation WEB.md lists
    assert time.monotonic() - started < 120
