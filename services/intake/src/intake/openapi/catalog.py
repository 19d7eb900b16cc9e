"""Paths of the published catalog (procedures, agencies) and of its administration (role admin)."""

from __future__ import annotations

from intake.openapi.common import (
    JSON,
    LOCATION,
    Schema,
    json_body,
    ok,
    problems,
    ref,
    requires,
)
from intake.openapi.schemas import AGENCY_ID, PROCEDURE_CODE

PROCEDURE = {
    "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "name_en": "Birth registration", "field": "Hộ tịch",
    "level": "commune", "agencies": ["000.01.31.H56", "000.02.31.H56", "000.03.31.H56"], "department": "tu-phap",
    "legal_days": 1, "online": "full", "workflow": "standard",
    "fees": [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 0, "note": "Miễn lệ phí khi đăng ký đúng hạn"}],
    "documents": [{"id": "to-khai", "name": "Tờ khai đăng ký khai sinh theo mẫu", "mandatory": True},
                  {"id": "giay-chung-sinh", "name": "Giấy chứng sinh", "mandatory": True}],
}
STORED = {**PROCEDURE, "version": 2, "updated_at": "2025-10-20T08:00:00+07:00"}
AGENCY = {"id": "000.01.31.H56", "name": "UBND phường Hạc Thành", "level": "commune",
          "parent_name": "UBND TỈNH THANH HÓA", "place_name": "Hạc Thành",
          "departments": [{"code": "tu-phap", "name": "Công chức Tư pháp - Hộ tịch"}]}
# The administration examples name a procedure and an agency the seed does not have, so that trying them leaves the seed as it is.
NEW_PROCEDURE = {**PROCEDURE, "code": "1.009999", "name": "Thủ tục thử nghiệm cấp xã", "name_en": "A trial procedure"}
NEW_AGENCY = {**AGENCY, "id": "000.09.31.H56", "name": "UBND xã Thử Nghiệm", "place_name": "Thử Nghiệm"}
OVERRIDE = {"date": "2025-12-31", "kind": "day_off", "reason": "Nghỉ bù theo quyết định của UBND tỉnh"}
PROCEDURE_PARAM = {"name": "code", "in": "path", "required": True, "description": "Mã thủ tục",
                   "schema": {"type": "string", "pattern": PROCEDURE_CODE}, "example": "1.001193"}
AGENCY_PARAM = {"name": "agency_id", "in": "path", "required": True, "description": "Mã định danh cơ quan",
                "schema": {"type": "string", "pattern": AGENCY_ID}, "example": "000.01.31.H56"}
ADMIN = requires("admin")
IMPORT_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")


def paths() -> dict[str, Schema]:
    return {**published(), **administration()}


def published() -> dict[str, Schema]:
    return {
        "/api/v1/procedures": {"get": {
            "tags": ["catalog"], "operationId": "listProcedures", "summary": "Danh mục thủ tục (phiên bản hiện hành)",
            "responses": {"200": ok("Các thủ tục", ref("ProcedureList"), example={"procedures": [STORED]})},
        }},
        "/api/v1/procedures/{code}": {"get": {
            "tags": ["catalog"], "operationId": "getProcedure", "summary": "Một thủ tục, hiện hành hoặc ở một phiên bản",
            "parameters": [PROCEDURE_PARAM, {"name": "version", "in": "query", "required": False,
                                             "description": "Phiên bản (0 hoặc bỏ trống: hiện hành)",
                                             "schema": {"type": "integer", "minimum": 0, "maximum": 999999999, "default": 0},
                                             "example": 1}],
            "responses": {"200": ok("Thủ tục", ref("Procedure"), example=STORED), **problems(404, 422)},
        }},
        "/api/v1/procedures/{code}/versions": {"get": {
            "tags": ["catalog"], "operationId": "listProcedureVersions", "summary": "Mọi phiên bản của một thủ tục, cũ trước",
            "parameters": [PROCEDURE_PARAM],
            "responses": {"200": ok("Các phiên bản", ref("ProcedureVersions"), example={"versions": [STORED]}),
                          **problems(404)},
        }},
        "/api/v1/agencies": {"get": {
            "tags": ["catalog"], "operationId": "listAgencies", "summary": "Các cơ quan tiếp nhận và phòng ban",
            "responses": {"200": ok("Các cơ quan", ref("AgencyList"), example={"agencies": [AGENCY]})},
        }},
    }


