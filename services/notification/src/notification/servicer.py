"""Notifier over gRPC: what was sent about a dossier, and messages agency systems ask for."""

from __future__ import annotations

import grpc
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.v1 import notification_pb2, notification_pb2_grpc

from notification.agency import AgencySends, SendInput, request_hash
from notification.service import NotificationService
from notification.views import message_proto

# The agency's staff and its systems (which carry a staff role in their tokens).
STAFF = ("admin", "clerk", "officer", "leader")


class NotifierServicer(notification_pb2_grpc.NotifierServicer):
    def __init__(self, service: NotificationService, agency: AgencySends, tokens: TokenVerifier) -> None:
        self.service = service
        self.agency = agency
        self.tokens = tokens

    def ListMessages(self, request: notification_pb2.ListMessagesRequest,
                     context: grpc.ServicerContext) -> notification_pb2.ListMessagesResponse:
        self.tokens.from_grpc(context).require(*STAFF)
        if not request.dossier_code:
            raise invalid("dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        return notification_pb2.ListMessagesResponse(
            messages=[message_proto(m) for m in self.service.messages(request.dossier_code)])

    def Send(self, request: notification_pb2.SendRequest, context: grpc.ServicerContext) -> notification_pb2.SendResponse:
        caller = self.tokens.from_grpc(context)
        caller.require(*STAFF)
        message, created = self.agency.send(SendInput(
            idempotency_key=request.idempotency_key, dossier_code=request.dossier_code, kind=request.kind,
            values=dict(request.values), channels=tuple(request.channels), phone=request.phone, email=request.email,
            name=request.name, urgent=request.urgent,
            request_hash=request_hash(request.SerializeToString(deterministic=True))), caller.sub)
        return notification_pb2.SendResponse(message=message_proto(message), created=created)
