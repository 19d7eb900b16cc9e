"""Routing's counts of open dossiers, on the session's MongoDB-wire server (FerretDB unless MONGO_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from motcua import store
from routing.repository import Repository
from routing.service import DECIDED, IN_PROGRESS

pytestmark = pytest.mark.stack
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def test_open_dossiers_are_counted_per_agency_with_those_past_their_deadline(stack, prefix):  # type: ignore[no-untyped-def]
    mongo = store.connect(stack.mongo_url, "motcua-tests")
    try:
        repo = Repository(mongo[f"{prefix}_motcua_routing"])
        for sub, agency in (("cv-1", "000.00.12.H56"), ("cv-2", "000.00.12.H56"), ("cv-3", "000.01.31.H56")):
            repo.save_officer({"sub": sub, "agency": agency, "department": "tu-phap", "roles": ["officer"]})
        dossiers = [("A-1", "000.00.12.H56", IN_PROGRESS, -timedelta(days=2)),
                    ("A-2", "000.00.12.H56", IN_PROGRESS, timedelta(hours=1)),
                    ("A-3", "000.00.12.H56", DECIDED, -timedelta(days=5)),
                    ("B-1", "000.02.07.H56", IN_PROGRESS, -timedelta(seconds=1))]
        for code, agency, status, due_in in dossiers:
            repo.insert_dossier({"_id": code, "agency_id": agency, "status": status, "appointment_at": NOW + due_in})

        assert repo.list_agencies() == ["000.00.12.H56", "000.01.31.H56"]
        assert repo.count_by_agency(IN_PROGRESS, NOW) == {"000.00.12.H56": (2, 1), "000.02.07.H56": (1, 1)}
        assert repo.count_by_agency(IN_PROGRESS, NOW - timedelta(days=3)) == {"000.00.12.H56": (2, 0),
                                                                            "000.02.07.H56": (1, 0)}
    finally:
        mongo.close()
