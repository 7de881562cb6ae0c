"""Helpers of the page and API tests: the people's passwords, and signing in through the /login form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def password(login: str) -> str:
    return f"pw-{login}-2024"


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no form with a csrf field"
    return found.group(1)


def sign_in(client: TestClient, login: str) -> TestClient:
    """Sign in as a person would: the /login form, with its hidden csrf."""
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"user": login, "password": password(login),
                                         "csrf": token})
    assert answer.status_code == 303, answer.text
    return client
