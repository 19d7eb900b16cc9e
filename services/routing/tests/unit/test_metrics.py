"""Routing's dossier metrics: in progress and overdue per agency, completions early, on time or late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from motcua.auth import Principal
from motcua.errors import Conflict
from prometheus_client import REGISTRY
from routing.results import Results
from routing.service import DECIDED, IN_PROGRESS, RoutingService

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
HOA_LU, HAC_THANH, ELSEWHERE = "000.00.12.H56", "000.01.31.H56", "000.02.07.H56"


class FakeRepository:
    """Routing's repository over dicts, answering what the service asks of it."""

    def __init__(self, agencies: list[str]) -> None:
        self.agencies = agencies
        self.dossiers: dict[str, dict[str, Any]] = {}

    def add(self, code: str, agency: str, status: int, appointment_at: datetime) -> None:
        self.dossiers[code] = {"_id": code, "agency_id": agency, "department": "tu-phap", "status": status,
                               "procedure_code": "1.001193", "channel": 1, "received_at": appointment_at - timedelta(days=3),
                               "appointment_at": appointment_at, "supplement_requests": 0, "paused_seconds": 0.0,
                               "result": {"decided_at": NOW, "decided_by": "ld-1", "document_id": "d" * 32}}

    def list_agencies(self) -> list[str]:
        return self.agencies

    def count_by_agency(self, status: int, due_before: datetime) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for dossier in self.dossiers.values():
            if dossier["status"] == status:
                every, late = counts.get(dossier["agency_id"], (0, 0))
                counts[dossier["agency_id"]] = (every + 1, late + (dossier["appointment_at"] < due_before))
        return counts

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        return self.dossiers.get(code)

    def update_dossier(self, code: str, condition: dict[str, Any], update: dict[str, Any]) -> dict[str, Any] | None:
        dossier = self.dossiers[code]
        if any(dossier[k] != v for k, v in condition.items()):
            return None
        dossier.update(update["$set"])
        return dossier


class FakeSigner:
    def sign_result(self, dossier: dict[str, Any], decided_at: datetime) -> tuple[str, str]:
        return "d" * 32, "0" * 64


def service(repo: FakeRepository, now: datetime = NOW) -> RoutingService:
    return RoutingService(repo=repo, queues=None, kick=lambda *_: None, alarms=None,  # type: ignore[arg-type]
                          clock=lambda: now)  # type: ignore[arg-type]


def gauge(name: str, agency: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"agency": agency})


def completed(agency: str, timeliness: str) -> float:
    return REGISTRY.get_sample_value("motcua_dossiers_completed_total",
                                     {"agency": agency, "timeliness": timeliness}) or 0.0


def test_open_dossiers_are_counted_per_agency_and_overdue_once_past_their_deadline():
    repo = FakeRepository([HOA_LU, HAC_THANH])
    repo.add("A-1", HOA_LU, IN_PROGRESS, NOW - timedelta(minutes=1))
    repo.add("A-2", HOA_LU, IN_PROGRESS, NOW + timedelta(days=3))
    repo.add("A-3", HOA_LU, DECIDED, NOW - timedelta(days=9))
    repo.add("B-1", ELSEWHERE, IN_PROGRESS, NOW - timedelta(days=1))
    counts = service(repo).count_open_dossiers()
    assert counts == {HOA_LU: (2, 1), HAC_THANH: (0, 0), ELSEWHERE: (1, 1)}


def test_the_gauges_show_the_last_count_and_drop_agencies_that_left_it():
    repo = FakeRepository([HOA_LU])
    repo.add("A-1", HOA_LU, IN_PROGRESS, NOW - timedelta(hours=2))
    repo.add("B-1", ELSEWHERE, IN_PROGRESS, NOW + timedelta(hours=2))
    routing = service(repo)
    routing.report_open_dossiers()
    assert (gauge("motcua_dossiers_in_progress", HOA_LU), gauge("motcua_dossiers_overdue", HOA_LU)) == (1.0, 1.0)
    assert (gauge("motcua_dossiers_in_progress", ELSEWHERE), gauge("motcua_dossiers_overdue", ELSEWHERE)) == (1.0, 0.0)

    repo.dossiers["A-1"]["status"] = DECIDED
    del repo.dossiers["B-1"]
    routing.report_open_dossiers()
    assert (gauge("motcua_dossiers_in_progress", HOA_LU), gauge("motcua_dossiers_overdue", HOA_LU)) == (0.0, 0.0)
    assert gauge("motcua_dossiers_in_progress", ELSEWHERE) is None


@pytest.mark.parametrize(("due_in", "timeliness"), [(timedelta(days=1), "early"), (timedelta(0), "on_time"),
                                                    (-timedelta(seconds=1), "late")])
def test_a_returned_result_counts_one_completion_by_its_timeliness(due_in, timeliness):
    repo = FakeRepository([HAC_THANH])
    repo.add("C-1", HAC_THANH, DECIDED, NOW + due_in)
    others = [t for t in ("early", "on_time", "late") if t != timeliness]
    before = completed(HAC_THANH, timeliness), [completed(HAC_THANH, t) for t in others]
    clerk = Principal(sub="tn-1", agency=HAC_THANH, department="", roles=frozenset({"clerk"}))
    results = Results(service(repo), FakeSigner())
    results.return_result(clerk, "C-1")
    with pytest.raises(Conflict):
        results.return_result(clerk, "C-1")
    assert completed(HAC_THANH, timeliness) == before[0] + 1
    assert [completed(HAC_THANH, t) for t in others] == before[1]
