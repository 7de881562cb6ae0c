"""Students named on a case or in the work log: people who are not users, whose names are kept sealed under a key of their own."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..domain.errors import BadInput
from ..adapters.personal import open_value, seal_value
from .ports import Store
from .text import checked, checked_name


NUMBER = re.compile(r"^[\w\-]{1,40}$")
PREFIX = "student:"
"""Students' keys share the personal-data key table with users' (a login never holds ':')."""


def key_id(name: str, number: str = "") -> str:
    """The key a student's name is sealed under: their student number, or, where only a name
    is known (a work-log entry), a digest of it, so that entries about one student match."""
    if number:
        return f"{PREFIX}{number}"
    return f"{PREFIX}name:{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def checked_student(name: str | None, number: str | None, need_number: bool) -> tuple[str, str]:
    """(name, number) as given on a command; refuse a missing or malformed one (exit 2)."""
    clean = checked_name(name or "", "--student")
    num = checked(number, "--student-number", 40)
    if need_number and not num:
        raise BadInput("a student is named with --student NAME --student-number NO")
    if num and not NUMBER.match(num):
        raise BadInput("--student-number {num!r} must be 1-40 letters, digits, '-' or '_'",
                       num=num)
    return clean, num


def sealed(store: Store, name: str, number: str = "",
           keys: dict[str, bytes] | None = None) -> dict[str, str]:
    """What is stored: the number and the key's id in clear, the name sealed under that key.
    `keys` caches the keys one command has already fetched (a log import names many students)."""
    ref = key_id(name, number)
    keys = {} if keys is None else keys
    if ref not in keys:
        keys[ref] = store.person_keys.key_for_writing(ref)
    key = keys[ref]
    return {"name": seal_value(key, name), "number": number, "ref": ref}


def keys_for(store: Store, refs: set[str]) -> dict[str, bytes]:
    """The keys of many students at once, made where missing, in one transaction (a log import
    naming 500 students would otherwise commit 500 times); wrapped under the store key like
    every person's (personal.PersonKeys)."""
    return store.person_keys.keys.ensure_many(sorted(refs))


def sealed_name(store: Store, name: str, keys: dict[str, bytes]) -> dict[str, str]:
    """A work-log entry's student: {student: sealed name, student_ref: its key's id}."""
    stored = sealed(store, name, "", keys)
    return {"student": stored["name"], "student_ref": stored["ref"]}


def opened(store: Store, stored: dict[str, Any]) -> dict[str, Any]:
    """The student as shown: the name in clear, or （已删除） once their key is destroyed."""
    key = store.person_keys.key(str(stored.get("ref", "")))
    return {"name": open_value(key, stored.get("name")), "number": stored.get("number") or None}


def with_student(store: Store, shown: dict[str, Any]) -> dict[str, Any]:
    """A case as people read it: a student it names shown as `student: {name, number}`."""
    stored = shown["data"].get("student")
    if isinstance(stored, dict):
        student = opened(store, stored)
        shown["data"] = {**shown["data"], "student": student}
        shown["student"] = student
    return shown
