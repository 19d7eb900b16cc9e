"""IntakeService over gRPC: translates protobuf to the domain and back."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import grpc
from motcua.events import timestamp
from motcua.v1 import intake_pb2, intake_pb2_grpc

from intake.calendars import CalendarService
from intake.catalog import CatalogService
from intake.service import IntakeService


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, *, service: IntakeService, catalog: CatalogService, calendars: CalendarService) -> None:
        self.service = service
        self.catalog = catalog
        self.calendars = calendars

    def GetProcedure(self, request: intake_pb2.GetProcedureRequest, context: grpc.ServicerContext) -> intake_pb2.Procedure:
        p = self.catalog.procedure(request.code, request.version)
        return intake_pb2.Procedure(
            code=p["code"], name=p["name"], name_en=p.get("name_en", ""), field=p["field"], level=p["level"],
            department=p["department"], legal_days=p["legal_days"], version=p["version"], agencies=p["agencies"],
            online=p["online"], workflow=p["workflow"],
            documents=[intake_pb2.ProcedureDocument(**d) for d in p["documents"]],
            fees=[intake_pb2.Fee(**f) for f in p["fees"]],
        )

    def GetDossier(self, request: intake_pb2.GetDossierRequest, context: grpc.ServicerContext) -> intake_pb2.Dossier:
        d: dict[str, Any] = self.service.dossier(request.code)
        return intake_pb2.Dossier(
            code=d["_id"], procedure_code=d["procedure"]["code"], procedure_version=d["procedure"]["version"],
            agency_id=d["agency_id"], channel=d["channel"], status=d["status"],
            received_at=timestamp(d["received_at"]) if d.get("received_at") else None,
            appointment_at=timestamp(d["appointment_at"]) if d.get("appointment_at") else None,
            history=[intake_pb2.StatusEntry(status=h["status"], at=timestamp(h["at"].astimezone(UTC)),
                                            department=h.get("department", "")) for h in d.get("history", [])],
            attachment_sha256=[doc["sha256"] for doc in d.get("documents", [])],
        )

    def ListCalendarOverrides(self, request: intake_pb2.ListCalendarOverridesRequest,
                              context: grpc.ServicerContext) -> intake_pb2.ListCalendarOverridesResponse:
        overrides = self.calendars.overrides(request.agency_id, request.year or None)
        return intake_pb2.ListCalendarOverridesResponse(overrides=[intake_pb2.CalendarOverride(**o) for o in overrides])
