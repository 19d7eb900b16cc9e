"""Rules and templates as data: which event tells the citizen what, on which channels, in which words.

A rule, keyed by event type, names the kind of message the event makes, the channels it may use (all, in
the citizen's order, when it lists none) and whether it is urgent (sent even in quiet hours). A template
is one version of a kind's words on one channel (templates.py). Both live in MongoDB; the service seeds
the rules and version 1 of each template below when they are missing, and the admin API adds versions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from jinja2 import TemplateError
from motcua import topics
from motcua.errors import FieldError, InvalidInput, NotFound

from notification.settings import CHANNELS, KINDS
from notification.templates import Renderer

SEED_RULES = [
    {"_id": topics.DOSSIER_RECEIVED.name, "kind": "received", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.SUPPLEMENT_REQUESTED.name, "kind": "supplement_requested", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.TASK_ASSIGNED.name, "kind": "assigned", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.DOSSIER_DUE_SOON.name, "kind": "due_soon", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.APOLOGY_ISSUED.name, "kind": "apology_issued", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.RESULT_READY.name, "kind": "result_ready", "urgent": False, "channels": [], "enabled": True},
    {"_id": topics.DOSSIER_COMPLETED.name, "kind": "completed", "urgent": False, "channels": [], "enabled": True},
]
# The parameters of each kind's ZNS template as Zalo approved it, each a Jinja2 expression over the values.
ZNS_PARAMS = {
    "received": {"code": "{{ code }}", "name": "{{ name }}", "procedure": "{{ procedure_name }}",
                 "received_at": "{{ received_at | vn_short }}", "appointment_at": "{{ appointment_at | vn_short }}"},
    "supplement_requested": {"code": "{{ code }}", "name": "{{ name }}", "procedure": "{{ procedure_name }}"},
    "assigned": {"code": "{{ code }}", "name": "{{ name }}", "department": "{{ department }}",
                 "due_at": "{{ due_at | vn_short }}"},
    "due_soon": {"code": "{{ code }}", "name": "{{ name }}", "due_at": "{{ due_at | vn_short }}"},
    "apology_issued": {"code": "{{ code }}", "name": "{{ name }}", "reason": "{{ reason }}",
                       "new_appointment_at": "{{ new_appointment_at | vn_short }}"},
    "result_ready": {"code": "{{ code }}", "name": "{{ name }}", "document_id": "{{ document_id }}",
                     "rating_url": "{{ rating_url }}"},
    "completed": {"code": "{{ code }}", "name": "{{ name }}", "completed_at": "{{ completed_at | vn_short }}",
                  "rating_url": "{{ rating_url }}"},
}
_SAMPLE_TIME = "2026-03-02T02:00:00+00:00"
_COMMON_SAMPLE = {"code": "000.00.12.H56-260302-0001", "name": "Nguyễn Thị Lan", "rating_url": ""}
# Values to preview each kind with when the caller gives none: what its event carries.
SAMPLES: dict[str, dict[str, str]] = {
    "received": {"procedure_name": "Đăng ký khai sinh", "received_at": _SAMPLE_TIME,
                 "appointment_at": "2026-03-05T02:00:00+00:00"},
    "supplement_requested": {"procedure_name": "Đăng ký khai sinh", "note": "Bổ sung bản sao giấy chứng sinh"},
    "assigned": {"department": "tu-phap", "due_at": "2026-03-04T09:30:00+00:00"},
    "due_soon": {"due_at": "2026-03-04T09:30:00+00:00"},
    "apology_issued": {"reason": "Cần xác minh thêm thông tin", "previous_appointment_at": "2026-03-05T02:00:00+00:00",
                       "new_appointment_at": "2026-03-10T02:00:00+00:00"},
    "result_ready": {"document_id": "d-2603020001"},
    "completed": {"completed_at": "2026-03-06T03:00:00+00:00"},
}


def sample(kind: str) -> dict[str, str]:
    return {**_COMMON_SAMPLE, **SAMPLES.get(kind, {})}


def seed_templates(zns_template_ids: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    """Version 1 of each kind on each channel: e-mail and SMS from the package's files, ZNS from its ids."""
    found = []
    for kind in KINDS:
        for channel in ("email", "sms"):
            text = (resources.files("notification") / "templates" / channel / f"{kind}.txt").read_text("utf-8")
            fields = {"body": text, "ascii": True} if channel == "sms" else dict(
                zip(("subject", "body"), text.split("\n", 1), strict=True))
            found.append(template_record(kind, channel, 1, fields, "seed", now))
        if kind in zns_template_ids:
            found.append(template_record(kind, "zns", 1, {"zns_template_id": zns_template_ids[kind],
                                                          "zns_params": ZNS_PARAMS[kind]}, "seed", now))
    return found


