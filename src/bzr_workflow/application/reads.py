"""The read door: every query over the views, answered for the CLI and any other interface."""

from __future__ import annotations

from ..projections import Views, queries
from .service import Service

Target = tuple[str, str, str]  # (advisor, class, unit)


class Reads(Service):
    """Queries over the views, which it keeps current from the event log."""

    _views: Views | None = None

    def views(self) -> Views:
        if self._views is None:
            self.app.institution()  # an uninitialised store says so, before any view is made
            self._views = Views(self.app)
        return self._views

    def appointed_in(self, start: str, end: str) -> list[Target]:
        """(advisor, class, unit) of every appointment that overlaps start..end."""
        with self.views().read() as conn:
            return queries.appointed_in(conn, start, end)

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
