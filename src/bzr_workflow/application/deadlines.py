"""What the engine decides by itself when time runs: a 公示 that has run with no open objection is finalised (actor RULE)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.policy import RULE
from ..domain.timefmt import local_iso
from ..domain.workdays import announcement_due
from .appraisal_effects import KIND
from .effects import effects_of, run
from .hooks import Decided
from .service import Service


class Deadlines(Service):
    """The engine's own decisions when a time runs out, each exactly once: whichever process
    notices first records it; one that loses the race (a conflict on save) finds the case
    already final, re-run by `attempt`, and records nothing."""

    def finalise_when_due(self, ref: str, now: datetime) -> dict[str, Any] | None:
        """Finalise `ref` by rule at the instant its 公示 ran, with whatever follows a
        finalisation (a result recorded, Suzhou's reward); None when it is not due (still
        running, an open objection, already final, not a 公示)."""
        def command() -> dict[str, Any] | None:
            case = self.store.case(ref)
            until = str(case.announcement.get("until") or "") if case.announcement else ""
            if case.kind != KIND or not until:
                return None
            policy, wf, _ = self.store.case_rules(case)
            due = local_iso(announcement_due(until, policy.utc_offset), policy.utc_offset)
            if not case.finalise_when_due(policy, local_iso(now, policy.utc_offset)[:10], due):
                return None
            moved = run(effects_of(case.kind).on_final, self.store,
                        Decided(case, policy, wf, RULE))
            self.store.save(case, *moved)
            result = case.outcome(policy)
            return {"case": case.ref, "subject": case.subject, "due": due,
                    "grade": result["grade"], "total": result["total"],
                    "rewarded": bool(case.award)}
        return self.store.attempt(command)
