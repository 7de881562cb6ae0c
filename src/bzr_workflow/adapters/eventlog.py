"""The store's event log as the views read it: notifications in order, domain events, the database URL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import (ApplicationRecorder, JSONTranscoder, Notification,
                                       StoredEvent)
from eventsourcing.sqlite import SQLiteApplicationRecorder

from .personal import PersonalMapper
from .store import Location

_parse = json.JSONDecoder().raw_decode  # json.loads less its whitespace and encoding checks

_HEX = frozenset("0123456789abcdef")


def _uuid_text(stored: str) -> str:
    """The id as str(UUID) writes it, from the 32 hex digits SQLite's recorder stores."""
    if len(stored) == 32 and _HEX.issuperset(stored):
        return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"
    return str(UUID(stored))


class StoreLog:
    """An application's recorder and mapper behind the narrow `projections.EventLog` protocol."""

    def __init__(self, app: Application[UUID], location: Location) -> None:
        self._recorder: ApplicationRecorder = app.recorder
        mapper = app.mapper  # the views keep personal fields sealed: Reads opens them
        self._mapper = mapper.sealed_twin() if isinstance(mapper, PersonalMapper) else mapper
        self._location = location

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]:
        return self._recorder.select_notifications(start, limit, stop, topics,
                                                   inclusive_of_start=inclusive_of_start)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        """Every event this application stores is a DomainEvent (an aggregate's event)."""
        return cast(DomainEvent, self._mapper.to_domain_event(stored_event))

    def sqlalchemy_url(self) -> str:
        return self._location.sqlalchemy_url()

    # -- stored records, for projections that read their fields (projections/rawrebuild.py) --

    def select_records(self, start: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        """(position, originator id as text, originator version, topic, stored state) of the
        events after `start`, in order: the rows as stored, no Notification or UUID made."""
        recorder = self._recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            with recorder.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT rowid, originator_id, originator_version, topic, state"
                          f" FROM {recorder.events_table_name} WHERE rowid>?"
                          f" ORDER BY rowid LIMIT ?", (start, limit))
                rows = c.fetchall()
            # an aggregate's events come together: its id made once
            ids = {o: _uuid_text(o) for o in {row[1] for row in rows}}
            return [(p, ids[o], v, t, s) for p, o, v, t, s in rows]
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                for n in recorder.select_notifications(start, limit,
                                                       inclusive_of_start=False)]

    def state_of(self, stored: bytes, stamp_text: bool = False) -> dict[str, Any]:
        """A stored event's state as the mapper decodes it (deciphered, decompressed, values
        transcoded), before upcasting and without the originator's id and version. Personal
        fields stay sealed, as `to_domain_event` leaves them for the views. When the only
        transcoded value is the `timestamp` (nearly every event), the JSON is parsed without
        the transcoder's per-object hook and that one value decoded alone: the same result;
        `stamp_text` then adds its text as stored (`timestamp_text`, ISO 8601)."""
        mapper = self._mapper
        if mapper.cipher:
            stored = mapper.cipher.decrypt(stored)
        if mapper.compressor:
            stored = mapper.compressor.decompress(stored)
        transcoder = mapper.transcoder
        if stored.count(b'"_type_"') == 1 and stored[:1] == b"{" \
                and isinstance(transcoder, JSONTranscoder):
            text = stored.decode("utf8")
            state: Any
            state, end = _parse(text)  # the mapper's stored JSON: compact, one object
            stamp = state.get("timestamp") if end == len(text) else None
            if type(stamp) is dict and len(stamp) == 2 and "_data_" in stamp:
                coding = transcoder.names.get(stamp["_type_"])
                if coding is not None:
                    state["timestamp"] = coding.decode(stamp["_data_"])
                    if stamp_text:
                        state["timestamp_text"] = stamp["_data_"]
                    return cast(dict[str, Any], state)
        return cast(dict[str, Any], transcoder.decode(stored))
