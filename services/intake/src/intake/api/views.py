"""How dossiers and procedures are shown over REST: status names, times, no personal data."""

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


def status(code: int) -> dict[str, Any]:
    vi, en = STATUS_NAMES.get(code, ("Không xác định", "Unknown"))
    return {"code": code, "name": vi, "name_en": en}


def local(value: Any) -> str | None:
    return value.astimezone(TZ).isoformat() if value else None


def dossier(doc: dict[str, Any]) -> dict[str, Any]:
    """The public view of a dossier: status, history, appointment and department."""
    return {
        "code": doc["_id"],
        "procedure": doc["procedure"],
        "channel": CHANNEL_NAMES.get(doc["channel"], "online"),
        "status": status(doc["status"]),
        "department": doc.get("department", ""),
        "received_at": local(doc.get("received_at")),
        "appointment_at": local(doc.get("appointment_at")),
        "attachments": doc.get("attachments", []),
        "history": [
            {"status": status(h["status"]), "at": local(h["at"]), "department": h.get("department", "")}
            for h in doc.get("history", [])
        ],
    }


def procedure(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_id"}
