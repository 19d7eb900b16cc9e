import random
import threading
from datetime import timedelta

import pytest
from motcua import topics
from motcua.events import Event
from motcua.testing import eventually
from motcua.v1 import common_pb2, events_pb2
from notification.channels import DeliveryError, Outgoing
from notification.delivery import HAND_OVER_GRACE, backoff, plan_route
from notification.lookups import CatalogCache
from notification.service import message_key
from notification.settings import RetrySettings

from .conftest import CODE, FakeChannel

TRANSIENT = DeliveryError("HTTP 503", permanent=False)
PERMANENT = DeliveryError("ZNS error -118", permanent=True)


def test_backoff_doubles_within_its_jitter_and_stops_at_the_cap():
    retry = RetrySettings(attempts=10, first_delay=2.0, max_delay=30.0, lease=60.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 30.0), (9, 30.0)]:
        delays = [backoff(retry, attempt, rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not a fixed delay


def test_the_route_follows_the_order_and_skips_channels_the_citizen_lacks(harness):
    contact = {"name": "An", "phone": "0912345678", "email": ""}
    assert plan_route(contact, ("zns", "sms", "email"), harness.channels) == [
        {"channel": "zns", "to": "0912345678"}, {"channel": "sms", "to": "0912345678"}]
    assert plan_route({**contact, "email": "an@example.vn"}, ("email", "sms"), harness.channels) == [
        {"channel": "email", "to": "an@example.vn"}, {"channel": "sms", "to": "0912345678"}]
    assert plan_route({"name": "An", "phone": "", "email": ""}, ("zns", "sms", "email"), harness.channels) == []


def test_the_message_key_depends_on_event_kind_and_recipient_only():
    key = message_key("e-1", "received", "applicant")
    assert key == message_key("e-1", "received", "applicant")
    assert len({key, message_key("e-2", "received", "applicant"), message_key("e-1", "assigned", "applicant"),
                message_key("e-1", "received", "representative")}) == 4


def test_a_received_dossier_is_queued_and_then_sent_by_zns_first(harness, received):
    harness.service.on_event(received())
    message = harness.message()
    assert (message["state"], message["channel"], message["recipient_masked"]) == ("queued", "zns", "*******678")
    assert [s["channel"] for s in message["route"]] == ["zns", "sms", "email"]
    assert harness.channels["zns"].calls == 0  # the handler only queues
    assert harness.delivery.send_due() == 1
    [sent] = harness.channels["zns"].sent
    assert (sent.reference, sent.to, sent.content.template_id) == (message["_id"], "0912345678", "20000")
    assert sent.content.params["appointment_at"] == "09:00 05/03/2026" and sent.content.params["name"] == "Nguyễn Văn An"
    assert message["values"]["appointment_at"] == "2026-03-05T02:00:00+00:00"
    assert message["history"][0]["template_version"] == 1
    assert (message["state"], message["provider"], message["provider_message_id"]) == ("sent", "zalo", "zns-1")
    [outcome] = message["outbox"]
    assert outcome.type == topics.NOTIFICATION_DELIVERED and outcome.payload.provider_message_id == "zns-1"
    assert harness.kicks == [("messages", message["_id"])]


def test_the_same_event_twice_queues_and_sends_one_message(harness, received):
    event = received()
    harness.service.on_event(event)
    harness.service.on_event(event)
    harness.delivery.send_due()
    assert harness.delivery.send_due() == 0
    assert len(harness.repo.messages) == 1 and len(harness.channels["zns"].sent) == 1


def test_a_transient_failure_is_retried_after_the_backoff_on_the_same_channel(harness, received):
    harness.channels["zns"].failures = [TRANSIENT, TRANSIENT]
    harness.service.on_event(received())
    harness.delivery.send_due()
    message = harness.message()
    assert message["state"] == "queued" and message["error"] == "HTTP 503"
    delay = (message["next_attempt_at"] - harness.now).total_seconds()
    assert 0.5 <= delay <= 1.0
    assert harness.delivery.send_due() == 0  # not due yet
    harness.advance(1)
    harness.delivery.send_due()
    assert 1.0 <= (message["next_attempt_at"] - harness.now).total_seconds() <= 2.0
    harness.advance(2)
    harness.delivery.send_due()
    assert (message["state"], message["attempts"], message["channel"]) == ("sent", 3, "zns")
    assert [h["outcome"] for h in message["history"]] == ["transient", "transient", "sent"]


def test_a_permanent_failure_falls_back_to_the_next_channel_at_once(harness, received):
    harness.channels["zns"].failures = [PERMANENT]
    harness.service.on_event(received())
    harness.delivery.send_due()
    message = harness.message()
    assert (message["state"], message["channel"], message["channel_attempts"]) == ("queued", "sms", 0)
    assert message["next_attempt_at"] == harness.now
    harness.delivery.send_due()
    assert (message["state"], message["channel"], message["attempts"]) == ("sent", "sms", 2)
    assert harness.channels["zns"].calls == 1  # never retried on ZNS
    assert [(h["channel"], h["outcome"]) for h in message["history"]] == [("zns", "fallback"), ("sms", "sent")]


def test_transient_failures_up_to_the_bound_fall_back_too(harness, received):
    harness.channels["zns"].failures = [TRANSIENT] * 3
    harness.service.on_event(received())
    for _ in range(3):
        harness.delivery.send_due()
        harness.advance(10)
    message = harness.message()
    assert harness.channels["zns"].calls == 3
    assert message["channel"] == "sms" and message["error"].startswith("gave up after 3 attempts")


def test_when_every_channel_fails_for_good_the_message_fails_once(harness, received):
    for channel in harness.channels.values():
        channel.failures = [PERMANENT]
    harness.service.on_event(received())
    for _ in range(3):
        harness.delivery.send_due()
    message = harness.message()
    assert (message["state"], message["channel"], message["attempts"]) == ("failed", "email", 3)
    [outcome] = message["outbox"]
    assert outcome.type == topics.NOTIFICATION_FAILED and outcome.payload.reason == "ZNS error -118"
    assert outcome.payload.attempts == 3 and outcome.payload.dossier_code == "000.00.12.H56-260302-0001"


def test_a_citizen_without_any_usable_contact_gets_no_message(make_harness, received):
    harness = make_harness(order=("email",))
    harness.service.on_event(received(email=""))
    assert harness.repo.messages == {}


def test_a_claim_taken_by_another_sender_is_not_sent_again(harness, received):
    harness.service.on_event(received())
    seen = dict(harness.message())
    assert harness.repo.claim(seen["_id"], seen["claim"], "other-replica", harness.now) is not None
    assert harness.repo.claim(seen["_id"], seen["claim"], "late-replica", harness.now) is None
    assert harness.channels["zns"].calls == 0


def test_a_message_whose_sender_died_is_sent_again_after_its_lease_with_the_same_reference(harness, received):
    harness.service.on_event(received())
    seen = dict(harness.message())
    harness.repo.claim(seen["_id"], seen["claim"], "dead-replica", harness.now + timedelta(seconds=harness.retry.lease))
    assert harness.delivery.send_due() == 0  # the lease still holds
    harness.advance(61)
    assert harness.delivery.send_due() == 1
    [sent] = harness.channels["zns"].sent
    assert sent.reference == seen["_id"] and harness.message()["attempts"] == 2


def test_a_message_that_keeps_killing_its_sender_is_given_up_on_that_channel(harness, received):
    harness.service.on_event(received())
    for sender in range(harness.retry.attempts):
        seen = dict(harness.message())
        harness.repo.claim(seen["_id"], seen["claim"], f"dying-{sender}", harness.now)
        harness.advance(1)
    harness.delivery.send_due()
    message = harness.message()
    assert harness.channels["zns"].calls == 0 and message["channel"] == "sms"
    assert message["error"] == "gave up after 4 attempts: no answer recorded"


def test_a_bug_in_a_channel_fails_that_channel_without_stopping_the_sender(harness, received):
    harness.channels["zns"].failures = [KeyError("template")]  # type: ignore[list-item]
    harness.service.on_event(received())
    harness.delivery.send_due()
    assert harness.message()["channel"] == "sms"


@pytest.mark.parametrize("order", [("email",), ("sms", "email")])
def test_the_configured_order_decides_the_first_channel(make_harness, received, order):
    harness = make_harness(order=order)
    harness.service.on_event(received())
    assert harness.message()["channel"] == order[0]


def test_the_citizens_chosen_channels_replace_the_configured_order(harness, received):
    harness.service.on_event(received(channels=("email", "sms")))
    message = harness.message()
    assert [s["channel"] for s in message["route"]] == ["email", "sms"] and message["channel"] == "email"
    harness.delivery.send_due()
    assert harness.channels["email"].sent and not harness.channels["zns"].calls


def test_chosen_channels_this_service_does_not_run_leave_the_configured_order(make_harness, received):
    harness = make_harness(order=("sms", "email"))
    del harness.channels["zns"]
    harness.service.on_event(received(channels=("zns",)))
    assert [s["channel"] for s in harness.message()["route"]] == ["sms", "email"]


def test_a_rule_limits_the_channels_and_a_disabled_rule_sends_nothing(harness, received):
    harness.repo.save_rule({"_id": topics.DOSSIER_RECEIVED.name, "kind": "received", "channels": ["email"]})
    harness.service.on_event(received())
    assert [s["channel"] for s in harness.message()["route"]] == ["email"]
    other = make_event(topics.DOSSIER_DUE_SOON, events_pb2.DossierDeadline(dossier_code=CODE))
    harness.repo.save_rule({"_id": topics.DOSSIER_DUE_SOON.name, "kind": "due_soon", "enabled": False})
    harness.service.on_event(other)
    assert len(harness.repo.messages) == 1


def test_an_event_without_a_rule_only_keeps_the_contact(harness, received):
    event = received()
    submitted = make_event(topics.DOSSIER_SUBMITTED, events_pb2.DossierSubmitted(
        dossier_code=CODE, applicant=event.payload.applicant, notify_channels=["sms"]))
    harness.service.on_event(submitted)
    assert harness.repo.messages == {} and harness.repo.recipients[CODE]["channels"] == ["sms"]


def test_a_template_version_added_later_does_not_change_a_queued_message(harness, received):
    harness.service.on_event(received(channels=("sms",)))
    harness.repo.create_template({**harness.repo.get_template("received", "sms"), "_id": "received/sms/2",
                                  "version": 2, "body": "v2 {{ code }}"})
    harness.delivery.send_due()
    [sent] = harness.channels["sms"].sent
    assert sent.content.text.startswith("Ho so ") and harness.message()["history"][0]["template_version"] == 1


def make_event(kind, payload):  # type: ignore[no-untyped-def]
    return Event.new(kind, payload, subject=CODE, source="routing")


def test_an_event_naming_the_applicant_without_a_contact_keeps_the_stored_one(harness, received):
    harness.service.on_event(received(channels=("sms",)))
    harness.service.on_event(make_event(topics.SUPPLEMENT_REQUESTED, events_pb2.SupplementRequested(
        dossier_code=CODE, applicant=common_pb2.Applicant(full_name="Nguyễn Văn An"))))
    assert harness.repo.recipients[CODE]["phone"] == "0912345678" and len(harness.repo.messages) == 2


def test_a_message_queued_here_is_claimed_from_the_hand_over_without_listing_the_due(harness, received):
    harness.service.on_event(received())
    harness.repo.list_pending = None  # the hand-over alone must reach the message
    assert harness.delivery.send_ready() == 1
    assert harness.message()["state"] == "sent" and len(harness.channels["zns"].sent) == 1
    assert harness.delivery.send_ready() == 0


def test_a_handed_over_message_another_sender_took_is_not_sent_twice(harness, received):
    harness.service.on_event(received())
    assert harness.delivery.send_due() == 1  # another replica's poll (the same repository) came first
    assert harness.delivery.send_ready() == 0
    assert harness.channels["zns"].calls == 1


def test_a_fallback_is_handed_over_to_go_on_at_once(harness, received):
    harness.channels["zns"].failures = [PERMANENT]
    harness.service.on_event(received())
    assert harness.delivery.send_ready() == 1
    assert harness.message()["channel"] == "sms"
    assert harness.delivery.send_ready() == 1 and harness.message()["state"] == "sent"


def test_rules_and_versions_are_read_once_and_again_only_when_the_catalog_changes(harness, received):
    for _ in range(3):
        harness.service.on_event(received())
    assert harness.repo.catalog_loads == 1
    harness.repo.create_template({**harness.repo.get_template("received", "sms"), "_id": "received/sms/2",
                                  "version": 2, "body": "v2 {{ code }}"})
    harness.repo.save_rule({"_id": topics.DOSSIER_RECEIVED.name, "kind": "received", "channels": ["sms"]})
    event = received()
    harness.service.on_event(event)
    assert harness.repo.catalog_loads == 2
    message = harness.repo.messages[message_key(event.id, "received", "applicant")]
    assert message["route"] == [{"channel": "sms", "to": "0912345678", "template_version": 2}]


def test_the_catalog_is_read_again_when_it_is_older_than_its_limit(harness):
    ticks = iter([0.0, 30.0, 61.0, 61.0])
    cache = CatalogCache(harness.repo, max_age=60.0, clock=lambda: next(ticks))
    first = cache.current()
    assert cache.current() is first and harness.repo.catalog_loads == 1
    assert cache.current() is not first and harness.repo.catalog_loads == 2


def result_ready() -> Event:
    return Event.new(topics.RESULT_READY, events_pb2.ResultReady(dossier_code=CODE, document_id="d-1"),
                     subject=CODE, source="routing")


def test_the_rating_link_feedback_announced_goes_into_the_result_message(harness, received):
    link = f"https://danhgia.example.vn/r/{CODE}?t=signed"
    harness.service.rating_url = "https://portal.example.vn/danh-gia/{code}"
    harness.service.on_event(received())
    harness.service.on_rating_link(Event.new(topics.RATING_LINK_ISSUED, events_pb2.RatingLinkIssued(
        dossier_code=CODE, url=link), subject=CODE, source="feedback"))
    harness.service.on_event(result_ready())
    result = next(m for m in harness.repo.messages.values() if m["template"] == "result_ready")
    assert result["values"]["rating_url"] == link  # the dossier's own signed link wins over the configured one


def test_without_an_announced_link_the_configured_rating_address_is_used(harness, received):
    harness.service.rating_url = "https://portal.example.vn/danh-gia/{code}"
    harness.service.on_event(received())
    harness.service.on_event(result_ready())
    result = next(m for m in harness.repo.messages.values() if m["template"] == "result_ready")
    assert result["values"]["rating_url"] == f"https://portal.example.vn/danh-gia/{CODE}"


def test_a_rating_link_that_comes_before_the_contact_keeps_both(harness, received):
    link = f"https://danhgia.example.vn/r/{CODE}?t=early"
    harness.service.on_rating_link(Event.new(topics.RATING_LINK_ISSUED, events_pb2.RatingLinkIssued(
        dossier_code=CODE, url=link), subject=CODE, source="feedback"))
    harness.service.on_event(received())
    assert harness.repo.get_recipient(CODE)["rating_url"] == link
    assert harness.repo.get_recipient(CODE)["phone"] == "0912345678"


class HoldingChannel(FakeChannel):
    """Holds the first message it is given until another is sent or a second has passed, as a slow provider."""

    def __init__(self) -> None:
        super().__init__("zns", "phone", "zalo")
        self.another = threading.Event()

    def send(self, message: Outgoing) -> str:
        if self.calls == 0:
            self.calls += 1
            self.another.wait(timeout=1.0)
            self.sent.append(message)
            return "zns-held"
        self.another.set()
        return super().send(message)


def test_a_dossiers_messages_go_out_in_the_order_they_were_handed_over_with_many_senders(make_harness, received):
    harness = make_harness(senders=4)
    harness.channels["zns"] = channel = HoldingChannel()
    stop = threading.Event()
    runner = threading.Thread(target=harness.delivery.run, args=(stop,))
    runner.start()
    try:
        eventually(lambda: harness.delivery.hand_over_due(harness.now) > harness.now, 5, what="the senders running")
        harness.service.on_event(received())  # the dossier's first message, which the provider holds a while
        model = harness.message()
        # While the senders run, the polls leave a handed-over message to them for a while.
        assert harness.repo.pending[model["_id"]]["due"] == harness.now + HAND_OVER_GRACE
        for n in range(1, 30):  # then more of the same dossier, and of two others
            code = CODE if n % 3 == 0 else f"{CODE}-{n % 3}"
            harness.service.create({**model, "_id": f"m{n:02d}", "dossier_code": code, "claim": f"c{n}"})
        eventually(lambda: len(channel.sent) == 30, 20, what="the 30 messages sent")
    finally:
        stop.set()
        runner.join()
    sent = [harness.repo.messages[outgoing.reference] for outgoing in channel.sent]
    for code in (CODE, f"{CODE}-1", f"{CODE}-2"):
        mine = [m["_id"] for m in sent if m["dossier_code"] == code]
        assert mine == sorted(mine, key=lambda i: (i != model["_id"], i)) and len(mine) == 10, code
