"""Notifier over gRPC."""

from __future__ import annotations

import grpc
from motcua.errors import invalid
from motcua.v1 import notification_pb2, notification_pb2_grpc

from notification.service import NotificationService
from notification.views import message_proto


class NotifierServicer(notification_pb2_grpc.NotifierServicer):
    def __init__(self, service: NotificationService) -> None:
        self.service = service

    def ListMessages(self, request: notification_pb2.ListMessagesRequest,
                     context: grpc.ServicerContext) -> notification_pb2.ListMessagesResponse:
        if not request.dossier_code:
            raise invalid("dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        return notification_pb2.ListMessagesResponse(
            messages=[message_proto(m) for m in self.service.messages(request.dossier_code)])
