"""The agencies' calendar overrides against the real MongoDB-wire server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from motcua import store
from motcua.calendar import (
    COLLECTION,
    INDEXES,
    TZ,
    DayKind,
    Override,
    OverrideStore,
    WorkingHours,
)
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

pytestmark = pytest.mark.stack

AGENCY = "000.00.12.H56"


@pytest.fixture
def mongo(stack) -> Iterator[MongoClient]:  # type: ignore[no-untyped-def]
    client = store.connect(stack.mongo_url, "motcua-tests")
    yield client
    client.close()


@pytest.fixture
def overrides(mongo: MongoClient, prefix: str) -> OverrideStore:
    db = store.database(mongo, "calendar", prefix)
    store.ensure_indexes(db, {COLLECTION: INDEXES})
    return OverrideStore(db[COLLECTION])


def test_an_override_is_one_document_keyed_by_agency_and_day(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 3, 7), DayKind.WORKING_DAY, "Làm bù cho ngày 9/3")
    assert overrides.collection.find_one({"_id": f"{AGENCY}:2026-03-07"}) == {
        "_id": f"{AGENCY}:2026-03-07", "agency": AGENCY, "date": "2026-03-07", "kind": "working_day",
        "reason": "Làm bù cho ngày 9/3",
    }


def test_setting_a_day_again_replaces_its_override(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 3, 9), "day_off", "Bầu cử")
    overrides.set(AGENCY, date(2026, 3, 9), "working_day", "Bầu cử dời sang tuần sau")
    assert overrides.list(AGENCY) == [Override(date(2026, 3, 9), DayKind.WORKING_DAY, "Bầu cử dời sang tuần sau")]
    assert overrides.collection.count_documents({}) == 1


def test_list_by_agency_and_year_in_date_order(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 12, 31), DayKind.DAY_OFF, "b")
    overrides.set(AGENCY, date(2026, 1, 2), DayKind.DAY_OFF, "a")
    overrides.set(AGENCY, date(2027, 1, 2), DayKind.WORKING_DAY, "c")
    overrides.set("000.00.13.H56", date(2026, 6, 1), DayKind.DAY_OFF, "another agency")
    assert [o.reason for o in overrides.list(AGENCY)] == ["a", "b", "c"]
    assert [o.reason for o in overrides.list(AGENCY, year=2026)] == ["a", "b"]
    assert overrides.list(AGENCY, year=2025) == []
    assert [o.reason for o in overrides.list("000.00.13.H56")] == ["another agency"]


def test_delete_says_whether_there_was_an_override(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 3, 7), DayKind.WORKING_DAY, "")
    assert overrides.delete(AGENCY, date(2026, 3, 7))
    assert not overrides.delete(AGENCY, date(2026, 3, 7))
    assert overrides.list(AGENCY) == []


def test_agency_and_day_are_unique_even_under_another_id(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 3, 7), DayKind.WORKING_DAY, "")
    with pytest.raises(DuplicateKeyError):
        overrides.collection.insert_one({"_id": "other", "agency": AGENCY, "date": "2026-03-07", "kind": "day_off"})


def test_the_agency_calendar_counts_its_overrides(overrides: OverrideStore) -> None:
    overrides.set(AGENCY, date(2026, 3, 7), DayKind.WORKING_DAY, "Thứ Bảy làm việc")
    overrides.set(AGENCY, date(2026, 3, 9), DayKind.DAY_OFF, "Nghỉ bù")
    friday = datetime(2026, 3, 6, 9, 30, tzinfo=TZ)
    calendar = overrides.calendar(AGENCY)
    assert calendar.add_working_days(friday, 1) == datetime(2026, 3, 7, 9, 30, tzinfo=TZ)
    assert calendar.add_working_days(friday, 2) == datetime(2026, 3, 10, 9, 30, tzinfo=TZ)
    other_hours = overrides.calendar(AGENCY, WorkingHours.parse("08:00-12:00,13:00-17:00"))
    assert other_hours.next_working_start(datetime(2026, 3, 7, 7, 0, tzinfo=TZ)) == datetime(2026, 3, 7, 8, 0, tzinfo=TZ)
    assert overrides.calendar("000.00.13.H56").add_working_days(friday, 1) == datetime(2026, 3, 9, 9, 30, tzinfo=TZ)
