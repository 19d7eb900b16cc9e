import dataclasses
from datetime import UTC, datetime

import pytest
from feedback.scorecard import addition, agency_of, folded_at
from feedback.statistics import months_back, satisfaction
from motcua import topics
from motcua.events import Event, Position, timestamp
from motcua.v1 import common_pb2, events_pb2

CODE = "000.00.12.H56-260302-0001"


def test_a_rating_counts_in_every_dimension_in_the_month_and_year_of_vietnam():
    # 17:30 UTC on 31 March is 00:30 on 1 April in Hà Nội.
    rating = events_pb2.FeedbackSubmitted(
        dossier_code=CODE, level=4, scale=5, agency_id="000.00.12.H56", department="tu-phap",
        procedure_code="1.001193", channel=common_pb2.CHANNEL_ONLINE, official="cb-1",
        submitted_at=timestamp(datetime(2026, 3, 31, 17, 30, tzinfo=UTC)))
    added = addition(Event.new(topics.FEEDBACK_SUBMITTED, rating, subject=CODE, source="feedback"))
    assert added is not None
    assert added.amounts == {"ratings": 1, "satisfied": 1, "levels.s5l4": 1}
    keys = [key for key, _ in added.counters()]
    assert "agency|000.00.12.H56|2026-04" in keys and "agency|000.00.12.H56|2026" in keys
    assert "department|000.00.12.H56/tu-phap|2026-04" in keys and "channel|online|2026-04" in keys
    assert "official|cb-1|2026-04" in keys and len(keys) == 12


def test_a_link_rating_counts_for_no_official():
    rating = events_pb2.FeedbackSubmitted(dossier_code=CODE, level=1, scale=3, agency_id="a",
                                          submitted_at=timestamp(datetime(2026, 3, 2, tzinfo=UTC)))
    added = addition(Event.new(topics.FEEDBACK_SUBMITTED, rating, subject=CODE, source="feedback"))
    assert added is not None and added.amounts["satisfied"] == 0
    assert not any(key.startswith("official|") for key, _ in added.counters())


def test_a_completed_dossier_counts_on_time_or_late():
    for timeliness, on_time, late in ((events_pb2.TIMELINESS_EARLY, 1, 0), (events_pb2.TIMELINESS_LATE, 0, 1)):
        completed = events_pb2.DossierCompleted(dossier_code=CODE, agency_id="a", timeliness=timeliness)
        added = addition(Event.new(topics.DOSSIER_COMPLETED, completed, subject=CODE, source="routing"))
        assert added is not None and added.amounts == {"completed": 1, "on_time": on_time, "late": late}


def test_events_the_scorecard_does_not_count_add_nothing():
    assigned = events_pb2.TaskAssigned(dossier_code=CODE)
    assert addition(Event.new(topics.TASK_ASSIGNED, assigned, subject=CODE, source="routing")) is None


def test_a_counter_remembers_a_partition_by_its_aggregate_and_number():
    signed = Event.new(topics.DOCUMENT_SIGNED, events_pb2.DocumentSigned(dossier_code=CODE), subject=CODE,
                       source="signing")
    consumed = dataclasses.replace(signed, position=Position("fdb.motcua.document.v1", 2, 418))
    assert folded_at(consumed) == ("document_2", 418)
    with pytest.raises(ValueError, match="no position"):
        folded_at(signed)


def test_the_agency_of_a_dossier_code():
    assert agency_of(CODE) == "000.00.12.H56" and agency_of("no-code") == ""


def test_satisfaction_shares_and_counts_per_level():
    counter = {"value": "a", "period": "2026", "ratings": 4, "satisfied": 3, "levels": {"s3l3": 3, "s3l1": 1}}
    group = satisfaction(counter)
    assert group["satisfied_share"] == 0.75 and list(group["levels"]) == ["3"]
    assert [c["count"] for c in group["levels"]["3"]] == [1, 0, 3]
    assert satisfaction({"value": "a", "period": "2026"})["satisfied_share"] is None


def test_months_back_crosses_the_year():
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
