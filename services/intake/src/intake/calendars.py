"""Each agency's working-day calendar: the national one plus the agency's overrides, kept in intake.

Routing reads the same overrides over gRPC (IntakeService.ListCalendarOverrides). Calendars are cached for
a short time, so a change reaches every replica within CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from motcua.calendar import Calendar, DayKind, OverrideStore, WorkingHours
from motcua.errors import FieldError, InvalidInput

from intake import errors
from intake.catalog import CatalogService

CACHE_SECONDS = 60.0


class CalendarService:
    """Overrides per agency (extra days off, working Saturdays) and the calendars they make."""

    def __init__(self, *, store: OverrideStore, catalog: CatalogService, hours: WorkingHours | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.hours = hours or WorkingHours()
        self._cache: dict[str, tuple[float, Calendar]] = {}
        self._lock = threading.Lock()

    def for_agency(self, agency_id: str) -> Calendar:
        """The calendar deadlines at this agency are counted on."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(agency_id)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        built = self.store.calendar(agency_id, self.hours)
        with self._lock:
            self._cache[agency_id] = (now, built)
        return built

    def overrides(self, agency_id: str, year: int | None = None) -> list[dict[str, Any]]:
        self._agency(agency_id)
        return [{"date": o.day.isoformat(), "kind": str(o.kind), "reason": o.reason}
                for o in self.store.list(agency_id, year)]

    def set(self, agency_id: str, raw: Any) -> dict[str, Any]:
        self._agency(agency_id)
        day, kind, reason = self._parse(raw)
        override = self.store.set(agency_id, day, kind, reason)
        self._forget(agency_id)
        return {"date": override.day.isoformat(), "kind": str(override.kind), "reason": override.reason}

    def delete(self, agency_id: str, day_text: str) -> bool:
        self._agency(agency_id)
        day = self._date(day_text, "/date")
        deleted = self.store.delete(agency_id, day)
        self._forget(agency_id)
        return deleted

    def _agency(self, agency_id: str) -> None:
        if self.catalog.agency(agency_id) is None:
            raise errors.agency_not_found(agency_id)

    def _forget(self, agency_id: str) -> None:
        with self._lock:
            self._cache.pop(agency_id, None)

    def _parse(self, raw: Any) -> tuple[date, DayKind, str]:
        if not isinstance(raw, dict):
            raise InvalidInput(detail="an override is an object with date, kind and reason",
                               detail_vi="Ngày điều chỉnh gồm date, kind và reason",
                               errors=[FieldError("", "Dữ liệu không hợp lệ", "not an object")])
        day = self._date(raw.get("date"), "/date")
        kind = raw.get("kind")
        reason = raw.get("reason", "")
        problems = []
        if not isinstance(kind, str) or kind not in {k.value for k in DayKind}:
            problems.append(FieldError("/kind", "kind phải là day_off hoặc working_day", "kind must be day_off or working_day"))
        if not isinstance(reason, str) or len(reason) > 300:
            problems.append(FieldError("/reason", "Lý do tối đa 300 ký tự", "reason must be at most 300 characters"))
        if problems:
            raise InvalidInput(detail="the override has invalid fields", detail_vi="Ngày điều chỉnh không hợp lệ",
                               errors=problems)
        return day, DayKind(kind), str(reason)

    @staticmethod
    def _date(value: Any, pointer: str) -> date:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None or not 1901 <= day.year <= 2100:
            raise InvalidInput(detail="date must be YYYY-MM-DD", detail_vi="Ngày phải có dạng YYYY-MM-DD",
                               errors=[FieldError(pointer, "Ngày phải có dạng YYYY-MM-DD", "date must be YYYY-MM-DD")])
        return day
