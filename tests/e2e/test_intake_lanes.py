"""Intake's forms are issued in a consumer group of their own: while signing is away and every form waits,
routing's status changes still reach the public lookup."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.topics import DOSSIER_STATUS_CHANGED
from motcua.v1 import common_pb2, events_pb2

from tests.conftest import eventually
from tests.factories import APPLICANT, clerk, dossier_body, pdf, upload

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def lane(stack) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    prefix = f"lane{uuid.uuid4().hex[:8]}"
    with stack.serving(prefix, "intake") as url:  # no signing: every form waits for it
        yield url, prefix


def lookup(intake: str, code: str) -> dict:  # type: ignore[type-arg]
    response = requests.get(f"{intake}/api/v1/dossiers/{code}", params={"phone": APPLICANT["phone"]}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_status_changes_reach_the_lookup_while_forms_wait_for_signing(lane, stack):  # type: ignore[no-untyped-def]
    intake, prefix = lane
    created = requests.post(f"{intake}/api/v1/dossiers", headers=clerk(), timeout=20,
                            json=dossier_body(upload(intake, pdf("lane-1"), clerk())))
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert created.json()["status"]["code"] == common_pb2.DOSSIER_STATUS_RECEIVED

    changed = Event.new(DOSSIER_STATUS_CHANGED, events_pb2.DossierStatusChanged(
        dossier_code=code, status=common_pb2.DOSSIER_STATUS_IN_PROGRESS,
        previous_status=common_pb2.DOSSIER_STATUS_RECEIVED, department="tu-phap",
        changed_at=timestamp(datetime.now(UTC)), note="Chuyển phòng Tư pháp"), subject=code, source="routing")
    with mkafka.producer(stack.kafka, "motcua-tests") as producer:
        mkafka.publish(producer, changed, prefix).get(timeout=30)

    dossier = eventually(lambda: (d := lookup(intake, code))["status"]["code"] == 4 and d, 60,
                         interval=0.3, what=f"status 4 of {code} in the lookup")
    assert [entry["status"]["code"] for entry in dossier["history"]] == [1, 2, 4]
    assert dossier["forms"] == {}
