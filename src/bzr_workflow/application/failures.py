"""What a storage failure means to the person who asked: a refusal with its exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import (MapperDeserialisationError, OperationalError,
                                       PersistenceError, ProgrammingError, RecordConflictError)

from ..adapters.store import StoreMissing, StoreUnavailable
from ..domain.errors import BadInput, WorkflowError


@contextmanager
def storage_errors() -> Iterator[None]:
    """A storage failure as the refusal it means (translate_storage_error)."""
    try:
        yield
    except RecordConflictError:
        raise
    except (PersistenceError, MapperDeserialisationError) as exc:
        raise translate_storage_error(exc) from None


def translate_storage_error(exc: BaseException) -> WorkflowError:
    """What a storage failure means to the user, as a refusal with its exit code."""
    text = _first_line(exc)
    if isinstance(exc, MapperDeserialisationError):
        return BadInput("cannot read the stored events: they are encrypted, or encrypted with"
                        " another key; set BZR_WORKFLOW_CIPHER_KEY to this store's key")
    if isinstance(exc, ProgrammingError) or "no such table" in text:
        return StoreMissing("no store here ({text}); create one with `bzr-workflow init`",
                            text=text)
    if "not a database" in text:
        return BadInput("the --db file is not a bzr-workflow store ({text})", text=text)
    if isinstance(exc, OperationalError):
        return StoreUnavailable("the database is busy or unreachable ({text})", text=text)
    return StoreUnavailable("the database refused the command ({text})", text=text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
