"""Routing's errors."""

from motcua.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
    invalid,
)


def dossier_not_found(code: str) -> NotFound:
    return NotFound(detail=f"no dossier {code} in routing", detail_vi=f"Không tìm thấy hồ sơ {code}",
                    reason="DOSSIER_NOT_FOUND")


def workflow_not_found(workflow_id: str) -> NotFound:
    return NotFound(detail=f"no workflow {workflow_id}", detail_vi=f"Không tìm thấy quy trình {workflow_id}",
                    reason="WORKFLOW_NOT_FOUND")


def officer_not_found(sub: str) -> NotFound:
    return NotFound(detail=f"no official {sub} on the roster", detail_vi=f"Không có cán bộ {sub}",
                    reason="OFFICER_NOT_FOUND")


def not_yours(code: str) -> Forbidden:
    return Forbidden(detail=f"dossier {code} belongs to another agency, department or official",
                     detail_vi=f"Hồ sơ {code} không thuộc phạm vi xử lý của bạn", reason="OUT_OF_SCOPE")


def stale(code: str, status: int) -> Conflict:
    return Conflict(detail=f"dossier {code} is no longer in progress (status {status})",
                    detail_vi=f"Hồ sơ {code} không còn ở trạng thái đang xử lý", reason="TASK_STALE")


def task_moved(code: str, task_id: str, current_step: str) -> Conflict:
    return Conflict(detail=f"task {task_id} of dossier {code} has moved on; the dossier is now at step {current_step}",
                    detail_vi=f"Nhiệm vụ của hồ sơ {code} đã được chuyển, hồ sơ đang ở bước {current_step}",
                    reason="TASK_STALE")


def already_claimed(code: str) -> Conflict:
    return Conflict(detail=f"the task of dossier {code} was claimed by another official",
                    detail_vi=f"Hồ sơ {code} đã được cán bộ khác nhận xử lý", reason="TASK_TAKEN")


def action_not_allowed(action: str, step: str) -> Conflict:
    return Conflict(detail=f"step {step} of the workflow does not allow {action}",
                    detail_vi=f"Bước {step} của quy trình không cho phép thao tác này", reason="ACTION_NOT_ALLOWED")


def apology_already_issued(code: str) -> Conflict:
    return Conflict(detail=f"dossier {code} already has a new appointment; it can be set only once",
                    detail_vi=f"Hồ sơ {code} đã được hẹn lại; chỉ được hẹn lại một lần", reason="APOLOGY_ALREADY_ISSUED")


def comment_required(action: str) -> InvalidInput:
    return invalid("comment", "Cần nêu lý do", f"{action} needs a comment giving the reason")


def no_officer(agency: str, department: str, role: str) -> Unavailable:
    return Unavailable(detail=f"no {role} of department {department} in {agency} is available",
                       detail_vi=f"Không có cán bộ nào của {department} để phân công", reason="NO_OFFICER")


def not_a_candidate(sub: str, department: str, role: str) -> InvalidInput:
    return invalid("assignee", f"{sub} không phải {role} của {department} đang làm việc",
                   f"{sub} is not an available {role} of {department}")


def signing_failed(detail: str) -> Unavailable:
    return Unavailable(detail=f"the result could not be signed: {detail}",
                       detail_vi="Không ký số được kết quả, vui lòng thử lại", reason="SIGNING_FAILED")


def not_decided(code: str, status: int) -> Conflict:
    return Conflict(detail=f"dossier {code} has no result to return (status {status})",
                    detail_vi=f"Hồ sơ {code} chưa có kết quả để trả", reason="NOT_DECIDED")
