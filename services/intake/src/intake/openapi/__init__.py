"""Intake's OpenAPI 3.1 document, served at /openapi.json and checked against the running service by schemathesis."""

from __future__ import annotations

from typing import Any

from intake.openapi import catalog, dossiers, schemas
from intake.openapi.common import BEARER, JSON, ok, problem_responses

ROLES = ("citizen", "clerk", "officer", "leader", "admin")
TAGS = [
    {"name": "attachments", "description": "Tệp đính kèm, lưu một lần theo SHA-256"},
    {"name": "dossiers", "description": "Nộp hồ sơ, tra cứu hồ sơ, tải mẫu đã cấp"},
    {"name": "reception", "description": "Tiếp nhận, yêu cầu bổ sung, từ chối; công dân bổ sung, rút hồ sơ"},
    {"name": "catalog", "description": "Danh mục thủ tục hành chính và cơ quan (công khai)"},
    {"name": "admin", "description": "Quản trị danh mục và lịch làm việc của cơ quan (vai trò admin)"},
    {"name": "operations", "description": "Sức khỏe, chỉ số và tài liệu của dịch vụ"},
]


def document() -> dict[str, Any]:
    """The complete document: every route intake serves, its inputs, statuses and shapes."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "motcua intake",
            "version": "1.0.0",
            "summary": "Tiếp nhận hồ sơ thủ tục hành chính (one-stop intake)",
            "description": "Danh mục thủ tục, tệp đính kèm, nộp và tiếp nhận hồ sơ, tra cứu công khai. Lỗi theo RFC 9457 "
                           "(application/problem+json) với detail_vi bằng tiếng Việt và errors[] chỉ từng trường sai.",
        },
        "tags": TAGS,
        "paths": {**dossiers.paths(), **catalog.paths(), **operations()},
        "components": {
            "schemas": schemas.components(),
            "responses": problem_responses(),
            "securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "JWT RS256 (iss, aud = motcua) với claims sub, roles, agency, department. "
                               f"Vai trò: {', '.join(ROLES)}. Sai hoặc hết hạn: 401; thiếu vai trò: 403.",
            }},
        },
    }


def operations() -> dict[str, Any]:
    """Liveness, readiness, metrics and this document."""
    health = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}
    ready = {"type": "object", "required": ["status", "checks"], "additionalProperties": False, "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}}}}
    return {
        "/healthz": {"get": {"tags": ["operations"], "operationId": "healthz", "summary": "Tiến trình còn chạy",
                             "responses": {"200": ok("Còn chạy", health, example={"status": "ok"})}}},
        "/readyz": {"get": {
            "tags": ["operations"], "operationId": "readyz", "summary": "Sẵn sàng khi MongoDB và Kafka trả lời",
            "responses": {"200": ok("Sẵn sàng", ready, example={"status": "ready", "checks": {"mongo": "ok", "kafka": "ok"}}),
                          "503": ok("Chưa sẵn sàng", ready)}}},
        "/metrics": {"get": {"tags": ["operations"], "operationId": "metrics", "summary": "Chỉ số Prometheus",
                             "responses": {"200": {"description": "Định dạng văn bản của Prometheus",
                                                   "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"tags": ["operations"], "operationId": "openapi", "summary": "Tài liệu này",
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {JSON: {"schema": {"type": "object"}}}}}}},
    }
