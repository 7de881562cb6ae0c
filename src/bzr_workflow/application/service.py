"""What every command-and-query service shares: the application it runs over."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import WorkflowApp


class Service:
    """A group of commands and queries on one subject, over the one application."""

    def __init__(self, app: WorkflowApp) -> None:
        self.app = app
