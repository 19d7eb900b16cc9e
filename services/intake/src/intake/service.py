"""The rules of intake: submission, reception (tiếp nhận), supplements, refusal, withdrawal and lookups.

Statuses follow the national portal's numbers (DOMAIN.md). Online dossiers wait at 1 for a clerk; counter
and postal dossiers are received at once (2). Every change of status is one conditional update that also
appends its event to the dossier's outbox, so a concurrent change loses cleanly with a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from motcua import calendar, outbox
from motcua.auth import Principal
from motcua.errors import FieldError, InvalidInput
from motcua.events import Event, timestamp
from motcua.topics import (
    DOSSIER_RECEIVED,
    DOSSIER_REFUSED,
    DOSSIER_SUBMITTED,
    DOSSIER_WITHDRAWN,
    FORM_ISSUED,
    SUPPLEMENT_PROVIDED,
    SUPPLEMENT_REQUESTED,
)
from motcua.v1 import common_pb2, events_pb2

from intake import errors, metrics
from intake.attachments import AttachmentStore
from intake.catalog import CatalogService
from intake.repository import Repository
from intake.validation import DocumentInput, Submission, SupplementItem, normalize_phone

S = common_pb2
STALE_CLAIM = timedelta(seconds=30)
WITHDRAWABLE = {S.DOSSIER_STATUS_SUBMITTED, S.DOSSIER_STATUS_RECEIVED, S.DOSSIER_STATUS_IN_PROGRESS,
                S.DOSSIER_STATUS_SUPPLEMENT_REQUESTED, S.DOSSIER_STATUS_FEE_REQUESTED}
# Statuses intake decides alone: routing's later status events must not reopen them.
CLOSED_AT_INTAKE = {S.DOSSIER_STATUS_REFUSED, S.DOSSIER_STATUS_WITHDRAWN}
STAFF = ("clerk", "officer", "leader")
Kick = Callable[[str, Any], None]
CalendarFor = Callable[[str], calendar.Calendar]


class IntakeService:
    """Dossiers from submission to the hand-over to routing, and what citizens see of them afterwards."""

    def __init__(self, *, repo: Repository, catalog: CatalogService, attachments: AttachmentStore, kick: Kick,
                 calendar_for: CalendarFor, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.catalog = catalog
        self.attachments = attachments
        self.kick = kick
        self.calendar_for = calendar_for
        self.clock = clock

    # submission
    def submit(self, submission: Submission, principal: Principal, *, idempotency_key: str | None = None,
               request_hash: str = "") -> tuple[dict[str, Any], bool]:
        """Create a dossier: online ones await reception, counter and postal ones are received at once."""
        principal.require("citizen", "clerk")
        procedure = self.repo.get_procedure(submission.procedure_code)
        if procedure is None:
            raise errors.unknown_procedure(submission.procedure_code)
        agency_id = self._receiving_agency(submission, principal, procedure)
        owner = principal.sub if "citizen" in principal.roles else submission.applicant.citizen_id
        documents = self._documents(submission.documents, procedure, owner=owner,
                                    citizen_id=submission.applicant.citizen_id, require_all=True)
        now = self.clock()
        if idempotency_key:
            code, existing = self._claim(idempotency_key, request_hash, agency_id, now)
            if existing is not None:
                return existing, False
        else:
            code = self._allocate_code(agency_id, now)
        dossier = {
            "_id": code, "code": code, "agency_id": agency_id, "department": procedure["department"],
            "procedure": {"code": procedure["code"], "version": procedure["version"], "name": procedure["name"],
                          "workflow": procedure["workflow"]},
            "channel": submission.channel, "applicant": asdict(submission.applicant), "owner": owner,
            "notify_channels": list(submission.notify_channels),
            "documents": documents, "legal_days": procedure["legal_days"], "submitted_at": now,
            "status": S.DOSSIER_STATUS_SUBMITTED, "forms": {},
            "history": [self._entry(S.DOSSIER_STATUS_SUBMITTED, now, "")],
        }
        if submission.channel == S.CHANNEL_ONLINE:
            event = Event.new(DOSSIER_SUBMITTED, events_pb2.DossierSubmitted(
                dossier_code=code, procedure_code=procedure["code"], procedure_version=procedure["version"],
                procedure_name=procedure["name"], agency_id=agency_id, channel=submission.channel,
                applicant=self._applicant(dossier), submitted_at=timestamp(now), documents=self._refs(documents),
                notify_channels=dossier["notify_channels"],
            ), subject=code, source="intake")
        else:
            changes, event = self._reception(dossier, principal, now)
            dossier.update(changes)
            dossier["history"].append(self._entry(S.DOSSIER_STATUS_RECEIVED, now, "", principal.sub))
            self.repo.remember_documents(owner, documents, code)
        if not self.repo.insert_dossier(outbox.with_outbox(dossier, event)):
            # Only a retry with the same key can meet a dossier under its code: the one that finished first.
            existing = self.repo.get_dossier(code)
            if idempotency_key is None or existing is None:
                raise RuntimeError(f"dossier code {code} was allocated twice")
            return existing, False
        self.kick("dossiers", code)
        metrics.dossiers_submitted.labels(procedure["code"], S.Channel.Name(submission.channel)).inc()
        if dossier["status"] == S.DOSSIER_STATUS_RECEIVED:
            metrics.dossiers_received.labels(procedure["code"], S.Channel.Name(submission.channel)).inc()
        dossier.pop("outbox", None)
        return dossier, True

    # reception by a clerk
    def receive(self, code: str, principal: Principal) -> dict[str, Any]:
        """Accept a complete dossier: status 2, an appointment, and a receipt (form 01) to follow."""
        dossier = self._for_clerk(code, principal)
        self._expect(dossier, {S.DOSSIER_STATUS_SUBMITTED}, "received", "tiếp nhận")
        now = self.clock()
        changes, event = self._reception(dossier, principal, now)
        self._transition(dossier, S.DOSSIER_STATUS_RECEIVED, event, now, principal.sub, changes)
        self.repo.remember_documents(dossier["owner"], dossier["documents"], code)
        metrics.dossiers_received.labels(dossier["procedure"]["code"], S.Channel.Name(dossier["channel"])).inc()
        return self._reload(code)

    def request_supplement(self, code: str, principal: Principal, items: list[SupplementItem],
                           note: str) -> dict[str, Any]:
        """Ask, once, for everything missing or to correct (form 02); the dossier waits at status 5."""
        dossier = self._for_clerk(code, principal)
        self._expect(dossier, {S.DOSSIER_STATUS_SUBMITTED}, "sent back for a supplement", "yêu cầu bổ sung")
        names = {d["id"]: d["name"] for d in self._procedure_of(dossier)["documents"]}
        unknown = [FieldError(f"/items/{i}/document_type", "Thủ tục không có giấy tờ này",
                              f"the procedure has no document {item.document_type}")
                   for i, item in enumerate(items) if item.document_type and item.document_type not in names]
        if unknown:
            raise InvalidInput(detail="some items name documents the procedure does not have",
                               detail_vi="Có nội dung không thuộc thành phần hồ sơ của thủ tục", errors=unknown)
        listed = [{"document_type": i.document_type, "name": i.name or names.get(i.document_type, ""), "reason": i.reason}
                  for i in items]
        now = self.clock()
        event = Event.new(SUPPLEMENT_REQUESTED, events_pb2.SupplementRequested(
            dossier_code=code, agency_id=dossier["agency_id"], procedure_name=dossier["procedure"]["name"],
            applicant=self._applicant(dossier), note=note, requested_by=principal.sub, requested_at=timestamp(now),
            items=[events_pb2.SupplementRequestItem(**item) for item in listed],
        ), subject=code, source="intake")
        request = {"items": listed, "note": note, "requested_at": now}
        self._transition(dossier, S.DOSSIER_STATUS_SUPPLEMENT_REQUESTED, event, now, principal.sub,
                         {"supplement_request": request})
        return self._reload(code)

    def refuse(self, code: str, principal: Principal, reason: str) -> dict[str, Any]:
        """Refuse an ineligible dossier with its reason (form 03); status 3 is final."""
        dossier = self._for_clerk(code, principal)
        self._expect(dossier, {S.DOSSIER_STATUS_SUBMITTED}, "refused", "từ chối")
        now = self.clock()
        event = Event.new(DOSSIER_REFUSED, events_pb2.DossierRefused(
            dossier_code=code, agency_id=dossier["agency_id"], procedure_name=dossier["procedure"]["name"],
            applicant=self._applicant(dossier), reason=reason, refused_by=principal.sub, refused_at=timestamp(now),
        ), subject=code, source="intake")
        self._transition(dossier, S.DOSSIER_STATUS_REFUSED, event, now, principal.sub,
                         {"refusal_reason": reason, "refused_at": now}, note=reason)
        return self._reload(code)

    # the citizen's actions
    def supplement(self, code: str, principal: Principal, documents: tuple[DocumentInput, ...]) -> dict[str, Any]:
        """Add what was asked for; before reception the dossier waits for the clerk again, after it processing resumes."""
        dossier = self._for_owner(code, principal)
        self._expect(dossier, {S.DOSSIER_STATUS_SUPPLEMENT_REQUESTED}, "supplemented", "bổ sung")
        added = self._documents(documents, self._procedure_of(dossier), owner=dossier["owner"],
                                citizen_id=dossier["applicant"]["citizen_id"], require_all=False)
        now = self.clock()
        after_reception = dossier.get("received_at") is not None
        event = Event.new(SUPPLEMENT_PROVIDED, events_pb2.SupplementProvided(
            dossier_code=code, documents=self._refs(added), provided_at=timestamp(now), after_reception=after_reception,
        ), subject=code, source="intake")
        status = S.DOSSIER_STATUS_IN_PROGRESS if after_reception else S.DOSSIER_STATUS_SUBMITTED
        self._transition(dossier, status, event, now, principal.sub, {"supplemented_at": now},
                         push={"documents": {"$each": added}})
        return self._reload(code)

    def withdraw(self, code: str, principal: Principal, reason: str) -> dict[str, Any]:
        """The citizen takes the dossier back (status 7), possible until the result is decided."""
        dossier = self._for_owner(code, principal)
        self._expect(dossier, WITHDRAWABLE, "withdrawn", "rút")
        now = self.clock()
        event = Event.new(DOSSIER_WITHDRAWN, events_pb2.DossierWithdrawn(
            dossier_code=code, previous_status=dossier["status"], reason=reason, withdrawn_at=timestamp(now),
        ), subject=code, source="intake")
        self._transition(dossier, S.DOSSIER_STATUS_WITHDRAWN, event, now, principal.sub, {"withdrawn_at": now},
                         note=reason)
        return self._reload(code)

    # reading
    def lookup(self, code: str, phone: str) -> dict[str, Any]:
        """A dossier for a citizen who knows its code and the phone number given with it."""
        dossier = self.repo.get_dossier(code)
        if dossier is None or normalize_phone(phone) != dossier["applicant"]["phone"]:
            raise errors.dossier_not_found(code)
        return dossier

    def dossier_for(self, code: str, principal: Principal) -> dict[str, Any]:
        """A dossier for its owner or for the staff of its agency."""
        dossier = self.dossier(code)
        if not self._may_see(dossier, principal):
            raise errors.not_your_dossier(code)
        return dossier

    def dossiers_of(self, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
        principal.require("citizen")
        return self.repo.list_dossiers_of(principal.sub, limit)

    def dossier(self, code: str) -> dict[str, Any]:
        dossier = self.repo.get_dossier(code)
        if dossier is None:
            raise errors.dossier_not_found(code)
        return dossier

    def record_form(self, code: str, form: str, document_id: str, sha256: str, issued_at: datetime) -> None:
        """Attach an issued form's signed PDF to the dossier and announce it (once per document)."""
        if (self.dossier(code).get("forms") or {}).get(form, {}).get("sha256") == sha256:
            return
        event = Event.new(FORM_ISSUED, events_pb2.FormIssued(
            dossier_code=code, form=form, document_id=document_id, sha256=sha256, issued_at=timestamp(issued_at),
        ), subject=code, source="intake")
        record = {"document_id": document_id, "sha256": sha256, "issued_at": issued_at}
        self.repo.update_dossier(code, {"$set": {f"forms.{form}": record}, "$push": outbox.append(event)})
        self.kick("dossiers", code)

    def apply_status(self, event: Event) -> None:
        """Keep the public status current from routing's status events (idempotent by event id)."""
        payload: events_pb2.DossierStatusChanged = event.payload  # type: ignore[assignment]
        dossier = self.repo.get_dossier(payload.dossier_code)
        if dossier is None or dossier["status"] in CLOSED_AT_INTAKE or any(
                h.get("event_id") == event.id for h in dossier.get("history", [])):
            return
        entry = {**self._entry(payload.status, payload.changed_at.ToDatetime(UTC), payload.note), "event_id": event.id,
                 "department": payload.department}
        self.repo.update_dossier(payload.dossier_code, {
            "$set": {"status": payload.status, "department": payload.department or dossier.get("department", "")},
            "$push": {"history": entry},
        })

    # helpers
    def _receiving_agency(self, submission: Submission, principal: Principal, procedure: dict[str, Any]) -> str:
        online = submission.channel == S.CHANNEL_ONLINE
        if "citizen" in principal.roles and not online:
            raise InvalidInput(detail="citizens submit online; counter and postal dossiers are entered by a clerk",
                               detail_vi="Công dân nộp trực tuyến; hồ sơ trực tiếp, bưu chính do công chức tiếp nhận nhập",
                               errors=[FieldError("/channel", "Kênh nộp phải là online", "channel must be online")])
        if "citizen" not in principal.roles and online:
            raise InvalidInput(detail="a clerk enters counter or postal dossiers",
                               detail_vi="Công chức tiếp nhận nhập hồ sơ nộp trực tiếp hoặc qua bưu chính",
                               errors=[FieldError("/channel", "Kênh nộp phải là counter hoặc post",
                                                  "channel must be counter or post")])
        agency_id = submission.agency_id if online else principal.agency
        agency_id = agency_id or procedure["agencies"][0]
        if agency_id not in procedure["agencies"]:
            raise InvalidInput(detail=f"procedure {procedure['code']} is not received at {agency_id}",
                               detail_vi=f"Cơ quan {agency_id} không tiếp nhận thủ tục {procedure['code']}",
                               errors=[FieldError("/agency_id" if online else "/procedure_code",
                                                  f"Cơ quan {agency_id} không tiếp nhận thủ tục này",
                                                  f"agency {agency_id} does not receive this procedure")])
        return agency_id

    def _documents(self, given: tuple[DocumentInput, ...], procedure: dict[str, Any], *, owner: str,
                   citizen_id: str, require_all: bool) -> list[dict[str, Any]]:
        """The dossier's documents, checked against the procedure version: known types, files present, reuse allowed."""
        names = {d["id"]: d["name"] for d in procedure["documents"]}
        problems = [FieldError(f"/documents/{i}/type", f"Thủ tục không yêu cầu giấy tờ '{d.type}'",
                               f"the procedure has no document {d.type}") for i, d in enumerate(given) if d.type not in names]
        if require_all:
            present = {d.type for d in given}
            problems += [FieldError("/documents", f"Thiếu giấy tờ bắt buộc: {d['name']}", f"missing mandatory document {d['id']}")
                         for d in procedure["documents"] if d["mandatory"] and d["id"] not in present]
        uploaded = self.attachments.existing([d.sha256 for d in given if not d.reused])
        reusable = self.repo.known_documents(owner, [d.sha256 for d in given if d.reused]) if owner == citizen_id else set()
        for i, d in enumerate(given):
            if d.reused and d.sha256 not in reusable:
                problems.append(FieldError(f"/documents/{i}/reuse", "Không có giấy tờ này trong hồ sơ đã được tiếp nhận của công dân",
                                           "no accepted document of this citizen has this hash"))
            elif not d.reused and d.sha256 not in uploaded:
                problems.append(FieldError(f"/documents/{i}/attachment", "Không tìm thấy tệp đính kèm",
                                           "no attachment with this id was uploaded"))
        if problems:
            raise InvalidInput(detail="the dossier's documents do not match the procedure",
                               detail_vi="Thành phần hồ sơ chưa đúng với thủ tục", errors=problems)
        return [{"type": d.type, "name": names[d.type], "sha256": d.sha256, "reused": d.reused} for d in given]

    def _reception(self, dossier: dict[str, Any], principal: Principal,
                   now: datetime) -> tuple[dict[str, Any], Event]:
        appointment = self.calendar_for(dossier["agency_id"]).add_working_days(now, dossier["legal_days"])
        code = dossier["_id"]
        event = Event.new(DOSSIER_RECEIVED, events_pb2.DossierReceived(
            dossier_code=code, procedure_code=dossier["procedure"]["code"],
            procedure_name=dossier["procedure"]["name"], procedure_version=dossier["procedure"]["version"],
            workflow=dossier["procedure"]["workflow"], agency_id=dossier["agency_id"],
            department=dossier["department"], channel=dossier["channel"], applicant=self._applicant(dossier),
            received_at=timestamp(now), appointment_at=timestamp(appointment), legal_days=dossier["legal_days"],
            documents=self._refs(dossier["documents"]), received_by=principal.sub,
            notify_channels=dossier.get("notify_channels", []),
        ), subject=code, source="intake")
        return {"received_at": now, "appointment_at": appointment, "received_by": principal.sub,
                "status": S.DOSSIER_STATUS_RECEIVED}, event

    def _transition(self, dossier: dict[str, Any], status: int, event: Event, now: datetime, actor: str,
                    changes: dict[str, Any], *, note: str = "", push: dict[str, Any] | None = None) -> None:
        update = {"$set": {**changes, "status": status},
                  "$push": {**outbox.append(event), "history": self._entry(status, now, note, actor), **(push or {})}}
        if not self.repo.update_dossier(dossier["_id"], update, status=dossier["status"]):
            current = self.dossier(dossier["_id"])
            raise errors.wrong_status(dossier["_id"], current["status"], "changed by this request", "thực hiện")
        self.kick("dossiers", dossier["_id"])
        metrics.transitions.labels(S.DossierStatus.Name(status)).inc()

    def _for_clerk(self, code: str, principal: Principal) -> dict[str, Any]:
        principal.require("clerk")
        dossier = self.dossier(code)
        if dossier["agency_id"] != principal.agency:
            raise errors.not_your_dossier(code)
        return dossier

    def _for_owner(self, code: str, principal: Principal) -> dict[str, Any]:
        principal.require("citizen", "clerk")
        dossier = self.dossier(code)
        if ("citizen" in principal.roles and dossier.get("owner") != principal.sub) or (
                "citizen" not in principal.roles and dossier["agency_id"] != principal.agency):
            raise errors.not_your_dossier(code)
        return dossier

    def _may_see(self, dossier: dict[str, Any], principal: Principal) -> bool:
        if "citizen" in principal.roles and dossier.get("owner") == principal.sub:
            return True
        return bool(principal.roles.intersection(STAFF)) and dossier["agency_id"] == principal.agency

    def _procedure_of(self, dossier: dict[str, Any]) -> dict[str, Any]:
        return self.catalog.procedure(dossier["procedure"]["code"], dossier["procedure"]["version"])

    def _reload(self, code: str) -> dict[str, Any]:
        return self.dossier(code)

    @staticmethod
    def _expect(dossier: dict[str, Any], allowed: set[int], action_en: str, action_vi: str) -> None:
        if dossier["status"] not in allowed:
            raise errors.wrong_status(dossier["_id"], dossier["status"], action_en, action_vi)

    @staticmethod
    def _entry(status: int, at: datetime, note: str, actor: str = "") -> dict[str, Any]:
        return {"status": status, "at": at, "note": note, "actor": actor, "event_id": ""}

    @staticmethod
    def _applicant(dossier: dict[str, Any]) -> common_pb2.Applicant:
        a = dossier["applicant"]
        return common_pb2.Applicant(full_name=a["full_name"], citizen_id=a["citizen_id"], phone=a["phone"],
                                    email=a["email"])

    @staticmethod
    def _refs(documents: list[dict[str, Any]]) -> list[events_pb2.DocumentRef]:
        return [events_pb2.DocumentRef(type=d["type"], name=d["name"], sha256=d["sha256"], reused=d["reused"])
                for d in documents]

    def _claim(self, key: str, request_hash: str, agency_id: str,
               now: datetime) -> tuple[str, dict[str, Any] | None]:
        """The code this request stores its dossier under, with the dossier if an earlier request made it.

        A new key is claimed with its code in one write. A request that died after its claim and before its
        dossier leaves the claim; once STALE_CLAIM has passed, a retry finishes the work under the same code
        (two retries racing: the dossier's unique code lets one store it, the other returns it).
        """
        earlier = self.repo.get_key(key)
        if earlier is None:
            code = self._allocate_code(agency_id, now)
            earlier = self.repo.claim_key(key, request_hash, code)
            if earlier is None:
                return code, None
        if earlier["hash"] != request_hash:
            raise errors.idempotency_key_reused()
        code = str(earlier["code"])
        if (existing := self.repo.get_dossier(code)) is not None:
            return code, existing
        if now - earlier["at"] <= STALE_CLAIM:
            raise errors.idempotent_request_in_flight()
        return code, None

    def _allocate_code(self, agency_id: str, now: datetime) -> str:
        day = now.astimezone(calendar.TZ).strftime("%y%m%d")
        return f"{agency_id}-{day}-{self.repo.next_sequence(agency_id, day):04d}"
