"""Workbench over gRPC: authenticates the caller, translates protobuf to the domain and back."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
from grpc_status import rpc_status
from motcua.auth import TokenVerifier
from motcua.errors import DomainError, invalid
from motcua.events import timestamp as ts
from motcua.rpc import status_for
from motcua.v1 import routing_pb2, routing_pb2_grpc

from routing.forms import Forms, coordinating
from routing.queues import Entry, Match
from routing.results import Results
from routing.service import RoutingService

MAX_PAGE = 500
WATCH_POLL_SECONDS = 1.0


def task_message(d: dict[str, Any]) -> routing_pb2.Task:
    t = d["task"]
    return routing_pb2.Task(
        task_id=t["task_id"], dossier_code=d["_id"], procedure_code=d["procedure_code"], step=t["step"],
        department=t["department"], assignee=t["assignee"], status=d["status"], assigned_at=ts(t["assigned_at"]),
        due_at=ts(t["due_at"]), agency_id=t.get("agency", d["agency_id"]), role=t.get("role", ""),
        step_name=t.get("step_name", ""), procedure_name=d.get("procedure_name", ""),
        applicant_name=d.get("applicant_name", ""), appointment_at=ts(d["appointment_at"]), actions=t.get("actions", []))


def entry_message(e: Entry) -> routing_pb2.Task:
    return routing_pb2.Task(
        task_id=e["task_id"], dossier_code=e["code"], procedure_code=e["procedure_code"], step=e["step"],
        department=e["department"], assignee=e["assignee"], status=e["status"], assigned_at=ts(e["assigned_at"]),
        due_at=ts(e["due_at"]), agency_id=e["agency"], role=e["role"], step_name=e["step_name"],
        procedure_name=e["procedure_name"], applicant_name=e["applicant_name"], appointment_at=ts(e["appointment_at"]),
        actions=e["actions"])


def dossier_message(d: dict[str, Any]) -> routing_pb2.DossierView:
    in_progress = d["status"] in (4, 5)
    return routing_pb2.DossierView(
        dossier_code=d["_id"], procedure_code=d["procedure_code"], procedure_name=d["procedure_name"],
        applicant_name=d["applicant_name"], agency_id=d["agency_id"], department=d["department"], status=d["status"],
        workflow=d["workflow"]["id"], received_at=ts(d["received_at"]), appointment_at=ts(d["appointment_at"]),
        task=task_message(d) if in_progress else None,
        comments=[routing_pb2.Comment(author=c["author"], text=c["text"], at=ts(c["at"]), step=c["step"])
                  for c in d.get("comments", [])],
        hand_overs=hand_over_rows(d),
        supplement_requests=d.get("supplement_requests", 0),
        result_document_id=(d.get("result") or {}).get("document_id", ""))


def hand_over_rows(d: dict[str, Any]) -> list[routing_pb2.HandOverRow]:
    return [routing_pb2.HandOverRow(
        step=r["step"], giver=r["giver"], receiver=r["receiver"], handed_over_at=ts(r["at"]),
        due_at=ts(r["due_at"]) if r.get("due_at") else None, result=r.get("result", 0), action=r["action"],
        note=r.get("note", "")) for r in d.get("history", [])]


def action_response(d: dict[str, Any]) -> routing_pb2.TaskActionResponse:
    return routing_pb2.TaskActionResponse(dossier_code=d["_id"], status=d["status"],
                                          task=task_message(d) if d["status"] in (4, 5) else None)


def _position(token: str) -> tuple[datetime, str] | None:
    if not token:
        return None
    try:
        due, code = json.loads(base64.urlsafe_b64decode(token.encode()))
        return datetime.fromisoformat(due), str(code)
    except (ValueError, TypeError):
        raise invalid("page_token", "Mã trang không hợp lệ", "page_token is not one this server issued") from None


def _token(e: Entry) -> str:
    return base64.urlsafe_b64encode(json.dumps([e["due_at"].isoformat(), e["code"]]).encode()).decode()


def _match(request: routing_pb2.ListQueueRequest) -> Match:
    """The request's filters as one test of a queue entry."""
    due_before = request.due_before.ToDatetime(UTC) if request.HasField("due_before") else None

    def match(e: Entry) -> bool:
        return ((not request.procedure_code or e["procedure_code"] == request.procedure_code)
                and (not request.step or e["step"] == request.step)
                and (due_before is None or e["due_at"] < due_before))

    return match


