"""Intake against its own OpenAPI document: schemathesis generates requests for every operation of the document
intake serves at /openapi.json and checks each answer (no 5xx, a documented status, content type, body, headers).

The schema is built from intake.openapi.document() at collection time, so that every operation is its own test
item, and the first test checks that the running service serves exactly that document. (schemathesis' lazy
`from_fixture` loader, which could read /openapi.json at run time, does not work with pytest 9.)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import settings
from intake.openapi import document
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import eventually
from tests.factories import APPLICANT, COMMUNE, admin, citizen, clerk, pdf

pytestmark = pytest.mark.stack
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# Small and derandomized: the same requests on every run, the whole module within about a minute on 2 cores.
# too_slow is Hypothesis' only health check that depends on the machine's load rather than on the schema.
CONFIG = {
    "seed": 20251020,
    "suppress-health-check": ["too_slow"],
    "generation": {"max-examples": 12, "deterministic": True, "database": "none", "with-security-parameters": False},
    "phases": {"stateful": {"enabled": False}},
}


@pytest.fixture(scope="module")
def intake(stack) -> Iterator[str]:  # type: ignore[no-untyped-def]
    # A fresh prefix: a fresh database and topics, so earlier runs' dossiers and idempotency keys never leak in.
    with stack.serving(f"oas{uuid.uuid4().hex[:8]}", "signing", "intake") as url:
        yield url


def credentials(case: schemathesis.Case) -> dict[str, str]:
    """A token with a role the operation documents, so the generated requests get past authentication."""
    security = case.operation.definition.raw.get("security", [])
    if not security or {} in security:
        return {}  # public, or open to anonymous callers (the lookup by phone number)
    roles = {role for requirement in security for role in requirement.get("bearerAuth", [])}
    if "admin" in roles:
        return admin()
    if "citizen" in roles and "clerk" in roles:
        # Citizens submit online, clerks enter counter and postal dossiers: pick the one the body can succeed for.
        body = case.body if isinstance(case.body, dict) else {}
        return citizen() if body.get("channel", "online") == "online" else clerk()
    return citizen() if roles == {"citizen"} else clerk()


# The administration operations are generated too, although they change the catalog: they found real 500s, they
# run against this module's own database, their examples name a procedure and an agency outside the seed, and the
# tests below read the catalog as it is (current()) instead of assuming the seed.
schema = schemathesis.openapi.from_dict(document(), config=schemathesis.Config.from_dict(CONFIG))


def test_the_service_serves_this_document(intake: str) -> None:
    served = requests.get(f"{intake}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(document()))


@schema.parametrize()
@settings(deadline=None)  # what is checked is each answer, not how fast it came on a shared machine
def test_every_operation_answers_as_the_document_says(case: schemathesis.Case, intake: str) -> None:
    case.call_and_validate(base_url=intake, headers=credentials(case), checks=CHECKS)


def call(base: str, method: str, path: str, **parts: Any) -> Any:
    """One request built by hand, checked like the generated ones; returns the response."""
    return schema[path][method].Case(**parts).call_and_validate(base_url=base, checks=CHECKS)


def current(intake: str, code: str = "1.001193") -> dict[str, Any]:
    """The procedure as the catalog has it now: the generated admin requests may have given it a new version."""
    return call(intake, "GET", "/api/v1/procedures/{code}", path_parameters={"code": code}).json()  # type: ignore[no-any-return]


def submission(procedure: dict[str, Any], sha256: str, channel: str) -> dict[str, Any]:
    documents = [{"type": d["id"], "attachment": sha256} for d in procedure["documents"] if d["mandatory"]]
    return {"procedure_code": procedure["code"], "channel": channel, "agency_id": procedure["agencies"][0],
            "applicant": APPLICANT, "documents": documents}


def uploaded(intake: str, seed: str) -> str:
    response = call(intake, "POST", "/api/v1/attachments", headers=citizen(), body={"file": pdf(seed)},
                    media_type="multipart/form-data")
    assert response.status_code in (200, 201)
    return str(response.json()["sha256"])


def test_a_dossier_through_reception_answers_as_the_document_says(intake: str) -> None:
    """The success paths, which random inputs rarely reach: real uploads, a real dossier, every action on it."""
    sha256 = uploaded(intake, "oas")
    again = call(intake, "POST", "/api/v1/attachments", headers=clerk(), body={"file": pdf("oas")},
                 media_type="multipart/form-data")
    assert again.status_code == 200
    procedure = current(intake)
    staff = clerk(agency=procedure["agencies"][0])
    body, key = submission(procedure, sha256, "online"), {"Idempotency-Key": f"oas-{uuid.uuid4()}"}
    submitted = call(intake, "POST", "/api/v1/dossiers", headers={**citizen(), **key}, body=body)
    assert submitted.status_code == 201, submitted.text
    path = {"code": submitted.json()["code"]}
    replayed = call(intake, "POST", "/api/v1/dossiers", headers={**citizen(), **key}, body=body)
    assert replayed.status_code == 200 and replayed.json()["code"] == path["code"]
    other_body = {**body, "applicant": {**APPLICANT, "address": "Thôn Đông, xã Thọ Xuân"}}
    changed = call(intake, "POST", "/api/v1/dossiers", headers={**citizen(), **key}, body=other_body)
    assert changed.status_code == 409
    for headers, query in (({}, {"phone": "+84 912 345 678"}), (citizen(), {}), (staff, {})):
        found = call(intake, "GET", "/api/v1/dossiers/{code}", path_parameters=path, headers=headers, query=query)
        assert found.status_code == 200 and found.json()["code"] == path["code"]
    mine = call(intake, "GET", "/api/v1/me/dossiers", headers=citizen())
    assert path["code"] in [d["code"] for d in mine.json()["dossiers"]]

    item = {"document_type": body["documents"][0]["type"], "reason": "Bản chụp mờ, không đọc được"}
    asked = call(intake, "POST", "/api/v1/dossiers/{code}/supplement-request", path_parameters=path, headers=staff,
                 body={"items": [item], "note": "Bổ sung trong 5 ngày làm việc"})
    assert asked.status_code == 200 and asked.json()["status"]["code"] == 5
    supplemented = call(intake, "POST", "/api/v1/dossiers/{code}/supplement", path_parameters=path, headers=citizen(),
                        body={"documents": [{"type": item["document_type"], "attachment": uploaded(intake, "oas-2")}]})
    assert supplemented.status_code == 200 and supplemented.json()["status"]["code"] == 1
    received = call(intake, "POST", "/api/v1/dossiers/{code}/receive", path_parameters=path, headers=staff)
    assert received.status_code == 200 and received.json()["appointment_at"]
    refused = call(intake, "POST", "/api/v1/dossiers/{code}/refuse", path_parameters=path, headers=staff,
                   body={"reason": "Đã tiếp nhận rồi"})
    assert refused.status_code == 409
    receipt = {**path, "form": "01"}
    eventually(lambda: call(intake, "GET", "/api/v1/dossiers/{code}/forms/{form}", path_parameters=receipt,
                            headers=citizen()).status_code == 303, 60, interval=0.5, what="the signed receipt (form 01)")
    withdrawn = call(intake, "POST", "/api/v1/dossiers/{code}/withdraw", path_parameters=path, headers=citizen(),
                     body={"reason": "Nộp nhầm thủ tục"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"]["code"] == 7


def test_refusals_and_refused_callers_answer_as_the_document_says(intake: str) -> None:
    sha256, procedure = uploaded(intake, "oas-3"), current(intake)
    staff = clerk(agency=procedure["agencies"][0])
    counter = call(intake, "POST", "/api/v1/dossiers", headers=staff, body=submission(procedure, sha256, "counter"))
    assert counter.status_code == 201 and counter.json()["status"]["code"] == 2
    online = call(intake, "POST", "/api/v1/dossiers", headers=citizen(), body=submission(procedure, sha256, "online"))
    path = {"code": online.json()["code"]}
    refused = call(intake, "POST", "/api/v1/dossiers/{code}/refuse", path_parameters=path, headers=staff,
                   body={"reason": "Thủ tục không thuộc thẩm quyền của UBND phường"})
    assert refused.status_code == 200 and refused.json()["refusal_reason"]
    other = call(intake, "GET", "/api/v1/dossiers/{code}", path_parameters=path, headers=citizen("079190012345"))
    assert other.status_code == 403
    for headers, status in (({}, 401), ({"Authorization": "Bearer not-a-token"}, 401), (staff, 403)):
        assert call(intake, "GET", "/api/v1/me/dossiers", headers=headers).status_code == status
    assert call(intake, "POST", "/api/v1/dossiers/{code}/receive", path_parameters=path,
                headers=citizen()).status_code == 403
    assert call(intake, "GET", "/api/v1/admin/catalog/export", headers=staff).status_code == 403


def test_the_catalog_answers_as_the_document_says(intake: str) -> None:
    procedures = call(intake, "GET", "/api/v1/procedures").json()["procedures"]
    first = procedures[0]
    code = {"code": first["code"]}
    assert call(intake, "GET", "/api/v1/procedures/{code}", path_parameters=code, query={"version": 1}).status_code == 200
    assert call(intake, "GET", "/api/v1/procedures/{code}/versions", path_parameters=code).status_code == 200
    for form in ("json", "yaml"):
        exported = call(intake, "GET", "/api/v1/admin/catalog/export", headers=admin(), query={"format": form})
        assert exported.status_code == 200
    updated = call(intake, "PUT", "/api/v1/admin/procedures/{code}", path_parameters=code,
                   headers={**admin(), "If-Match": f'"{first["version"]}"'},
                   body={k: v for k, v in first.items() if k not in ("code", "version", "updated_at")})
    assert updated.status_code == 200 and updated.json()["version"] == first["version"]
    agency = {"agency_id": COMMUNE}
    override = {"date": "2031-12-31", "kind": "day_off", "reason": "Nghỉ bù"}
    assert call(intake, "PUT", "/api/v1/admin/agencies/{agency_id}/calendar", path_parameters=agency,
                headers=admin(), body=override).json() == override
    listed = call(intake, "GET", "/api/v1/admin/agencies/{agency_id}/calendar", path_parameters=agency,
                  headers=admin(), query={"year": 2031})
    assert listed.json()["overrides"] == [override]
    deleted = call(intake, "DELETE", "/api/v1/admin/agencies/{agency_id}/calendar/{day}",
                   path_parameters={**agency, "day": "2031-12-31"}, headers=admin())
    assert deleted.status_code == 204
