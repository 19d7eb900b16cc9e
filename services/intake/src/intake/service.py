"""The rules of intake: receiving dossiers, storing attachments once, answering lookups."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from motcua import calendar, outbox
from motcua.errors import (
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from motcua.events import Event, timestamp
from motcua.topics import DOSSIER_RECEIVED
from motcua.v1 import common_pb2, events_pb2

from intake import errors, metrics
from intake.repository import Repository
from intake.validation import Submission, content_type_of, normalize_phone

STALE_CLAIM = timedelta(seconds=30)
Kick = Callable[[str, Any], None]


class IntakeService:
    """Receives dossiers for one receiving unit (agency id) and keeps their public status current."""

    def __init__(self, *, repo: Repository, kick: Kick, agency_id: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.agency_id = agency_id
        self.clock = clock

    def load_catalog(self, procedures: list[dict[str, Any]]) -> int:
        for procedure in procedures:
            self.repo.save_procedure(procedure)
        return len(procedures)

    def procedures(self) -> list[dict[str, Any]]:
        return self.repo.list_procedures()

    def procedure(self, code: str) -> dict[str, Any]:
        found = self.repo.get_procedure(code)
        if found is None:
            raise errors.procedure_not_found(code)
        return found

    def store_attachment(self, content: bytes, *, filename: str, max_bytes: int) -> tuple[dict[str, Any], bool]:
        """Store an upload once by SHA-256; returns its record and whether it was new."""
        if len(content) > max_bytes:
            raise PayloadTooLarge(detail=f"the file is larger than {max_bytes} bytes",
                                  detail_vi=f"Tệp vượt quá dung lượng cho phép ({max_bytes} byte)")
        if not content:
            raise InvalidInput(detail="the file is empty", detail_vi="Tệp rỗng",
                               errors=[FieldError("/file", "Tệp rỗng", "the file is empty")])
        content_type = content_type_of(content[:16])
        if content_type is None:
            raise UnsupportedMediaType(detail="only PDF, JPEG and PNG files are accepted (judged by content)",
                                       detail_vi="Chỉ chấp nhận tệp PDF, JPEG hoặc PNG")
        sha256 = hashlib.sha256(content).hexdigest()
        created = self.repo.save_attachment(sha256, content, content_type=content_type, filename=filename[:200])
        metrics.attachments_stored.labels("new" if created else "known").inc()
        record = self.repo.get_attachment(sha256) or {}
        return {"id": sha256, "sha256": sha256, "size": record.get("size", len(content)),
                "content_type": content_type}, created

    def submit(self, submission: Submission, *, idempotency_key: str | None = None,
               request_hash: str = "") -> tuple[dict[str, Any], bool]:
        """Receive a dossier; returns it and whether it was created by this call."""
        procedure = self.repo.get_procedure(submission.procedure_code)
        if procedure is None:
            raise errors.unknown_procedure(submission.procedure_code)
        self._check_attachments(list(submission.attachments))
        code = None
        if idempotency_key:
            code = self._claim(idempotency_key, request_hash)
            if code and (existing := self.repo.get_dossier(code)):
                return existing, False
        now = self.clock()
        code = code or self._allocate_code(now)
        if idempotency_key:
            self.repo.bind_key(idempotency_key, code)
        dossier, event = self._received(code, submission, procedure, now)
        self.repo.insert_dossier(outbox.with_outbox(dossier, event))
        self.kick("dossiers", code)
        metrics.dossiers_received.labels(procedure["code"], common_pb2.Channel.Name(submission.channel)).inc()
        dossier.pop("outbox", None)
        return dossier, True

    def lookup(self, code: str, phone: str) -> dict[str, Any]:
        """A dossier for a citizen who knows its code and the phone number given with it."""
        dossier = self.repo.get_dossier(code)
        if dossier is None or normalize_phone(phone) != dossier["applicant"]["phone"]:
            raise errors.dossier_not_found(code)
        return dossier

    def dossier(self, code: str) -> dict[str, Any]:
        dossier = self.repo.get_dossier(code)
        if dossier is None:
            raise errors.dossier_not_found(code)
        return dossier

    def apply_status(self, event: Event) -> None:
        """Keep the public status current from routing's status events (idempotent by event id)."""
        payload: events_pb2.DossierStatusChanged = event.payload  # type: ignore[assignment]
        dossier = self.repo.get_dossier(payload.dossier_code)
        if dossier is None or any(h.get("event_id") == event.id for h in dossier.get("history", [])):
            return
        entry = {"status": payload.status, "at": payload.changed_at.ToDatetime(UTC),
                 "department": payload.department, "event_id": event.id}
        self.repo.update_dossier(payload.dossier_code, {
            "$set": {"status": payload.status, "department": payload.department or dossier.get("department", "")},
            "$push": {"history": entry},
        })

    def _check_attachments(self, ids: list[str]) -> None:
        if not ids:
            return
        known = self.repo.existing_attachments(ids)
        missing = [FieldError(f"/attachments/{i}", "Không tìm thấy tệp đính kèm", "no attachment with this id")
                   for i, a in enumerate(ids) if a not in known]
        if missing:
            raise InvalidInput(detail="some attachments were not uploaded", detail_vi="Có tệp đính kèm chưa được tải lên",
                               errors=missing)

    def _claim(self, key: str, request_hash: str) -> str | None:
        earlier = self.repo.claim_key(key, request_hash)
        if earlier is None:
            return None
        if earlier["hash"] != request_hash:
            raise errors.idempotency_key_reused()
        if earlier.get("code"):
            return str(earlier["code"])
        if self.clock() - earlier["at"] > STALE_CLAIM and self.repo.take_over_key(key, earlier["at"]):
            return None
        raise errors.idempotent_request_in_flight()

    def _allocate_code(self, now: datetime) -> str:
        day = now.astimezone(calendar.TZ).strftime("%y%m%d")
        return f"{self.agency_id}-{day}-{self.repo.next_sequence(self.agency_id, day):04d}"

    def _received(self, code: str, submission: Submission, procedure: dict[str, Any],
                  now: datetime) -> tuple[dict[str, Any], Event]:
        appointment = calendar.add_working_days(now, int(procedure["legal_days"]))
        status = common_pb2.DOSSIER_STATUS_RECEIVED
        dossier = {
            "_id": code, "code": code, "agency_id": self.agency_id, "department": procedure["department"],
            "procedure": {"code": procedure["code"], "name": procedure["name"]},
            "channel": submission.channel, "status": status, "applicant": asdict(submission.applicant),
            "attachments": list(submission.attachments), "legal_days": int(procedure["legal_days"]),
            "received_at": now, "appointment_at": appointment,
            "history": [{"status": status, "at": now, "department": procedure["department"], "event_id": ""}],
        }
        a = submission.applicant
        payload = events_pb2.DossierReceived(
            dossier_code=code, procedure_code=procedure["code"], procedure_name=procedure["name"],
            agency_id=self.agency_id, department=procedure["department"], channel=submission.channel,
            applicant=common_pb2.Applicant(full_name=a.full_name, citizen_id=a.citizen_id, phone=a.phone, email=a.email),
            received_at=timestamp(now), appointment_at=timestamp(appointment), legal_days=int(procedure["legal_days"]),
        )
        return dossier, Event.new(DOSSIER_RECEIVED, payload, subject=code, source="intake")
