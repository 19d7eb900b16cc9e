"""Forms 01–03 (Circular 01/2018/TT-VPCP): rendered and signed by the signing service after each reception step.

Intake consumes its own DossierReceived, SupplementRequested and DossierRefused events and asks signing for
the form. Rendering is deterministic for the same input, so a redelivered event yields the same document.
The receipt (form 01) carries the dossier's rating link, which feedback gives for the dossier and appointment
(always the same link); when feedback gives none, the receipt is issued without it rather than held back.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

import grpc
from motcua.events import Event
from motcua.kafka import Handler
from motcua.topics import DOSSIER_RECEIVED, DOSSIER_REFUSED, SUPPLEMENT_REQUESTED
from motcua.v1 import (
    events_pb2,
    feedback_pb2,
    feedback_pb2_grpc,
    signing_pb2,
    signing_pb2_grpc,
)

from intake import metrics
from intake.service import IntakeService

SIGNER = "seal"  # forms are issued in the name of the receiving unit
log = logging.getLogger(__name__)


class RatingLinkSource:
    """Feedback's rating link for a received dossier, or none when feedback does not give it in time."""

    def __init__(self, channel: grpc.Channel, *, timeout: float) -> None:
        self.feedback = feedback_pb2_grpc.FeedbackStub(channel)
        self.timeout = timeout

    def url(self, received: events_pb2.DossierReceived) -> str:
        """The link's address; empty (and counted, and logged) when feedback fails or does not answer."""
        request = feedback_pb2.IssueRatingLinkRequest(dossier_code=received.dossier_code,
                                                      appointment_at=received.appointment_at)
        try:
            return str(self.feedback.IssueRatingLink(request, timeout=self.timeout).url)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
            metrics.receipts_without_rating_link.labels(code.name).inc()
            # An outage is expected now and then; any other answer is a setting to fix (token, allowed issuers).
            level = logging.WARNING if code in (grpc.StatusCode.UNAVAILABLE,
                                                grpc.StatusCode.DEADLINE_EXCEEDED) else logging.ERROR
            log.log(level, "feedback gave no rating link (%s: %s); the receipt of %s is issued without it",
                    code.name, error.details() if isinstance(error, grpc.Call) else error, received.dossier_code)
            return ""


class FormIssuer:
    """Builds each form from the dossier and its event, has it signed, and records it on the dossier."""

    def __init__(self, *, service: IntakeService, channel: grpc.Channel, public_url: str, timeout: float,
                 feedback: RatingLinkSource) -> None:
        self.service = service
        self.signing = signing_pb2_grpc.SigningStub(channel)
        self.public_url = public_url.rstrip("/")
        self.timeout = timeout
        self.feedback = feedback

    def handlers(self) -> dict[str, Handler]:
        return {DOSSIER_RECEIVED.name: self.on_received, SUPPLEMENT_REQUESTED.name: self.on_supplement_requested,
                DOSSIER_REFUSED.name: self.on_refused}

    def on_received(self, event: Event) -> None:
        payload: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        dossier = self.service.dossier(payload.dossier_code)
        receipt = signing_pb2.Receipt(
            header=self._header(dossier, payload.received_at), dossier_code=payload.dossier_code,
            applicant_name=payload.applicant.full_name, applicant_phone=payload.applicant.phone,
            applicant_address=dossier["applicant"].get("address", ""), procedure_code=payload.procedure_code,
            procedure_name=payload.procedure_name, received_at=payload.received_at,
            appointment_at=payload.appointment_at, clerk_name=payload.received_by, channel=payload.channel,
            lookup_url=f"{self.public_url}/tra-cuu/{payload.dossier_code}", rating_url=self.feedback.url(payload),
            documents=[signing_pb2.ReceivedDocument(name=d.name, copies=0 if d.reused else 1, reused=d.reused)
                       for d in payload.documents],
        )
        self._issue("01", dossier, signing_pb2.SignPdfRequest(receipt=receipt, signer=SIGNER))

    def on_supplement_requested(self, event: Event) -> None:
        payload: events_pb2.SupplementRequested = event.payload  # type: ignore[assignment]
        dossier = self.service.dossier(payload.dossier_code)
        form = signing_pb2.SupplementRequest(
            header=self._header(dossier, payload.requested_at), dossier_code=payload.dossier_code,
            applicant_name=payload.applicant.full_name, procedure_code=dossier["procedure"]["code"],
            procedure_name=payload.procedure_name, official_name=payload.requested_by,
            items=[signing_pb2.SupplementItem(document_name=i.name, reason=i.reason) for i in payload.items],
        )
        self._issue("02", dossier, signing_pb2.SignPdfRequest(supplement_request=form, signer=SIGNER))

    def on_refused(self, event: Event) -> None:
        payload: events_pb2.DossierRefused = event.payload  # type: ignore[assignment]
        dossier = self.service.dossier(payload.dossier_code)
        form = signing_pb2.Refusal(
            header=self._header(dossier, payload.refused_at), dossier_code=payload.dossier_code,
            applicant_name=payload.applicant.full_name, procedure_code=dossier["procedure"]["code"],
            procedure_name=payload.procedure_name, reasons=[payload.reason], official_name=payload.refused_by,
        )
        self._issue("03", dossier, signing_pb2.SignPdfRequest(refusal=form, signer=SIGNER))

    def _header(self, dossier: dict[str, Any], issued_at: Any) -> signing_pb2.FormHeader:
        agency = self.service.catalog.agency(dossier["agency_id"]) or {"name": dossier["agency_id"]}
        return signing_pb2.FormHeader(parent_agency_name=agency.get("parent_name", ""), agency_name=agency["name"],
                                      place_name=agency.get("place_name", ""), issued_at=issued_at)

    def _issue(self, form: str, dossier: dict[str, Any], request: signing_pb2.SignPdfRequest) -> None:
        try:
            signed = self.signing.SignPdf(request, timeout=self.timeout)
        except grpc.RpcError:
            metrics.forms_issued.labels(form, "failed").inc()
            raise
        issued_at = signed.signed_at.ToDatetime(tzinfo=UTC)
        self.service.record_form(dossier["_id"], form, signed.document_id, signed.sha256, issued_at)
        metrics.forms_issued.labels(form, "issued").inc()

