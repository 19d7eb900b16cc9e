"""The signing service's gRPC client, as the ports routing needs: the result (the official signs, then the
seal), form 04 (apology) and form 05 (process control sheet)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import grpc
from motcua.events import timestamp as ts
from motcua.rpc import error_details
from motcua.v1 import signing_pb2, signing_pb2_grpc

from routing import errors


class GrpcResultSigner:
    def __init__(self, channel: grpc.Channel, *, agency_name: str, timeout: float) -> None:
        self.stub = signing_pb2_grpc.SigningStub(channel)
        self.agency_name = agency_name
        self.timeout = timeout

    def sign_result(self, dossier: dict[str, Any], decided_at: datetime) -> tuple[str, str]:
        request = signing_pb2.SignPdfRequest(
            render=signing_pb2.ResultDocument(
                dossier_code=dossier["_id"], procedure_name=dossier["procedure_name"],
                applicant_name=dossier["applicant_name"], agency_name=self.agency_name, decided_at=ts(decided_at)),
            signer="official", reason="Phê duyệt kết quả giải quyết hồ sơ", location=self.agency_name,
            dossier_code=dossier["_id"],
        )
        official = self._sign(request)
        sealed = self._sign(signing_pb2.SignPdfRequest(
            document_id=official.document_id, signer="seal", reason="Đóng dấu cơ quan", location=self.agency_name,
            dossier_code=dossier["_id"]))
        return sealed.document_id, sealed.sha256

    def sign_apology(self, apology: signing_pb2.Apology) -> tuple[str, str]:
        """Render and sign form 04; the header names this agency."""
        apology.header.agency_name = self.agency_name
        signed = self._sign(signing_pb2.SignPdfRequest(apology=apology, signer="official", location=self.agency_name))
        return signed.document_id, signed.sha256

    def sign_control_sheet(self, sheet: signing_pb2.ControlSheet) -> tuple[str, str]:
        """Render and sign form 05; the header names this agency."""
        sheet.header.agency_name = self.agency_name
        signed = self._sign(signing_pb2.SignPdfRequest(control_sheet=sheet, signer="official",
                                                       location=self.agency_name))
        return signed.document_id, signed.sha256

    def _sign(self, request: signing_pb2.SignPdfRequest) -> signing_pb2.SignPdfResponse:
        try:
            return self.stub.SignPdf(request, timeout=self.timeout)
        except grpc.RpcError as error:
            reason = error_details(error).get("reason") or error.code().name  # type: ignore[attr-defined]
            raise errors.signing_failed(f"{reason}: {error.details()}") from error  # type: ignore[attr-defined]
