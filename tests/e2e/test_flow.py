"""The whole platform as processes, driven through its public interfaces only."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import requests
from kafka import KafkaConsumer
from motcua import store
from motcua.events import Event
from motcua.topics import FEEDBACK, RATING_LINK_ISSUED, qualified
from motcua.v1 import routing_pb2, routing_pb2_grpc, signing_pb2, signing_pb2_grpc

from tests.conftest import eventually
from tests.factories import APPLICANT, COMMUNE, bearer, clerk, dossier_body, pdf, upload
from tests.sinks import requests_about

pytestmark = pytest.mark.stack
SERVICES = ("signing", "intake", "routing", "notification", "feedback")


@pytest.fixture(scope="module")
def platform(stack) -> Iterator:  # type: ignore[no-untyped-def]
    stack.prefix = "e2e"
    from motcua.kafka import ensure_topics

    ensure_topics(stack.kafka, "e2e")
    for name in SERVICES:
        stack.start_service(name)
    yield stack
    for name in reversed(SERVICES):
        stack.stop(name)
    stack.prefix = ""


def url(stack, service: str, path: str) -> str:  # type: ignore[no-untyped-def]
    return f"http://127.0.0.1:{stack.ports.http[service]}{path}"


def submit(stack, **overrides) -> requests.Response:  # type: ignore[no-untyped-def]
    base = url(stack, "intake", "")
    body = {**dossier_body(upload(base, pdf("flow"), clerk())), **overrides}
    return requests.post(f"{base}/api/v1/dossiers", json=body, headers=clerk(), timeout=10)


def test_a_dossier_goes_from_submission_to_a_signed_result_and_a_rating(platform):  # type: ignore[no-untyped-def]
    created = submit(platform)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert code.startswith(f"{COMMUNE}-") and created.json()["status"]["code"] == 2

    lookup = url(platform, "intake", f"/api/v1/dossiers/{code}?phone=%2B84912345678")
    eventually(lambda: requests.get(lookup, timeout=5).json()["status"]["code"] == 4, 60, what="status 4 (in progress)")

    officer = [("authorization", bearer("--role", "officer", "--sub", f"cv-tu-phap-{COMMUNE}-1", "--agency", COMMUNE,
                                        "--department", "tu-phap")["Authorization"])]
    workbench = routing_pb2_grpc.WorkbenchStub(grpc.insecure_channel(f"127.0.0.1:{platform.ports.grpc['routing']}"))
    queue = workbench.ListQueue(routing_pb2.ListQueueRequest(), metadata=officer, timeout=10)
    assert code in [t.dossier_code for t in queue.tasks]

    other = [("authorization", bearer("--role", "officer", "--sub", f"cv-cong-an-{COMMUNE}-1", "--agency", COMMUNE,
                                      "--department", "cong-an")["Authorization"])]
    with pytest.raises(grpc.RpcError) as refused:
        workbench.Approve(routing_pb2.ApproveRequest(dossier_code=code), metadata=other, timeout=30)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    task = next(t for t in queue.tasks if t.dossier_code == code)
    assert task.step == "tham-dinh" and list(task.actions) == ["forward", "supplement"]
    with pytest.raises(grpc.RpcError) as not_here:
        workbench.Approve(routing_pb2.ApproveRequest(dossier_code=code), metadata=officer, timeout=30)
    assert not_here.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # the examining step does not approve
    forwarded = workbench.Forward(routing_pb2.TaskActionRequest(dossier_code=code, task_id=task.task_id),
                                  metadata=officer, timeout=10)
    assert forwarded.task.step == "phe-duyet" and forwarded.task.assignee == f"ld-tu-phap-{COMMUNE}"
    # Feedback signs the dossier's rating link when it learns of the reception; notification keeps it for the result.
    link = rating_link(platform, code)
    assert link.startswith(url(platform, "feedback", f"/r/{code}?t="))
    leader = [("authorization", bearer("--role", "leader", "--sub", f"ld-tu-phap-{COMMUNE}", "--agency", COMMUNE,
                                       "--department", "tu-phap")["Authorization"])]
    approved = workbench.Approve(routing_pb2.ApproveRequest(dossier_code=code, task_id=forwarded.task.task_id),
                                 metadata=leader, timeout=60)
    assert approved.status == 9 and approved.document_id

    signing = signing_pb2_grpc.SigningStub(grpc.insecure_channel(f"127.0.0.1:{platform.ports.grpc['signing']}"))
    verified = signing.VerifyPdf(signing_pb2.VerifyPdfRequest(document_id=approved.document_id), timeout=30)
    assert verified.valid and len(verified.signatures) == 2  # the official's, then the organisation's seal
    assert "Nguyễn Văn An" in verified.signatures[0].signer_subject

    # The applicant has a phone, so the messages go by Zalo ZNS, the first channel of the default order.
    zns = eventually(lambda: (r := requests_about(platform.zns_dir, code)) and len(r) >= 4 and r, 60,
                     what="four ZNS messages")
    # received, assigned to the officer, assigned to the leader, result: in the order of the dossier's steps,
    # whatever the number of senders (docs/notification.md, "Order")
    assert [r["body"]["template_id"] for r in zns] == ["100001", "100002", "100002", "100003"]
    assert all(r["body"]["phone"] == "84912345678" and r["outcome"] == "accepted" for r in zns)
    by_template = {r["body"]["template_id"]: r["body"]["template_data"] for r in zns}
    assert by_template["100001"]["name"] == "Nguyễn Thị Lan"
    assert by_template["100003"]["document_id"] == approved.document_id
    assert by_template["100003"]["rating_url"] == link  # the citizen rates from the result message

    eventually(lambda: requests.get(lookup, timeout=5).json()["status"]["code"] == 9, 60, what="status 9 in the lookup")
    rating = {"dossier_code": code, "token": link.split("?t=", 1)[1], "level": 5}
    rated = requests.post(url(platform, "feedback", "/api/v1/ratings"), json=rating, timeout=10)
    assert rated.status_code == 201, rated.text
    again = requests.post(url(platform, "feedback", "/api/v1/ratings"), json={**rating, "level": 1}, timeout=10)
    assert again.status_code == 409
    stats = url(platform, "feedback", f"/api/v1/stats?by=agency&period={datetime.now(UTC):%Y}")
    group = eventually(lambda: next((g for g in requests.get(stats, timeout=5).json()["groups"]
                                     if g["value"] == COMMUNE), None), 60, what="the rating to be counted")
    assert group["ratings"] >= 1 and group["levels"]["5"][4]["count"] >= 1


def rating_link(stack, code: str) -> str:  # type: ignore[no-untyped-def]
    """The rating link feedback announced for a dossier, read from its topic as notification would."""
    consumer = KafkaConsumer(qualified(FEEDBACK.name, "e2e"), **stack.kafka.client_options(),
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    seen: list[Event] = []

    def link() -> str | None:
        for records in consumer.poll(300).values():
            seen.extend(Event.from_record(r.headers, r.value) for r in records)
        return next((e.payload.url for e in seen  # type: ignore[attr-defined]
                     if e.type == RATING_LINK_ISSUED and e.subject == code), None)

    try:
        return eventually(link, 60, what=f"the rating link of {code}")
    finally:
        consumer.close()


def test_the_channel_chosen_at_submission_carries_the_messages(platform):  # type: ignore[no-untyped-def]
    created = submit(platform, notify_channels=["sms"])
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    received = f"Ho so {code} da duoc tiep nhan luc "
    [sms] = eventually(lambda: [r for r in requests_about(platform.sms_dir, code) if r["body"]["text"].startswith(received)],
                       60, what="the SMS about the reception")
    assert sms["outcome"] == "accepted" and sms["body"]["phone"] == "84912345678"
    assert requests_about(platform.zns_dir, code) == []  # nothing by Zalo, the default first channel


@pytest.mark.parametrize(("body", "status", "pointer"), [
    ({"procedure_code": "9.999999"}, 422, "/procedure_code"),
    ({"applicant": {**APPLICANT, "citizen_id": "097190012345"}}, 422, "/applicant/citizen_id"),
    ({"applicant": {**APPLICANT, "birth_year": 1991}}, 422, "/applicant/citizen_id"),
    ({"applicant": {**APPLICANT, "phone": "0212345678"}}, 422, "/applicant/phone"),
    ({"applicant": {"citizen_id": "001190012345", "phone": "0912345678"}}, 422, "/applicant/full_name"),
    ({"documents": [{"type": "to-khai", "attachment": "0" * 64}]}, 422, "/documents/0/attachment"),
    ({"documents": []}, 422, "/documents"),
    ({"channel": "online"}, 422, "/channel"),
    ({"notify_channels": ["sms", "fax"]}, 422, "/notify_channels/1"),
])
def test_bad_submissions_get_a_specific_problem_and_store_nothing(platform, body, status, pointer):  # type: ignore[no-untyped-def]
    before = submit(platform).json()["code"]
    response = submit(platform, **body)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    after = submit(platform).json()["code"]
    assert int(after.rsplit("-", 1)[1]) == int(before.rsplit("-", 1)[1]) + 1  # no code was spent on the refusal


def test_malformed_oversized_and_wrong_type_requests(platform):  # type: ignore[no-untyped-def]
    dossiers = url(platform, "intake", "/api/v1/dossiers")
    anonymous = requests.post(dossiers, json=dossier_body("0" * 64), timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["reason"] == "TOKEN_MISSING"
    broken = requests.post(dossiers, data=b"{not json", headers={"Content-Type": "application/json", **clerk()},
                           timeout=10)
    assert broken.status_code == 400 and broken.json()["title"] == "Malformed request"
    text = requests.post(dossiers, data=b"x", headers={"Content-Type": "text/plain", **clerk()}, timeout=10)
    assert text.status_code == 415
    big = requests.post(dossiers, json={**dossier_body("0" * 64), "padding": "x" * 300_000}, headers=clerk(), timeout=10)
    assert big.status_code == 413
    attachments = url(platform, "intake", "/api/v1/attachments")
    exe = requests.post(attachments, files={"file": ("a.pdf", io.BytesIO(b"MZ\x90\x00" * 100))}, headers=clerk(),
                        timeout=10)
    assert exe.status_code == 415
    huge = requests.post(attachments, files={"file": ("big.pdf", io.BytesIO(b"%PDF-" + b"0" * (11 * 1024 * 1024)))},
                         headers=clerk(), timeout=30)
    assert huge.status_code == 413
    unknown = requests.get(url(platform, "intake", f"/api/v1/dossiers/{COMMUNE}-200101-9999?phone=0912345678"),
                           timeout=10)
    assert unknown.status_code == 404 and unknown.json()["reason"] == "DOSSIER_NOT_FOUND"


def test_idempotency_key_replays_the_same_dossier(platform):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "e2e-key-0001", **clerk()}
    body = dossier_body(upload(url(platform, "intake", ""), pdf("idem")), "1.004222")
    first = requests.post(url(platform, "intake", "/api/v1/dossiers"), json=body, headers=headers, timeout=10)
    second = requests.post(url(platform, "intake", "/api/v1/dossiers"), json=body, headers=headers, timeout=10)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["code"] == second.json()["code"]
    changed = requests.post(url(platform, "intake", "/api/v1/dossiers"), json={**body, "channel": "post"},
                            headers=headers, timeout=10)
    assert changed.status_code == 409 and changed.json()["reason"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_retry_finishes_what_a_request_that_died_after_its_claim_began(platform):  # type: ignore[no-untyped-def]
    body = dossier_body(upload(url(platform, "intake", ""), pdf("claim")), "1.004222")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    dead_code = f"{COMMUNE}-{datetime.now(UTC):%y%m%d}-9901"
    mongo = store.connect(platform.mongo_url, "motcua-tests")
    try:
        keys = store.database(mongo, "intake", platform.prefix)["idempotency"]
        keys.insert_one({"_id": "e2e-dead-claim", "hash": digest, "code": dead_code,
                         "at": datetime.now(UTC) - timedelta(minutes=1)})
        keys.insert_one({"_id": "e2e-live-claim", "hash": digest, "code": f"{COMMUNE}-{datetime.now(UTC):%y%m%d}-9902",
                         "at": datetime.now(UTC)})
    finally:
        mongo.close()
    post = url(platform, "intake", "/api/v1/dossiers")

    in_flight = requests.post(post, json=body, headers={"Idempotency-Key": "e2e-live-claim", **clerk()}, timeout=10)
    assert in_flight.status_code == 409 and in_flight.json()["reason"] == "IDEMPOTENT_REQUEST_IN_FLIGHT"
    finished = requests.post(post, json=body, headers={"Idempotency-Key": "e2e-dead-claim", **clerk()}, timeout=10)
    assert finished.status_code == 201 and finished.json()["code"] == dead_code
    again = requests.post(post, json=body, headers={"Idempotency-Key": "e2e-dead-claim", **clerk()}, timeout=10)
    assert again.status_code == 200 and again.json()["code"] == dead_code


def test_every_service_is_healthy_and_exports_metrics(platform):  # type: ignore[no-untyped-def]
    for name in SERVICES:
        assert requests.get(url(platform, name, "/readyz"), timeout=5).json()["checks"] == {"kafka": "ok", "mongodb": "ok"}
        metrics = requests.get(url(platform, name, "/metrics"), timeout=5).text
        assert "motcua_http_requests_total" in metrics
    intake_metrics = requests.get(url(platform, "intake", "/metrics"), timeout=5).text
    assert 'motcua_dossiers_received_total{channel="CHANNEL_COUNTER",procedure="1.001193"}' in intake_metrics
