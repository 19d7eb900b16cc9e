"""The end of processing: the final approval signs the result; the clerk returns it and the dossier is classed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from motcua import calendar, outbox
from motcua.auth import Principal
from motcua.events import Event
from motcua.events import timestamp as ts
from motcua.topics import DOSSIER_COMPLETED, RESULT_READY
from motcua.v1 import events_pb2

from routing import deadlines, errors, metrics
from routing.service import (
    DECIDED,
    IN_PROGRESS,
    RETURNED,
    ResultSigner,
    RoutingService,
    status_event,
)


class Results:
    def __init__(self, service: RoutingService, signer: ResultSigner) -> None:
        self.service = service
        self.signer = signer

    def approve(self, principal: Principal, code: str, task_id: str, comment: str) -> dict[str, Any]:
        """The approving step's official decides: the result is rendered, signed (official, then seal), announced."""
        service = self.service
        dossier = service.current_task(principal, code, task_id, action="approve")
        now = service.clock()
        task = dossier["task"]
        document_id, sha256 = self.signer.sign_result(dossier, now)
        ready = Event.new(RESULT_READY, events_pb2.ResultReady(
            dossier_code=code, document_id=document_id, sha256=sha256, ready_at=ts(now)), subject=code, source="routing")
        changed = status_event(code, IN_PROGRESS, DECIDED, task["department"], now, comment)
        result = {"document_id": document_id, "sha256": sha256, "decided_by": principal.sub, "decided_at": now}
        row = service.row(dossier, task, None, now, principal.sub, "approve", comment)
        updated = service.apply(dossier, {"$set": {"status": DECIDED, "result": result},
                                          "$push": {**outbox.append(changed, ready), "history": row}})
        service.repo.change_load(task["assignee"], -task["weight"])
        service.queues.drop(task)
        metrics.dossiers_decided.labels(dossier["procedure_code"]).inc()
        return updated

    def return_result(self, principal: Principal, code: str) -> dict[str, Any]:
        """The clerk of the receiving agency hands the result over: status 10, and the dossier's timeliness."""
        principal.require("clerk")
        dossier = self.service.get(code)
        if principal.agency != dossier["agency_id"]:
            raise errors.not_yours(code)
        if dossier["status"] != DECIDED:
            raise errors.not_decided(code, dossier["status"])
        now = self.service.clock()
        decided_at = dossier["result"]["decided_at"]
        timeliness = deadlines.timeliness(decided_at, dossier["appointment_at"], dossier["supplement_requests"])
        worked = calendar.working_time_between(dossier["received_at"], decided_at)
        processing = max(worked - timedelta(seconds=dossier["paused_seconds"]), timedelta())
        completed = Event.new(DOSSIER_COMPLETED, events_pb2.DossierCompleted(
            dossier_code=code, procedure_code=dossier["procedure_code"], agency_id=dossier["agency_id"],
            department=dossier["department"], channel=dossier["channel"], received_at=ts(dossier["received_at"]),
            appointment_at=ts(dossier["appointment_at"]), decided_at=ts(decided_at), completed_at=ts(now),
            timeliness=timeliness, supplement_requests=dossier["supplement_requests"],
            processing_seconds=int(processing.total_seconds()), decided_by=dossier["result"]["decided_by"],
            returned_by=principal.sub), subject=code, source="routing")
        changed = status_event(code, DECIDED, RETURNED, dossier["department"], now)
        returned = {"returned_by": principal.sub, "returned_at": now, "timeliness": timeliness,
                    "processing_seconds": int(processing.total_seconds())}
        updated = self.service.repo.update_dossier(code, {"status": DECIDED}, {
            "$set": {"status": RETURNED, "returned": returned}, "$push": outbox.append(changed, completed)})
        if updated is None:
            raise errors.not_decided(code, RETURNED)
        self.service.kick("dossiers", code)
        name = events_pb2.Timeliness.Name(timeliness).removeprefix("TIMELINESS_").lower()
        metrics.dossiers_completed.labels(dossier["agency_id"], name).inc()
        metrics.processing_time.labels(dossier["agency_id"]).observe(processing.total_seconds())
        return updated
