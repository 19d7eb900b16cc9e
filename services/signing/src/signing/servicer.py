"""Signing over gRPC."""

from __future__ import annotations

import grpc
from motcua.auth import Principal, TokenVerifier
from motcua.errors import DomainError, invalid
from motcua.events import timestamp
from motcua.v1 import signing_pb2, signing_pb2_grpc

from signing import pades
from signing.form_requests import form_from_request
from signing.service import SigningService

MAX_BATCH = 100


def verification_message(result: pades.Verification) -> signing_pb2.VerifyPdfResponse:
    out = signing_pb2.VerifyPdfResponse(valid=result.valid, messages_vi=[m.vi for m in result.messages],
                                        messages_en=[m.en for m in result.messages])
    for s in result.signatures:
        report = out.signatures.add(field_name=s.field_name, signer_subject=s.signer_subject, intact=s.intact,
                                    trusted=s.trusted, modification_level=s.modification_level or "", level=s.level,
                                    messages_vi=[m.vi for m in s.messages], messages_en=[m.en for m in s.messages])
        if s.signing_time:
            report.signed_at.CopyFrom(timestamp(s.signing_time))
        if s.timestamp:
            report.timestamped_at.CopyFrom(timestamp(s.timestamp))
    return out


class SigningServicer(signing_pb2_grpc.SigningServicer):
    def __init__(self, service: SigningService, tokens: TokenVerifier) -> None:
        self.service = service
        self.tokens = tokens

    def SignPdf(self, request: signing_pb2.SignPdfRequest, context: grpc.ServicerContext) -> signing_pb2.SignPdfResponse:
        return self._sign(self.tokens.from_grpc(context), request, context.peer())

    def SignBatch(self, request: signing_pb2.SignBatchRequest,
                  context: grpc.ServicerContext) -> signing_pb2.SignBatchResponse:
        principal = self.tokens.from_grpc(context)
        if not 1 <= len(request.items) <= MAX_BATCH:
            raise invalid("items", f"Mỗi lần ký từ 1 đến {MAX_BATCH} tài liệu", f"give 1 to {MAX_BATCH} items")
        results = []
        for item in request.items:
            try:
                results.append(signing_pb2.SignBatchResult(signed=self._sign(principal, item, context.peer())))
            except DomainError as error:
                results.append(signing_pb2.SignBatchResult(
                    error_code=error.grpc_code.name, error_reason=error.reason, error_message_vi=error.detail_vi,
                    error_message_en=error.detail))
        return signing_pb2.SignBatchResponse(results=results)

    def _sign(self, principal: Principal, request: signing_pb2.SignPdfRequest, origin: str) -> signing_pb2.SignPdfResponse:
        source = request.WhichOneof("source")
        record = self.service.sign(principal, pdf=request.pdf if source == "pdf" else None,
                                   document_id=request.document_id if source == "document_id" else "",
                                   form=form_from_request(request), signer=request.signer, reason=request.reason,
                                   location=request.location, dossier_code=request.dossier_code,
                                   origin=origin, visible=request.visible)
        return signing_pb2.SignPdfResponse(document_id=record["_id"], sha256=record["sha256"],
                                           signer_subject=record["signer_subject"],
                                           signed_at=timestamp(record["signed_at"]))

    def VerifyPdf(self, request: signing_pb2.VerifyPdfRequest,
                  context: grpc.ServicerContext) -> signing_pb2.VerifyPdfResponse:
        source = request.WhichOneof("source")
        result = self.service.verify(pdf=request.pdf if source == "pdf" else None,
                                     document_id=request.document_id if source == "document_id" else "")
        return verification_message(result)
