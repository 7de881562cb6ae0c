"""The read side of delegation: the cases a deputy may sign today for the holders who named them, for their inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.policy import Policy
from .delegation import active_for
from .ports import Store


def deputy_rows(store: Store, conn: Any, deputy: str, own: set[str],
                policy_of: Callable[[int, int], Policy], offset: str,
                today: str, queries: Any = None) -> list[dict[str, Any]]:
    """The open cases `deputy` may sign for a holder today (not those they sign in their own
    right: `own`), each marked `on_behalf_of` the holder; the first delegation given first,
    as a sign-off picks it. Each row passes the holder's check (their own grants of the
    delegated role) and the deputy's own limits, as signing does. `queries`: what reads the
    views on `conn` (projections.queries, or projections.lite on its own connection)."""
    if queries is None:
        from ..projections import queries

    out: list[dict[str, Any]] = []
    seen = set(own)
    for terms in active_for(store, deputy, today):
        grants = terms.grants(queries.grants_of(conn, terms.holder))
        for row in queries.inbox(conn, terms.holder, grants, policy_of, offset, deputy=deputy):
            if row["id"] not in seen and terms.covers_kind(row["kind"]):
                seen.add(row["id"])
                out.append(row)
    return out
