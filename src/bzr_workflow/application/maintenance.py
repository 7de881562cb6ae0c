"""Acts on the store as a whole that are not views: the one-off upgrade of an old seal."""

from __future__ import annotations

from typing import Any

from ..adapters.seal import upgrade
from ..domain.command import Command
from .ports import SealedStore



def upgrade_seal(store: SealedStore, actor: str | None) -> dict[str, Any]:
    """An administrator's: bring a store sealed before seal keys under its key (`adapters.seal.upgrade`)."""
    store.require_admin(actor)
    return upgrade(store.location, store.sealer,
                   lambda: store.save(Command("cli", "seal upgrade", "", 0)))
