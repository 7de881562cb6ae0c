"""The application layer: commands and queries in primitives, shared by the CLI and any future API."""

from __future__ import annotations

from .app import StoreMissing, StoreUnavailable
from .cases import CaseCommands
from .store import APP_NAME, Location, parse_location


class WorkflowApp(CaseCommands):
    """Every command of the engine over one event store."""

    name = APP_NAME


__all__ = ["WorkflowApp", "Location", "parse_location", "StoreMissing", "StoreUnavailable"]
