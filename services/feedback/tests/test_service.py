from datetime import UTC, datetime
from typing import Any

import pytest
from feedback.service import FeedbackService
from motcua import topics
from motcua.errors import Conflict, InvalidInput, NotFound
from motcua.events import Event
from motcua.v1 import events_pb2

CODE = "000.00.12.H56-260302-0001"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


class FakeRepository:
    def __init__(self) -> None:
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.ratings: dict[str, dict[str, Any]] = {}
        self.facts: dict[str, tuple[str, str]] = {}

    def save_dossier(self, code: str, fields: dict[str, Any]) -> None:
        self.dossiers.setdefault(code, {"_id": code}).update(fields)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.get(code)

    def insert_rating(self, rating: dict[str, Any]) -> bool:
        if rating["_id"] in self.ratings:
            return False
        self.ratings[rating["_id"]] = rating
        return True

    def add_fact(self, fact_id: str, kind: str, value: str) -> None:
        self.facts.setdefault(fact_id, (kind, value))

    def count_facts(self, kind: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fact_kind, value in self.facts.values():
            if fact_kind == kind:
                counts[value] = counts.get(value, 0) + 1
        return counts


@pytest.fixture
def repo() -> FakeRepository:
    repo = FakeRepository()
    repo.save_dossier(CODE, {"procedure_code": "1.001193", "agency_id": "000.00.12.H56"})
    return repo


@pytest.fixture
def kicks() -> list[tuple[str, Any]]:
    return []


@pytest.fixture
def service(repo, kicks) -> FeedbackService:
    return FeedbackService(repo=repo, kick=lambda collection, key: kicks.append((collection, key)), clock=lambda: NOW)


def feedback_event(level: int) -> Event:
    return Event.new(topics.FEEDBACK_SUBMITTED, events_pb2.FeedbackSubmitted(dossier_code=CODE, level=level, scale=3),
                     subject=CODE, source="feedback")


@pytest.mark.parametrize("level", [0, 4, "3", True, None, 2.0])
def test_a_level_outside_the_scale_is_invalid(service, repo, kicks, level):
    with pytest.raises(InvalidInput) as caught:
        service.rate(dossier_code=CODE, level=level)
    assert [e.pointer for e in caught.value.errors] == ["/level"]
    assert repo.ratings == {}
    assert kicks == []


def test_a_too_long_comment_is_invalid(service):
    with pytest.raises(InvalidInput) as caught:
        service.rate(dossier_code=CODE, level=2, comment="x" * 2001)
    assert [e.pointer for e in caught.value.errors] == ["/comment"]


def test_an_unknown_dossier_cannot_be_rated(service, repo):
    with pytest.raises(NotFound) as caught:
        service.rate(dossier_code="000.00.12.H56-260302-9999", level=3)
    assert caught.value.reason == "DOSSIER_NOT_FOUND"
    assert repo.ratings == {}


def test_a_dossier_is_rated_only_once(service, repo, kicks):
    service.rate(dossier_code=CODE, level=3)
    with pytest.raises(Conflict) as caught:
        service.rate(dossier_code=CODE, level=1)
    assert caught.value.reason == "ALREADY_RATED"
    assert repo.ratings[CODE]["level"] == 3
    assert len(kicks) == 1


def test_a_valid_rating_is_stored_with_its_event_in_the_outbox(service, repo, kicks):
    result = service.rate(dossier_code=CODE, level=3, comment="Nhanh gọn")
    assert result["label"] == "Rất hài lòng"
    assert result["level"] == 3
    assert result["dossier_code"] == CODE
    stored = repo.ratings[CODE]
    assert stored["rating_id"] == result["rating_id"]
    assert stored["comment"] == "Nhanh gọn"
    assert stored["scale"] == 3
    assert stored["submitted_at"] == NOW
    [entry] = stored["outbox"]
    assert entry["type"] == "vn.motcua.feedback.submitted.v1"
    event = Event.from_document(entry)
    assert event.subject == CODE
    assert event.payload.level == 3
    assert event.payload.rating_id == result["rating_id"]
    assert event.payload.submitted_at.ToDatetime(UTC) == NOW
    assert kicks == [("ratings", CODE)]


@pytest.mark.parametrize(("level", "label"), [(1, "Không hài lòng"), (2, "Hài lòng")])
def test_each_level_has_its_label(service, level, label):
    assert service.rate(dossier_code=CODE, level=level)["label"] == label


def test_stats_count_ratings_per_level(service):
    for level in (3, 3, 1):
        service.on_feedback(feedback_event(level))
    stats = service.stats()
    assert stats["scale"] == 3
    assert stats["total"] == 3
    assert [(row["level"], row["count"]) for row in stats["levels"]] == [(1, 1), (2, 0), (3, 2)]


def test_folding_the_same_event_twice_counts_once(service):
    event = feedback_event(2)
    service.on_feedback(event)
    service.on_feedback(event)
    assert service.stats()["total"] == 1


def test_a_received_event_makes_the_dossier_ratable(service, repo):
    other = "000.00.12.H56-260302-0002"
    received = Event.new(topics.DOSSIER_RECEIVED, events_pb2.DossierReceived(
        dossier_code=other, procedure_code="1.001193", agency_id="000.00.12.H56"), subject=other, source="intake")
    service.on_received(received)
    assert service.stats()["dossiers_received"] == 1
    assert service.rate(dossier_code=other, level=2)["label"] == "Hài lòng"
