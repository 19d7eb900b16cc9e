"""Workbench over gRPC: authenticates the caller, translates protobuf to the domain and back."""

from __future__ import annotations

import base64
from typing import Any

import grpc
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.events import timestamp as ts
from motcua.v1 import routing_pb2, routing_pb2_grpc

from routing.service import RoutingService

MAX_PAGE = 500


def task_message(d: dict[str, Any]) -> routing_pb2.Task:
    t = d["task"]
    return routing_pb2.Task(task_id=t["task_id"], dossier_code=d["_id"], procedure_code=d["procedure_code"],
                            step=t["step"], department=t["department"], assignee=t["assignee"], status=d["status"],
                            assigned_at=ts(t["assigned_at"]), due_at=ts(t["due_at"]))


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise invalid("page_token", "Mã trang không hợp lệ", "page_token is not one this server issued") from None


class WorkbenchServicer(routing_pb2_grpc.WorkbenchServicer):
    def __init__(self, service: RoutingService, tokens: TokenVerifier) -> None:
        self.service = service
        self.tokens = tokens

    def ListQueue(self, request: routing_pb2.ListQueueRequest, context: grpc.ServicerContext) -> routing_pb2.ListQueueResponse:
        principal = self.tokens.from_grpc(context)
        if request.page_size < 0 or request.page_size > MAX_PAGE:
            raise invalid("page_size", f"Kích thước trang từ 0 đến {MAX_PAGE}", f"page_size must be 0 to {MAX_PAGE}")
        size = request.page_size or 50
        skip = _offset(request.page_token)
        found = self.service.queue(principal, skip=skip, limit=size + 1)
        next_token = base64.urlsafe_b64encode(str(skip + size).encode()).decode() if len(found) > size else ""
        return routing_pb2.ListQueueResponse(tasks=[task_message(d) for d in found[:size]], next_page_token=next_token)

    def Approve(self, request: routing_pb2.ApproveRequest, context: grpc.ServicerContext) -> routing_pb2.ApproveResponse:
        principal = self.tokens.from_grpc(context)
        if not request.dossier_code:
            raise invalid("dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        decided = self.service.approve(principal, request.dossier_code)
        return routing_pb2.ApproveResponse(dossier_code=decided["_id"], status=decided["status"],
                                           document_id=decided["result"]["document_id"])
