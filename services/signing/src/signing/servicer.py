"""Signing over gRPC."""

from __future__ import annotations

import grpc
from motcua.auth import TokenVerifier
from motcua.events import timestamp
from motcua.v1 import signing_pb2, signing_pb2_grpc

from signing import pades
from signing.form_requests import form_from_request
from signing.service import SigningService


def verification_message(result: pades.Verification) -> signing_pb2.VerifyPdfResponse:
    out = signing_pb2.VerifyPdfResponse(valid=result.valid, messages_vi=[m.vi for m in result.messages],
                                        messages_en=[m.en for m in result.messages])
    for s in result.signatures:
        report = out.signatures.add(field_name=s.field_name, signer_subject=s.signer_subject, intact=s.intact,
                                    trusted=s.trusted, modification_level=s.modification_level or "",
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
        principal = self.tokens.from_grpc(context)
        source = request.WhichOneof("source")
        record = self.service.sign(principal, pdf=request.pdf if source == "pdf" else None,
                                   document_id=request.document_id if source == "document_id" else "",
                                   form=form_from_request(request), signer=request.signer, reason=request.reason,
                                   location=request.location, dossier_code=request.dossier_code,
                                   origin=context.peer())
        return signing_pb2.SignPdfResponse(document_id=record["_id"], sha256=record["sha256"],
                                           signer_subject=record["signer_subject"],
                                           signed_at=timestamp(record["signed_at"]))

    def VerifyPdf(self, request: signing_pb2.VerifyPdfRequest,
                  context: grpc.ServicerContext) -> signing_pb2.VerifyPdfResponse:
        source = request.WhichOneof("source")
        result = self.service.verify(pdf=request.pdf if source == "pdf" else None,
                                     document_id=request.document_id if source == "document_id" else "")
        return verification_message(result)
