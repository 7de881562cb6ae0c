"""Which views a database holds: the names of their position rows and the SCHEMA they were made under."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

VIEWS = "views"
# raise SCHEMA when tables.py changes, or what a view holds (7: periods as school years,
# years of study, personal text as stored): old views are rebuilt
SCHEMA_KEY, SCHEMA = "schema", 9  # 9: decisions say batch and on_behalf_of, a case its assignee (8: how appointments ended)


def made_here(positions: Mapping[str, Any]) -> bool:
    """Whether the position rows read (name -> position) say the views exist, made under this
    SCHEMA (catchup.ready through SQLAlchemy, lite.current through the driver)."""
    return positions.get(SCHEMA_KEY) == SCHEMA and VIEWS in positions
