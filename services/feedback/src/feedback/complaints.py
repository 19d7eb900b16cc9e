"""Complaints (phản ánh, kiến nghị): filed by citizens, answered by the responsible agency within its working days."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua import outbox
from motcua.auth import Principal
from motcua.calendar import add_working_days
from motcua.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid
from motcua.events import Event, timestamp
from motcua.topics import COMPLAINT_ANSWER_RATED, COMPLAINT_ANSWERED, COMPLAINT_FILED
from motcua.v1 import events_pb2

from feedback import metrics
from feedback.errors import every_field
from feedback.policy import Policies
from feedback.repository import Repository
from feedback.service import Clock, Kick, check_level

CATEGORIES = {
    "procedure": "Quy định thủ tục hành chính",
    "attitude": "Thái độ, hành vi của cán bộ",
    "delay": "Giải quyết chậm, trễ hẹn",
    "fees": "Phí, lệ phí",
    "online": "Dịch vụ công trực tuyến",
    "other": "Nội dung khác",
}
MAX_CONTENT = 4000
ANSWERING_ROLES = ("officer", "leader", "admin")


@dataclass(frozen=True)
class Filing:
    """What a citizen files: the agency is the dossier's when a dossier is named."""

    content: Any
    category: Any = "other"
    dossier_code: Any = ""
    agency_id: Any = ""
    contact: Any = ""
    rating_id: str = ""


