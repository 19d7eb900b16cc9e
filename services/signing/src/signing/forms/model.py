"""What each document says: the result document and the one-stop forms 01–05 of Circular 01/2018/TT-VPCP."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import ClassVar


class Channel(enum.Enum):
    """How the dossier reached the agency; values as the national portal numbers them."""

    COUNTER = 1
    ONLINE = 2
    POST = 3


class HandOverResult(enum.Enum):
    """Whether a step handed the dossier on before, on or after its deadline."""

    EARLY = 1
    ON_TIME = 2
    LATE = 3


@dataclass(frozen=True)
class FormHeader:
    """The header blocks: issuing agency (cơ quan ban hành), number, place and date."""

    agency_name: str
    issued_at: dt.datetime
    parent_agency_name: str = ""
    document_number: str = ""
    place_name: str = ""


@dataclass(frozen=True)
class ResultDocument:
    """The result document (văn bản kết quả giải quyết hồ sơ)."""

    kind: ClassVar[str] = "result"

    header: FormHeader
    dossier_code: str
    procedure_name: str
    applicant_name: str
    agency_name: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class ReceivedDocument:
    """One document of a received dossier; a reused one was taken from earlier dossiers, not handed in again."""

    name: str
    copies: int = 1
    reused: bool = False


@dataclass(frozen=True)
class Receipt:
    """Form 01: receipt with appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả)."""

    kind: ClassVar[str] = "receipt"

    header: FormHeader
    receiving_unit: str
    dossier_code: str
    applicant_name: str
    procedure_code: str
    procedure_name: str
    documents: tuple[ReceivedDocument, ...]
    received_at: dt.datetime
    appointment_at: dt.datetime
    clerk_name: str
    lookup_url: str
    channel: Channel | None = None
    applicant_phone: str = ""
    applicant_address: str = ""
    # The citizen's rating link (feedback's), drawn as a second QR code; empty: none.
    rating_url: str = ""


@dataclass(frozen=True)
class SupplementItem:
    """One thing to add or correct, and why."""

    document_name: str
    reason: str


@dataclass(frozen=True)
class SupplementRequest:
    """Form 02: supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)."""

    kind: ClassVar[str] = "supplement_request"

    header: FormHeader
    receiving_unit: str
    dossier_code: str
    applicant_name: str
    procedure_name: str
    items: tuple[SupplementItem, ...]
    procedure_code: str = ""
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    official_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Refusal:
    """Form 03: refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ)."""

    kind: ClassVar[str] = "refusal"

    header: FormHeader
    receiving_unit: str
    dossier_code: str
    applicant_name: str
    procedure_name: str
    reasons: tuple[str, ...]
    procedure_code: str = ""
    received_at: dt.datetime | None = None
    official_name: str = ""


@dataclass(frozen=True)
class Apology:
    """Form 04: apology with a new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

    kind: ClassVar[str] = "apology"

    header: FormHeader
    dossier_code: str
    applicant_name: str
    procedure_name: str
    reason: str
    original_appointment_at: dt.datetime
    new_appointment_at: dt.datetime
    deciding_agency: str
    procedure_code: str = ""
    received_at: dt.datetime | None = None
    signer_title: str = ""
    signer_name: str = ""


@dataclass(frozen=True)
class HandOver:
    """One hand-over of the dossier between steps; no result while the step is still open."""

    step: str
    giver: str
    receiver: str
    handed_over_at: dt.datetime
    due_at: dt.datetime | None = None
    result: HandOverResult | None = None
    note: str = ""


@dataclass(frozen=True)
class ControlSheet:
    """Form 05: process control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    kind: ClassVar[str] = "control_sheet"

    header: FormHeader
    dossier_code: str
    deciding_agency: str
    rows: tuple[HandOver, ...]
    applicant_name: str = ""
    procedure_code: str = ""
    procedure_name: str = ""
    coordinating_agencies: tuple[str, ...] = ()


Form = ResultDocument | Receipt | SupplementRequest | Refusal | Apology | ControlSheet
