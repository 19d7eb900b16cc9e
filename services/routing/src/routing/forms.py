"""Forms 04 and 05 through the workbench: the apology with a new appointment, and the process control sheet."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from motcua import outbox
from motcua.auth import Principal
from motcua.errors import invalid
from motcua.events import Event
from motcua.events import timestamp as ts
from motcua.topics import APOLOGY_ISSUED
from motcua.v1 import events_pb2, signing_pb2

from routing import errors, workflows
from routing.service import IN_PROGRESS, SUPPLEMENT, RoutingService

OPEN = (IN_PROGRESS, SUPPLEMENT)


class FormSigner(Protocol):
    """Signing as forms 04 and 05 need it: render and sign, return the document's id and hash."""

    def sign_apology(self, apology: signing_pb2.Apology) -> tuple[str, str]: ...

    def sign_control_sheet(self, sheet: signing_pb2.ControlSheet) -> tuple[str, str]: ...


def hand_over(row: dict[str, Any]) -> signing_pb2.HandOver:
    return signing_pb2.HandOver(step=row["step"] or row["action"], giver=row["giver"], receiver=row["receiver"] or "—",
                                handed_over_at=ts(row["at"]), due_at=ts(row["due_at"]) if row.get("due_at") else None,
                                result=row.get("result", 0), note=row.get("note", ""))


def coordinating(dossier: dict[str, Any]) -> list[str]:
    """The other departments and agencies the dossier's workflow passes through."""
    found: list[str] = []
    for index in range(len(dossier["workflow"]["steps"])):
        step = workflows.step_at(dossier, index)
        name = step["department"] if step["agency"] == dossier["agency_id"] else f"{step['agency']} / {step['department']}"
        if (step["agency"], step["department"]) != (dossier["agency_id"], dossier["department"]) and name not in found:
            found.append(name)
    return found


class Forms:
    def __init__(self, service: RoutingService, signer: FormSigner) -> None:
        self.service = service
        self.signer = signer

    def apologise(self, principal: Principal, code: str, reason: str, new_appointment: datetime) -> dict[str, Any]:
        """Form 04 by the deciding department's leader: rendered and signed, the appointment moved, once only."""
        principal.require("leader")
        if not reason.strip():
            raise invalid("reason", "Cần nêu lý do chậm trả kết quả", "reason is required")
        service = self.service
        dossier = service.get(code)
        if (principal.agency, principal.department) != (dossier["agency_id"], dossier["department"]):
            raise errors.not_yours(code)
        if dossier["status"] not in OPEN:
            raise errors.stale(code, dossier["status"])
        if dossier.get("apology"):
            raise errors.apology_already_issued(code)
        previous = dossier["appointment_at"]
        if new_appointment <= previous:
            raise invalid("new_appointment_at", "Ngày hẹn lại phải sau ngày hẹn hiện tại",
                          "new_appointment_at must be after the appointment in force")
        now = service.clock()
        document_id, _ = self.signer.sign_apology(signing_pb2.Apology(
            header=signing_pb2.FormHeader(issued_at=ts(now)), dossier_code=code,
            applicant_name=dossier["applicant_name"], procedure_code=dossier["procedure_code"],
            procedure_name=dossier["procedure_name"], received_at=ts(dossier["received_at"]), reason=reason,
            original_appointment_at=ts(previous), new_appointment_at=ts(new_appointment), signer_name=principal.name))
        issued = Event.new(APOLOGY_ISSUED, events_pb2.ApologyIssued(
            dossier_code=code, reason=reason, previous_appointment_at=ts(previous),
            new_appointment_at=ts(new_appointment), document_id=document_id, issued_by=principal.sub,
            issued_at=ts(now)), subject=code, source="routing")
        apology = {"reason": reason, "previous_appointment_at": previous, "new_appointment_at": new_appointment,
                   "document_id": document_id, "issued_by": principal.sub, "issued_at": now}
        if dossier["status"] == IN_PROGRESS:
            service.alarms.schedule({**dossier, "appointment_at": new_appointment}, now)
        updated = service.repo.update_dossier(code, {"status": dossier["status"], "apology": {"$exists": False}}, {
            "$set": {"appointment_at": new_appointment, "apology": apology}, "$push": outbox.append(issued)})
        if updated is None:
            raise errors.apology_already_issued(code)
        if updated["status"] == IN_PROGRESS:
            service.queues.put(updated)
        service.kick("dossiers", code)
        return updated

    def control_sheet(self, principal: Principal, code: str, pdf: bool) -> tuple[dict[str, Any], str, str]:
        """Form 05 of a dossier the caller may read, and with pdf its signed rendering (id, hash)."""
        dossier = self.service.dossier(principal, code)
        if not pdf:
            return dossier, "", ""
        document_id, sha256 = self.signer.sign_control_sheet(signing_pb2.ControlSheet(
            header=signing_pb2.FormHeader(issued_at=ts(self.service.clock())), dossier_code=code,
            applicant_name=dossier["applicant_name"], procedure_code=dossier["procedure_code"],
            procedure_name=dossier["procedure_name"], coordinating_agencies=coordinating(dossier),
            rows=[hand_over(r) for r in dossier["history"]]))
        return dossier, document_id, sha256