def _text(value: Any, pointer: str, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(pointer, "Phải là văn bản", f"{pointer[1:]} must be a string")
    value = value.strip()
    if required and not value:
        raise invalid(pointer, "Không được để trống", f"{pointer[1:]} is required")
    if len(value) > limit:
        raise invalid(pointer, f"Tối đa {limit} ký tự", f"{pointer[1:]} must be at most {limit} characters")
    return value


class ComplaintService:
    def __init__(self, *, repo: Repository, kick: Kick, policies: Policies, answer_days: int,
                 clock: Clock, due: Callable[[datetime, int], datetime] = add_working_days) -> None:
        self.repo = repo
        self.kick = kick
        self.policies = policies
        self.answer_days = answer_days
        self.clock = clock
        self.due = due

    def _check(self, filing: Filing) -> dict[str, Any]:
        errors = []
        fields: dict[str, Any] = {}
        checks = [("content", filing.content, MAX_CONTENT, True), ("dossier_code", filing.dossier_code, 40, False),
                  ("agency_id", filing.agency_id, 40, False), ("contact", filing.contact, 200, False)]
        for name, value, limit, required in checks:
            try:
                fields[name] = _text(value, f"/{name}", limit, required=required)
            except InvalidInput as error:
                errors += error.errors
        if filing.category not in CATEGORIES:
            errors += invalid("/category", "Loại phản ánh không hợp lệ",
                              f"category must be one of {', '.join(CATEGORIES)}").errors
        if not errors and fields["dossier_code"]:
            dossier = self.repo.get_dossier(fields["dossier_code"])
            if dossier is None:
                errors += invalid("/dossier_code", "Không có hồ sơ với mã này",
                                  "no dossier with this code").errors
            else:
                fields["agency_id"] = dossier.get("agency_id", "")
        if not errors and not fields["agency_id"]:
            errors += invalid("/agency_id", "Cần chọn cơ quan hoặc nhập mã hồ sơ",
                              "agency_id is required when no dossier_code is given").errors
        if errors:
            raise every_field(errors)
        return fields

    def file(self, filing: Filing) -> dict[str, Any]:
        """Record a complaint, routed to the responsible agency, with its answer due date."""
        fields = self._check(filing)
        now = self.clock()
        complaint_id, due_at = str(uuid.uuid4()), self.due(now, self.answer_days)
        event = Event.new(COMPLAINT_FILED, events_pb2.ComplaintFiled(
            complaint_id=complaint_id, dossier_code=fields["dossier_code"], agency_id=fields["agency_id"],
            category=filing.category, filed_at=timestamp(now), due_at=timestamp(due_at), rating_id=filing.rating_id),
            subject=fields["dossier_code"] or complaint_id, source="feedback")
        complaint = {"_id": complaint_id, **fields, "category": filing.category, "rating_id": filing.rating_id,
                     "filed_at": now, "due_at": due_at, "key": secrets.token_urlsafe(16), "published": False}
        self.repo.insert_complaint(outbox.with_outbox(complaint, event))
        metrics.complaints.labels("filed").inc()
        self.kick("complaints", complaint_id)
        return {"id": complaint_id, "key": complaint["key"], "agency_id": fields["agency_id"], "due_at": due_at}

    def _get(self, complaint_id: str) -> dict[str, Any]:
        found = self.repo.get_complaint(complaint_id)
        if found is None:
            raise NotFound(detail=f"no complaint {complaint_id}", detail_vi="Không tìm thấy phản ánh",
                           reason="COMPLAINT_NOT_FOUND")
        return found

    def view(self, complaint_id: str, key: str) -> dict[str, Any]:
        """A complaint as its filer sees it (with the key), or as anyone sees it once published."""
        complaint = self._get(complaint_id)
        if not complaint["published"] and not secrets.compare_digest(complaint["key"], key or ""):
            raise NotFound(detail=f"no complaint {complaint_id}", detail_vi="Không tìm thấy phản ánh",
                           reason="COMPLAINT_NOT_FOUND")
        public = {k: v for k, v in complaint.items() if k not in {"key", "contact"}}
        return {**public, "id": public.pop("_id"), "scale": self.policies.of(complaint["agency_id"]).scale}

    def _agency_official(self, principal: Principal, complaint: dict[str, Any]) -> None:
        principal.require(*ANSWERING_ROLES)
        if complaint["agency_id"] != principal.agency:
            raise Forbidden(detail="the complaint is addressed to another agency",
                            detail_vi="Phản ánh này gửi cơ quan khác", reason="OTHER_AGENCY")

    def answer(self, principal: Principal, complaint_id: str, *, text: Any, publish: Any) -> dict[str, Any]:
        """The agency's answer, once; published at once or later, as the agency chooses."""
        answer = _text(text, "/answer", MAX_CONTENT, required=True)
        if not isinstance(publish, bool):
            raise invalid("/publish", "Phải là true hoặc false", "publish must be a boolean")
        complaint = self._get(complaint_id)
        self._agency_official(principal, complaint)
        now = self.clock()
        on_time = now <= complaint["due_at"]
        event = Event.new(COMPLAINT_ANSWERED, events_pb2.ComplaintAnswered(
            complaint_id=complaint_id, dossier_code=complaint["dossier_code"], agency_id=complaint["agency_id"],
            answered_by=principal.sub, answered_at=timestamp(now), on_time=on_time, published=publish),
            subject=complaint["dossier_code"] or complaint_id, source="feedback")
        fields = {"answer": answer, "answered_by": principal.sub, "answered_at": now, "on_time": on_time,
                  "published": publish}
        if not self.repo.update_complaint(complaint_id, {"answer": {"$exists": False}}, fields, event):
            raise Conflict(detail="the complaint has already been answered", detail_vi="Phản ánh đã được trả lời",
                           reason="ALREADY_ANSWERED")
        metrics.complaints.labels("answered").inc()
        self.kick("complaints", complaint_id)
        return {"id": complaint_id, **fields}

    def publish(self, principal: Principal, complaint_id: str) -> None:
        complaint = self._get(complaint_id)
        self._agency_official(principal, complaint)
        if not self.repo.update_complaint(complaint_id, {"answer": {"$exists": True}}, {"published": True}):
            raise Conflict(detail="only an answered complaint can be published",
                           detail_vi="Chỉ công khai được phản ánh đã trả lời", reason="NOT_ANSWERED")

    def rate_answer(self, complaint_id: str, *, key: str, level: Any) -> dict[str, Any]:
        """The filer's satisfaction with the answer, once, on the agency's scale."""
        complaint = self._get(complaint_id)
        if not secrets.compare_digest(complaint["key"], key or ""):
            raise Forbidden(detail="only the citizen who filed the complaint rates its answer",
                            detail_vi="Chỉ người gửi phản ánh được đánh giá câu trả lời", reason="KEY_INVALID")
        policy = self.policies.of(complaint["agency_id"])
        level = check_level(level, policy, "/level")
        now = self.clock()
        event = Event.new(COMPLAINT_ANSWER_RATED, events_pb2.ComplaintAnswerRated(
            complaint_id=complaint_id, agency_id=complaint["agency_id"], level=level, scale=policy.scale,
            rated_at=timestamp(now)), subject=complaint["dossier_code"] or complaint_id, source="feedback")
        condition = {"answer": {"$exists": True}, "answer_level": {"$exists": False}}
        if not self.repo.update_complaint(complaint_id, condition, {"answer_level": level, "answer_rated_at": now},
                                          event):
            raise Conflict(detail="the answer is not there yet or has already been rated",
                           detail_vi="Câu trả lời chưa có hoặc đã được đánh giá", reason="CANNOT_RATE_ANSWER")
        self.kick("complaints", complaint_id)
        return {"id": complaint_id, "level": level, "label": policy.levels[level]}

    def published(self, agency: str) -> list[dict[str, Any]]:
        return self.repo.list_published_complaints(agency, 50)
