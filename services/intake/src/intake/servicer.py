"""IntakeService over gRPC: translates protobuf to the domain and back."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import grpc
from motcua.events import timestamp
from motcua.v1 import intake_pb2, intake_pb2_grpc

from intake.service import IntakeService


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, service: IntakeService) -> None:
        self.service = service

    def GetProcedure(self, request: intake_pb2.GetProcedureRequest, context: grpc.ServicerContext) -> intake_pb2.Procedure:
        p = self.service.procedure(request.code)
        return intake_pb2.Procedure(code=p["code"], name=p["name"], field=p.get("field", ""), level=p.get("level", ""),
                                    department=p["department"], legal_days=int(p["legal_days"]),
                                    required_documents=p.get("required_documents", []))

    def GetDossier(self, request: intake_pb2.GetDossierRequest, context: grpc.ServicerContext) -> intake_pb2.Dossier:
        d: dict[str, Any] = self.service.dossier(request.code)
        return intake_pb2.Dossier(
            code=d["_id"], procedure_code=d["procedure"]["code"], channel=d["channel"], status=d["status"],
            received_at=timestamp(d["received_at"]), appointment_at=timestamp(d["appointment_at"]),
            history=[intake_pb2.StatusEntry(status=h["status"], at=timestamp(h["at"].astimezone(UTC)),
                                            department=h.get("department", "")) for h in d.get("history", [])],
            attachment_sha256=d.get("attachments", []),
        )
