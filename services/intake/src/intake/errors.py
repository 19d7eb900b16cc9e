"""Intake's errors: the domain's refusals, each with a Vietnamese and an English message."""

from motcua.errors import Conflict, NotFound, invalid


def dossier_not_found(code: str) -> NotFound:
    return NotFound(
        detail=f"no dossier {code} matches that phone number",
        detail_vi=f"Không tìm thấy hồ sơ {code} với số điện thoại đã nhập",
        reason="DOSSIER_NOT_FOUND",
    )


def procedure_not_found(code: str) -> NotFound:
    return NotFound(
        detail=f"no procedure {code} in the catalog",
        detail_vi=f"Không có thủ tục {code} trong danh mục",
        reason="PROCEDURE_NOT_FOUND",
    )


def unknown_procedure(code: str):  # type: ignore[no-untyped-def]
    return invalid("/procedure_code", f"Thủ tục {code} không có trong danh mục", f"unknown procedure {code}")


def idempotency_key_reused() -> Conflict:
    return Conflict(
        detail="this Idempotency-Key was already used for a different request",
        detail_vi="Khóa Idempotency-Key đã được dùng cho một yêu cầu khác",
        reason="IDEMPOTENCY_KEY_REUSED",
    )


def idempotent_request_in_flight() -> Conflict:
    return Conflict(
        detail="a request with this Idempotency-Key is still being processed; retry shortly",
        detail_vi="Yêu cầu với khóa này đang được xử lý, vui lòng thử lại sau ít phút",
        reason="IDEMPOTENT_REQUEST_IN_FLIGHT",
    )
