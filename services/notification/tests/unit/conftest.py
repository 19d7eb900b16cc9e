"""Fakes of notification's own ports (the repository, the channels) and a harness that wires the service."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from motcua import topics
from motcua.events import Event, timestamp
from motcua.v1 import common_pb2, events_pb2
from notification.catalog import SEED_RULES, seed_templates
from notification.channels import DeliveryError, Outgoing
from notification.delivery import Delivery
from notification.service import NotificationService
from notification.settings import KINDS, RetrySettings

CODE = "000.00.12.H56-260302-0001"
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


class FakeRepository:
    """The repository's contract in memory: insert-once ids, compare-and-set claims, generations of pending entries."""

    def __init__(self) -> None:
        self.recipients: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.templates: dict[str, dict[str, Any]] = {}
        self.catalog_revision = 0
        self.catalog_loads = 0

    def save_recipient(self, code: str, contact: dict[str, Any]) -> dict[str, Any]:
        self.recipients[code] = {**self.recipients.get(code, {"_id": code}), **contact}
        return dict(self.recipients[code])

    def seed(self, rules: list[dict[str, Any]], templates: list[dict[str, Any]]) -> None:
        for store, documents in ((self.rules, rules), (self.templates, templates)):
            for document in documents:
                store.setdefault(document["_id"], dict(document))
        self.catalog_revision += 1

    def revision(self) -> int:
        return self.catalog_revision

    def load_catalog(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]:
        self.catalog_loads += 1
        versions: dict[str, dict[str, int]] = {}
        for t in self.templates.values():
            of_kind = versions.setdefault(t["kind"], {})
            of_kind[t["channel"]] = max(of_kind.get(t["channel"], 0), t["version"])
        return dict(self.rules), versions

    def list_rules(self) -> list[dict[str, Any]]:
        return sorted(self.rules.values(), key=lambda r: r["_id"])

    def save_rule(self, rule: dict[str, Any]) -> None:
        self.rules[rule["_id"]] = rule
        self.catalog_revision += 1

    def get_template(self, kind: str, channel: str, version: int | None = None) -> dict[str, Any] | None:
        found = [t for t in self.templates.values() if (t["kind"], t["channel"]) == (kind, channel)
                 and version in (None, t["version"])]
        return max(found, key=lambda t: t["version"], default=None)

    def list_templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [t for t in self.templates.values() if kind in (None, t["kind"])]

    def create_template(self, template: dict[str, Any]) -> bool:
        if template["_id"] in self.templates:
            return False
        self.templates[template["_id"]] = template
        self.catalog_revision += 1
        return True

    def get_recipient(self, code: str) -> dict[str, Any] | None:
        return self.recipients.get(code)

    def create_message(self, message: dict[str, Any]) -> bool:
        if message["_id"] in self.messages:
            return False
        self.messages[message["_id"]] = {**message, "outbox": []}
        return True

    def hold(self, message_id: str, due: datetime, now: datetime) -> int:
        entry = self.pending.setdefault(message_id, {"_id": message_id, "due": due, "n": 0})
        entry.update(due=min(entry["due"], due), at=now, n=entry["n"] + 1)
        return entry["n"]

    def release(self, message_id: str, generation: int | None) -> bool:
        if self.pending.get(message_id, {}).get("n") != generation:
            return False
        del self.pending[message_id]
        return True

    def postpone(self, message_id: str, generation: int, due: datetime) -> bool:
        entry = self.pending.get(message_id)
        if entry is None or entry["n"] != generation:
            return False
        entry["due"] = due
        return True

    def list_pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        due = sorted((e for e in self.pending.values() if e["due"] <= now), key=lambda e: e["due"])
        return [dict(e) for e in due[:limit]]

    def get_state(self, message_id: str) -> dict[str, Any] | None:
        stored = self.messages.get(message_id)
        fields = ("_id", "state", "claim", "next_attempt_at", "lease_until", "pending")
        return None if stored is None else {k: stored[k] for k in fields if k in stored}

    def count_pending(self, now: datetime) -> dict[str, int]:
        due = sum(e["due"] <= now for e in self.pending.values())
        return {"due": due, "scheduled": len(self.pending) - due}

    def claim(self, message_id: str, seen: str, claim: str, lease_until: datetime) -> dict[str, Any] | None:
        stored = self.messages[message_id]
        if stored["claim"] != seen or stored["state"] not in ("queued", "sending"):
            return None
        stored.update(state="sending", claim=claim, lease_until=lease_until, attempts=stored["attempts"] + 1,
                      channel_attempts=stored["channel_attempts"] + 1)
        return {k: v for k, v in stored.items() if k not in ("history", "outbox")}

    def get_message(self, message_id: str) -> dict[str, Any] | None:
        return self.messages.get(message_id)

    def resend(self, message_id: str, seen: str, fields: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any] | None:
        stored = self.messages[message_id]
        if stored["claim"] != seen or stored["state"] not in ("sent", "delivered", "failed"):
            return None
        stored.update(fields, resends=stored.get("resends", 0) + 1)
        stored["history"].append(entry)
        return stored

    def get_by_provider_id(self, provider: str, provider_message_id: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.values()
                     if (m.get("provider"), m.get("provider_message_id")) == (provider, provider_message_id)), None)

    def claim_sent(self, message_id: str, seen: str, claim: str) -> dict[str, Any] | None:
        stored = self.messages[message_id]
        if stored["claim"] != seen or stored["state"] != "sent":
            return None
        stored["claim"] = claim
        return {k: v for k, v in stored.items() if k not in ("history", "outbox")}

    def record_attempt(self, message_id: str, claim: str, fields: dict[str, Any], entry: dict[str, Any],
                       event: Event | None) -> bool:
        stored = self.messages[message_id]
        if stored["claim"] != claim:
            return False
        stored.update(fields)
        stored["history"].append(entry)
        if event is not None:
            stored["outbox"].append(event)
        return True

    def list_messages(self, code: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["dossier_code"] == code]


