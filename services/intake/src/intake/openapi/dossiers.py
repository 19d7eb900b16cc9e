"""Paths of attachments, dossiers (submission, lookup, forms), reception and the public lookup page."""

from __future__ import annotations

from typing import Any

from intake.openapi.common import (
    LOCATION,
    STAFF,
    Schema,
    json_body,
    ok,
    optional_token,
    problems,
    ref,
    requires,
)
from intake.openapi.schemas import DOSSIER_CODE, EXAMPLE_CODE, EXAMPLE_SHA256

APPLICANT = {"full_name": "Nguyễn Thị Lan", "citizen_id": "038190012345", "birth_year": 1990, "phone": "0912345678",
             "email": "lan.nguyen@example.vn", "address": "Số 12 phố Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"}
SUBMISSION = {"procedure_code": "1.001193", "channel": "counter", "applicant": APPLICANT, "notify_channels": ["zns", "email"],
              "documents": [{"type": "to-khai", "attachment": EXAMPLE_SHA256},
                            {"type": "giay-chung-sinh", "attachment": EXAMPLE_SHA256},
                            {"type": "giay-to-tuy-than", "attachment": EXAMPLE_SHA256}]}
RECEIVED = {"code": 2, "name": "Được tiếp nhận", "name_en": "Received"}
DOSSIER = {
    "code": EXAMPLE_CODE, "procedure": {"code": "1.001193", "version": 1, "name": "Thủ tục đăng ký khai sinh",
                                        "workflow": "standard"},
    "agency_id": "000.01.31.H56", "channel": "counter", "status": RECEIVED, "department": "tu-phap",
    "submitted_at": "2025-10-20T09:15:02+07:00", "received_at": "2025-10-20T09:15:02+07:00",
    "appointment_at": "2025-10-21T09:15:02+07:00",
    "documents": [{"type": "to-khai", "name": "Tờ khai đăng ký khai sinh theo mẫu", "sha256": EXAMPLE_SHA256,
                   "reused": False}],
    "supplement_request": None, "refusal_reason": None,
    "forms": {"01": {"form": "01", "name": "receipt", "sha256": EXAMPLE_SHA256,
                     "url": f"/api/v1/dossiers/{EXAMPLE_CODE}/forms/01"}},
    "history": [{"status": {"code": 1, "name": "Mới đăng ký", "name_en": "Submitted"},
                 "at": "2025-10-20T09:15:02+07:00", "department": "", "note": ""},
                {"status": RECEIVED, "at": "2025-10-20T09:15:02+07:00", "department": "", "note": ""}],
}
CODE = {"name": "code", "in": "path", "required": True, "description": "Mã hồ sơ",
        "schema": {"type": "string", "pattern": DOSSIER_CODE}, "example": EXAMPLE_CODE}
DOSSIER_OK = ok("Hồ sơ sau thao tác (the dossier after the action)", ref("Dossier"), example=DOSSIER)


def _action(operation_id: str, summary: str, roles: tuple[str, ...], body: dict[str, Any] | None,
            conflicts: str) -> Schema:
    """A reception action on one dossier: the roles that may do it and the statuses it is refused in (409)."""
    operation: Schema = {
        "tags": ["reception"], "operationId": operation_id, "summary": summary,
        "description": f"{conflicts} Người khác cơ quan (hoặc công dân không sở hữu hồ sơ) nhận 403.",
        "security": requires(*roles), "parameters": [CODE], "responses": {"200": DOSSIER_OK},
    }
    if body is None:
        operation["responses"].update(problems(401, 403, 404, 409, 413))
        return operation
    operation["requestBody"] = body
    operation["responses"].update(problems(400, 401, 403, 404, 409, 413, 415, 422))
    return operation


