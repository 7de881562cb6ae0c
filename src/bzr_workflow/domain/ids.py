"""Deterministic aggregate ids from natural keys, so a duplicate creation is a version conflict."""

from __future__ import annotations

import re
from functools import lru_cache
from uuid import UUID, uuid5

from .errors import BadInput

NAMESPACE = UUID("6f1d2c0e-3b7a-5e29-9c41-0b2d7a8e4f10")
REF_PATTERN = re.compile(r"^([A-Za-z]+)-?(\d+)$", re.ASCII)


@lru_cache(maxsize=65536)
def key_id(kind: str, key: str) -> UUID:
    """The id of the aggregate these natural keys name (kept: a command asks for the same few
    many times, and uuid5 hashes each time)."""
    return uuid5(NAMESPACE, f"{kind}/{key}")


def institution_id() -> UUID:
    return key_id("institution", "")


def normalise_ref(ref: str) -> str:
    """'r12', 'R12' and 'R-12' all name case R-12."""
    match = REF_PATTERN.match(ref.strip())
    if not match:
        raise BadInput("{ref!r} is not a case reference (like R-12)", ref=ref)
    return f"{match.group(1).upper()}-{int(match.group(2))}"


def case_id(ref: str) -> UUID:
    return key_id("case", normalise_ref(ref))
