"""How dossiers and procedures are shown over REST: status names, local times, no officials' personal data."""

from __future__ import annotations

from typing import Any

from motcua.calendar import TZ

STATUS_NAMES = {
    1: ("Mới đăng ký", "Submitted"), 2: ("Được tiếp nhận", "Received"), 3: ("Không được tiếp nhận", "Refused"),
    4: ("Đang xử lý", "In progress"), 5: ("Yêu cầu bổ sung giấy tờ", "Supplement requested"),
    6: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Fee requested"), 7: ("Công dân yêu cầu rút hồ sơ", "Withdrawn"),
    8: ("Dừng xử lý", "Stopped"), 9: ("Đã xử lý xong", "Decided"), 10: ("Đã trả kết quả", "Result returned"),
}
CHANNEL_NAMES = {1: "counter", 2: "online", 3: "post"}
FORM_NAMES = {"01": "receipt", "02": "supplement_request", "03": "refusal"}


def status_name(code: int) -> tuple[str, str]:
    return STATUS_NAMES.get(code, ("Không xác định", "Unknown"))


def status(code: int) -> dict[str, Any]:
    vi, en = status_name(code)
    return {"code": code, "name": vi, "name_en": en}


def local(value: Any) -> str | None:
    return value.astimezone(TZ).isoformat() if value else None


def dossier(doc: dict[str, Any]) -> dict[str, Any]:
    """The public view of a dossier: status, history, appointment, documents and current department."""
    code = doc["_id"]
    return {
        "code": code,
        "procedure": doc["procedure"],
        "agency_id": doc.get("agency_id", ""),
        "channel": CHANNEL_NAMES.get(doc["channel"], "online"),
        "status": status(doc["status"]),
        "department": doc.get("department", ""),
        "submitted_at": local(doc.get("submitted_at")),
        "received_at": local(doc.get("received_at")),
        "appointment_at": local(doc.get("appointment_at")),
        "documents": [{k: d[k] for k in ("type", "name", "sha256", "reused")} for d in doc.get("documents", [])],
        "supplement_request": supplement_request(doc.get("supplement_request")),
        "refusal_reason": doc.get("refusal_reason"),
        "forms": {number: {"form": number, "name": FORM_NAMES[number], "sha256": form["sha256"],
                           "url": f"/api/v1/dossiers/{code}/forms/{number}"}
                  for number, form in sorted((doc.get("forms") or {}).items())},
        "history": [
            {"status": status(h["status"]), "at": local(h["at"]), "department": h.get("department", ""),
             "note": h.get("note", "")}
            for h in doc.get("history", [])
        ],
    }


def supplement_request(request: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the clerk asked for, with the time in local ISO 8601 like every other time of the dossier."""
    if not request:
        return None
    return {"items": request["items"], "note": request.get("note", ""), "requested_at": local(request["requested_at"])}


def procedure(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: (local(v) if k == "updated_at" else v) for k, v in doc.items() if k not in ("_id", "updated_by")}
