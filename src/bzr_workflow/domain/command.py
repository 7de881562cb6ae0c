"""Where one command came from (the CLI on the server, or a web session at an address), stored after what it decided."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event


class Command(Aggregate):
    """The provenance of one command: saved in the same transaction as the events the command
    decided, right after them, so the log itself says which `count` events it accompanies."""

    TOPIC = "bzr.command"
    class_version = 1

    class Created(Aggregate.Created):  # the library's default, never used: every one is Recorded
        TOPIC = "bzr.command.created"

    class Recorded(Aggregate.Created):
        TOPIC = "bzr.command.recorded"
        class_version = 2
        via: str
        """"cli" (the operator's tool on the server), "web" (a signed-in browser) or "api"."""
        session: str
        """A short, non-secret name of the web session or API token; from the CLI, the
        operating-system account that ran it ("" before issue 20)."""
        address: str
        """The web client's network address; from the CLI, the host it ran on."""
        count: int
        batch: str
        """The bulk sign-off (`approve CASE...`, `approve --inbox`, POST /api/v1/batches, the
        batch page) this command was one item of, `B-...`; "" for a command on its own."""

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["batch"] = ""  # before issue 23 there were no batches

    @event(Recorded)
    def __init__(self, via: str, session: str, address: str, count: int,
                 batch: str = "") -> None:
        self.via, self.session, self.address, self.count = via, session, address, count
        self.batch = batch
