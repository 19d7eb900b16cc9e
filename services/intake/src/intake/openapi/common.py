"""Building blocks of intake's OpenAPI document: references, JSON bodies, the problem responses, security."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
PROBLEM = "application/problem+json"
BEARER = "bearerAuth"
STAFF = ["clerk", "officer", "leader"]

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: Schema, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {JSON: media}


def json_body(schema: Schema, example: Any = None, description: str = "") -> dict[str, Any]:
    """A required application/json request body."""
    body: dict[str, Any] = {"required": True, "content": json_content(schema, example)}
    if description:
        body["description"] = description
    return body


def ok(description: str, schema: Schema, *, example: Any = None, headers: dict[str, Any] | None = None) -> Schema:
    """A JSON response."""
    response: Schema = {"description": description, "content": json_content(schema, example)}
    if headers:
        response["headers"] = headers
    return response


def requires(*roles: str) -> list[dict[str, list[str]]]:
    """The bearer token with one of these roles (OpenAPI 3.1 lists role names for non-OAuth schemes)."""
    return [{BEARER: list(roles)}]


def optional_token(*roles: str) -> list[dict[str, list[str]]]:
    """Anonymous, or a bearer token with one of these roles."""
    return [{}, {BEARER: list(roles)}]


LOCATION = {"Location": {"description": "Đường dẫn của tài nguyên (the resource's URL)", "required": True,
                         "schema": {"type": "string"}}}

# (status, component name, English title, slug, Vietnamese detail of the example)
PROBLEMS = (
    (400, "MalformedRequest", "Malformed request", "malformed-request", "Dữ liệu JSON không hợp lệ"),
    (401, "Unauthenticated", "Unauthenticated", "unauthenticated", "Cần mã xác thực (Authorization: Bearer)"),
    (403, "Forbidden", "Forbidden", "forbidden", "Thao tác này cần một trong các vai trò: clerk"),
    (404, "NotFound", "Not found", "not-found", "Không tìm thấy hồ sơ 000.01.31.H56-251020-0001 với số điện thoại đã nhập"),
    (409, "Conflict", "Conflict", "conflict",
     "Hồ sơ 000.01.31.H56-251020-0001 đang ở trạng thái 'Được tiếp nhận' (2), không thể từ chối"),
    (413, "PayloadTooLarge", "Payload too large", "payload-too-large", "Dữ liệu gửi lên vượt quá 262144 byte"),
    (415, "UnsupportedMediaType", "Unsupported media type", "unsupported-media-type",
     "Dữ liệu phải ở dạng application/json"),
    (422, "InvalidInput", "Invalid input", "invalid-input", "Yêu cầu có thông tin không hợp lệ"),
)
NAMES = {status: name for status, name, *_ in PROBLEMS}


def problems(*statuses: int) -> dict[str, Schema]:
    """The listed error statuses, each answered with a problem+json document."""
    return {str(status): {"$ref": f"#/components/responses/{NAMES[status]}"} for status in statuses}


def problem_responses() -> dict[str, Schema]:
    """components.responses: one problem+json response per error status, with a Vietnamese example."""
    responses = {}
    for status, name, title, slug, detail_vi in PROBLEMS:
        example: dict[str, Any] = {"type": f"https://motcua.vn/problems/{slug}", "title": title, "status": status,
                                   "detail": title.lower(), "detail_vi": detail_vi}
        if status == 422:
            example["errors"] = [{"pointer": "/applicant/phone", "detail": "Số điện thoại di động Việt Nam không hợp lệ",
                                  "detail_en": "phone must be a Vietnamese mobile number"}]
        responses[name] = {"description": f"{title} (problem+json, RFC 9457)",
                           "content": {PROBLEM: {"schema": ref("Problem"), "example": example}}}
    return responses


PROBLEM_SCHEMAS: dict[str, Schema] = {
    "Problem": {
        "type": "object",
        "description": "Lỗi theo RFC 9457; detail_vi là thông báo tiếng Việt cho người dùng.",
        "required": ["type", "title", "status", "detail"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "examples": ["https://motcua.vn/problems/invalid-input"]},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "English detail"},
            "detail_vi": {"type": "string", "description": "Thông báo tiếng Việt"},
            "reason": {"type": "string", "description": "Machine-readable reason",
                       "examples": ["DOSSIER_NOT_FOUND", "ROLE_REQUIRED", "DOSSIER_STATUS"]},
            "instance": {"type": "string", "description": "The request path"},
            "errors": {"type": "array", "items": ref("FieldError")},
        },
    },
    "FieldError": {
        "type": "object",
        "description": "Một trường không hợp lệ (one invalid field), located by a JSON pointer into the request.",
        "required": ["pointer", "detail", "detail_en"],
        "additionalProperties": False,
        "properties": {
            "pointer": {"type": "string", "examples": ["/applicant/citizen_id"]},
            "detail": {"type": "string", "description": "Thông báo tiếng Việt"},
            "detail_en": {"type": "string", "description": "English message"},
        },
    },
}
