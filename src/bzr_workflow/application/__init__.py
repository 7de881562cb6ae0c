"""The application layer: commands and queries in primitives, shared by the CLI and any future API."""

from __future__ import annotations

from ..adapters.store import StoreMissing, StoreUnavailable
from .app import WorkflowApp
from .session import open_app
from ..adapters.store import Location, parse_location

__all__ = ["WorkflowApp", "Location", "open_app", "parse_location", "StoreMissing",
           "StoreUnavailable"]
