"""Acts on the store as a whole that are not views: the one-off upgrade of an old seal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..adapters.seal import upgrade
from ..domain.command import Command

if TYPE_CHECKING:
    from .app import WorkflowApp


def upgrade_seal(app: WorkflowApp, actor: str | None) -> dict[str, Any]:
    """An administrator's: bring a store sealed before seal keys under its key (`adapters.seal.upgrade`)."""
    app.require_admin(actor)
    return upgrade(app.location, app.recorder.sealer,  # type: ignore[attr-defined]
                   lambda: app.save(Command("cli", "seal upgrade", "", 0)))