@dataclass
class FakeChannel:
    """A channel whose answers are scripted: each queued failure is raised once, then it accepts."""

    name: str
    contact: str
    provider: str = "fake"
    failures: list[DeliveryError] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)
    calls: int = 0

    def send(self, message: Outgoing) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"


class Harness:
    """The service and the sender over fakes, seeded with the rules and templates, with a clock the test moves."""

    def __init__(self, order: tuple[str, ...] = ("zns", "sms", "email"), attempts: int = 3, senders: int = 1) -> None:
        self.now = START
        self.repo = FakeRepository()
        self.repo.seed(SEED_RULES, seed_templates({kind: f"2000{i}" for i, kind in enumerate(KINDS)}, START))
        self.channels = {"zns": FakeChannel("zns", "phone", "zalo"), "sms": FakeChannel("sms", "phone"),
                         "email": FakeChannel("email", "email", "smtp")}
        self.kicks: list[tuple[str, Any]] = []
        self.retry = RetrySettings(attempts=attempts, first_delay=1.0, max_delay=8.0, lease=60.0)
        self.delivery = Delivery(repo=self.repo, channels=self.channels, retry=self.retry,
                                 kick=lambda c, k: self.kicks.append((c, k)), clock=lambda: self.now,
                                 rng=random.Random(6), senders=senders)
        self.service = NotificationService(repo=self.repo, channels=self.channels, order=order,
                                           sender=self.delivery, clock=lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def message(self) -> dict[str, Any]:
        [message] = self.repo.messages.values()
        return message


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
def make_harness() -> type[Harness]:
    return Harness


@pytest.fixture
def received() -> Any:
    """Builds a DossierReceived event of CODE at START: received(email=..., phone=...)."""
    return received_event


def received_event(*, email: str = "an@example.vn", phone: str = "0912345678",
                   channels: tuple[str, ...] = ()) -> Event:
    payload = events_pb2.DossierReceived(
        dossier_code=CODE, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", agency_id="000.00.12.H56",
        applicant=common_pb2.Applicant(full_name="Nguyễn Văn An", citizen_id="001190012345", phone=phone,
                                       email=email), notify_channels=channels,
        received_at=timestamp(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        appointment_at=timestamp(datetime(2026, 3, 5, 2, 0, tzinfo=UTC)), legal_days=3)
    return replace(Event.new(topics.DOSSIER_RECEIVED, payload, subject=CODE, source="intake"), time=START)
