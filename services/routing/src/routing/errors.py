"""Routing's errors."""

from motcua.errors import Conflict, Forbidden, NotFound, Unavailable


def dossier_not_found(code: str) -> NotFound:
    return NotFound(detail=f"no dossier {code} in routing", detail_vi=f"Không tìm thấy hồ sơ {code}",
                    reason="DOSSIER_NOT_FOUND")


def not_yours(code: str) -> Forbidden:
    return Forbidden(detail=f"dossier {code} belongs to another agency, department or official",
                     detail_vi=f"Hồ sơ {code} không thuộc phạm vi xử lý của bạn", reason="OUT_OF_SCOPE")


def stale(code: str, status: int) -> Conflict:
    return Conflict(detail=f"dossier {code} is no longer in progress (status {status})",
                    detail_vi=f"Hồ sơ {code} không còn ở trạng thái đang xử lý", reason="TASK_STALE")


def no_officer(department: str) -> Unavailable:
    return Unavailable(detail=f"no official of department {department} is available",
                       detail_vi=f"Không có cán bộ nào của {department} để phân công", reason="NO_OFFICER")


def signing_failed(detail: str) -> Unavailable:
    return Unavailable(detail=f"the result could not be signed: {detail}",
                       detail_vi="Không ký số được kết quả, vui lòng thử lại", reason="SIGNING_FAILED")
