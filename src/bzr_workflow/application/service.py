"""What every command-and-query service shares: the store it runs over (the port, not the app)."""

from __future__ import annotations

from .ports import Store


class Service:
    """A group of commands and queries on one subject, over the store's port; the siblings a
    service needs are handed to it by the composition root (`app.WorkflowApp`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
