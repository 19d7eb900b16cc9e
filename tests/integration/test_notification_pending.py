"""Pending entries against the real FerretDB: the crash windows they bring, left as a crashed process would leave them.

Two replicas run (the fixture of test_notification); each test writes what a process that died at some point
would have written, through the service's own repository, and waits for a poll to put it right.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from motcua import store
from notification.repository import Repository

from tests.conftest import eventually
from tests.integration.test_notification import (
    FAST_RETRIES,
    PREFIX,
    finished,
    messages,
    new_code,
    publish,
    received,
    replicas,
)
from tests.sinks import requests_about

pytestmark = pytest.mark.stack
__all__ = ["replicas"]  # the module's fixture: two replicas on the database of PREFIX


@pytest.fixture(scope="module")
def repo(stack) -> Iterator[Repository]:  # type: ignore[no-untyped-def]
    client = store.connect(stack.mongo_url, "motcua-tests")
    yield Repository(store.database(client, "notification", PREFIX))
    client.close()


def delivered_copy(repo: Repository, ports: list[int], producer: Any, phone: str) -> tuple[dict[str, Any], str]:
    """A message sent and delivered, and a queued copy of it under a new id (not stored), with its dossier code."""
    code = new_code()
    publish(producer, received(code, phone))
    [shown] = eventually(lambda: finished(ports[0], code), 30, what="the message delivered")
    original = repo.messages.find_one({"_id": shown["message_id"]})
    assert original is not None and original["state"] == "delivered" and "pending" in original
    now = datetime.now(UTC)
    copy = {**{k: v for k, v in original.items() if k not in ("provider", "provider_message_id", "sent_at",
                                                               "delivered_at", "lease_until")},
            "_id": str(uuid.uuid4()), "state": "queued", "claim": "", "next_attempt_at": now, "attempts": 0,
            "channel_attempts": 0, "history": [], "outbox": [], "created_at": now}
    return copy, code


def test_a_message_stored_but_never_handed_to_a_sender_is_sent_by_a_poll(replicas, producer, repo):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    copy, code = delivered_copy(repo, ports, producer, "0912000061")
    # What NotificationService.create writes, from a process that died before its hand-over.
    now = datetime.now(UTC)
    repo.create_message({**copy, "pending": repo.hold(copy["_id"], now, now)})
    eventually(lambda: any(m["message_id"] == copy["_id"] and m["state"] == "delivered"
                           for m in messages(ports[0], code)), 30, what="the stored copy delivered")
    assert [r["body"]["tracking_id"] for r in requests_about(stack.zns_dir, code)].count(copy["_id"]) == 1
    assert repo.pending.find_one({"_id": copy["_id"]}) is None  # released once it was sent


def test_an_entry_whose_message_was_never_stored_is_deleted_once_a_lease_has_passed(replicas, repo):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    lease = timedelta(seconds=300)  # FAST_RETRIES leaves the lease at its default
    assert "MOTCUA_NOTIFICATION_LEASE_SECONDS" not in FAST_RETRIES
    repo.hold("died-before-insert", now, now - lease - timedelta(seconds=1))
    repo.hold("insert-in-flight", now, now)
    eventually(lambda: repo.pending.find_one({"_id": "died-before-insert"}) is None, 30, what="the old entry deleted")
    # The recent one may still get its message: a poll moved it on to the end of a lease instead.
    moved = eventually(lambda: (e := repo.pending.find_one({"_id": "insert-in-flight"})) and e["due"] > now and e, 30,
                       what="the recent entry moved on")
    assert abs(moved["due"] - (moved["at"] + lease)) < timedelta(milliseconds=2)
    repo.release("insert-in-flight", moved["n"])


def test_an_entry_a_sender_left_after_finishing_its_message_is_deleted(replicas, producer, repo):  # type: ignore[no-untyped-def]
    _, ports = replicas
    code = new_code()
    publish(producer, received(code, "0912000062", channels=("email",)))
    [shown] = eventually(lambda: finished(ports[0], code), 30, what="the e-mail sent")
    now = datetime.now(UTC)
    # The message finished under generation 1 and its sender died before the release.
    assert repo.hold(shown["message_id"], now, now) == repo.get_state(shown["message_id"])["pending"] == 1
    eventually(lambda: repo.pending.find_one({"_id": shown["message_id"]}) is None, 30, what="the entry deleted")
    assert [m["state"] for m in messages(ports[0], code)] == ["sent"]


def test_a_message_queued_before_entries_existed_is_held_at_start_and_sent(replicas, producer, repo):  # type: ignore[no-untyped-def]
    stack, ports = replicas
    copy, code = delivered_copy(repo, ports, producer, "0912000063")
    del copy["pending"]
    repo.create_message(copy)  # as the previous version stored it: no entry, so no poll of today finds it
    stack.stop("notification-b")
    stack.start_service("notification", label="notification-b", role="worker",
                        env={**FAST_RETRIES, "MOTCUA_NOTIFICATION_HTTP_PORT": str(ports[1])})
    eventually(lambda: any(m["message_id"] == copy["_id"] and m["state"] == "delivered"
                           for m in messages(ports[0], code)), 30, what="the old message delivered")
    assert repo.get_state(copy["_id"])["pending"] >= 1 and repo.pending.find_one({"_id": copy["_id"]}) is None
