"""serve's own scheduler: the engine's due work (application/duework.py) every --tick seconds, in one background thread."""

from __future__ import annotations

import logging
import threading

from ..application import WorkflowApp
from ..application.duework import run_due_work

log = logging.getLogger("bzr_workflow.serve")


class DueWorkScheduler:
    """Runs `run_due_work` on the server's door every `every` seconds, in one daemon thread,
    never on the event loop, one run at a time (a run that takes longer than the interval
    delays the next; none overlap). Started and stopped with the application's lifespan; a run
    that fails is logged and the next one tries again. Several workers or servers may each run
    one: whatever is due is recorded once (the aggregate's optimistic concurrency)."""

    def __init__(self, door: WorkflowApp, every: float) -> None:
        self.door, self.every = door, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bzr-due-work", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop and wait for a run under way to end."""
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                done = run_due_work(self.door)
                if done["finalised"]:
                    log.warning("due work: finalised %s",
                                ", ".join(f["case"] for f in done["finalised"]))
            except Exception:  # noqa: BLE001 - a failed run must not end the scheduler
                log.exception("due work failed; trying again in %s s", self.every)
            self.runs += 1
