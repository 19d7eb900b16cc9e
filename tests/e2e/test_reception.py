"""Reception at intake through its public API: statuses, forms, reuse of documents, the catalog, calendars."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import requests
from kafka import KafkaConsumer
from motcua.calendar import TZ, Calendar
from pypdf import PdfReader

from tests.conftest import eventually
from tests.factories import (
    APPLICANT,
    COMMUNE,
    PROVINCE,
    admin,
    citizen,
    clerk,
    dossier_body,
    pdf,
    upload,
)

pytestmark = pytest.mark.stack
PREFIX = "rcp"


@pytest.fixture(scope="module")
def intake(stack) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with stack.serving(PREFIX, "signing", "intake") as url:
        yield url


def post(base: str, path: str, headers: dict[str, str], body: dict | None = None) -> requests.Response:  # type: ignore[type-arg]
    return requests.post(f"{base}{path}", json=body or {}, headers=headers, timeout=20)


def online(base: str, seed: str, **overrides) -> dict:  # type: ignore[no-untyped-def, type-arg]
    body = dossier_body(upload(base, pdf(seed)), channel="online", agency_id=COMMUNE, **overrides)
    response = post(base, "/api/v1/dossiers", citizen(), body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def form_text(base: str, code: str, form: str) -> str:
    """The issued form's text, once intake has had it rendered and signed."""
    def issued() -> requests.Response | None:
        response = requests.get(f"{base}/api/v1/dossiers/{code}/forms/{form}", headers=citizen(), timeout=20)
        return response if response.status_code == 200 else None

    response = eventually(issued, 60, interval=0.3, what=f"form {form} of {code}")
    assert response.headers["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_online_dossier_waits_for_the_clerk_then_gets_a_signed_receipt(intake):  # type: ignore[no-untyped-def]
    dossier = online(intake, "online-1")
    code = dossier["code"]
    assert dossier["status"]["code"] == 1 and dossier["appointment_at"] is None
    assert code.startswith(f"{COMMUNE}-")

    received = post(intake, f"/api/v1/dossiers/{code}/receive", clerk())
    assert received.status_code == 200, received.text
    body = received.json()
    assert body["status"]["code"] == 2
    received_at = datetime.fromisoformat(body["received_at"])
    assert datetime.fromisoformat(body["appointment_at"]) == Calendar().add_working_days(received_at, 1)

    text = form_text(intake, code, "01")
    assert code in text and "Đăng ký khai sinh" in text and "Tờ khai đăng ký khai sinh" in text
    again = post(intake, f"/api/v1/dossiers/{code}/receive", clerk())
    assert again.status_code == 409 and again.json()["reason"] == "DOSSIER_STATUS"


def test_supplement_request_then_supplement_then_reception(intake):  # type: ignore[no-untyped-def]
    code = online(intake, "supplement-1")["code"]
    items = {"items": [{"document_type": "giay-chung-sinh", "reason": "Bản chụp bị mờ, không đọc được"},
                       {"name": "Giấy xác nhận cư trú", "reason": "Cần bổ sung"}], "note": "Bổ sung trong 5 ngày"}
    unknown = post(intake, f"/api/v1/dossiers/{code}/supplement-request", clerk(),
                   {"items": [{"document_type": "khong-co", "reason": "x"}]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/items/0/document_type"
    asked = post(intake, f"/api/v1/dossiers/{code}/supplement-request", clerk(), items)
    assert asked.status_code == 200 and asked.json()["status"]["code"] == 5
    assert [i["name"] for i in asked.json()["supplement_request"]["items"]][1] == "Giấy xác nhận cư trú"
    text = form_text(intake, code, "02")
    assert "Bản chụp bị mờ" in text and code in text

    new_file = upload(intake, pdf("supplement-1-again"))
    supplemented = post(intake, f"/api/v1/dossiers/{code}/supplement", citizen(),
                        {"documents": [{"type": "giay-chung-sinh", "attachment": new_file}]})
    assert supplemented.status_code == 200 and supplemented.json()["status"]["code"] == 1
    assert new_file in [d["sha256"] for d in supplemented.json()["documents"]]
    assert post(intake, f"/api/v1/dossiers/{code}/receive", clerk()).json()["status"]["code"] == 2


def test_refusal_is_final_and_issues_form_03(intake):  # type: ignore[no-untyped-def]
    code = online(intake, "refuse-1")["code"]
    missing = post(intake, f"/api/v1/dossiers/{code}/refuse", clerk(), {})
    assert missing.status_code == 422 and missing.json()["errors"][0]["pointer"] == "/reason"
    refused = post(intake, f"/api/v1/dossiers/{code}/refuse", clerk(), {"reason": "Không thuộc thẩm quyền của xã"})
    assert refused.status_code == 200 and refused.json()["status"]["code"] == 3
    assert "Không thuộc thẩm quyền" in form_text(intake, code, "03")
    assert post(intake, f"/api/v1/dossiers/{code}/withdraw", citizen()).status_code == 409


def test_only_the_owner_withdraws_and_only_once(intake):  # type: ignore[no-untyped-def]
    code = online(intake, "withdraw-1")["code"]
    stranger = post(intake, f"/api/v1/dossiers/{code}/withdraw", citizen("079190000001"))
    assert stranger.status_code == 403
    other_agency = post(intake, f"/api/v1/dossiers/{code}/receive", clerk(PROVINCE))
    assert other_agency.status_code == 403
    withdrawn = post(intake, f"/api/v1/dossiers/{code}/withdraw", citizen(), {"reason": "Nộp nhầm thủ tục"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"]["code"] == 7
    assert post(intake, f"/api/v1/dossiers/{code}/withdraw", citizen()).status_code == 409


def test_documents_of_an_accepted_dossier_are_reused_without_uploading(intake):  # type: ignore[no-untyped-def]
    first = online(intake, "reuse-1")
    post(intake, f"/api/v1/dossiers/{first['code']}/receive", clerk())
    sha = first["documents"][0]["sha256"]
    never_accepted = online(intake, "reuse-unaccepted")["documents"][0]["sha256"]
    body = dossier_body(sha, "2.000635", channel="online", agency_id=COMMUNE)
    body["documents"] = [{"type": "to-khai", "attachment": upload(intake, pdf("reuse-2"))},
                         {"type": "giay-to-tuy-than", "reuse": sha}]
    reused = post(intake, "/api/v1/dossiers", citizen(), body)
    assert reused.status_code == 201, reused.text
    assert [d["reused"] for d in reused.json()["documents"]] == [False, True]

    body["documents"][1] = {"type": "giay-to-tuy-than", "reuse": never_accepted}
    refused = post(intake, "/api/v1/dossiers", citizen(), body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "/documents/1/reuse"
    body["documents"][1] = {"type": "giay-to-tuy-than", "reuse": sha}
    someone_else = post(intake, "/api/v1/dossiers", citizen("079190000001"), body)
    assert someone_else.status_code == 422


def test_citizens_see_their_dossiers_and_no_one_elses(intake):  # type: ignore[no-untyped-def]
    code = online(intake, "mine-1")["code"]
    mine = requests.get(f"{intake}/api/v1/me/dossiers", headers=citizen(), timeout=10).json()["dossiers"]
    assert code in [d["code"] for d in mine]
    theirs = requests.get(f"{intake}/api/v1/me/dossiers", headers=citizen("079190000001"), timeout=10).json()
    assert code not in [d["code"] for d in theirs["dossiers"]]
    forbidden = requests.get(f"{intake}/api/v1/dossiers/{code}", headers=citizen("079190000001"), timeout=10)
    assert forbidden.status_code == 403
    page = requests.get(f"{intake}/tra-cuu/{code}", params={"phone": APPLICANT["phone"]}, timeout=10)
    assert page.status_code == 200 and "Mới đăng ký" in page.text


def test_parallel_submissions_get_unique_consecutive_codes(intake):  # type: ignore[no-untyped-def]
    body = dossier_body(upload(intake, pdf("parallel"), clerk()), "2.000635")
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda _: post(intake, "/api/v1/dossiers", clerk(), body), range(48)))
    assert [r.status_code for r in responses] == [201] * 48
    sequences = sorted(int(r.json()["code"].rsplit("-", 1)[1]) for r in responses)
    assert sequences == list(range(sequences[0], sequences[0] + 48))


def test_clerks_acting_on_one_dossier_at_once_make_exactly_one_decision(intake):  # type: ignore[no-untyped-def]
    code = online(intake, "race-1")["code"]
    actions = [("receive", {}), ("refuse", {"reason": "Không thuộc thẩm quyền"}),
               ("supplement-request", {"items": [{"document_type": "to-khai", "reason": "Thiếu chữ ký"}]})] * 4
    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(lambda a: post(intake, f"/api/v1/dossiers/{code}/{a[0]}", clerk(), a[1]), actions))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 11, codes
    assert {r.json()["reason"] for r in responses if r.status_code == 409} == {"DOSSIER_STATUS"}
    winner = next(r.json() for r in responses if r.status_code == 200)
    history = requests.get(f"{intake}/api/v1/dossiers/{code}", headers=citizen(), timeout=10).json()["history"]
    assert [entry["status"]["code"] for entry in history] == [1, winner["status"]["code"]]


def test_catalog_versions_keep_the_version_a_dossier_was_received_under(intake):  # type: ignore[no-untyped-def]
    procedure = requests.get(f"{intake}/api/v1/procedures/2.000635", timeout=10).json()
    dossier = post(intake, "/api/v1/dossiers", clerk(),
                   dossier_body(upload(intake, pdf("version"), clerk()), "2.000635")).json()
    assert dossier["procedure"]["version"] == procedure["version"]
    assert post(intake, "/api/v1/admin/procedures", clerk(), procedure).status_code == 403
    assert post(intake, "/api/v1/admin/procedures", admin(), procedure).status_code == 409
    changed = {**procedure, "legal_days": procedure["legal_days"] + 2}
    stale = requests.put(f"{intake}/api/v1/admin/procedures/2.000635", json=changed,
                         headers={**admin(), "If-Match": str(procedure["version"] + 5)}, timeout=10)
    assert stale.status_code == 409 and stale.json()["reason"] == "PROCEDURE_VERSION_MISMATCH"
    updated = requests.put(f"{intake}/api/v1/admin/procedures/2.000635", json=changed,
                           headers={**admin(), "If-Match": str(procedure["version"])}, timeout=10)
    assert updated.status_code == 200 and updated.json()["version"] == procedure["version"] + 1
    old = requests.get(f"{intake}/api/v1/procedures/2.000635", params={"version": procedure["version"]}, timeout=10)
    assert old.json()["legal_days"] == procedure["legal_days"]
    bad = post(intake, "/api/v1/admin/procedures", admin(), {**procedure, "code": "9.000001", "level": "district",
                                                              "documents": []})
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/level", "/documents"}


def test_catalog_exports_and_imports_yaml(intake):  # type: ignore[no-untyped-def]
    exported = requests.get(f"{intake}/api/v1/admin/catalog/export", params={"format": "yaml"}, headers=admin(),
                            timeout=10)
    assert exported.status_code == 200 and "1.001193" in exported.text
    assert len(requests.get(f"{intake}/api/v1/procedures", timeout=10).json()["procedures"]) >= 15
    report = requests.post(f"{intake}/api/v1/admin/catalog/import", data=exported.text.encode(),
                           headers={**admin(), "Content-Type": "application/yaml"}, timeout=20).json()
    assert report["created"] == [] and report["updated"] == [] and "1.001193" in report["unchanged"]
    broken = requests.post(f"{intake}/api/v1/admin/catalog/import", data=b"procedures: [{code: 1}]",
                           headers={**admin(), "Content-Type": "application/yaml"}, timeout=20)
    assert broken.status_code == 422 and "/procedures/0/code" in {e["pointer"] for e in broken.json()["errors"]}


def test_an_agency_day_off_moves_the_appointment(intake):  # type: ignore[no-untyped-def]
    agency = "000.03.31.H56"
    calendar = Calendar()
    start = calendar.next_working_start(datetime.now(TZ))
    next_day = calendar.add_working_days(start, 1).date()
    url = f"{intake}/api/v1/admin/agencies/{agency}/calendar"
    day_off = {"date": next_day.isoformat(), "kind": "day_off", "reason": "Nghỉ bù theo quyết định của tỉnh"}
    assert requests.put(url, json=day_off, headers=admin(), timeout=10).status_code == 200
    assert requests.put(url, json={**day_off, "kind": "holiday"}, headers=admin(), timeout=10).status_code == 422
    try:
        agency_clerk = clerk(agency, "tn-tho-xuan-01")
        dossier = post(intake, "/api/v1/dossiers", agency_clerk,
                       dossier_body(upload(intake, pdf("calendar"), agency_clerk), "2.000635")).json()
        appointment = datetime.fromisoformat(dossier["appointment_at"]).date()
        assert appointment > next_day and appointment != next_day
        listed = requests.get(url, params={"year": next_day.year}, headers=admin(), timeout=10).json()["overrides"]
        assert day_off["date"] in [o["date"] for o in listed]
    finally:
        assert requests.delete(f"{url}/{next_day.isoformat()}", headers=admin(), timeout=10).status_code == 204


def test_reception_events_are_published(intake, stack):  # type: ignore[no-untyped-def]
    code = online(intake, "events-1")["code"]
    post(intake, f"/api/v1/dossiers/{code}/supplement-request", clerk(), {"items": [{"document_type": "to-khai",
                                                                                     "reason": "Thiếu chữ ký"}]})
    post(intake, f"/api/v1/dossiers/{code}/supplement", citizen(),
         {"documents": [{"type": "to-khai", "attachment": upload(intake, pdf("events-2"))}]})
    post(intake, f"/api/v1/dossiers/{code}/receive", clerk())
    post(intake, f"/api/v1/dossiers/{code}/withdraw", citizen())
    consumer = KafkaConsumer(f"{PREFIX}.motcua.dossier.v1", bootstrap_servers=stack.kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    seen: list[str] = []
    expected = ["submitted", "supplement_requested", "supplement_provided", "received", "withdrawn"]

    def all_seen() -> bool:
        for batch in consumer.poll(500).values():
            seen.extend(dict(r.headers)["ce_type"].decode().split(".")[3] for r in batch if r.key.decode() == code)
        return all(kind in seen for kind in expected)

    try:
        eventually(all_seen, 60, interval=0.2, what="the reception events")
    finally:
        consumer.close()
    assert [kind for kind in seen if kind in expected] == expected

