"""Intake's errors: the domain's refusals, each with a Vietnamese and an English message."""

from motcua.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid

from intake.views import status_name


def dossier_not_found(code: str) -> NotFound:
    return NotFound(
        detail=f"no dossier {code} matches that phone number",
        detail_vi=f"Không tìm thấy hồ sơ {code} với số điện thoại đã nhập",
        reason="DOSSIER_NOT_FOUND",
    )


def procedure_not_found(code: str, version: int = 0) -> NotFound:
    at = f" version {version}" if version else ""
    at_vi = f" phiên bản {version}" if version else ""
    return NotFound(
        detail=f"no procedure {code}{at} in the catalog",
        detail_vi=f"Không có thủ tục {code}{at_vi} trong danh mục",
        reason="PROCEDURE_NOT_FOUND",
    )


def procedure_exists(code: str) -> Conflict:
    return Conflict(detail=f"procedure {code} already exists; update it with PUT",
                    detail_vi=f"Thủ tục {code} đã có trong danh mục; dùng PUT để cập nhật", reason="PROCEDURE_EXISTS")


def procedure_version_mismatch(code: str, current: int, expected: int) -> Conflict:
    return Conflict(detail=f"procedure {code} is at version {current}, not {expected}; reload it and retry",
                    detail_vi=f"Thủ tục {code} đang ở phiên bản {current}, không phải {expected}; tải lại rồi thử lại",
                    reason="PROCEDURE_VERSION_MISMATCH")


def procedure_changed_concurrently(code: str) -> Conflict:
    return Conflict(detail=f"procedure {code} was changed by someone else at the same time; retry",
                    detail_vi=f"Thủ tục {code} vừa được người khác cập nhật; vui lòng thử lại",
                    reason="PROCEDURE_VERSION_MISMATCH")


def unknown_procedure(code: str) -> InvalidInput:
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


def wrong_status(code: str, status: int, action_en: str, action_vi: str) -> Conflict:
    vi, en = status_name(status)
    return Conflict(detail=f"dossier {code} is '{en}' ({status}): it cannot be {action_en} now",
                    detail_vi=f"Hồ sơ {code} đang ở trạng thái '{vi}' ({status}), không thể {action_vi}",
                    reason="DOSSIER_STATUS")


def not_your_dossier(code: str) -> Forbidden:
    return Forbidden(detail=f"dossier {code} belongs to another citizen or agency",
                     detail_vi=f"Hồ sơ {code} không thuộc quyền của bạn", reason="DOSSIER_FORBIDDEN")


def form_not_issued(code: str, form: str) -> NotFound:
    return NotFound(detail=f"form {form} of dossier {code} has not been issued (yet)",
                    detail_vi=f"Mẫu số {form} của hồ sơ {code} chưa được cấp", reason="FORM_NOT_ISSUED")


def agency_not_found(agency_id: str) -> NotFound:
    return NotFound(detail=f"no agency {agency_id} in the catalog", detail_vi=f"Không có cơ quan {agency_id}",
                    reason="AGENCY_NOT_FOUND")