def administration() -> dict[str, Schema]:
    return {
        "/api/v1/admin/procedures": {"post": {
            "tags": ["admin"], "operationId": "createProcedure", "summary": "Thêm thủ tục vào danh mục (phiên bản 1)",
            "security": ADMIN,
            "requestBody": json_body(ref("ProcedureDefinition"), NEW_PROCEDURE),
            "responses": {"201": ok("Đã thêm", ref("Procedure"), example={**STORED, "version": 1}, headers=LOCATION),
                          **problems(400, 401, 403, 409, 413, 415, 422)},
        }},
        "/api/v1/admin/procedures/{code}": {"put": {
            "tags": ["admin"], "operationId": "updateProcedure",
            "summary": "Sửa thủ tục: định nghĩa khác thì thành phiên bản mới, hồ sơ đã nhận giữ phiên bản cũ",
            "security": ADMIN,
            "parameters": [{**PROCEDURE_PARAM, "example": NEW_PROCEDURE["code"]}, {
                "name": "If-Match", "in": "header", "required": False,
                "description": "Phiên bản đang sửa; khác phiên bản hiện hành thì trả 409",
                "schema": {"type": "string", "pattern": "^\"?[0-9]{1,9}\"?$"}, "example": "\"1\""}],
            "requestBody": json_body(ref("ProcedureChange"), NEW_PROCEDURE),
            "responses": {"200": ok("Thủ tục sau khi sửa", ref("Procedure"), example=STORED),
                          **problems(400, 401, 403, 404, 409, 413, 415, 422)},
        }},
        "/api/v1/admin/catalog/import": {"post": {
            "tags": ["admin"], "operationId": "importCatalog",
            "summary": "Nhập danh mục (JSON hoặc YAML): cơ quan được ghi đè, thủ tục đổi định nghĩa thành phiên bản mới",
            "description": "Mọi lỗi được báo cùng lúc (422) và khi đó không ghi gì. 409 khi một thủ tục vừa được người "
                           "khác sửa cùng lúc.",
            "security": ADMIN,
            "requestBody": {"required": True, "content": {
                media: {"schema": ref("CatalogDocument"),
                        **({"example": {"version": 1, "agencies": [NEW_AGENCY], "procedures": [NEW_PROCEDURE]}}
                           if media == JSON else {})}
                for media in IMPORT_TYPES}},
            "responses": {"200": ok("Kết quả nhập", ref("ImportReport"),
                                    example={"created": [], "updated": ["1.001193"], "unchanged": ["1.000656"]}),
                          **problems(401, 403, 409, 413, 415, 422)},
        }},
        "/api/v1/admin/catalog/export": {"get": {
            "tags": ["admin"], "operationId": "exportCatalog", "summary": "Xuất danh mục (JSON hoặc YAML), nhập lại được",
            "security": ADMIN,
            "parameters": [{"name": "format", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["json", "yaml"], "default": "json"}}],
            "responses": {"200": {"description": "Danh mục", "content": {
                "application/json": {"schema": ref("CatalogDocument")},
                "application/yaml": {"schema": ref("CatalogDocument")}}},
                **problems(401, 403)},
        }},
        "/api/v1/admin/agencies/{agency_id}/calendar": {
            "get": {
                "tags": ["admin"], "operationId": "listCalendarOverrides",
                "summary": "Ngày nghỉ bù, làm việc bù của cơ quan (theo năm hoặc tất cả)", "security": ADMIN,
                "parameters": [AGENCY_PARAM, {"name": "year", "in": "query", "required": False,
                                              "schema": {"type": "integer", "minimum": 1, "maximum": 9999}, "example": 2025}],
                "responses": {"200": ok("Các ngày điều chỉnh", ref("CalendarOverrideList"), example={"overrides": [OVERRIDE]}),
                              **problems(401, 403, 404, 422)},
            },
            "put": {
                "tags": ["admin"], "operationId": "setCalendarOverride",
                "summary": "Đặt một ngày nghỉ bù hoặc làm việc bù (thay ngày điều chỉnh cũ cùng ngày)", "security": ADMIN,
                "parameters": [AGENCY_PARAM],
                "requestBody": json_body(ref("CalendarOverrideInput"), OVERRIDE),
                "responses": {"200": ok("Ngày điều chỉnh đã lưu", ref("CalendarOverride"), example=OVERRIDE),
                              **problems(400, 401, 403, 404, 413, 415, 422)},
            },
        },
        "/api/v1/admin/agencies/{agency_id}/calendar/{day}": {"delete": {
            "tags": ["admin"], "operationId": "deleteCalendarOverride", "summary": "Bỏ ngày điều chỉnh (không có cũng trả 204)",
            "security": ADMIN,
            "parameters": [AGENCY_PARAM, {"name": "day", "in": "path", "required": True,
                                          "schema": {"type": "string", "format": "date"}, "example": "2025-12-31"}],
            "responses": {"204": {"description": "Đã bỏ"}, **problems(401, 403, 404, 422)},
        }},
    }