def _code(request: Any) -> str:
    if not request.dossier_code:
        raise invalid("dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
    return str(request.dossier_code)


class WorkbenchServicer(routing_pb2_grpc.WorkbenchServicer):
    def __init__(self, service: RoutingService, results: Results, forms: Forms, tokens: TokenVerifier) -> None:
        self.service = service
        self.results = results
        self.forms = forms
        self.tokens = tokens

    def ListQueue(self, request: routing_pb2.ListQueueRequest, context: grpc.ServicerContext) -> routing_pb2.ListQueueResponse:
        principal = self.tokens.from_grpc(context)
        if request.page_size < 0 or request.page_size > MAX_PAGE:
            raise invalid("page_size", f"Kích thước trang từ 0 đến {MAX_PAGE}", f"page_size must be 0 to {MAX_PAGE}")
        size = request.page_size or 50
        found = self.service.queue(principal, match=_match(request), unclaimed=request.include_unclaimed,
                                   after=_position(request.page_token), limit=size + 1)
        next_token = _token(found[size - 1]) if len(found) > size else ""
        return routing_pb2.ListQueueResponse(tasks=[entry_message(e) for e in found[:size]], next_page_token=next_token)

    def GetDossier(self, request: routing_pb2.WorkbenchDossierRequest,
                   context: grpc.ServicerContext) -> routing_pb2.DossierView:
        return dossier_message(self.service.dossier(self.tokens.from_grpc(context), _code(request)))

    def Claim(self, request: routing_pb2.TaskActionRequest, context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        return action_response(self.service.claim(self.tokens.from_grpc(context), _code(request), request.task_id))

    def Forward(self, request: routing_pb2.TaskActionRequest, context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        return action_response(self.service.forward(self.tokens.from_grpc(context), _code(request), request.task_id,
                                                    request.comment))

    def ReturnToPrevious(self, request: routing_pb2.TaskActionRequest,
                         context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        return action_response(self.service.return_to_previous(self.tokens.from_grpc(context), _code(request),
                                                               request.task_id, request.comment))

    def RequestSupplement(self, request: routing_pb2.RequestSupplementRequest,
                          context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        principal = self.tokens.from_grpc(context)
        code = _code(request)
        if not request.items:
            raise invalid("items", "Liệt kê một lần mọi giấy tờ cần bổ sung", "list every missing document, at least one")
        for i, item in enumerate(request.items):
            if not item.name.strip() or not item.reason.strip():
                raise invalid(f"items[{i}]", "Mỗi mục cần tên giấy tờ và lý do", "each item needs a name and a reason")
        items = [{"document_type": i.document_type, "name": i.name, "reason": i.reason} for i in request.items]
        return action_response(self.service.request_supplement(principal, code, request.task_id, items, request.note))

    def Approve(self, request: routing_pb2.ApproveRequest, context: grpc.ServicerContext) -> routing_pb2.ApproveResponse:
        decided = self.results.approve(self.tokens.from_grpc(context), _code(request), request.task_id, request.comment)
        return routing_pb2.ApproveResponse(dossier_code=decided["_id"], status=decided["status"],
                                           document_id=decided["result"]["document_id"])

    def Reject(self, request: routing_pb2.TaskActionRequest, context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        return action_response(self.service.reject(self.tokens.from_grpc(context), _code(request), request.task_id,
                                                   request.comment))

    def AddComment(self, request: routing_pb2.TaskActionRequest,
                   context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        return action_response(self.service.add_comment(self.tokens.from_grpc(context), _code(request), request.task_id,
                                                        request.comment))

    def Reassign(self, request: routing_pb2.ReassignRequest, context: grpc.ServicerContext) -> routing_pb2.TaskActionResponse:
        principal = self.tokens.from_grpc(context)
        code = _code(request)
        if not request.assignee:
            raise invalid("assignee", "Thiếu cán bộ nhận", "assignee is required")
        return action_response(self.service.reassign(principal, code, request.task_id, request.assignee,
                                                     request.comment))

    def ReturnResult(self, request: routing_pb2.ReturnResultRequest,
                     context: grpc.ServicerContext) -> routing_pb2.ReturnResultResponse:
        returned = self.results.return_result(self.tokens.from_grpc(context), _code(request))
        return routing_pb2.ReturnResultResponse(dossier_code=returned["_id"], status=returned["status"],
                                                timeliness=returned["returned"]["timeliness"])

    def IssueApology(self, request: routing_pb2.IssueApologyRequest,
                     context: grpc.ServicerContext) -> routing_pb2.IssueApologyResponse:
        principal = self.tokens.from_grpc(context)
        code = _code(request)
        if not request.HasField("new_appointment_at"):
            raise invalid("new_appointment_at", "Thiếu ngày hẹn lại", "new_appointment_at is required")
        done = self.forms.apologise(principal, code, request.reason, request.new_appointment_at.ToDatetime(UTC))
        apology = done["apology"]
        return routing_pb2.IssueApologyResponse(
            dossier_code=code, document_id=apology["document_id"],
            previous_appointment_at=ts(apology["previous_appointment_at"]),
            new_appointment_at=ts(apology["new_appointment_at"]))

    def GetControlSheet(self, request: routing_pb2.ControlSheetRequest,
                        context: grpc.ServicerContext) -> routing_pb2.ControlSheetView:
        dossier, document_id, sha256 = self.forms.control_sheet(self.tokens.from_grpc(context), _code(request),
                                                                request.pdf)
        return routing_pb2.ControlSheetView(
            dossier_code=dossier["_id"], procedure_code=dossier["procedure_code"],
            procedure_name=dossier["procedure_name"], applicant_name=dossier["applicant_name"],
            deciding_department=dossier["department"], coordinating_departments=coordinating(dossier),
            rows=hand_over_rows(dossier), document_id=document_id, sha256=sha256)

    def GetStatistics(self, request: routing_pb2.StatisticsRequest,
                      context: grpc.ServicerContext) -> routing_pb2.StatisticsResponse:
        principal = self.tokens.from_grpc(context)
        received: dict[str, Any] = {}
        if request.HasField("received_from"):
            received["$gte"] = request.received_from.ToDatetime(UTC)
        if request.HasField("received_until"):
            received["$lt"] = request.received_until.ToDatetime(UTC)
        found = self.service.statistics(principal, request.agency_id, received)
        return routing_pb2.StatisticsResponse(rows=[routing_pb2.StatisticsRow(
            dimension=dimension, key=key, received=t.received, in_progress=t.in_progress, early=t.early,
            on_time=t.on_time, late=t.late, average_processing_seconds=t.average_seconds) for dimension, key, t in found])

    def WatchQueue(self, request: routing_pb2.WatchQueueRequest,
                   context: grpc.ServicerContext) -> Iterator[routing_pb2.QueueChange]:
        """Poll the caller's queue and push the differences; the shared interceptor covers unary calls only."""
        try:
            principal = self.tokens.from_grpc(context)
            seen: dict[str, routing_pb2.Task] = {}
            ended = threading.Event()
            context.add_callback(ended.set)
            while not ended.is_set():
                tasks = {e["task_id"]: entry_message(e) for e in self.service.queue(
                    principal, match=lambda _: True, unclaimed=request.include_unclaimed, after=None, limit=MAX_PAGE)}
                yield from _changes(seen, tasks)
                seen = tasks
                ended.wait(WATCH_POLL_SECONDS)
        except DomainError as error:
            context.abort_with_status(rpc_status.to_status(status_for(error, "routing")))


def _changes(before: dict[str, routing_pb2.Task], after: dict[str, routing_pb2.Task]) -> Iterator[routing_pb2.QueueChange]:
    kind = routing_pb2.QueueChange
    for task_id, task in after.items():
        if task_id not in before:
            yield kind(kind=kind.KIND_ADDED, task=task)
        elif before[task_id] != task:
            yield kind(kind=kind.KIND_CHANGED, task=task)
    for task_id, task in before.items():
        if task_id not in after:
            yield kind(kind=kind.KIND_REMOVED, task=task)

