"""The notices' outbox: their settings (`notify set`), queueing what the log's case events and the
overdue steps give people to know, sending what is due (`tick`), and the list of what was sent.

Queueing follows the log after the decision is stored (a sign-off never waits for, nor fails
with, a notice): the follower's position is saved with the notices it queued, in one
transaction, and every notice's id comes from its cause, so a cause is queued once however many
processes tick at once. Sending claims a notice before it goes (of two claimers one conflicts and
leaves it), so a notice is sent at most once; a failure is retried with back-off, then given up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from eventsourcing.persistence import Notification

from ..domain.errors import NotFound, Phrase
from ..domain.notice import (EMAIL, FAILED, PENDING, SENDING, SENT, WEBHOOK, Notice,
                             NoticeFollower, NoticeSettings)
from ..domain.signing import may_read_office, office_refusal
from ..domain.timefmt import local_iso
from .notice_settings import check_settings, shown_settings, webhook_payload
from .notice_texts import TOPICS, Cause, causes_of, overdue_cause, words
from .organisation import profile_of
from .ports import Store
from .service import Service

PAGE = 500  # log events looked at per transaction
NOTICE_TOPICS = [Notice.Queued.TOPIC, Notice.Claimed.TOPIC, Notice.Sent.TOPIC,
                 Notice.Failed.TOPIC]


class NotDelivered(Exception):
    """What a courier raises when a notice did not go out: one line saying why."""


class Courier(Protocol):
    """The way out (adapters/courier.py): raises NotDelivered (or any other exception) when a
    notice did not go out."""

    def mail(self, settings: Mapping[str, Any], to: str, subject: str, text: str) -> None: ...
    def post(self, url: str, payload: dict[str, Any]) -> None: ...


class Log(Protocol):
    """The event log in order, as the notices follow it."""

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]: ...
    def to_domain_event(self, stored_event: Any) -> Any: ...


class Notices(Service):
    """Notices over one store; `reads` gives the users view (who holds a role, their names)."""

    def __init__(self, store: Store, log: Log, users: Callable[[], Sequence[Mapping[str, Any]]],
                 courier: Courier) -> None:
        super().__init__(store)
        self.log, self.users, self.courier = log, users, courier

    # -- settings --------------------------------------------------------------------------

    def configure(self, smtp: str, sender: str, security: str, user: str,
                  webhooks: Sequence[str], base_url: str, actor: str | None) -> dict[str, Any]:
        """Record how notices go out (an administrator's act); the SMTP password is never
        given here: it is read from BZR_WORKFLOW_SMTP_PASSWORD where notices are sent."""
        settings = check_settings(smtp, sender, security, user, webhooks, base_url)

        def command() -> dict[str, Any]:
            admin = self.store.require_admin(actor)
            found = self.store.find(NoticeSettings.create_id())
            if found is None:
                found = NoticeSettings(settings, admin.login)
            else:
                found.change(settings, admin.login)
            self.store.save(found)
            return shown_settings(found.settings)
        return self.store.attempt(command)

    def settings(self) -> dict[str, Any]:
        found = self.store.find(NoticeSettings.create_id())
        return dict(found.settings) if found is not None else {}

    def shown(self, actor: str | None) -> dict[str, Any]:
        self.store.require_admin(actor)
        return shown_settings(self.settings())

    # -- the outbox ------------------------------------------------------------------------

    def tick(self, now: datetime | None = None,
             overdue: Iterable[Mapping[str, Any]] = ()) -> dict[str, int]:
        """Queue what the log (and the overdue steps given) tell people, send what is due at
        `now`; the counts. Called by `remind`, `serve`'s scheduler and `notify send`; a notice
        that cannot be sent is a Failed event, never an exception out of here."""
        now = now or self.store.clock()
        settings = self.settings()
        if not settings:
            return {"queued": 0, "sent": 0, "failed": 0, "given_up": 0}
        queued = self.follow(settings) + self.queue_overdue(overdue, settings)
        return {"queued": queued, **self.send_due(now, settings)}

    def follow(self, settings: Mapping[str, Any]) -> int:
        """Queue the notices of the case events stored since the follower's position."""
        done = 0
        while True:
            count, more = self.store.attempt(lambda: self._follow_page(settings))
            done += count
            if not more:
                return done

    def _follow_page(self, settings: Mapping[str, Any]) -> tuple[int, bool]:
        follower = self.store.find(NoticeFollower.create_id())
        if follower is None:  # from the first settings on: nothing before is told
            first = self.log.select_notifications(None, 1,
                                                  topics=[NoticeSettings.Configured.TOPIC])
            follower = NoticeFollower(first[0].id if first else 0)
        notes = self.log.select_notifications(follower.position, PAGE, topics=TOPICS,
                                              inclusive_of_start=False)
        users = self.users() if notes else []
        notices: list[Notice] = []
        later: dict[Any, list[Any]] = {}
        for note in notes:
            ev = self.log.to_domain_event(note)
            case = self.store.find(ev.originator_id)
            if case is None:
                continue
            if ev.originator_id not in later:
                later[ev.originator_id] = self.store.events_of(ev.originator_id)
            for cause in causes_of(ev, case, later[ev.originator_id],
                                   self.store.case_policy(case), users):
                notices += self._drafts(cause, settings, users)
        if notes:
            follower.follow(notes[-1].id)
        if follower.pending_events:
            self.store.save(follower, *notices)
        return len(notices), len(notes) == PAGE

    def queue_overdue(self, items: Iterable[Mapping[str, Any]],
                      settings: Mapping[str, Any] | None = None) -> int:
        """Queue a notice to each holder of each overdue step
        (`{case, step, step_label, role, holders: [logins], due}`), once per (case, step, due):
        the entry point of the deadlines' computation."""
        settings = self.settings() if settings is None else settings
        items = list(items)
        if not settings or not items:
            return 0
        users = self.users()

        def command() -> int:
            notices: list[Notice] = []
            for item in items:
                try:
                    case = self.store.case(str(item["case"]))
                except NotFound:
                    continue  # a case the deadlines named that this store does not hold
                cause = overdue_cause(item, case, self.store.case_policy(case))
                notices += self._drafts(cause, settings, users)
            if notices:
                self.store.save(*notices)
            return len(notices)
        return self.store.attempt(command)

    def _drafts(self, cause: Cause, settings: Mapping[str, Any],
                users: Sequence[Mapping[str, Any]]) -> list[Notice]:
        """The notices of a cause not queued yet: an e-mail to each recipient with an address
        (when SMTP is set), one message to each webhook naming them all."""
        names = {str(u["user"]): str(u["name"]) for u in users}
        drafts: list[Notice] = []

        def draft(channel: str, recipient: str, name: str) -> None:
            if self.store.exists(Notice.create_id(cause.key, channel, recipient)):
                return
            subject, text = words(cause, name, names, str(settings.get("base_url", "")))
            drafts.append(Notice(cause.key, channel, recipient, cause.person, cause.case,
                                 cause.cause, subject, text))
        if settings.get("smtp_host"):
            for login in cause.recipients:
                if self._address(login):
                    draft(EMAIL, login, names.get(login, login))
        everyone = "、".join(names.get(login, login) for login in cause.recipients)
        for number, _ in enumerate(settings.get("webhooks", []), 1):
            draft(WEBHOOK, f"webhook-{number}", everyone)
        return drafts

    def _address(self, login: str) -> str:
        try:
            user = self.store.user(login)
        except NotFound:
            return ""
        return profile_of(self.store, user).get("email", "")

    # -- sending ---------------------------------------------------------------------------

    def send_due(self, now: datetime, settings: Mapping[str, Any]) -> dict[str, int]:
        counts = {"sent": 0, "failed": 0, "given_up": 0}
        for row in self._states().values():
            notice_id = row["id"]
            if row["state"] == SENDING and row["lease"] <= now.isoformat():
                outcome = self._record(notice_id, now, "interrupted while sending; not sent "
                                       "again, so as never to send it twice", give_up=True)
            elif row["state"] == PENDING and (not row["next_try"]
                                              or row["next_try"] <= now.isoformat()):
                outcome = self._send(notice_id, now, settings)
            else:
                continue
            if outcome:
                counts[outcome] += 1
        return counts

    def _send(self, notice_id: Any, now: datetime, settings: Mapping[str, Any]) -> str:
        def claim() -> Notice | None:
            notice: Notice = self.store.load(notice_id, NotFound("no notice {id}", id=notice_id))
            if not notice.due(now):
                return None  # another process claimed it first
            notice.claim(now)
            self.store.save(notice)
            return notice
        notice = self.store.attempt(claim)
        if notice is None:
            return ""
        error = self._deliver(notice, settings)
        return self._record(notice_id, now, error) if error else self._record(notice_id, now)

    def _deliver(self, notice: Notice, settings: Mapping[str, Any]) -> str:
        """'' when the notice went out, else why not (a courier's failure is never raised)."""
        try:
            if notice.channel == EMAIL:
                address = self._address(notice.recipient)
                if not address:
                    return "no e-mail address"
                if not settings.get("smtp_host"):
                    return "SMTP is not set"
                self.courier.mail(settings, address, notice.subject, notice.text)
                return ""
            hooks = list(settings.get("webhooks", []))
            number = int(notice.recipient.rpartition("-")[2])
            if not 0 < number <= len(hooks):
                return "that webhook is no longer set"
            self.courier.post(hooks[number - 1],
                              webhook_payload(f"{notice.subject}\n{notice.text}"))
            return ""
        except Exception as exc:  # noqa: BLE001 - any failure of the way out is recorded
            said = str(exc) if isinstance(exc, NotDelivered) else f"{type(exc).__name__}: {exc}"
            said = (said.strip().splitlines() or ["failed"])[0]
            if notice.channel == EMAIL:  # the address is personal: the log names the login
                said = said.replace(self._address(notice.recipient) or "\0", notice.recipient)
            return said

    def _record(self, notice_id: Any, now: datetime, error: str = "",
                give_up: bool = False) -> str:
        def command() -> str:
            notice: Notice = self.store.load(notice_id, NotFound("no notice {id}", id=notice_id))
            if error:
                notice.failed(now, error, give_up)
            else:
                notice.sent(now)
            self.store.save(notice)
            return "sent" if not error else ("given_up" if notice.state == FAILED else "failed")
        return self.store.attempt(command)

    # -- reading ---------------------------------------------------------------------------

    def _states(self) -> dict[Any, dict[str, Any]]:
        """Every notice as its events left it, oldest first."""
        rows: dict[Any, dict[str, Any]] = {}
        for ev in self.store.events_with(NOTICE_TOPICS):
            if isinstance(ev, Notice.Queued):
                rows[ev.originator_id] = {
                    "id": ev.originator_id, "at": ev.timestamp, "channel": ev.channel,
                    "recipient": ev.recipient, "case": ev.case, "cause": ev.cause,
                    "subject": ev.subject, "text": ev.text, "state": PENDING, "attempts": 0,
                    "error": "", "next_try": "", "lease": "", "sent_at": ""}
                continue
            row = rows.get(ev.originator_id)
            if row is None:
                continue
            if isinstance(ev, Notice.Claimed):
                row.update(state=SENDING, attempts=ev.attempt, lease=ev.until)
            elif isinstance(ev, Notice.Sent):
                row.update(state=SENT, sent_at=ev.at)
            elif isinstance(ev, Notice.Failed):
                row.update(state=FAILED if ev.gave_up else PENDING, error=ev.error,
                           next_try=ev.next_try)
        return rows

    def list(self, reader: str | None, failed: bool = False) -> list[dict[str, Any]]:
        """What was sent, is waiting or failed, newest first: for the office and administrators
        (`reader` None: the operator's CLI)."""
        policy = self.store.policy()
        if reader is not None:
            me = self.store.user(reader)
            if not may_read_office(me.grants, policy):
                raise office_refusal(me.login, Phrase("the notices"))
        names = {str(u["user"]): str(u["name"]) for u in self.users()}
        hooks = self.settings().get("webhooks", [])
        names |= {f"webhook-{n}": urlsplit(url).hostname or url for n, url in enumerate(hooks, 1)}

        def local(instant: str) -> str:
            return local_iso(datetime.fromisoformat(instant), policy.utc_offset) if instant else ""
        rows = []
        for row in reversed(list(self._states().values())):
            if failed and row["state"] != FAILED:
                continue
            recipient = row["recipient"]
            rows.append({
                "at": local_iso(row["at"], policy.utc_offset), "channel": row["channel"],
                "recipient": recipient, "recipient_name": names.get(recipient, recipient),
                "case": row["case"], "cause": row["cause"], "subject": row["subject"],
                "text": row["text"], "state": row["state"], "attempts": row["attempts"],
                "error": row["error"], "next_try": local(row["next_try"]),
                "sent_at": local(row["sent_at"])})
        return rows
