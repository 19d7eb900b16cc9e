"""The rules of routing: open a dossier's workflow, assign it, let officials decide it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from motcua import outbox
from motcua.auth import Principal
from motcua.events import Event
from motcua.events import timestamp as ts
from motcua.topics import DOSSIER_STATUS_CHANGED, RESULT_READY, TASK_ASSIGNED
from motcua.v1 import common_pb2, events_pb2

from routing import errors, metrics
from routing.repository import Repository

IN_PROGRESS = common_pb2.DOSSIER_STATUS_IN_PROGRESS
DECIDED = common_pb2.DOSSIER_STATUS_DECIDED
RECEIVED = common_pb2.DOSSIER_STATUS_RECEIVED
Kick = Callable[[str, Any], None]


class ResultSigner(Protocol):
    """The signing service as routing sees it: render and sign a result, return its id and hash."""

    def sign_result(self, dossier: dict[str, Any], decided_at: datetime) -> tuple[str, str]: ...


class RoutingService:
    def __init__(self, *, repo: Repository, kick: Kick, signer: ResultSigner,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.signer = signer
        self.clock = clock

    def load_officers(self, officers: list[dict[str, Any]]) -> None:
        for officer in officers:
            self.repo.save_officer(officer)

    def open_dossier(self, event: Event) -> None:
        """A received dossier enters processing: one examination step, assigned to the least-loaded officer."""
        received: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        if self.repo.get_dossier(received.dossier_code):
            return
        officers = self.repo.list_officers(received.agency_id, received.department)
        if not officers:
            raise errors.no_officer(received.department)
        officer = min(officers, key=lambda o: (o.get("open", 0), o["_id"]))
        now = self.clock()
        due = received.appointment_at.ToDatetime(UTC)
        task = {"task_id": str(uuid.uuid5(uuid.NAMESPACE_URL, event.id)), "step": "examine",
                "department": received.department, "assignee": officer["_id"], "assigned_at": now, "due_at": due}
        dossier = {
            "_id": received.dossier_code, "procedure_code": received.procedure_code,
            "procedure_name": received.procedure_name, "applicant_name": received.applicant.full_name,
            "agency_id": received.agency_id, "department": received.department, "status": IN_PROGRESS,
            "received_at": received.received_at.ToDatetime(UTC), "appointment_at": due, "task": task,
        }
        events = [
            Event.new(TASK_ASSIGNED, events_pb2.TaskAssigned(
                dossier_code=received.dossier_code, task_id=task["task_id"], step="examine",
                department=received.department, assignee=officer["_id"], assigned_at=ts(now), due_at=ts(due)),
                subject=received.dossier_code, source="routing"),
            self._status_event(received.dossier_code, RECEIVED, IN_PROGRESS, received.department, now),
        ]
        if self.repo.insert_dossier(outbox.with_outbox(dossier, *events)):
            self.repo.change_open_tasks(officer["_id"], 1)
            metrics.tasks_assigned.labels(received.department).inc()
            self.kick("dossiers", received.dossier_code)

    def count_open_dossiers(self) -> dict[str, metrics.OpenCount]:
        """Dossiers in progress and overdue per agency; the roster's agencies with none count 0."""
        counts = dict.fromkeys(self.repo.list_agencies(), metrics.OpenCount(0, 0))
        for agency, (in_progress, overdue) in self.repo.count_by_agency(IN_PROGRESS, self.clock()).items():
            counts[agency] = metrics.OpenCount(in_progress, overdue)
        return counts

    def report_open_dossiers(self) -> None:
        """Refresh the in-progress and overdue gauges from the stored dossiers."""
        metrics.open_dossiers.update(self.count_open_dossiers())

    def queue(self, principal: Principal, *, skip: int, limit: int) -> list[dict[str, Any]]:
        principal.require("officer", "leader")
        return self.repo.list_queue(principal.sub, skip, limit)

    def approve(self, principal: Principal, code: str) -> dict[str, Any]:
        """Approve a dossier in progress: the result is rendered, signed, and announced."""
        principal.require("officer", "leader")
        dossier = self.repo.get_dossier(code)
        if dossier is None:
            raise errors.dossier_not_found(code)
        in_scope = dossier["agency_id"] == principal.agency and dossier["department"] == principal.department
        if not in_scope or ("leader" not in principal.roles and dossier["task"]["assignee"] != principal.sub):
            raise errors.not_yours(code)
        if dossier["status"] != IN_PROGRESS:
            raise errors.stale(code, dossier["status"])
        now = self.clock()
        document_id, sha256 = self.signer.sign_result(dossier, now)
        ready = Event.new(RESULT_READY, events_pb2.ResultReady(
            dossier_code=code, document_id=document_id, sha256=sha256, ready_at=ts(now)), subject=code, source="routing")
        changed = self._status_event(code, IN_PROGRESS, DECIDED, dossier["department"], now)
        result = {"document_id": document_id, "sha256": sha256, "decided_by": principal.sub, "decided_at": now}
        if not self.repo.decide(code, IN_PROGRESS, {"$set": {"status": DECIDED, "result": result},
                                                   "$push": outbox.append(changed, ready)}):
            raise errors.stale(code, DECIDED)
        self.repo.change_open_tasks(dossier["task"]["assignee"], -1)
        metrics.dossiers_decided.labels(dossier["procedure_code"]).inc()
        timeliness = "on_time" if now <= dossier["task"]["due_at"] else "late"
        metrics.dossiers_completed.labels(dossier["agency_id"], timeliness).inc()
        self.kick("dossiers", code)
        return {**dossier, "status": DECIDED, "result": result}

    @staticmethod
    def _status_event(code: str, before: int, after: int, department: str, at: datetime) -> Event:
        return Event.new(DOSSIER_STATUS_CHANGED, events_pb2.DossierStatusChanged(
            dossier_code=code, status=after, previous_status=before, department=department, changed_at=ts(at)),
            subject=code, source="routing")
