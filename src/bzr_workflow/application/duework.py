"""The engine's due work, run now: the one entry `remind` (cron) and `serve`'s scheduler call."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.timefmt import local_iso

if TYPE_CHECKING:
    from ..domain.policy import Policy
    from .deadlines import Deadlines
    from .notices import Notices
    from .reads import Reads


class Door(Protocol):
    """What the due work needs of the application (`app.WorkflowApp`)."""

    @property
    def reads(self) -> Reads: ...
    @property
    def deadlines(self) -> Deadlines: ...
    @property
    def notices(self) -> Notices: ...
    def clock(self) -> datetime: ...
    def policy(self) -> Policy: ...


def run_due_work(app: Door, now: datetime | None = None) -> dict[str, Any]:
    """Do what has fallen due by `now` (the app's clock without it) and say what was done:
    `finalised`, the 公示 the engine finalised (each once, whichever process gets there
    first), `overdue`, the steps past their time limit, and `notices`, what the notices'
    outbox queued (new pending steps, returns, 公示 opened, overdue steps: each once) and
    sent, failed or gave up on now. Safe to run from several processes at once and as often
    as wanted; what is not due is left alone."""
    now = now or app.clock()
    policy = app.policy()
    finalised = []
    for ref in app.reads.announcements_ran(local_iso(now, policy.utc_offset)[:10]):
        done = app.deadlines.finalise_when_due(ref, now)
        if done is not None:
            finalised.append(done)
    overdue = app.reads.overdue(now=now)
    told = app.notices.tick(now, overdue=overdue)
    return {"at": local_iso(now, policy.utc_offset), "finalised": finalised,
            "overdue": overdue, "notices": told}
