from datetime import timedelta

import pytest
from motcua import topics
from motcua.errors import InvalidInput, NotFound, Unauthenticated
from notification.receipts import SIGNATURE, TIMESTAMP, Receipt, parse, sign, verify

from .conftest import START

SECRETS = {"zalo": "a-secret-of-sixteen+"}
BODY = b'{"message_id": "m-1", "status": "delivered", "at": "2026-03-02T03:00:05+00:00"}'


def headers(stamp: str = "1772420400", key: str = SECRETS["zalo"], body: bytes = BODY) -> dict[str, str]:
    return {TIMESTAMP: stamp, SIGNATURE: sign(key, stamp, body)}


def test_a_signed_receipt_within_the_window_passes():
    verify(SECRETS, "zalo", headers(), BODY, now=1772420400 + 299, window=300)


@pytest.mark.parametrize(("provider", "given", "body", "now", "error"), [
    ("zalo", headers(key="another-secret-of-16"), BODY, 1772420400, Unauthenticated),
    ("zalo", headers(), BODY.replace(b"delivered", b"failed"), 1772420400, Unauthenticated),  # body changed
    ("zalo", headers(), BODY, 1772420400 + 301, Unauthenticated),  # a replay after the window
    ("zalo", {TIMESTAMP: "1772420400"}, BODY, 1772420400, Unauthenticated),  # unsigned
    ("viettel", headers(), BODY, 1772420400, NotFound),
])
def test_forged_stale_unsigned_or_unknown_callbacks_are_refused(provider, given, body, now, error):
    with pytest.raises(error):
        verify(SECRETS, provider, given, body, now=now, window=300)


def test_a_receipt_needs_its_message_id_a_status_and_a_time():
    with pytest.raises(InvalidInput) as caught:
        parse("zalo", {"status": "read", "at": "yesterday"})
    assert {e.pointer for e in caught.value.errors} == {"/message_id", "/status", "/at"}


def sent_message(harness, received):  # type: ignore[no-untyped-def]
    harness.service.on_event(received(channels=("zns", "email")))
    harness.delivery.send_due()
    return harness.message()


def receipt(status: str, error: str = "") -> Receipt:
    return Receipt("zalo", "zns-1", status, START + timedelta(seconds=5), error)


def test_a_delivered_receipt_is_applied_once(harness, received):
    sent_message(harness, received)
    assert harness.delivery.on_receipt(receipt("delivered")) is True
    assert harness.delivery.on_receipt(receipt("delivered")) is False
    message = harness.message()
    assert (message["state"], message["delivered_at"]) == ("delivered", START + timedelta(seconds=5))
    assert [h["outcome"] for h in message["history"]] == ["sent", "delivered"]


def test_an_undelivered_receipt_moves_the_message_to_its_next_channel(harness, received):
    sent_message(harness, received)
    harness.delivery.on_receipt(receipt("failed", "unreachable"))
    message = harness.message()
    assert (message["state"], message["channel"]) == ("queued", "email")
    harness.delivery.send_due()
    assert harness.channels["email"].sent and harness.message()["state"] == "sent"


def test_an_undelivered_receipt_on_the_last_channel_fails_the_message_with_an_event(harness, received):
    harness.service.on_event(received(channels=("zns",)))
    harness.delivery.send_due()
    harness.delivery.on_receipt(receipt("failed", "unreachable"))
    message = harness.message()
    assert message["state"] == "failed" and message["outbox"][-1].type == topics.NOTIFICATION_FAILED


def test_a_receipt_for_an_unknown_message_is_not_found(harness):
    with pytest.raises(NotFound):
        harness.delivery.on_receipt(receipt("delivered"))


def test_a_receipt_with_our_reference_is_found_by_id_and_checked_against_the_providers_id(harness, received):
    message = sent_message(harness, received)
    by_reference = Receipt("zalo", "zns-1", "delivered", START, "", reference=message["_id"])
    assert harness.delivery.on_receipt(by_reference) is True and harness.message()["state"] == "delivered"
    with pytest.raises(NotFound):
        harness.delivery.on_receipt(Receipt("zalo", "zns-9", "delivered", START, "", reference=message["_id"]))


def test_two_copies_of_a_receipt_read_at_once_are_applied_once(harness, received):
    message = sent_message(harness, received)
    before = {k: v for k, v in message.items() if k not in ("history", "outbox")}
    harness.repo.get_message = lambda _id: dict(before)  # both copies read the message while it was still sent
    given = Receipt("zalo", "zns-1", "delivered", START + timedelta(seconds=5), "", message["_id"])
    assert harness.delivery.on_receipt(given) is True
    assert harness.delivery.on_receipt(given) is False
    assert [h["outcome"] for h in harness.message()["history"]] == ["sent", "delivered"]


def test_a_receipt_whose_reference_names_another_providers_message_is_not_found(harness, received):
    message = sent_message(harness, received)
    with pytest.raises(NotFound):
        harness.delivery.on_receipt(Receipt("zalo", "zns-9", "delivered", START, "", message["_id"]))
    assert harness.message()["state"] == "sent"
