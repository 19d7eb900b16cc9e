"""Intake's request and response shapes as JSON Schema (OpenAPI 3.1), with the patterns validation.py enforces.

The patterns use [0-9] rather than \\d: JSON Schema regular expressions are ECMA-262, where \\d is ASCII
only, and the document promises ASCII identifiers.
"""

from __future__ import annotations

from intake.openapi.common import PROBLEM_SCHEMAS, Schema, ref
from intake.validation import NOTIFY_CHANNELS, PROVINCES

PROCEDURE_CODE = "^[0-9]\\.[0-9]{6}$"
AGENCY_ID = "^[0-9A-Z]{3}(\\.[0-9A-Z]{2,3}){3}$"
DOSSIER_CODE = "^[0-9A-Z]{3}(\\.[0-9A-Z]{2,3}){3}-[0-9]{6}-[0-9]{4,}$"
SHA256 = "^[0-9a-f]{64}$"
SLUG = "^[a-z0-9][a-z0-9-]{0,62}$"
PHONE = "^(0|\\+84)[35789][0-9]{8}$"
EMAIL = "^[^@\\s]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"
# Twelve digits, the first three a province code (Circular 07/2016/TT-BCA).
CITIZEN_ID = f"^({'|'.join(sorted(PROVINCES))})[0-9]{{9}}$"
NOT_BLANK = "\\S"

EXAMPLE_SHA256 = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
EXAMPLE_CODE = "000.01.31.H56-251020-0001"
DATE_TIME = {"type": "string", "format": "date-time", "description": "Giờ Việt Nam (+07:00), ISO 8601"}


