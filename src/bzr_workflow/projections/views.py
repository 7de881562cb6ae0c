"""The views of one store (SQLAlchemy Core tables beside the events), brought up to the log's head before every read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from . import ViewsUnavailable
from .catchup import EventLog, catch_up, create_views, make_engine, ready, rebuild, views_as_of
from .policyof import PolicyOf

ViewConnection = Connection  # what a read of the views yields, named here so the door needs no driver


class Views:
    """The views of one store, brought up to the log's head before every read."""

    def __init__(self, log: EventLog, policy_of: PolicyOf) -> None:
        self.log, self.policy_of = log, policy_of
        self.engine: Engine = make_engine(log.sqlalchemy_url())
        self._created = False

    def create(self) -> None:
        with _errors():
            create_views(self.engine)
        self._created = True

    @contextmanager
    def read(self, as_of: datetime | None = None,
             position: int | None = None) -> Iterator[Connection]:
        """A connection to views that include every event so far (or up to `as_of`, or up to
        an event `position`)."""
        with _errors():
            if position is not None:
                engine = views_as_of(self.log, self.policy_of, upto=position)
            elif as_of is None:
                if not self._created:
                    if ready(self.engine):  # made under this schema: no DDL on a read
                        self._created = True
                    else:
                        self.create()
                catch_up(self.log, self.engine, self.policy_of)
                engine = self.engine
            else:
                engine = views_as_of(self.log, self.policy_of, as_of)
            with engine.connect().execution_options(read_only=True) as conn:
                yield conn

    def rebuild(self) -> int:
        with _errors():
            return rebuild(self.log, self.engine, self.policy_of)

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ViewsUnavailable("the views could not be read or updated ({first})",
                               first=first) from None
