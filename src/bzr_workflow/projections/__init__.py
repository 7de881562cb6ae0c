"""The read side: views kept current from the event log, and the queries over them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import Conflict
from .policyof import PolicyOf

if TYPE_CHECKING:  # SQLAlchemy's, imported when first used (`lite` reads without it)
    from .catchup import EventLog
    from .views import ViewConnection, Views

__all__ = ["EventLog", "PolicyOf", "ViewConnection", "Views", "ViewsUnavailable", "queries"]


class ViewsUnavailable(Conflict):
    """The views could not be brought up to date."""


def __getattr__(name: str) -> Any:
    """`Views`, `ViewConnection` and `EventLog` are SQLAlchemy's side: imported on first use,
    so that a read through `lite` (the driver alone) never loads SQLAlchemy."""
    if name in ("Views", "ViewConnection"):
        from . import views

        return getattr(views, name)
    if name == "EventLog":
        from . import catchup

        return catchup.EventLog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
