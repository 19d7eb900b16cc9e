"""Delivery: the sender loop that takes queued messages, one replica at a time, to their channels.

A message is `queued` with the time it is due, claimed (`sending`) by one replica with a compare-and-set
on its claim token and a lease, then `sent`, `queued` again (a transient failure, retried later with
exponential backoff and jitter; or a permanent one, moved to the next channel of its route) or `failed`
(no channel left). A replica that dies while sending leaves the lease to expire; the message is then
claimed again and sent with the same client reference (docs/notification.md, "Crashes").

A message due now that this process queued (from an event, a fallback, a resend) is handed to its sender with
the claim token it was stored with, and claimed by `_id` at once. A dossier's messages are handed to the same
sending thread, which sends them in turn, and while that process's senders run, a handed-over message's entry
is due only HAND_OVER_GRACE later, so no poll takes it first: a citizen hears of a dossier's steps in the order
they happened (docs/notification.md, "Order"). Once a POLL_SECONDS the sender reads the
pending entries due (repository.py: one small entry per unfinished message, written before the message is
queued and deleted after it is finished) for retries, messages queued by other replicas and those a crash
left behind, and reads each one's message by `_id`: it sends a message that is due, moves the entry of one
that is not on to its time, and deletes an entry whose message is finished or was never stored.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import TemplateError
from motcua.errors import NotFound
from motcua.events import Event, timestamp
from motcua.logs import mask
from motcua.topics import NOTIFICATION_DELIVERED, NOTIFICATION_FAILED, EventType
from motcua.v1 import events_pb2
from pymongo.errors import PyMongoError

from notification import metrics
from notification.channels import Channel, DeliveryError, Outgoing
from notification.pacing import NO_QUIET_HOURS, QuietHours, RateLimits
from notification.receipts import Receipt
from notification.repository import FINISHED
from notification.settings import RetrySettings
from notification.templates import Content, Renderer

log = logging.getLogger(__name__)

Kick = Callable[[str, Any], None]
POLL_SECONDS = 1.0
# How long the polls leave a message handed over to this process's senders: a crash delays it by as much.
HAND_OVER_GRACE = timedelta(seconds=30)
DEPTH_SECONDS = 5.0
BATCH = 50


def backoff(retry: RetrySettings, attempt: int, rng: random.Random) -> float:
    """Seconds before retry number `attempt` (1 after the first failure): doubling, capped, half of it random."""
    ceiling = min(retry.first_delay * 2 ** (attempt - 1), retry.max_delay)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def plan_route(contact: Mapping[str, str], order: tuple[str, ...], channels: Mapping[str, Channel]) -> list[dict]:
    """The channels to try in order, each with the citizen's address on it; channels they lack are skipped."""
    return [{"channel": name, "to": contact[channels[name].contact]} for name in order
            if contact.get(channels[name].contact)]


def reference(message: Mapping[str, Any]) -> str:
    """The client reference providers see: the message id, with the resend's number after a resend.

    Providers that deduplicate on it (the SMS gateway) must not take a resend for a retry.
    """
    resends = message.get("resends", 0)
    return message["_id"] if not resends else f"{message['_id']}-r{resends}"