def template_record(kind: str, channel: str, version: int, fields: dict[str, Any], author: str,
                    now: datetime) -> dict[str, Any]:
    return {"_id": f"{kind}/{channel}/{version}", "kind": kind, "channel": channel, "version": version,
            "subject": "", "subject_en": "", "body": "", "body_en": "", "ascii": False, "zns_template_id": "",
            "zns_params": {}, **fields, "created_by": author, "created_at": now}


def event_values(payload: Message) -> dict[str, str]:
    """The values a template may use: the payload's scalar fields as text, its times as ISO 8601 in UTC.

    Nested records (the applicant, documents) are left out: personal data reaches a template only as
    the recipient's name, which the service adds.
    """
    values: dict[str, str] = {}
    for field in payload.DESCRIPTOR.fields:
        value = getattr(payload, field.name)
        if field.is_repeated:
            continue
        if isinstance(value, Timestamp):
            values[field.name] = value.ToDatetime(UTC).isoformat() if payload.HasField(field.name) else ""
        elif not isinstance(value, Message):
            values[field.name] = str(value)
    if "dossier_code" in values:
        values["code"] = values["dossier_code"]
    return values


def parse_template(kind: str, channel: str, body: dict[str, Any], renderer: Renderer) -> dict[str, Any]:
    """The fields of a new template version, checked by rendering it with the kind's sample values."""
    problems: list[FieldError] = []
    if kind not in KINDS or channel not in CHANNELS:
        raise NotFound(detail=f"no template kind {kind!r} on channel {channel!r}; kinds: {', '.join(KINDS)}; "
                                f"channels: {', '.join(CHANNELS)}", detail_vi="Không có loại mẫu hoặc kênh này")
    texts = {"zns": ("zns_template_id",), "sms": ("body", "body_en"), "email": ("subject", "body", "subject_en",
                                                                              "body_en")}[channel]
    fields: dict[str, Any] = {}
    for key in texts:
        value = body.get(key, "")
        required = not key.endswith("_en")
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > 5000:
            problems.append(FieldError(f"/{key}", f"{key} là chuỗi{' bắt buộc' if required else ''}, tối đa 5000 ký tự",
                                       f"{key} must be a {'non-empty ' if required else ''}string of at most 5000 characters"))
        fields[key] = value if isinstance(value, str) else ""
    if channel == "sms":
        if not isinstance(body.get("ascii", False), bool):
            problems.append(FieldError("/ascii", "ascii là true hoặc false", "ascii must be true or false"))
        fields["ascii"] = body.get("ascii") is True
    if channel == "zns":
        params = body.get("zns_params")
        if not isinstance(params, dict) or not params or not all(
                isinstance(k, str) and isinstance(v, str) and k for k, v in params.items()):
            problems.append(FieldError("/zns_params", "zns_params: tên tham số của mẫu Zalo và biểu thức Jinja2",
                                       "zns_params must map each Zalo template parameter to a Jinja2 expression"))
            params = {}
        fields["zns_params"] = params
    flagged = {problem.pointer for problem in problems}
    problems += [problem for problem in render_problems({"_id": "", "kind": kind, "channel": channel, **fields}, renderer)
                 if problem.pointer not in flagged]
    if problems:
        raise InvalidInput(detail="the template is not valid", detail_vi="Mẫu thông báo không hợp lệ", errors=problems)
    return fields


def render_problems(template: dict[str, Any], renderer: Renderer) -> list[FieldError]:
    """Why a template does not render with its kind's sample values, with a pointer to the faulty field."""
    keys = [f"zns_params/{name}" for name in template.get("zns_params", {})] or [
        key for key in ("subject", "body", "subject_en", "body_en") if template.get(key)]
    found = []
    for key in keys:
        source = template["zns_params"][key.split("/", 1)[1]] if key.startswith("zns_params/") else template[key]
        try:
            renderer.compile(source).render(sample(template["kind"]))
        except TemplateError as error:
            line = f" (line {error.lineno})" if getattr(error, "lineno", None) else ""
            found.append(FieldError(f"/{key}", f"Mẫu lỗi{line}: {error.message}", f"template error{line}: {error.message}"))
    return found
