import dataclasses
from datetime import UTC, datetime

from feedback.rebuild import Tally
from motcua import topics
from motcua.events import Event, Position, timestamp
from motcua.v1 import common_pb2, events_pb2

AGENCY = "000.00.12.H56"


def completed(n: int, late: bool, month: int) -> Event:
    code = f"{AGENCY}-260302-{n:04d}"
    payload = events_pb2.DossierCompleted(
        dossier_code=code, agency_id=AGENCY, procedure_code="1.001193", channel=common_pb2.CHANNEL_ONLINE,
        timeliness=events_pb2.TIMELINESS_LATE if late else events_pb2.TIMELINESS_ON_TIME,
        completed_at=timestamp(datetime(2026, month, 10, 3, 0, tzinfo=UTC)))
    event = Event.new(topics.DOSSIER_COMPLETED, payload, subject=code, source="routing")
    return dataclasses.replace(event, position=Position("motcua.dossier.v1", n % 2, 100 + n))


def tallied(events: list[Event], repeats_kept: int) -> dict:
    tally = Tally(repeats_kept)
    for event in events:
        tally.fold(event)
    tally.spread()
    return tally.counters


def test_repeated_additions_are_counted_together_and_spread_as_one_by_one():
    events = [completed(n, late=n % 5 == 0, month=3 + n % 2) for n in range(40)]
    together, one_by_one = tallied(events, repeats_kept=1000), tallied(events, repeats_kept=1)
    assert together == one_by_one
    march = together[f"agency|{AGENCY}|2026-03"]
    assert (march["completed"], march["on_time"], march["late"]) == (20, 16, 4)
    assert march["folded"] == {"dossier_0": 138}
    assert together[f"agency|{AGENCY}|2026"]["folded"] == {"dossier_0": 138, "dossier_1": 139}


def test_tallies_of_shares_of_the_partitions_add_up_to_the_tally_of_all():
    events = [completed(n, late=n % 3 == 0, month=3 + n % 2) for n in range(30)]
    whole = Tally()
    shares = Tally(), Tally()
    for event in events:
        whole.fold(event)
        shares[event.position.partition].fold(event)  # type: ignore[union-attr]
    for tally in (whole, *shares):
        tally.spread()
    shares[0].merge(shares[1])
    assert shares[0].counters == whole.counters and shares[0].members == whole.members
    assert whole.counters[f"agency|{AGENCY}|2026"]["completed"] == 30
