"""Routing's workbench against the real stack: Kafka, FerretDB, signing, and two routing replicas.

Dossiers enter by `DossierReceived` events published to Kafka as intake would; officials act over gRPC
Workbench with development tokens; what routing emits is read back from the dossier topic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
import requests
from motcua import calendar, store
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.rpc import error_details
from motcua.topics import DOSSIER_RECEIVED, SUPPLEMENT_PROVIDED
from motcua.v1 import (
    events_pb2,
    routing_pb2,
    routing_pb2_grpc,
    signing_pb2,
    signing_pb2_grpc,
)
from pymongo import MongoClient

from tests.conftest import eventually
from tests.e2e.routing_client import (
    CLERK,
    FAST,
    LEADER,
    OFFICERS,
    POLICE,
    PREFIX,
    SECOND_REPLICA_OFFSET,
    TWO_STEP_CLAIM,
    dossier_view,
    emitted,
    kinds,
    official,
    opened,
    publish,
    received,
    refused,
    replica_ports,
    sample,
    scheduler_ticks,
)
from tests.factories import COMMUNE, admin

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def routing(stack) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    stack.prefix = PREFIX
    mkafka.ensure_topics(stack.kafka, PREFIX)
    second = stack.ports.http["routing"] + SECOND_REPLICA_OFFSET
    try:
        stack.start_service("signing", label="signing-wb")
        stack.start_service("routing", label="routing-a", env=FAST)
        stack.start_service("routing", label="routing-b", role="worker",
                            env={**FAST, "MOTCUA_ROUTING_HTTP_PORT": str(second)})
        yield stack
    finally:
        for name in ("routing-b", "routing-a", "signing-wb"):
            stack.stop(name)
        stack.prefix = ""


@pytest.fixture(scope="module")
def workbench(routing) -> routing_pb2_grpc.WorkbenchStub:  # type: ignore[no-untyped-def]
    return routing_pb2_grpc.WorkbenchStub(grpc.insecure_channel(f"127.0.0.1:{routing.ports.grpc['routing']}"))


def follow(watch: Iterator[routing_pb2.QueueChange], seen: list[routing_pb2.QueueChange]) -> None:
    """Collect a WatchQueue stream until the test cancels it."""
    try:
        seen.extend(watch)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.CANCELLED:
            raise


def test_a_three_step_inter_agency_dossier_goes_to_a_returned_result(routing, workbench, producer):  # type: ignore[no-untyped-def]
    event = received(procedure="3.000722", workflow="inter-agency")
    code = event.subject
    view = opened(workbench, producer, event)
    assert view.workflow == "inter-agency" and view.status == 4 and view.task.step == "tham-dinh"
    examiner = OFFICERS[int(view.task.assignee[-1]) - 1]
    assert code in [t.dossier_code for t in workbench.ListQueue(routing_pb2.ListQueueRequest(), metadata=examiner,
                                                                 timeout=10).tasks]

    # an official of another department neither sees nor moves it; a stale task id is refused
    assert refused(workbench.GetDossier, routing_pb2.WorkbenchDossierRequest(dossier_code=code),
                   metadata=POLICE[0]) == (grpc.StatusCode.PERMISSION_DENIED, "OUT_OF_SCOPE")
    assert refused(workbench.Forward, routing_pb2.TaskActionRequest(dossier_code=code, task_id=view.task.task_id),
                   metadata=POLICE[0]) == (grpc.StatusCode.PERMISSION_DENIED, "OUT_OF_SCOPE")
    first = workbench.Forward(routing_pb2.TaskActionRequest(dossier_code=code, task_id=view.task.task_id,
                                                            comment="Hồ sơ đầy đủ"), metadata=examiner, timeout=10)
    assert refused(workbench.Forward, routing_pb2.TaskActionRequest(dossier_code=code, task_id=view.task.task_id),
                   metadata=examiner) == (grpc.StatusCode.PERMISSION_DENIED, "OUT_OF_SCOPE")
    assert first.task.step == "cong-an" and first.task.department == "cong-an"

    police = POLICE[int(first.task.assignee[-1]) - 1]
    second = workbench.Forward(routing_pb2.TaskActionRequest(dossier_code=code, task_id=first.task.task_id),
                               metadata=police, timeout=10)
    assert refused(workbench.Forward, routing_pb2.TaskActionRequest(dossier_code=code, task_id=first.task.task_id),
                   metadata=police) == (grpc.StatusCode.PERMISSION_DENIED, "OUT_OF_SCOPE")
    assert second.task.step == "phe-duyet" and second.task.assignee == f"ld-tu-phap-{COMMUNE}"
    stale = routing_pb2.ApproveRequest(dossier_code=code, task_id=first.task.task_id)
    assert refused(workbench.Approve, stale, metadata=LEADER) == (grpc.StatusCode.FAILED_PRECONDITION, "TASK_STALE")

    approved = workbench.Approve(routing_pb2.ApproveRequest(dossier_code=code, task_id=second.task.task_id),
                                 metadata=LEADER, timeout=60)
    signing = signing_pb2_grpc.SigningStub(grpc.insecure_channel(f"127.0.0.1:{routing.ports.grpc['signing']}"))
    verified = signing.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=approved.document_id), timeout=30)
    assert verified.valid and len(verified.signatures) == 2

    returned = workbench.ReturnResult(routing_pb2.ReturnResultRequest(dossier_code=code), metadata=CLERK, timeout=10)
    assert (returned.status, returned.timeliness) == (10, events_pb2.TIMELINESS_EARLY)
    assert refused(workbench.ReturnResult, routing_pb2.ReturnResultRequest(dossier_code=code),
                   metadata=CLERK) == (grpc.StatusCode.FAILED_PRECONDITION, "NOT_DECIDED")

    events = emitted(routing, code, lambda found: "completed" in kinds(found))
    assert kinds(events) == ["task_assigned", "status_changed", "task_assigned", "status_changed", "task_assigned",
                             "status_changed", "status_changed", "result_ready", "status_changed", "completed"]
    done: events_pb2.DossierCompleted = events[-1].payload  # type: ignore[assignment]
    assert (done.procedure_code, done.agency_id, done.timeliness, done.decided_by, done.returned_by) == (
        "3.000722", COMMUNE, events_pb2.TIMELINESS_EARLY, f"ld-tu-phap-{COMMUNE}", "tn-hac-thanh-01")
    sheet = workbench.GetDossier(routing_pb2.WorkbenchDossierRequest(dossier_code=code), metadata=LEADER, timeout=10)
    assert [r.action for r in sheet.hand_overs] == ["receive", "forward", "forward", "approve"]


def test_two_officers_racing_to_claim_one_task_exactly_one_wins(routing, workbench, producer):  # type: ignore[no-untyped-def]
    saved = requests.put(f"http://127.0.0.1:{routing.ports.http['routing']}/api/v1/admin/workflows/2.000635@7",
                         json=TWO_STEP_CLAIM, headers=admin(), timeout=10)
    assert saved.status_code == 200, saved.text
    event = received(procedure="2.000635", version=7)
    view = opened(workbench, producer, event)
    assert view.workflow == "2.000635@7" and view.task.assignee == ""
    pool = workbench.ListQueue(routing_pb2.ListQueueRequest(include_unclaimed=True), metadata=OFFICERS[0], timeout=10)
    assert event.subject in [t.dossier_code for t in pool.tasks]

    outcomes: list[Any] = []
    start = threading.Barrier(2)

    def claim(who) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            outcomes.append(workbench.Claim(routing_pb2.TaskActionRequest(dossier_code=event.subject,
                                                                          task_id=view.task.task_id),
                                            metadata=who, timeout=30).task.assignee)
        except grpc.RpcError as error:
            outcomes.append((error.code(), error_details(error)["reason"]))

    threads = [threading.Thread(target=claim, args=(who,)) for who in OFFICERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1 and winners[0].startswith(f"cv-tu-phap-{COMMUNE}-")
    assert [o for o in outcomes if not isinstance(o, str)] == [(grpc.StatusCode.FAILED_PRECONDITION, "TASK_TAKEN")]
    after = workbench.GetDossier(routing_pb2.WorkbenchDossierRequest(dossier_code=event.subject), metadata=LEADER,
                                 timeout=10)
    assert after.task.assignee == winners[0]
    winner = OFFICERS[int(winners[0][-1]) - 1]
    again = workbench.Claim(routing_pb2.TaskActionRequest(dossier_code=event.subject, task_id=view.task.task_id),
                            metadata=winner, timeout=10)
    assert again.task.assignee == winners[0]  # a repeated claim by the winner changes nothing


def test_a_bad_workflow_gets_a_problem_per_field_and_is_not_saved(routing):  # type: ignore[no-untyped-def]
    base = f"http://127.0.0.1:{routing.ports.http['routing']}/api/v1/admin/workflows"
    bad = {"name": "x", "steps": [{**TWO_STEP_CLAIM["steps"][0], "share": 50}, TWO_STEP_CLAIM["steps"][1]]}
    response = requests.put(f"{base}/1.004222@3", json=bad, headers=admin(), timeout=10)
    assert response.status_code == 422 and response.headers["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == ["/steps"]
    assert requests.get(f"{base}/1.004222@3", headers=admin(), timeout=10).status_code == 404
    officer = {"Authorization": OFFICERS[0][0][1]}
    assert requests.put(f"{base}/standard", json=TWO_STEP_CLAIM, headers=officer, timeout=10).status_code == 403
    listed = requests.get(base, headers=admin(), timeout=10).json()["workflows"]
    assert {"standard", "inter-agency"} <= {w["id"] for w in listed}


def test_a_supplement_request_stops_the_clock_and_the_supplement_restarts_it(routing, workbench, producer):  # type: ignore[no-untyped-def]
    event = received()
    code = event.subject
    view = opened(workbench, producer, event)
    examiner = OFFICERS[int(view.task.assignee[-1]) - 1]
    item = events_pb2.SupplementRequestItem(document_type="giay-chung-sinh", name="Giấy chứng sinh", reason="Bản mờ")
    assert refused(workbench.RequestSupplement, routing_pb2.RequestSupplementRequest(dossier_code=code),
                   metadata=examiner)[0] == grpc.StatusCode.INVALID_ARGUMENT
    paused = workbench.RequestSupplement(routing_pb2.RequestSupplementRequest(
        dossier_code=code, task_id=view.task.task_id, items=[item]), metadata=examiner, timeout=10)
    assert paused.status == 5
    assert refused(workbench.Forward, routing_pb2.TaskActionRequest(dossier_code=code, task_id=view.task.task_id),
                   metadata=examiner) == (grpc.StatusCode.FAILED_PRECONDITION, "TASK_STALE")

    # the citizen answers two working days later; the same event delivered twice resumes once
    provided_at = calendar.add_working_days(datetime.now(UTC), 2)
    supplement = Event.new(SUPPLEMENT_PROVIDED, events_pb2.SupplementProvided(
        dossier_code=code, provided_at=timestamp(provided_at), after_reception=True), subject=code, source="intake")
    publish(producer, supplement, supplement)
    resumed = eventually(lambda: (v := dossier_view(workbench, code, LEADER)).status == 4 and v, 60, what="status 4 again")
    shift = resumed.appointment_at.ToDatetime(UTC) - view.appointment_at.ToDatetime(UTC)
    assert shift >= timedelta(days=2)  # two working days (and any weekend between) no longer count
    assert resumed.task.due_at.ToDatetime(UTC) > view.task.due_at.ToDatetime(UTC)
    assert resumed.supplement_requests == 1
    events = emitted(routing, code, lambda found: kinds(found).count("status_changed") >= 3)
    statuses = [(e.payload.previous_status, e.payload.status) for e in events  # type: ignore[attr-defined]
                if e.type.name.endswith(".status_changed.v1")]
    assert statuses == [(2, 4), (4, 5), (5, 4)]


def test_a_redelivered_received_event_opens_the_dossier_once(routing, workbench, producer):  # type: ignore[no-untyped-def]
    event = received()
    again = Event.new(DOSSIER_RECEIVED, event.payload, subject=event.subject, source="intake")  # a new id, same dossier
    view = opened(workbench, producer, event)
    publish(producer, event, again)
    late = received()
    opened(workbench, producer, late)  # routing has consumed everything published before it
    assert dossier_view(workbench, event.subject, LEADER).task.task_id == view.task.task_id
    events = emitted(routing, event.subject, lambda found: len(found) >= 2)
    assert kinds(events) == ["task_assigned", "status_changed"]


def test_a_redelivered_received_event_puts_back_a_queue_entry_a_crash_lost(routing, workbench, producer):  # type: ignore[no-untyped-def]
    event = received()
    view = opened(workbench, producer, event)
    owner = view.task.assignee
    assert owner  # the standard workflow's first step goes to the least-loaded officer
    with MongoClient(routing.mongo_url) as client:
        # As if routing had stopped right after inserting the dossier: no queue entry, the event not marked handled.
        db = store.database(client, "routing", PREFIX)
        lost = db["queues"].update_many({"_id": {"$regex": f"^{owner}\\|"}},
                                        {"$unset": {f"tasks.{view.task.task_id}": ""}})
        unmarked = db["inbox"].delete_one({"_id": event.id})
    assert lost.modified_count == 1 and unmarked.deleted_count == 1
    who = official("officer", owner)

    def queued() -> bool:
        tasks = workbench.ListQueue(routing_pb2.ListQueueRequest(page_size=500), metadata=who, timeout=10).tasks
        return event.subject in [t.dossier_code for t in tasks]

    assert not queued()
    publish(producer, event)  # the same event again, as Kafka redelivers an uncommitted one
    eventually(queued, 60, what=f"{event.subject} back in its queue")


def test_overdue_fires_once_with_two_replicas_running(routing, workbench, producer):  # type: ignore[no-untyped-def]
    past = datetime.now(UTC) - timedelta(days=10)
    event = received(received_at=past, days=1)  # the appointment passed days ago
    opened(workbench, producer, event)

    def alarms(found: list[Event]) -> bool:
        return {"due_soon", "overdue"} <= set(kinds(found))

    first = emitted(routing, event.subject, alarms)
    assert kinds(first).count("overdue") == 1
    # both replicas keep ticking and re-reading the current minute's alarms; each claim after the first loses
    ticks = [scheduler_ticks(routing, port) for port in replica_ports(routing)]
    eventually(lambda: all(scheduler_ticks(routing, port) >= seen + 2 for port, seen in zip(replica_ports(routing),
                                                                                              ticks, strict=True)),
               30, what="two more ticks of each replica")
    events = emitted(routing, event.subject, alarms)
    overdue = [e.payload for e in events if e.type.name.endswith(".overdue.v1")]
    assert len(overdue) == 1 and overdue[0].step == "" and overdue[0].agency_id == COMMUNE  # type: ignore[attr-defined]
    assert kinds(events).count("due_soon") == 1


def test_form_04_moves_the_appointment_once_and_form_05_is_data_and_a_signed_pdf(routing, workbench, producer):  # type: ignore[no-untyped-def]
    event = received()
    code = event.subject
    view = opened(workbench, producer, event)
    before = view.appointment_at.ToDatetime(UTC)
    later = calendar.add_working_days(before, 2)

    def apology(at: datetime, reason: str = "Chờ xác minh của Công an") -> routing_pb2.IssueApologyRequest:
        return routing_pb2.IssueApologyRequest(dossier_code=code, reason=reason, new_appointment_at=timestamp(at))

    assert refused(workbench.IssueApology, apology(later), metadata=OFFICERS[0]) == (
        grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    other_leader = official("leader", f"ld-cong-an-{COMMUNE}", "cong-an")
    assert refused(workbench.IssueApology, apology(later), metadata=other_leader) == (
        grpc.StatusCode.PERMISSION_DENIED, "OUT_OF_SCOPE")
    assert refused(workbench.IssueApology, apology(before - timedelta(hours=1)), metadata=LEADER)[0] == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert refused(workbench.IssueApology, apology(later, " "), metadata=LEADER)[0] == grpc.StatusCode.INVALID_ARGUMENT

    issued = workbench.IssueApology(apology(later), metadata=LEADER, timeout=60)
    assert issued.document_id and issued.new_appointment_at.ToDatetime(UTC) == later
    assert refused(workbench.IssueApology, apology(later + timedelta(days=1)), metadata=LEADER) == (
        grpc.StatusCode.FAILED_PRECONDITION, "APOLOGY_ALREADY_ISSUED")
    assert dossier_view(workbench, code, LEADER).appointment_at.ToDatetime(UTC) == later

    events = emitted(routing, code, lambda found: "apology_issued" in kinds(found))
    sent: events_pb2.ApologyIssued = events[-1].payload  # type: ignore[assignment]
    assert (sent.document_id, sent.issued_by, sent.reason) == (issued.document_id, f"ld-tu-phap-{COMMUNE}",
                                                              "Chờ xác minh của Công an")
    assert sent.previous_appointment_at.ToDatetime(UTC) == before and sent.new_appointment_at.ToDatetime(UTC) == later

    sheet = workbench.GetControlSheet(routing_pb2.ControlSheetRequest(dossier_code=code, pdf=True), metadata=LEADER,
                                      timeout=60)
    assert [(r.action, r.giver, r.receiver) for r in sheet.rows] == [("receive", "tn-hac-thanh-01", view.task.assignee)]
    assert sheet.rows[0].step == "Thẩm định hồ sơ" and sheet.deciding_department == "tu-phap"
    signing = signing_pb2_grpc.SigningStub(grpc.insecure_channel(f"127.0.0.1:{routing.ports.grpc['signing']}"))
    for document_id in (issued.document_id, sheet.document_id):
        assert signing.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=document_id), timeout=30).valid
    as_data = workbench.GetControlSheet(routing_pb2.ControlSheetRequest(dossier_code=code), metadata=OFFICERS[0],
                                        timeout=10)
    assert as_data.document_id == "" and list(as_data.rows) == list(sheet.rows)


def test_leave_reassignment_returns_rejection_and_the_watched_queue(routing, workbench, producer):  # type: ignore[no-untyped-def]
    leave_url = f"http://127.0.0.1:{routing.ports.http['routing']}/api/v1/admin/officers/cv-tu-phap-{COMMUNE}-1/leave"
    bad = requests.put(leave_url, json={"leave": [{"from": "2026-12-05", "to": "2026-12-01"}]}, headers=admin(),
                       timeout=10)
    assert bad.status_code == 422 and [e["pointer"] for e in bad.json()["errors"]] == ["/leave/0/to"]
    today = datetime.now(calendar.TZ).date().isoformat()
    assert requests.put(leave_url, json={"leave": [{"from": today, "to": today}]}, headers=admin(),
                        timeout=10).status_code == 200
    watch = workbench.WatchQueue(routing_pb2.WatchQueueRequest(), metadata=OFFICERS[1], timeout=120)
    seen: list[routing_pb2.QueueChange] = []
    threading.Thread(target=follow, args=(watch, seen), daemon=True).start()
    try:
        first, second = received(), received()
        for event in (first, second):
            view = opened(workbench, producer, event)
            assert view.task.assignee == f"cv-tu-phap-{COMMUNE}-2"  # the other officer is on leave today
        eventually(lambda: {c.task.dossier_code for c in seen if c.kind == c.KIND_ADDED} >= {first.subject,
                                                                                              second.subject},
                   30, what="both dossiers pushed to the watcher")
        everything = workbench.ListQueue(routing_pb2.ListQueueRequest(page_size=500), metadata=OFFICERS[1],
                                         timeout=10).tasks
        paged, token = [], ""
        while True:
            page = workbench.ListQueue(routing_pb2.ListQueueRequest(page_size=1, page_token=token),
                                       metadata=OFFICERS[1], timeout=10)
            paged += page.tasks
            if not (token := page.next_page_token):
                break
        assert [t.task_id for t in paged] == [t.task_id for t in everything] and len(everything) >= 2
        assert [t.due_at.ToDatetime() for t in everything] == sorted(t.due_at.ToDatetime() for t in everything)
        only = workbench.ListQueue(routing_pb2.ListQueueRequest(procedure_code="9.999999"), metadata=OFFICERS[1],
                                   timeout=10)
        assert list(only.tasks) == []
        task = dossier_view(workbench, first.subject, LEADER).task
        move = routing_pb2.ReassignRequest(dossier_code=first.subject, task_id=task.task_id,
                                           assignee=f"cv-tu-phap-{COMMUNE}-1")
        assert refused(workbench.Reassign, move, metadata=OFFICERS[1]) == (grpc.StatusCode.PERMISSION_DENIED,
                                                                           "ROLE_REQUIRED")
        assert refused(workbench.Reassign, move, metadata=LEADER)[0] == grpc.StatusCode.INVALID_ARGUMENT
        assert requests.put(leave_url, json={"leave": []}, headers=admin(), timeout=10).status_code == 200
        assert workbench.Reassign(move, metadata=LEADER, timeout=10).task.assignee == f"cv-tu-phap-{COMMUNE}-1"
        eventually(lambda: any(c.kind == c.KIND_REMOVED and c.task.dossier_code == first.subject for c in seen), 30,
                   what="the reassigned dossier leaving the watcher's queue")
    finally:
        watch.cancel()
        requests.put(leave_url, json={"leave": []}, headers=admin(), timeout=10)

    step = routing_pb2.TaskActionRequest(dossier_code=first.subject, task_id=task.task_id, comment="Thiếu chữ ký")
    assert refused(workbench.ReturnToPrevious, step, metadata=OFFICERS[0]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                                              "ACTION_NOT_ALLOWED")
    workbench.AddComment(step, metadata=OFFICERS[0], timeout=10)
    forwarded = workbench.Forward(step, metadata=OFFICERS[0], timeout=10)
    at_leader = routing_pb2.TaskActionRequest(dossier_code=first.subject, task_id=forwarded.task.task_id)
    assert refused(workbench.ReturnToPrevious, at_leader, metadata=LEADER)[0] == grpc.StatusCode.INVALID_ARGUMENT
    at_leader.comment = "Bổ sung ý kiến thẩm định"
    back = workbench.ReturnToPrevious(at_leader, metadata=LEADER, timeout=10)
    assert back.task.step == "tham-dinh" and back.status == 4
    examiner = OFFICERS[int(back.task.assignee[-1]) - 1]
    again = workbench.Forward(routing_pb2.TaskActionRequest(dossier_code=first.subject, task_id=back.task.task_id),
                              metadata=examiner, timeout=10)
    stopped = workbench.Reject(routing_pb2.TaskActionRequest(dossier_code=first.subject, task_id=again.task.task_id,
                                                             comment="Không đủ điều kiện"), metadata=LEADER, timeout=10)
    assert stopped.status == 8 and not stopped.HasField("task")
    view = dossier_view(workbench, first.subject, LEADER)
    assert [c.text for c in view.comments] == ["Thiếu chữ ký"]
    assert [r.action for r in view.hand_overs] == ["receive", "reassign", "forward", "return", "forward", "reject"]


def test_statistics_per_department_procedure_and_official_for_leaders_only(routing, workbench, producer):  # type: ignore[no-untyped-def]
    start = datetime.now(UTC)
    waiting, quick = received(procedure="2.000815", received_at=start), received(procedure="2.000815", received_at=start)
    for event in (waiting, quick):
        opened(workbench, producer, event)
    view = dossier_view(workbench, quick.subject, LEADER)
    examiner = OFFICERS[int(view.task.assignee[-1]) - 1]
    at_leader = workbench.Forward(routing_pb2.TaskActionRequest(dossier_code=quick.subject, task_id=view.task.task_id),
                                  metadata=examiner, timeout=10)
    workbench.Approve(routing_pb2.ApproveRequest(dossier_code=quick.subject, task_id=at_leader.task.task_id),
                      metadata=LEADER, timeout=60)
    window = routing_pb2.StatisticsRequest(received_from=timestamp(start - timedelta(seconds=1)),
                                           received_until=timestamp(datetime.now(UTC)))
    assert refused(workbench.GetStatistics, window, metadata=OFFICERS[0]) == (grpc.StatusCode.PERMISSION_DENIED,
                                                                             "ROLE_REQUIRED")
    elsewhere = routing_pb2.StatisticsRequest(agency_id="000.02.31.H56")
    assert refused(workbench.GetStatistics, elsewhere, metadata=LEADER)[0] == grpc.StatusCode.PERMISSION_DENIED
    rows = {(r.dimension, r.key): r for r in workbench.GetStatistics(window, metadata=LEADER, timeout=30).rows}
    procedure = rows[("procedure", "2.000815")]
    assert (procedure.received, procedure.in_progress, procedure.early + procedure.on_time, procedure.late) == (
        2, 1, 1, 0)
    assert rows[("agency", COMMUNE)].received == 2 and rows[("department", "tu-phap")].received == 2
    official = rows[("official", view.task.assignee)]
    assert official.early + official.on_time >= 1 and official.late == 0
    opened_here = sum(sample(routing, port, "motcua_dossiers_opened_total", procedure="2.000815", agency=COMMUNE)
                      for port in replica_ports(routing))
    assert opened_here == 2  # whichever replica consumed each one
