"""Notices telling people that a step awaits them, was returned, fell overdue or a 公示 opened: each
one an aggregate sent at most once from the outbox; the channels' settings; the follower's place.

A notice's id comes from its cause (`notice_id`): the same cause queued twice, by one process or
two racing, is the same aggregate, so it is stored once. Sending claims the notice first (a new
version: of two processes claiming, one conflicts and leaves it), then records Sent or Failed; a
claim whose outcome never came (the process died mid-send) is given up, never sent again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import StepNotAllowed
from .ids import key_id

EMAIL, WEBHOOK = "email", "webhook"
CHANNELS = (EMAIL, WEBHOOK)
CAUSES = ("pending", "returned", "announced", "overdue")
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

FIRST_RETRY = timedelta(minutes=1)
"""The wait after a first failure; each further failure doubles it (1, 2, 4 ... minutes)."""
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 8
"""After this many failed attempts a notice is given up (shown as failed)."""
LEASE = timedelta(minutes=10)
"""How long a claim holds: a notice claimed longer ago with no outcome was interrupted."""


def notice_id(cause_key: str, channel: str, recipient: str) -> UUID:
    """The one id a cause's notice to a recipient on a channel can have."""
    return key_id("notice", f"{cause_key}|{channel}|{recipient}")


def retry_wait(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones (1 min, 2, 4 ... at most 1 h)."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_WAIT)


class Notice(Aggregate):
    TOPIC = "bzr.notice"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.notice.created"

    class Queued(Aggregate.Created):
        """A notice to send: `recipient` a login (e-mail) or `webhook-N` (the Nth webhook);
        `person` whose key seals the subject and text (the case's subject: personal.py);
        `key` the cause it came from, `cause` its kind (CAUSES)."""

        TOPIC = "bzr.notice.queued"
        class_version = 1
        key: str
        channel: str
        recipient: str
        person: str
        case: str
        cause: str
        subject: str
        text: str

    class Claimed(Aggregate.Event):
        TOPIC = "bzr.notice.claimed"
        class_version = 1
        attempt: int
        at: str
        until: str

    class Sent(Aggregate.Event):
        TOPIC = "bzr.notice.sent"
        class_version = 1
        attempt: int
        at: str

    class Failed(Aggregate.Event):
        """An attempt failed: tried again at `next_try`, or never (`gave_up`)."""

        TOPIC = "bzr.notice.failed"
        class_version = 1
        attempt: int
        at: str
        error: str
        next_try: str
        gave_up: bool

    @staticmethod
    def create_id(key: str, channel: str, recipient: str, *_: Any, **__: Any) -> UUID:
        return notice_id(key, channel, recipient)

    @event(Queued)
    def __init__(self, key: str, channel: str, recipient: str, person: str, case: str,
                 cause: str, subject: str, text: str) -> None:
        self.key, self.channel, self.recipient, self.person = key, channel, recipient, person
        self.case, self.cause, self.subject, self.text = case, cause, subject, text
        self.state = PENDING
        self.attempts = 0
        self.next_try = ""  # an ISO instant; "" means now
        self.lease = ""
        self.error = ""

    def due(self, now: datetime) -> bool:
        """Whether a try is due: pending and its wait over."""
        return self.state == PENDING and (not self.next_try or self.next_try <= now.isoformat())

    def interrupted(self, now: datetime) -> bool:
        """Claimed, and its claim ran out with no outcome recorded."""
        return self.state == SENDING and self.lease <= now.isoformat()

    def claim(self, now: datetime) -> None:
        if not self.due(now):
            raise StepNotAllowed("notice {key} is not due to be sent", key=self.key)
        self._claimed(attempt=self.attempts + 1, at=now.isoformat(),
                      until=(now + LEASE).isoformat())

    @event(Claimed)
    def _claimed(self, attempt: int, at: str, until: str) -> None:
        self.state, self.attempts, self.lease = SENDING, attempt, until

    def sent(self, now: datetime) -> None:
        if self.state != SENDING:
            raise StepNotAllowed("notice {key} was not being sent", key=self.key)
        self._sent(attempt=self.attempts, at=now.isoformat())

    @event(Sent)
    def _sent(self, attempt: int, at: str) -> None:
        self.state, self.error = SENT, ""

    def failed(self, now: datetime, error: str, give_up: bool = False) -> None:
        """The attempt failed: try again after the back-off, or give up after MAX_ATTEMPTS (or
        at once: `give_up`, as for an interrupted send, whose outcome nobody knows)."""
        if self.state != SENDING:
            raise StepNotAllowed("notice {key} was not being sent", key=self.key)
        gave_up = give_up or self.attempts >= MAX_ATTEMPTS
        next_try = "" if gave_up else (now + retry_wait(self.attempts)).isoformat()
        self._failed(attempt=self.attempts, at=now.isoformat(), error=error[:500],
                     next_try=next_try, gave_up=gave_up)

    @event(Failed)
    def _failed(self, attempt: int, at: str, error: str, next_try: str, gave_up: bool) -> None:
        self.state = FAILED if gave_up else PENDING
        self.next_try, self.error = next_try, error


class NoticeSettings(Aggregate):
    """How notices go out (`notify set`): the SMTP server, the sender, the webhooks, the base
    URL the texts link cases under. Secrets are not here: the SMTP password is read from the
    environment where the notices are sent."""

    TOPIC = "bzr.notice_settings"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.notice_settings.created"

    class Configured(Aggregate.Created):
        TOPIC = "bzr.notice_settings.configured"
        class_version = 1
        settings: dict[str, Any]
        actor: str

    class Changed(Aggregate.Event):
        TOPIC = "bzr.notice_settings.changed"
        class_version = 1
        settings: dict[str, Any]
        actor: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return key_id("notice-settings", "")

    @event(Configured)
    def __init__(self, settings: dict[str, Any], actor: str) -> None:
        self.settings = dict(settings)

    def change(self, settings: dict[str, Any], actor: str) -> None:
        if settings != self.settings:
            self._changed(settings=dict(settings), actor=actor)

    @event(Changed)
    def _changed(self, settings: dict[str, Any], actor: str) -> None:
        self.settings = dict(settings)


class NoticeFollower(Aggregate):
    """How far the notices have followed the log: the position of the last case event looked
    at, saved with the notices it queued (one transaction, so nothing is queued twice)."""

    TOPIC = "bzr.notice_follower"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.notice_follower.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.notice_follower.started"
        class_version = 1
        position: int

    class Followed(Aggregate.Event):
        TOPIC = "bzr.notice_follower.followed"
        class_version = 1
        position: int

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return key_id("notice-follower", "")

    @event(Started)
    def __init__(self, position: int) -> None:
        self.position = position

    def follow(self, position: int) -> None:
        if position > self.position:
            self._followed(position=position)

    @event(Followed)
    def _followed(self, position: int) -> None:
        self.position = position