def text(maximum: int, *, required: bool = False, description: str = "") -> Schema:
    """A string of at most `maximum` characters; a required one must not be blank."""
    schema: Schema = {"type": "string", "maxLength": maximum}
    if required:
        schema.update(minLength=1, pattern=NOT_BLANK)
    if description:
        schema["description"] = description
    return schema


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [{"type": "null"}, schema]}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), *, closed: bool = False,
        description: str = "") -> Schema:
    """An object; `closed` for responses, whose keys the service fixes. Requests may carry unknown keys (ignored)."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


REQUESTS: dict[str, Schema] = {
    "Applicant": obj({
        "full_name": text(200, required=True, description="Họ và tên"),
        "citizen_id": {"type": "string", "pattern": CITIZEN_ID,
                       "description": "Số định danh cá nhân: 12 chữ số, 3 số đầu là mã tỉnh; khớp với năm sinh nếu có"},
        "birth_year": {"type": "integer", "minimum": 1880, "maximum": 2100, "description": "Năm sinh"},
        "phone": {"type": "string", "pattern": PHONE,
                  "description": "Số di động Việt Nam (0xxxxxxxxx hoặc +84xxxxxxxxx); dấu cách, dấu chấm được bỏ qua"},
        "email": {"type": "string", "maxLength": 254, "pattern": EMAIL},
        "address": text(300, description="Địa chỉ"),
    }, ("full_name", "citizen_id", "phone"), description="Người nộp hồ sơ"),
    "DocumentInput": {
        "type": "object",
        "description": "Một thành phần hồ sơ: tệp mới tải lên (attachment) hoặc giấy tờ đã được tiếp nhận trước đây (reuse)",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "pattern": SLUG, "description": "Mã giấy tờ trong danh mục thủ tục"},
            "attachment": {"type": "string", "pattern": SHA256, "description": "SHA-256 trả về khi tải tệp lên"},
            "reuse": {"type": "string", "pattern": SHA256, "description": "SHA-256 của giấy tờ đã được tiếp nhận"},
        },
        "anyOf": [{"required": ["attachment"]}, {"required": ["reuse"]}],
    },
    "Submission": obj({
        "procedure_code": {"type": "string", "pattern": PROCEDURE_CODE, "description": "Mã thủ tục (d.dddddd)"},
        "channel": {"type": "string", "enum": ["counter", "online", "post"], "default": "online",
                    "description": "online: công dân tự nộp; counter, post: công chức tiếp nhận nhập"},
        "agency_id": {"type": "string", "pattern": AGENCY_ID,
                      "description": "Cơ quan tiếp nhận (hồ sơ trực tuyến); mặc định cơ quan đầu tiên của thủ tục"},
        "applicant": ref("Applicant"),
        "documents": {"type": "array", "maxItems": 50, "items": ref("DocumentInput"), "default": []},
        "notify_channels": {
            "type": "array", "maxItems": len(NOTIFY_CHANNELS), "uniqueItems": True, "default": [],
            "items": {"type": "string", "enum": list(NOTIFY_CHANNELS)},
            "description": "Kênh nhận thông báo theo thứ tự ưu tiên (email cần địa chỉ e-mail); "
                           "để trống: Zalo ZNS, SMS rồi e-mail"},
    }, ("procedure_code", "applicant"), description="Hồ sơ nộp mới"),
    "SupplementRequestInput": obj({
        "items": {"type": "array", "minItems": 1, "maxItems": 50, "items": {
            "type": "object",
            "description": "Nội dung cần bổ sung: giấy tờ của thủ tục (document_type) hoặc tên giấy tờ khác (name)",
            "required": ["reason"],
            "properties": {"document_type": {"type": "string", "pattern": SLUG}, "name": text(500, required=True),
                           "reason": text(2000, required=True)},
            "anyOf": [{"required": ["document_type"]}, {"required": ["name"]}],
        }},
        "note": text(2000),
    }, ("items",), description="Yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)"),
    "RefusalInput": obj({"reason": text(2000, required=True, description="Lý do từ chối")}, ("reason",)),
    "WithdrawalInput": obj({"reason": text(2000, description="Lý do rút hồ sơ")}),
    "SupplementInput": obj({"documents": {"type": "array", "minItems": 1, "maxItems": 50, "items": ref("DocumentInput")}},
                           ("documents",)),
    "CalendarOverrideInput": obj({
        "date": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                 "description": "Ngày (YYYY-MM-DD), năm 1901–2100"},
        "kind": {"type": "string", "enum": ["day_off", "working_day"]},
        "reason": text(300),
    }, ("date", "kind"), description="Ngày nghỉ bù hoặc ngày làm việc bù của cơ quan"),
}

FEE = obj({"name": text(300, required=True), "amount_vnd": {"type": "integer", "minimum": 0},
           "note": text(500)}, ("name", "amount_vnd"))
PROCEDURE_DOCUMENT = obj({"id": {"type": "string", "pattern": SLUG}, "name": text(500, required=True),
                          "mandatory": {"type": "boolean", "default": True}}, ("id", "name"))
DEFINITION: dict[str, Schema] = {
    "code": {"type": "string", "pattern": PROCEDURE_CODE},
    "name": text(300, required=True, description="Tên thủ tục"),
    "name_en": text(300),
    "field": text(300, required=True, description="Lĩnh vực"),
    "level": {"type": "string", "enum": ["commune", "province"], "description": "Cấp thực hiện"},
    "agencies": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": AGENCY_ID},
                 "description": "Cơ quan tiếp nhận (phải có trong danh mục, cùng cấp)"},
    "department": {"type": "string", "pattern": SLUG, "description": "Phòng ban giải quyết"},
    "legal_days": {"type": "integer", "minimum": 1, "maximum": 365, "description": "Thời hạn giải quyết (ngày làm việc)"},
    "online": {"type": "string", "enum": ["full", "partial"], "description": "full: toàn trình, partial: một phần"},
    "workflow": {"type": "string", "pattern": SLUG, "default": "standard"},
    "fees": {"type": "array", "items": FEE, "default": []},
    "documents": {"type": "array", "minItems": 1, "items": PROCEDURE_DOCUMENT, "description": "Thành phần hồ sơ"},
}
DEFINITION_REQUIRED = ("name", "field", "level", "agencies", "department", "legal_days", "online", "documents")
AGENCY = obj({
    "id": {"type": "string", "pattern": AGENCY_ID, "description": "Mã định danh điện tử của cơ quan"},
    "name": text(300, required=True), "level": {"type": "string", "enum": ["commune", "province"]},
    "parent_name": text(300), "place_name": text(100),
    "departments": {"type": "array", "minItems": 1, "items": obj(
        {"code": {"type": "string", "pattern": SLUG}, "name": {"type": "string"}}, ("code",))},
}, ("id", "name", "level", "departments"), description="Cơ quan tiếp nhận, giải quyết")

CATALOG: dict[str, Schema] = {
    "ProcedureDefinition": obj(DEFINITION, ("code", *DEFINITION_REQUIRED), description="Định nghĩa thủ tục hành chính"),
    "ProcedureChange": obj({**DEFINITION, "code": {**DEFINITION["code"], "description": "Bỏ qua: mã lấy từ đường dẫn"}},
                           DEFINITION_REQUIRED, description="Định nghĩa mới của thủ tục (một phiên bản mới)"),
    "Agency": AGENCY,
    "CatalogDocument": obj({
        "version": {"type": "integer", "const": 1},
        "agencies": {"type": "array", "items": ref("Agency")},
        "procedures": {"type": "array", "items": ref("ProcedureDefinition")},
    }, description="Danh mục để nhập, xuất (agencies trước, procedures sau)"),
}


STATUS = obj({"code": {"type": "integer", "minimum": 0, "maximum": 10, "description": "Mã trạng thái (1–10)"},
              "name": {"type": "string", "examples": ["Được tiếp nhận"]}, "name_en": {"type": "string"}},
             ("code", "name", "name_en"), closed=True)
RESPONSES: dict[str, Schema] = {
    "Attachment": obj({
        "id": {"type": "string", "pattern": SHA256, "description": "Mã tệp, dùng trong documents[].attachment"},
        "sha256": {"type": "string", "pattern": SHA256},
        "size": {"type": "integer", "minimum": 1},
        "content_type": {"type": "string", "enum": ["application/pdf", "image/jpeg", "image/png"]},
    }, ("id", "sha256", "size", "content_type"), closed=True, description="Tệp đính kèm, lưu một lần theo SHA-256"),
    "Status": STATUS,
    "Dossier": obj({
        "code": {"type": "string", "pattern": DOSSIER_CODE, "description": "Mã hồ sơ: <cơ quan>-<yymmdd>-<số thứ tự>"},
        "procedure": obj({"code": {"type": "string", "pattern": PROCEDURE_CODE}, "version": {"type": "integer", "minimum": 1},
                          "name": {"type": "string"}, "workflow": {"type": "string"}},
                         ("code", "version", "name", "workflow"), closed=True),
        "agency_id": {"type": "string"},
        "channel": {"type": "string", "enum": ["counter", "online", "post"]},
        "status": ref("Status"),
        "department": {"type": "string"},
        "submitted_at": nullable(DATE_TIME), "received_at": nullable(DATE_TIME),
        "appointment_at": nullable({**DATE_TIME, "description": "Ngày hẹn trả kết quả"}),
        "documents": {"type": "array", "items": obj(
            {"type": {"type": "string"}, "name": {"type": "string"}, "sha256": {"type": "string", "pattern": SHA256},
             "reused": {"type": "boolean"}}, ("type", "name", "sha256", "reused"), closed=True)},
        "supplement_request": nullable(obj({
            "items": {"type": "array", "items": obj({"document_type": {"type": "string"}, "name": {"type": "string"},
                                                     "reason": {"type": "string"}},
                                                    ("document_type", "name", "reason"), closed=True)},
            "note": {"type": "string"}, "requested_at": DATE_TIME,
        }, ("items", "note", "requested_at"), closed=True)),
        "refusal_reason": nullable({"type": "string"}),
        "forms": {"type": "object", "propertyNames": {"enum": ["01", "02", "03"]},
                  "description": "Mẫu đã cấp: 01 giấy tiếp nhận, 02 yêu cầu bổ sung, 03 từ chối (Thông tư 01/2018/TT-VPCP)",
                  "additionalProperties": obj({
                      "form": {"type": "string", "enum": ["01", "02", "03"]},
                      "name": {"type": "string", "enum": ["receipt", "supplement_request", "refusal"]},
                      "sha256": {"type": "string", "pattern": SHA256}, "url": {"type": "string"},
                  }, ("form", "name", "sha256", "url"), closed=True)},
        "history": {"type": "array", "items": obj(
            {"status": ref("Status"), "at": DATE_TIME, "department": {"type": "string"}, "note": {"type": "string"}},
            ("status", "at", "department", "note"), closed=True)},
    }, ("code", "procedure", "agency_id", "channel", "status", "department", "submitted_at", "received_at",
        "appointment_at", "documents", "supplement_request", "refusal_reason", "forms", "history"), closed=True,
        description="Hồ sơ như công dân và công chức thấy"),
    "DossierList": obj({"dossiers": {"type": "array", "items": ref("Dossier")}}, ("dossiers",), closed=True),
    "Procedure": obj({**DEFINITION, "version": {"type": "integer", "minimum": 1}, "updated_at": DATE_TIME},
                     ("code", "name", "name_en", "field", "level", "agencies", "department", "legal_days", "online",
                      "workflow", "fees", "documents", "version", "updated_at"), closed=True,
                     description="Một phiên bản của thủ tục trong danh mục"),
    "ProcedureList": obj({"procedures": {"type": "array", "items": ref("Procedure")}}, ("procedures",), closed=True),
    "ProcedureVersions": obj({"versions": {"type": "array", "items": ref("Procedure")}}, ("versions",), closed=True),
    "AgencyList": obj({"agencies": {"type": "array", "items": ref("Agency")}}, ("agencies",), closed=True),
    "ImportReport": obj({key: {"type": "array", "items": {"type": "string", "pattern": PROCEDURE_CODE}}
                         for key in ("created", "updated", "unchanged")},
                        ("created", "updated", "unchanged"), closed=True, description="Kết quả nhập danh mục"),
    "CalendarOverride": obj({"date": {"type": "string", "format": "date"},
                             "kind": {"type": "string", "enum": ["day_off", "working_day"]},
                             "reason": {"type": "string"}}, ("date", "kind", "reason"), closed=True),
    "CalendarOverrideList": obj({"overrides": {"type": "array", "items": ref("CalendarOverride")}},
                                ("overrides",), closed=True),
}


def components() -> dict[str, Schema]:
    """Every component schema of the document."""
    return {**PROBLEM_SCHEMAS, **REQUESTS, **CATALOG, **RESPONSES}
