import pytest
from motcua.errors import Conflict, InvalidInput
from notification.agency import AgencySends, SendInput
from notification.templates import Renderer

from .conftest import CODE

REQUEST = SendInput(idempotency_key="k-1", dossier_code=CODE, kind="due_soon", values={"due_at": "2026-03-04T01:00:00+00:00"},
                    channels=("sms",), phone="0912345678", name="Trần Bình", request_hash="h-1")


@pytest.fixture
def agency(harness):  # type: ignore[no-untyped-def]
    return AgencySends(service=harness.service, renderer=Renderer())


def test_a_send_queues_one_message_with_the_given_contact_and_values(harness, agency):
    message, created = agency.send(REQUEST, "he-thong-1")
    assert created and message["requested_by"] == "he-thong-1" and message["idempotency_key"] == "k-1"
    assert [s["channel"] for s in message["route"]] == ["sms"] and message["values"]["name"] == "Trần Bình"
    harness.delivery.send_due()
    [sent] = harness.channels["sms"].sent
    assert sent.content.text.startswith(f"Ho so {CODE}: han 08:00 04/03/2026 sap den")


def test_the_same_key_and_request_give_the_same_message_and_another_request_is_refused(agency):
    first, _ = agency.send(REQUEST, "he-thong-1")
    again, created = agency.send(REQUEST, "he-thong-1")
    assert again["_id"] == first["_id"] and created is False
    with pytest.raises(Conflict) as refused:
        agency.send(SendInput(**{**REQUEST.__dict__, "kind": "completed", "request_hash": "h-2"}), "he-thong-1")
    assert refused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    other, created = agency.send(REQUEST, "he-thong-2")  # keys are per caller
    assert created and other["_id"] != first["_id"]


def test_bad_fields_missing_values_and_no_contact_are_refused(agency):
    with pytest.raises(InvalidInput) as caught:
        agency.send(SendInput(idempotency_key="", dossier_code=CODE, kind="x", channels=("fax",), phone="12"), "c")
    assert {e.pointer for e in caught.value.errors} == {"idempotency_key", "kind", "channels", "phone"}
    with pytest.raises(InvalidInput) as caught:
        agency.send(SendInput(**{**REQUEST.__dict__, "values": {}}), "c")
    assert [e.pointer for e in caught.value.errors] == ["values"]
    with pytest.raises(Conflict) as refused:
        agency.send(SendInput(**{**REQUEST.__dict__, "phone": "", "idempotency_key": "k-3"}), "c")
    assert refused.value.reason == "NO_CONTACT"


def test_a_finished_message_is_resent_as_a_new_attempt_with_a_new_reference(harness, received):
    harness.service.on_event(received(channels=("sms",)))
    message_id = harness.message()["_id"]
    with pytest.raises(Conflict):
        harness.service.resend(message_id, "quan-tri-01")  # still queued
    harness.delivery.send_due()
    resent = harness.service.resend(message_id, "quan-tri-01")
    assert (resent["state"], resent["resends"]) == ("queued", 1)
    harness.delivery.send_due()
    references = [m.reference for m in harness.channels["sms"].sent]
    assert references == [message_id, f"{message_id}-r1"]
    assert [h["outcome"] for h in harness.message()["history"]] == ["sent", "resend", "sent"]
    assert harness.message()["history"][1]["by"] == "quan-tri-01"
