import dataclasses
from datetime import UTC, datetime

import pytest
from motcua import topics
from motcua.events import Event, Position, UndecodableEvent, timestamp
from motcua.v1 import common_pb2, events_pb2


def make_received(**overrides) -> Event:
    fields = {
        "dossier_code": "000.00.12.H56-260302-0001", "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh", "agency_id": "000.00.12.H56", "legal_days": 3,
        "applicant": common_pb2.Applicant(full_name="Nguyễn Văn An", citizen_id="001190012345",
                                          phone="0912345678", email="an@example.vn"),
        "received_at": timestamp(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
    }
    fields.update(overrides)
    payload = events_pb2.DossierReceived(**fields)
    return Event.new(topics.DOSSIER_RECEIVED, payload, subject=payload.dossier_code, source="intake")


def test_an_event_survives_the_kafka_record_round_trip():
    event = make_received()
    decoded = Event.from_record(event.headers(), event.payload.SerializeToString())
    assert decoded.id == event.id
    assert decoded.type is topics.DOSSIER_RECEIVED
    assert decoded.subject == "000.00.12.H56-260302-0001"
    assert decoded.source == "intake"
    assert decoded.payload == event.payload
    assert decoded.payload.applicant.full_name == "Nguyễn Văn An"
    assert abs((decoded.time - event.time).total_seconds()) < 0.001


def test_a_consumed_event_carries_its_position_which_equality_ignores():
    event = make_received()
    at = Position("motcua.dossier.v1", 3, 41)
    decoded = Event.from_record(event.headers(), event.payload.SerializeToString(), at)
    assert decoded.position == at and event.position is None
    assert decoded == dataclasses.replace(decoded, position=None)


def test_headers_follow_the_cloudevents_kafka_binding():
    headers = dict(make_received().headers())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"vn.motcua.dossier.received.v1"
    assert headers["content-type"] == b"application/protobuf"


def test_an_event_survives_the_outbox_document_round_trip():
    event = make_received()
    doc = event.to_document()
    assert isinstance(doc["payload"], bytes)
    decoded = Event.from_document(doc)
    assert (decoded.id, decoded.type, decoded.subject, decoded.payload) == (
        event.id, event.type, event.subject, event.payload)
    assert decoded.time == event.time


def test_a_naive_time_from_the_database_is_read_as_utc():
    event = make_received()
    doc = {**event.to_document(), "time": datetime(2026, 3, 2, 9, 0)}
    assert Event.from_document(doc).time == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_new_refuses_a_payload_of_another_type():
    with pytest.raises(TypeError):
        Event.new(topics.DOSSIER_RECEIVED, events_pb2.FeedbackSubmitted(level=3), subject="x", source="intake")


def test_a_record_without_ce_type_is_undecodable():
    event = make_received()
    headers = [(k, v) for k, v in event.headers() if k != "ce_type"]
    with pytest.raises(UndecodableEvent, match="ce_type"):
        Event.from_record(headers, event.payload.SerializeToString())


def test_a_record_of_an_unknown_type_is_undecodable():
    event = make_received()
    headers = [(k, b"vn.other.thing.v1" if k == "ce_type" else v) for k, v in event.headers()]
    with pytest.raises(UndecodableEvent, match="unknown event type"):
        Event.from_record(headers, event.payload.SerializeToString())


def test_a_record_with_garbage_bytes_is_undecodable():
    with pytest.raises(UndecodableEvent):
        Event.from_record(make_received().headers(), b"\xff\xff\xff\xff garbage")


def test_a_record_without_headers_is_undecodable():
    with pytest.raises(UndecodableEvent):
        Event.from_record([], b"")


def test_every_event_type_travels_on_a_known_topic():
    for name, event_type in topics.EVENT_TYPES.items():
        assert event_type.name == name
        assert event_type.topic in topics.TOPICS, name


def test_every_topic_has_a_producer_and_a_consumer():
    produced = {t.topic for t in topics.EVENT_TYPES.values()}
    consumed = {topic for group in topics.CONSUMES.values() for topic in group}
    for topic in topics.TOPICS:
        assert topic in produced, f"{topic.name} has no producer"
        assert topic in consumed, f"{topic.name} has no consumer"


def test_every_consumed_topic_is_a_known_topic():
    for service, consumed in topics.CONSUMES.items():
        for topic in consumed:
            assert topic in topics.TOPICS, (service, topic.name)