class Delivery:
    def __init__(self, *, repo: Any, channels: Mapping[str, Channel], retry: RetrySettings, kick: Kick,
                 renderer: Renderer | None = None, quiet: QuietHours = NO_QUIET_HOURS,
                 limits: RateLimits | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 rng: random.Random | None = None, senders: int = 1) -> None:
        self.repo = repo
        self.channels = channels
        self.renderer = renderer or Renderer()
        self._templates: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.quiet = quiet
        self.limits = limits or RateLimits({})
        self._stop = threading.Event()
        self.retry = retry
        self.kick = kick
        self.clock = clock
        self.rng = rng or random.Random()
        self._wake = threading.Event()
        self._running = threading.Event()
        # Threads sending the messages handed over: a send waits on the provider and on three or four writes,
        # so one thread alone keeps a replica to about ten messages a second. With one, the polling thread
        # sends them too; with more, each of the others sends its own line of them.
        self.senders = senders
        self._lines: list[queue.SimpleQueue[dict[str, str]]] = [queue.SimpleQueue()
                                                                for _ in range(max(1, senders - 1))]

    def hand_over_due(self, now: datetime) -> datetime:
        """When the polls may take a message handed over now: after HAND_OVER_GRACE while this process's
        senders run, so that they alone send it, in its dossier's turn; at once where none run (a server pod)."""
        return now + HAND_OVER_GRACE if self._running.is_set() else now

    def ready(self, message_id: str, claim: str, dossier: str) -> None:
        """Hand the sender a message due now, with the claim token it was stored with; a dossier's messages
        join one line, sent by one thread in the order they were handed over."""
        self._lines[zlib.crc32(dossier.encode()) % len(self._lines)].put({"_id": message_id, "claim": claim})
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Send due messages until stop is set: this thread polls and reports the queue, `senders - 1` more
        each take their line of the messages handed over as they come."""
        self._stop = stop
        others = [threading.Thread(target=self._take_ready, args=(stop, line), name=f"sender-{n}", daemon=True)
                  for n, line in enumerate(self._lines if self.senders > 1 else [], start=1)]
        for thread in others:
            thread.start()
        self._running.set()
        try:
            self._poll(stop)
        finally:
            self._running.clear()
        for thread in others:
            thread.join(timeout=10)

    def _take_ready(self, stop: threading.Event, line: queue.SimpleQueue[dict[str, str]]) -> None:
        while not stop.is_set():
            try:
                seen = line.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                self._send([seen])
            except PyMongoError as error:
                # The message stays queued with its pending entry: the poll takes it up.
                log.warning("sender's database call failed (%r); the poll will retry", error)

    def _poll(self, stop: threading.Event) -> None:
        depth_at = poll_at = 0.0
        while not stop.is_set():
            self._wake.clear()
            try:
                now = time.monotonic()
                if now >= depth_at:
                    for state, count in self.repo.count_pending(self.clock()).items():
                        metrics.queue_depth.labels(state).set(count)
                    depth_at = now + DEPTH_SECONDS
                busy = self.send_ready() if self.senders == 1 else 0
                if now >= poll_at:
                    polled = self.send_due()
                    poll_at = now if polled == BATCH else now + POLL_SECONDS  # a full batch: more may be due
                    busy += polled
            except PyMongoError as error:
                log.warning("sender's database call failed (%r); trying again", error)
                busy = 0
            if not busy:
                self._wake.wait(max(0.0, poll_at - time.monotonic()))

    def send_ready(self) -> int:
        """Claim by `_id` and send the messages handed over to a single sender, in turn; returns how many this
        replica sent."""
        batch = []
        while len(batch) < BATCH:
            try:
                batch.append(self._lines[0].get_nowait())
            except queue.Empty:
                break
        return self._send(batch)

    def send_due(self) -> int:
        """Act on the pending entries due now; returns how many messages this replica claimed and handled."""
        now = self.clock()
        return sum(self._look_at(entry, now) for entry in self.repo.list_pending(now, BATCH))

    def _look_at(self, entry: dict[str, Any], now: datetime) -> int:
        """Send the entry's message if it is due (1); else move the entry on to its time, or delete it if it is done."""
        message = self.repo.get_state(entry["_id"])
        if message is not None and message["state"] not in FINISHED:
            due = message["next_attempt_at"] if message["state"] == "queued" else message["lease_until"]
            if due <= now:
                return self._send([message])
            self.repo.postpone(entry["_id"], entry["n"], due)  # a retry, the quiet hours' end, or a sender's lease
        elif message is not None and message.get("pending") == entry["n"]:
            # Finished under this entry: its sender stopped between the last record and the release.
            self.repo.release(entry["_id"], entry["n"])
        elif entry["at"] + timedelta(seconds=self.retry.lease) > now:
            # No message, or one finished under an older entry: the entry's writer may be about to write the
            # message; after a lease's time it is taken for dead, as a sender is.
            self.repo.postpone(entry["_id"], entry["n"], entry["at"] + timedelta(seconds=self.retry.lease))
        else:
            self.repo.release(entry["_id"], entry["n"])
        return 0

    def _send(self, candidates: list[dict[str, Any]]) -> int:
        handled = 0
        for seen in candidates:
            claim = uuid.uuid4().hex
            message = self.repo.claim(seen["_id"], seen["claim"], claim, self.clock() + timedelta(seconds=self.retry.lease))
            if message is None:
                continue  # another replica claimed it first
            self.attempt(message)
            handled += 1
        return handled

    def attempt(self, message: dict[str, Any]) -> None:
        """One call to the message's current channel, and the state that follows from its answer."""
        channel = self.channels[message["channel"]]
        if message["channel_attempts"] > self.retry.attempts:
            # Claimed again after leases ran out that many times: a sender died on it; do not loop on it.
            self._failed_on_channel(message, channel, DeliveryError("no answer recorded", permanent=False))
            return
        try:
            outgoing = Outgoing(reference=reference(message), to=message["recipient"], content=self.content(message))
            waited = self.limits.wait(channel.provider, self._stop)
            if waited:
                metrics.rate_limited.labels(channel.name, channel.provider).inc(waited)
            provider_id = channel.send(outgoing)
        except DeliveryError as error:
            self._failed(message, channel, error)
            return
        except Exception as error:  # a bug in a channel or a template must not stop the other messages
            log.exception("channel %s failed unexpectedly on message %s", channel.name, message["_id"])
            self._failed(message, channel, DeliveryError(f"{type(error).__name__}: {error}", permanent=True))
            return
        self._sent(message, channel, provider_id)

    def on_receipt(self, receipt: Receipt) -> bool:
        """Apply a provider's delivery receipt to the message it names; False if it was applied before."""
        if receipt.reference:  # our client reference: a look-up by _id, checked against the provider's id
            seen = self.repo.get_message(receipt.reference.split("-r")[0])
            if seen is not None and (seen.get("provider"), seen.get("provider_message_id")) != (
                    receipt.provider, receipt.provider_message_id):
                seen = None
        else:
            seen = self.repo.get_by_provider_id(receipt.provider, receipt.provider_message_id)
        if seen is None:
            raise NotFound(detail=f"no message {receipt.provider_message_id!r} of {receipt.provider}",
                           detail_vi="Không tìm thấy tin nhắn của báo cáo")
        if seen["state"] != "sent":
            return False
        channel = self.channels[seen["channel"]]
        if receipt.status == "failed":
            # Take the sent message like a claim, so that of two copies of a receipt only one moves it on.
            message = self.repo.claim_sent(seen["_id"], seen["claim"], uuid.uuid4().hex)
            if message is None:
                return False
            self._failed_on_channel(message, channel, DeliveryError(f"not delivered: {receipt.error}", permanent=True))
            return True
        # One compare-and-set write: the record replaces the claim seen, so of two copies only one is applied.
        if not self._record(seen, {"state": "delivered", "delivered_at": receipt.at, "claim": uuid.uuid4().hex},
                            channel, "delivered", ""):
            return False
        metrics.notifications_sent.labels(channel.name, channel.provider, "delivered").inc()
        metrics.delivered_latency.labels(channel.name).observe((receipt.at - seen["event_at"]).total_seconds())
        return True

    def _due(self, message: dict[str, Any], at: datetime) -> datetime:
        """When a rescheduled message may go: at once if urgent, else after the quiet hours it falls in."""
        return at if message.get("urgent") else self.quiet.release(at)

    def content(self, message: dict[str, Any]) -> Content:
        """The message rendered with the template version its route step recorded (versions never change)."""
        kind, channel = message["template"], message["channel"]
        version = message["route"][message["route_index"]]["template_version"]
        key = (kind, channel, version)
        template = self._templates.get(key) or self.repo.get_template(kind, channel, version)
        if template is None:
            raise DeliveryError(f"template {kind}/{channel}/{version} is missing", permanent=True)
        self._templates[key] = template
        try:
            return self.renderer.render(template, message["values"])
        except TemplateError as error:
            raise DeliveryError(f"template {template['_id']}: {error}", permanent=True) from error

    def _sent(self, message: dict[str, Any], channel: Channel, provider_id: str) -> None:
        now = self.clock()
        fields = {"state": "sent", "sent_at": now, "provider": channel.provider, "provider_message_id": provider_id,
                  "error": ""}
        outcome = self._outcome(NOTIFICATION_DELIVERED, message, channel, now, "", provider_id)
        if self._record(message, fields, channel, "sent", "", outcome):
            metrics.attempts.labels(channel.name, channel.provider, "sent").inc()
            metrics.notifications_sent.labels(channel.name, channel.provider, "sent").inc()
            metrics.delivery_latency.labels(channel.name).observe((now - message["event_at"]).total_seconds())

    def _failed(self, message: dict[str, Any], channel: Channel, error: DeliveryError) -> None:
        outcome = "permanent" if error.permanent else "transient"
        metrics.attempts.labels(channel.name, channel.provider, outcome).inc()
        if not error.permanent and message["channel_attempts"] < self.retry.attempts:
            delay = backoff(self.retry, message["channel_attempts"], self.rng)
            due = self._due(message, self.clock() + timedelta(seconds=delay))
            fields = {"state": "queued", "next_attempt_at": due, "error": str(error)}
            if self._record(message, fields, channel, outcome, str(error)):
                metrics.notifications_sent.labels(channel.name, channel.provider, "retried").inc()
            return
        self._failed_on_channel(message, channel, error)

    def _failed_on_channel(self, message: dict[str, Any], channel: Channel, error: DeliveryError) -> None:
        """This channel failed for good: move to the next one of the route, or fail the message."""
        reason = str(error) if error.permanent else f"gave up after {message['channel_attempts']} attempts: {error}"
        route, index = message["route"], message["route_index"] + 1
        if index < len(route):
            step = route[index]
            fields = {"state": "queued", "next_attempt_at": self._due(message, self.clock()), "route_index": index,
                      "channel": step["channel"],
                      "recipient": step["to"], "recipient_masked": mask(step["to"]), "channel_attempts": 0,
                      "error": reason}
            recorded = self._record(message, fields, channel, "fallback", reason)
            log.info("message %s failed on %s (%s); falling back to %s", message["_id"], channel.name, reason,
                     step["channel"])
            if recorded and fields["next_attempt_at"] <= self.clock():
                self.ready(message["_id"], message["claim"], message["dossier_code"])
        else:
            now = self.clock()
            fields = {"state": "failed", "failed_at": now, "error": reason}
            recorded = self._record(message, fields, channel, "failed", reason,
                                    self._outcome(NOTIFICATION_FAILED, message, channel, now, reason, ""))
        if recorded:
            metrics.notifications_sent.labels(channel.name, channel.provider, "failed").inc()

    def _record(self, message: dict[str, Any], fields: dict[str, Any], channel: Channel, outcome: str, error: str,
                event: Event | None = None) -> bool:
        entry = {"at": self.clock(), "channel": channel.name, "provider": channel.provider, "outcome": outcome,
                 "error": error, "provider_message_id": fields.get("provider_message_id", ""),
                 "template_version": message["route"][message["route_index"]].get("template_version", 0)}
        if fields["state"] == "queued":
            # Held before it is queued again: a crash after the record leaves an entry that a poll finds.
            fields = {**fields, "pending": self.repo.hold(message["_id"], fields["next_attempt_at"], self.clock())}
        recorded = self.repo.record_attempt(message["_id"], message["claim"], fields, entry, event)
        if not recorded:
            log.warning("message %s changed meanwhile (its claim expired and another sender took it, or a copy of "
                        "its receipt came first); this answer is not recorded", message["_id"])
            return False
        if event is not None:
            self.kick("messages", message["_id"])
        if message["state"] == "sending" and fields["state"] in FINISHED:
            self.repo.release(message["_id"], message.get("pending"))
        return True

    @staticmethod
    def _outcome(kind: EventType, message: dict[str, Any], channel: Channel, now: datetime, reason: str,
                 provider_id: str) -> Event:
        return Event.new(kind, events_pb2.NotificationOutcome(
            message_id=message["_id"], dossier_code=message["dossier_code"], channel=channel.name,
            template=message["template"], cause_event_id=message["cause_event_id"], at=timestamp(now), reason=reason,
            provider=channel.provider, provider_message_id=provider_id, attempts=message["attempts"]),
            subject=message["dossier_code"], source="notification")
