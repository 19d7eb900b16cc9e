"""Pending entries: every unfinished message has one, written before it is queued and deleted after it is finished.

The sender's poll reads only these entries and messages by `_id`; these tests walk through the crash windows
the entries bring (docs/notification.md, "Pending entries").
"""

from datetime import datetime, time, timedelta

import pytest
from motcua.errors import Conflict
from notification.channels import DeliveryError
from notification.pacing import QuietHours
from notification.receipts import Receipt

TRANSIENT = DeliveryError("HTTP 503", permanent=False)


def forget_hand_overs(delivery) -> None:  # type: ignore[no-untyped-def]
    """What a process that died takes with it: the messages handed to its senders and not yet taken."""
    for line in delivery._lines:
        while not line.empty():
            line.get_nowait()


def entry_of(harness, message_id):  # type: ignore[no-untyped-def]
    return harness.repo.pending.get(message_id)


def test_a_queued_message_has_an_entry_of_its_generation_and_a_sent_one_none(harness, received):
    harness.service.on_event(received())
    message = harness.message()
    entry = entry_of(harness, message["_id"])
    assert (entry["n"], entry["due"], message["pending"]) == (1, message["next_attempt_at"], 1)
    assert harness.delivery.send_ready() == 1
    assert message["state"] == "sent" and harness.repo.pending == {}


def test_a_retry_keeps_the_entry_and_the_poll_moves_it_to_the_retry_time(harness, received):
    harness.channels["zns"].failures = [TRANSIENT]
    harness.service.on_event(received())
    harness.delivery.send_ready()
    message = harness.message()
    assert message["state"] == "queued" and message["pending"] == entry_of(harness, message["_id"])["n"] == 2
    assert harness.delivery.send_due() == 0  # not due yet: the entry now waits for the retry's time
    assert entry_of(harness, message["_id"])["due"] == message["next_attempt_at"]
    assert harness.repo.list_pending(harness.now, 10) == []
    harness.advance(1)
    assert harness.delivery.send_due() == 1
    assert message["state"] == "sent" and harness.repo.pending == {}


def test_a_message_stored_but_never_handed_over_is_sent_by_the_poll(harness, received):
    harness.service.on_event(received())
    forget_hand_overs(harness.delivery)  # the process died between the insert and the hand-over
    assert harness.delivery.send_due() == 1
    assert harness.message()["state"] == "sent" and len(harness.channels["zns"].sent) == 1


def test_an_entry_whose_message_was_never_stored_is_deleted_after_a_lease(harness):
    harness.repo.hold("never-stored", harness.now, harness.now)  # the process died before the message's insert
    assert harness.delivery.send_due() == 0
    assert entry_of(harness, "never-stored")["due"] == harness.now + timedelta(seconds=harness.retry.lease)
    harness.advance(harness.retry.lease - 1)
    assert harness.repo.list_pending(harness.now, 10) == []  # not read again every second meanwhile
    harness.advance(1)
    harness.delivery.send_due()
    assert harness.repo.pending == {}


def test_an_entry_left_by_a_sender_that_died_after_its_last_record_is_deleted_at_once(harness, received):
    harness.service.on_event(received())
    harness.delivery.send_ready()
    message = harness.message()
    harness.repo.pending[message["_id"]] = {"_id": message["_id"], "n": message["pending"], "due": harness.now,
                                            "at": harness.now}  # as if the release had not happened
    assert harness.delivery.send_due() == 0
    assert harness.repo.pending == {} and len(harness.channels["zns"].sent) == 1


def test_a_redelivered_event_of_a_finished_message_leaves_no_entry(harness, received):
    event = received()
    harness.service.on_event(event)
    harness.delivery.send_ready()
    assert harness.service.create({**harness.message(), "state": "queued"}) is False
    harness.service.on_event(event)
    assert harness.repo.pending == {} and len(harness.repo.messages) == 1


def test_a_redelivered_event_of_a_message_still_queued_keeps_its_entry(harness, received):
    event = received()
    harness.service.on_event(event)
    harness.service.on_event(event)
    message = harness.message()
    assert entry_of(harness, message["_id"])["n"] == 2 and message["pending"] == 1
    harness.delivery.send_ready()
    harness.delivery.send_ready()
    # Sent once; the entry of the newer generation is garbage, deleted once a lease has passed.
    assert len(harness.channels["zns"].sent) == 1 and message["_id"] in harness.repo.pending
    harness.advance(harness.retry.lease)
    harness.delivery.send_due()
    harness.advance(1)
    harness.delivery.send_due()
    assert harness.repo.pending == {} and len(harness.channels["zns"].sent) == 1


def test_a_resend_right_after_the_send_keeps_the_entry_a_late_release_would_delete(harness, received):
    harness.service.on_event(received())
    message = harness.message()
    first_round = message["pending"]
    seen = dict(message)
    claimed = harness.repo.claim(seen["_id"], seen["claim"], "sender", harness.now + timedelta(seconds=60))
    harness.repo.record_attempt(seen["_id"], "sender", {"state": "sent"}, {"outcome": "sent"}, None)
    harness.service.resend(message["_id"], "quan-tri-01")  # before the sender's release
    assert harness.repo.release(claimed["_id"], first_round) is False  # the sender's release misses
    assert entry_of(harness, message["_id"])["n"] == message["pending"] == first_round + 1
    forget_hand_overs(harness.delivery)
    assert harness.delivery.send_due() == 1 and message["state"] == "sent" and harness.repo.pending == {}


def test_a_receipt_reporting_a_failure_holds_the_message_again_for_its_next_channel(harness, received):
    harness.service.on_event(received())
    harness.delivery.send_ready()
    message = harness.message()
    assert harness.repo.pending == {}
    harness.delivery.on_receipt(Receipt("zalo", "zns-1", "failed", harness.now, "no Zalo account"))
    assert (message["state"], message["channel"]) == ("queued", "sms")
    assert entry_of(harness, message["_id"])["n"] == message["pending"]
    forget_hand_overs(harness.delivery)
    assert harness.delivery.send_due() == 1 and harness.channels["sms"].sent and harness.repo.pending == {}


def test_a_message_deferred_by_the_quiet_hours_waits_in_its_entry(harness, received):
    night = datetime(2026, 3, 2, 16, 0, tzinfo=harness.now.tzinfo)  # 23:00 in Vietnam
    harness.now = night
    harness.service.quiet = QuietHours(time(22), time(7))
    harness.service.on_event(received())
    message = harness.message()
    assert entry_of(harness, message["_id"])["due"] == message["next_attempt_at"] > night
    assert harness.delivery.send_due() == 0 and harness.repo.count_pending(harness.now) == {"due": 0, "scheduled": 1}
    harness.now = message["next_attempt_at"]
    assert harness.repo.count_pending(harness.now) == {"due": 1, "scheduled": 0}
    assert harness.delivery.send_due() == 1 and harness.repo.pending == {}


def test_a_resend_of_a_message_still_queued_is_refused_and_leaves_its_entry_as_it_was(harness, received):
    harness.service.on_event(received())
    message = harness.message()
    with pytest.raises(Conflict) as refused:
        harness.service.resend(message["_id"], "quan-tri-01")
    assert refused.value.reason == "MESSAGE_NOT_FINISHED"
    assert entry_of(harness, message["_id"])["n"] == message["pending"] == 1 and message["resends"] == 0