def paths() -> dict[str, Schema]:
    return {
        "/api/v1/attachments": {"post": {
            "tags": ["attachments"], "operationId": "uploadAttachment",
            "summary": "Tải lên tệp đính kèm (PDF, JPEG hoặc PNG, nhận biết theo nội dung), lưu một lần theo SHA-256",
            "security": requires("citizen", "clerk"),
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary",
                                                   "description": "Nội dung tệp (tối đa MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES)"}}},
                "encoding": {"file": {"contentType": "application/pdf, image/jpeg, image/png"}},
                "example": {"file": "%PDF-1.4\n% giấy chứng sinh\n%%EOF\n"},
            }}},
            "responses": {
                "201": ok("Tệp mới được lưu (stored)", ref("Attachment"),
                          example={"id": EXAMPLE_SHA256, "sha256": EXAMPLE_SHA256, "size": 48213,
                                   "content_type": "application/pdf"}),
                "200": ok("Tệp đã có, không lưu lại (already stored)", ref("Attachment")),
                **problems(401, 403, 413, 415, 422),
            },
        }},
        "/api/v1/dossiers": {"post": {
            "tags": ["dossiers"], "operationId": "submitDossier",
            "summary": "Nộp hồ sơ: trực tuyến (công dân, chờ tiếp nhận) hoặc trực tiếp, bưu chính (công chức nhập, tiếp nhận ngay)",
            "description": "Công dân chỉ nộp kênh online; công chức tiếp nhận (clerk) nhập kênh counter hoặc post cho cơ quan "
                           "của mình, hồ sơ được tiếp nhận ngay và có ngày hẹn trả. Cùng Idempotency-Key và cùng nội dung "
                           "trả lại hồ sơ đã tạo (200); khác nội dung trả 409.",
            "security": requires("citizen", "clerk"),
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "description": "Khóa chống nộp trùng, 8–128 ký tự",
                            "schema": {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[!-~]+$"},
                            "example": "b2a1c6a4-5d0e-4c2f-9f57-6f1d2e3a4b5c"}],
            "requestBody": json_body(ref("Submission"), SUBMISSION),
            "responses": {
                "201": ok("Đã tạo hồ sơ (created)", ref("Dossier"), example=DOSSIER, headers=LOCATION),
                "200": ok("Hồ sơ đã tạo trước đó với cùng Idempotency-Key (replayed)", ref("Dossier"), headers=LOCATION),
                **problems(400, 401, 403, 409, 413, 415, 422),
            },
        }},
        "/api/v1/dossiers/{code}": {"get": {
            "tags": ["dossiers"], "operationId": "getDossier",
            "summary": "Tra cứu hồ sơ: bằng số điện thoại đã dùng khi nộp, hoặc bằng mã xác thực của chủ hồ sơ, công chức",
            "description": "Không gửi Authorization thì cần phone. Mã hồ sơ sai dạng hoặc số điện thoại không khớp đều trả 404.",
            "security": optional_token("citizen", *STAFF),
            "parameters": [CODE, {"name": "phone", "in": "query", "required": False,
                                  "description": "Số điện thoại đã dùng khi nộp (bắt buộc khi không có mã xác thực)",
                                  "schema": {"type": "string", "maxLength": 32}, "example": "0912345678"}],
            "responses": {"200": ok("Hồ sơ (the dossier)", ref("Dossier"), example=DOSSIER), **problems(401, 403, 404, 422)},
        }},
        "/api/v1/dossiers/{code}/forms/{form}": {"get": {
            "tags": ["dossiers"], "operationId": "getDossierForm",
            "summary": "Tải mẫu đã cấp: 01 giấy tiếp nhận và hẹn trả, 02 yêu cầu bổ sung, 03 từ chối (chuyển tới bản PDF đã ký)",
            "security": optional_token("citizen", *STAFF),
            "parameters": [CODE, {"name": "form", "in": "path", "required": True,
                                  "schema": {"type": "string", "enum": ["01", "02", "03"]}, "example": "01"},
                           {"name": "phone", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 32},
                            "example": "0912345678"}],
            "responses": {
                "303": {"description": "Chuyển tới bản PDF đã ký ở dịch vụ ký số (signing)", "headers": LOCATION},
                **problems(401, 403, 404, 422),
            },
        }},
        "/api/v1/me/dossiers": {"get": {
            "tags": ["dossiers"], "operationId": "listMyDossiers", "summary": "Hồ sơ của công dân đang đăng nhập (mới nhất trước, tối đa 100)",
            "security": requires("citizen"),
            "responses": {"200": ok("Danh sách hồ sơ", ref("DossierList"), example={"dossiers": [DOSSIER]}),
                          **problems(401, 403)},
        }},
        "/api/v1/dossiers/{code}/receive": {"post": _action(
            "receiveDossier", "Tiếp nhận hồ sơ trực tuyến: trạng thái 2, ngày hẹn trả, giấy tiếp nhận (mẫu 01)", ("clerk",),
            None, "Chỉ hồ sơ đang chờ tiếp nhận (1); trạng thái khác trả 409.")},
        "/api/v1/dossiers/{code}/supplement-request": {"post": _action(
            "requestSupplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ một lần (mẫu 02); hồ sơ chờ ở trạng thái 5", ("clerk",),
            json_body(ref("SupplementRequestInput"), {"items": [{"document_type": "giay-chung-sinh",
                                                                 "reason": "Bản chụp mờ, không đọc được"}],
                                                      "note": "Đề nghị bổ sung trong 5 ngày làm việc"}),
            "Chỉ hồ sơ chờ tiếp nhận (1); trạng thái khác trả 409.")},
        "/api/v1/dossiers/{code}/refuse": {"post": _action(
            "refuseDossier", "Từ chối tiếp nhận hồ sơ có lý do (mẫu 03); trạng thái 3 là kết thúc", ("clerk",),
            json_body(ref("RefusalInput"), {"reason": "Thủ tục không thuộc thẩm quyền giải quyết của UBND phường"}),
            "Chỉ hồ sơ chờ tiếp nhận (1); trạng thái khác trả 409.")},
        "/api/v1/dossiers/{code}/supplement": {"post": _action(
            "supplementDossier", "Bổ sung giấy tờ theo yêu cầu; hồ sơ quay lại chờ tiếp nhận hoặc tiếp tục xử lý",
            ("citizen", "clerk"),
            json_body(ref("SupplementInput"), {"documents": [{"type": "giay-chung-sinh", "attachment": EXAMPLE_SHA256}]}),
            "Chỉ hồ sơ đang chờ bổ sung (5); trạng thái khác trả 409.")},
        "/api/v1/dossiers/{code}/withdraw": {"post": _action(
            "withdrawDossier", "Rút hồ sơ (trạng thái 7), được trước khi có kết quả", ("citizen", "clerk"),
            json_body(ref("WithdrawalInput"), {"reason": "Đã nộp nhầm thủ tục"}),
            "Hồ sơ đã có kết quả, đã bị từ chối hoặc đã rút trả 409.")},
        "/tra-cuu/{code}": {"get": {
            "tags": ["dossiers"], "operationId": "lookupPage",
            "summary": "Trang tra cứu công khai mà mã QR trên giấy tiếp nhận mở ra (HTML, không JavaScript)",
            "parameters": [{**CODE, "schema": {"type": "string", "minLength": 1}},
                           {"name": "phone", "in": "query", "required": False, "schema": {"type": "string"},
                            "example": "0912345678"}],
            "responses": {"200": {"description": "Trang tra cứu (có kết quả khi phone khớp)",
                                  "content": {"text/html": {"schema": {"type": "string"}}}},
                          "404": {"description": "Trang tra cứu báo không tìm thấy hồ sơ; problem+json khi đường dẫn "
                                                 "không khớp trang (mã hồ sơ chứa '/')",
                                  "content": {"text/html": {"schema": {"type": "string"}},
                                              "application/problem+json": {"schema": ref("Problem")}}}},
        }},
    }
