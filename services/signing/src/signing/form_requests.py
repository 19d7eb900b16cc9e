"""The forms a SignPdfRequest carries, checked and translated into domain forms.

Every problem is collected before anything is refused, and each names its request field as a path
(`receipt.documents[1].name`), so a caller can fix them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from google.protobuf.message import Message
from motcua.errors import FieldError, invalid
from motcua.v1 import signing_pb2

from signing.forms import (
    Apology,
    Channel,
    ControlSheet,
    Form,
    FormHeader,
    HandOver,
    HandOverResult,
    Receipt,
    ReceivedDocument,
    Refusal,
    ResultDocument,
    SupplementItem,
    SupplementRequest,
)

CODE = 64
SHORT = 50
NAME = 200
LONG_NAME = 300
TEXT = 2000
URL = 500
MAX_ITEMS = 100
MAX_ROWS = 500
MAX_AGENCIES = 20
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
URL_SCHEMES = ("https://", "http://")
MISSING = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# (Vietnamese, English); {label} is the field's Vietnamese name, {path} its request path.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "required": ("Thiếu {label}", "{path} is required"),
    "too_long": ("{label} dài quá {limit} ký tự", "{path} must be at most {limit} characters"),
    "no_items": ("Cần ít nhất một {label}", "{path} needs at least one item"),
    "too_many": ("Nhiều nhất {limit} {label}", "{path} must have at most {limit} items"),
    "procedure_code": ("{label} phải có dạng d.dddddd, ví dụ 1.001193", "{path} must look like 1.001193"),
    "url": ("{label} phải là địa chỉ http hoặc https", "{path} must be an http(s) URL"),
    "copies": ("{label} phải từ 1 trở lên, trừ giấy tờ sử dụng lại",
               "{path} must be at least 1 unless the document is reused"),
    "unknown": ("{label} không hợp lệ", "{path} has an unknown value"),
    "after": ("{label} phải sau {other}", "{path} must be after {other_path}"),
}

# Vietnamese names of request fields, by their path without the form's name and list positions.
LABELS: Mapping[str, str] = {
    "header": "phần đầu văn bản",
    "header.parent_agency_name": "tên cơ quan chủ quản",
    "header.agency_name": "tên cơ quan ban hành",
    "header.document_number": "số văn bản",
    "header.place_name": "địa danh",
    "header.issued_at": "thời điểm ban hành",
    "receiving_unit": "tên bộ phận tiếp nhận",
    "dossier_code": "mã hồ sơ",
    "applicant_name": "họ tên người nộp hồ sơ",
    "applicant_phone": "số điện thoại người nộp hồ sơ",
    "applicant_address": "địa chỉ người nộp hồ sơ",
    "procedure_code": "mã thủ tục hành chính",
    "procedure_name": "tên thủ tục hành chính",
    "agency_name": "tên cơ quan giải quyết",
    "decided_at": "thời điểm giải quyết",
    "documents": "giấy tờ trong thành phần hồ sơ",
    "documents.name": "tên giấy tờ",
    "documents.copies": "số bản",
    "received_at": "thời điểm nhận hồ sơ",
    "appointment_at": "thời điểm hẹn trả kết quả",
    "clerk_name": "họ tên công chức tiếp nhận",
    "channel": "hình thức nộp hồ sơ",
    "lookup_url": "địa chỉ tra cứu hồ sơ",
    "rating_url": "địa chỉ đánh giá mức độ hài lòng",
    "items": "nội dung cần bổ sung",
    "items.document_name": "tên giấy tờ cần bổ sung",
    "items.reason": "nội dung, lý do cần bổ sung",
    "due_at": "hạn bổ sung hồ sơ",
    "official_name": "họ tên người ký",
    "contact_phone": "số điện thoại liên hệ",
    "reasons": "lý do từ chối",
    "reason": "lý do chậm trả kết quả",
    "original_appointment_at": "thời điểm hẹn trả kết quả ban đầu",
    "new_appointment_at": "thời điểm hẹn lại",
    "deciding_agency": "tên cơ quan giải quyết",
    "signer_title": "chức danh người ký",
    "signer_name": "họ tên người ký",
    "coordinating_agencies": "cơ quan phối hợp",
    "rows": "lần giao, nhận hồ sơ",
    "rows.step": "bước xử lý",
    "rows.giver": "bên giao",
    "rows.receiver": "bên nhận",
    "rows.handed_over_at": "thời điểm giao, nhận",
    "rows.due_at": "hạn xử lý",
    "rows.result": "kết quả xử lý",
    "rows.note": "ghi chú",
}
POSITION = " (mục {number})"

T = TypeVar("T")


def form_from_request(request: signing_pb2.SignPdfRequest) -> Form | None:
    """The form a request asks to render, or None when it brings a PDF or names a stored document."""
    source = request.WhichOneof("source")
    reader = _READERS.get(source or "")
    return reader(getattr(request, source)) if reader and source else None


class _Fields:
    """Reads the fields of one form message, collecting every problem with the path of its field."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.errors: list[FieldError] = []

    def fail(self, path: str, kind: str, **values: Any) -> None:
        """Record one problem of the field at `path` (relative to the form)."""
        key = re.sub(r"\[\d+\]", "", path)
        positions = re.findall(r"\[(\d+)\]", path)
        label = LABELS.get(key, key)
        vi, en = MESSAGES[kind]
        message_vi = vi.format(label=label, **values)
        message_vi = message_vi[:1].upper() + message_vi[1:]
        if positions:
            message_vi += POSITION.format(number=int(positions[-1]) + 1)
        full = f"{self.root}.{path}"
        self.errors.append(FieldError(full, message_vi, en.format(path=full, **values)))

    def text(self, message: Message, name: str, path: str = "", *, required: bool = True, limit: int = NAME) -> str:
        """A text field, in NFC and without surrounding spaces."""
        return self.value(getattr(message, name), path or name, required=required, limit=limit)

    def value(self, raw: str, path: str, *, required: bool = True, limit: int = NAME) -> str:
        """Check one string: present when required, not longer than `limit`."""
        value = unicodedata.normalize("NFC", raw).strip()
        if required and not value:
            self.fail(path, "required")
        elif len(value) > limit:
            self.fail(path, "too_long", limit=limit)
        return value

    def moment(self, message: Message, name: str, path: str = "") -> dt.datetime:
        """A required timestamp (a placeholder when missing: the form is refused before it is used)."""
        if not message.HasField(name):
            self.fail(path or name, "required")
            return MISSING
        return self.optional_moment(message, name, path) or MISSING

    def optional_moment(self, message: Message, name: str, path: str = "") -> dt.datetime | None:
        """A timestamp that may be left out."""
        if not message.HasField(name):
            return None
        try:
            return getattr(message, name).ToDatetime(tzinfo=dt.UTC)
        except (ValueError, OverflowError):
            self.fail(path or name, "unknown")
            return None

    def after(self, later: dt.datetime, later_path: str, earlier: dt.datetime, earlier_path: str) -> None:
        """Check that one time comes after another, once both are known."""
        if MISSING not in (later, earlier) and later <= earlier:
            other = LABELS.get(earlier_path, earlier_path)
            self.fail(later_path, "after", other=other, other_path=f"{self.root}.{earlier_path}")

    def items(self, values: Sequence[T], path: str, *, limit: int = MAX_ITEMS, required: bool = True) -> Sequence[T]:
        """Check a list: not empty when required, not longer than `limit`."""
        if required and not values:
            self.fail(path, "no_items")
        elif len(values) > limit:
            self.fail(path, "too_many", limit=limit)
        return values

    def procedure_code(self, message: Message, *, required: bool) -> str:
        """A procedure code such as 1.001193."""
        code = self.text(message, "procedure_code", required=required, limit=CODE)
        if code and not PROCEDURE_CODE.match(code):
            self.fail("procedure_code", "procedure_code")
        return code

    def header(self, message: Message) -> FormHeader:
        """The header blocks every form carries."""
        if not message.HasField("header"):
            self.fail("header", "required")
            return FormHeader(agency_name="", issued_at=MISSING)
        header = message.header  # type: ignore[attr-defined]
        return FormHeader(
            agency_name=self.text(header, "agency_name", "header.agency_name"),
            issued_at=self.moment(header, "issued_at", "header.issued_at"),
            parent_agency_name=self.text(header, "parent_agency_name", "header.parent_agency_name", required=False),
            document_number=self.text(header, "document_number", "header.document_number", required=False,
                                      limit=SHORT),
            place_name=self.text(header, "place_name", "header.place_name", required=False, limit=SHORT),
        )

    def done(self, form: T) -> T:
        """Return the form, or raise InvalidInput naming every problem found."""
        if not self.errors:
            return form
        first, *others = self.errors
        error = invalid(first.pointer, first.message_vi, first.message_en)
        error.errors.extend(others)
        if others:
            error.detail = "; ".join(e.message_en for e in self.errors)
            error.detail_vi = "; ".join(e.message_vi for e in self.errors)
        raise error


def _enum(fields: _Fields, kind: type[T], number: int, path: str) -> T | None:
    """A protobuf enum number as a domain enum; zero means not given."""
    if number == 0:
        return None
    try:
        return kind(number)  # type: ignore[call-arg]
    except ValueError:
        fields.fail(path, "unknown")
        return None


def result_document(message: signing_pb2.ResultDocument) -> ResultDocument:
    """The result document; without a header it is headed by its agency and decision date."""
    f = _Fields("render")
    decided_at = f.moment(message, "decided_at")
    agency_name = f.text(message, "agency_name", required=not message.HasField("header"))
    header = f.header(message) if message.HasField("header") else FormHeader(agency_name, decided_at)
    return f.done(ResultDocument(
        header=header,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        procedure_name=f.text(message, "procedure_name", required=False, limit=LONG_NAME),
        applicant_name=f.text(message, "applicant_name", required=False),
        agency_name=agency_name or header.agency_name,
        decided_at=decided_at,
    ))


def receipt(message: signing_pb2.Receipt) -> Receipt:
    """Form 01; the appointment must come after reception."""
    f = _Fields("receipt")
    header = f.header(message)
    documents = [
        ReceivedDocument(name=f.value(document.name, f"documents[{index}].name", limit=LONG_NAME),
                         copies=document.copies, reused=document.reused)
        for index, document in enumerate(f.items(message.documents, "documents"))
    ]
    for index, document in enumerate(documents):
        if document.copies < 0 or (document.copies == 0 and not document.reused):
            f.fail(f"documents[{index}].copies", "copies")
    received_at = f.moment(message, "received_at")
    appointment_at = f.moment(message, "appointment_at")
    f.after(appointment_at, "appointment_at", received_at, "received_at")
    lookup_url = f.text(message, "lookup_url", limit=URL)
    rating_url = f.text(message, "rating_url", required=False, limit=URL)
    for name, url in (("lookup_url", lookup_url), ("rating_url", rating_url)):
        if url and not url.startswith(URL_SCHEMES):
            f.fail(name, "url")
    return f.done(Receipt(
        header=header,
        receiving_unit=f.text(message, "receiving_unit", required=False) or header.agency_name,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        applicant_name=f.text(message, "applicant_name"),
        applicant_phone=f.text(message, "applicant_phone", required=False, limit=SHORT),
        applicant_address=f.text(message, "applicant_address", required=False, limit=LONG_NAME),
        procedure_code=f.procedure_code(message, required=True),
        procedure_name=f.text(message, "procedure_name", limit=LONG_NAME),
        documents=tuple(documents),
        received_at=received_at,
        appointment_at=appointment_at,
        clerk_name=f.text(message, "clerk_name"),
        channel=_enum(f, Channel, message.channel, "channel"),
        lookup_url=lookup_url,
        rating_url=rating_url,
    ))


def supplement_request(message: signing_pb2.SupplementRequest) -> SupplementRequest:
    """Form 02; at least one thing to add or correct, each with its reason."""
    f = _Fields("supplement_request")
    header = f.header(message)
    items = tuple(
        SupplementItem(document_name=f.value(item.document_name, f"items[{index}].document_name", limit=LONG_NAME),
                       reason=f.value(item.reason, f"items[{index}].reason", limit=TEXT))
        for index, item in enumerate(f.items(message.items, "items"))
    )
    return f.done(SupplementRequest(
        header=header,
        receiving_unit=f.text(message, "receiving_unit", required=False) or header.agency_name,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        applicant_name=f.text(message, "applicant_name"),
        procedure_code=f.procedure_code(message, required=False),
        procedure_name=f.text(message, "procedure_name", limit=LONG_NAME),
        received_at=f.optional_moment(message, "received_at"),
        items=items,
        due_at=f.optional_moment(message, "due_at"),
        official_name=f.text(message, "official_name", required=False),
        contact_phone=f.text(message, "contact_phone", required=False, limit=SHORT),
    ))


def refusal(message: signing_pb2.Refusal) -> Refusal:
    """Form 03; at least one reason."""
    f = _Fields("refusal")
    header = f.header(message)
    reasons = tuple(f.value(reason, f"reasons[{index}]", limit=TEXT)
                    for index, reason in enumerate(f.items(message.reasons, "reasons")))
    return f.done(Refusal(
        header=header,
        receiving_unit=f.text(message, "receiving_unit", required=False) or header.agency_name,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        applicant_name=f.text(message, "applicant_name"),
        procedure_code=f.procedure_code(message, required=False),
        procedure_name=f.text(message, "procedure_name", limit=LONG_NAME),
        received_at=f.optional_moment(message, "received_at"),
        reasons=reasons,
        official_name=f.text(message, "official_name", required=False),
    ))


def apology(message: signing_pb2.Apology) -> Apology:
    """Form 04; the new appointment must come after the original one."""
    f = _Fields("apology")
    header = f.header(message)
    original = f.moment(message, "original_appointment_at")
    new = f.moment(message, "new_appointment_at")
    f.after(new, "new_appointment_at", original, "original_appointment_at")
    return f.done(Apology(
        header=header,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        applicant_name=f.text(message, "applicant_name"),
        procedure_code=f.procedure_code(message, required=False),
        procedure_name=f.text(message, "procedure_name", limit=LONG_NAME),
        received_at=f.optional_moment(message, "received_at"),
        reason=f.text(message, "reason", limit=TEXT),
        original_appointment_at=original,
        new_appointment_at=new,
        deciding_agency=f.text(message, "deciding_agency", required=False) or header.agency_name,
        signer_title=f.text(message, "signer_title", required=False, limit=SHORT),
        signer_name=f.text(message, "signer_name", required=False),
    ))


def control_sheet(message: signing_pb2.ControlSheet) -> ControlSheet:
    """Form 05; at least one hand-over."""
    f = _Fields("control_sheet")
    header = f.header(message)
    rows = tuple(_hand_over(f, row, f"rows[{index}]")
                 for index, row in enumerate(f.items(message.rows, "rows", limit=MAX_ROWS)))
    coordinating = tuple(f.value(agency, f"coordinating_agencies[{index}]")
                         for index, agency in enumerate(f.items(message.coordinating_agencies, "coordinating_agencies",
                                                                limit=MAX_AGENCIES, required=False)))
    return f.done(ControlSheet(
        header=header,
        dossier_code=f.text(message, "dossier_code", limit=CODE),
        applicant_name=f.text(message, "applicant_name", required=False),
        procedure_code=f.procedure_code(message, required=False),
        procedure_name=f.text(message, "procedure_name", required=False, limit=LONG_NAME),
        deciding_agency=f.text(message, "deciding_agency", required=False) or header.agency_name,
        coordinating_agencies=coordinating,
        rows=rows,
    ))


def _hand_over(f: _Fields, row: signing_pb2.HandOver, path: str) -> HandOver:
    """One row of the control sheet."""
    return HandOver(
        step=f.text(row, "step", f"{path}.step"),
        giver=f.text(row, "giver", f"{path}.giver"),
        receiver=f.text(row, "receiver", f"{path}.receiver"),
        handed_over_at=f.moment(row, "handed_over_at", f"{path}.handed_over_at"),
        due_at=f.optional_moment(row, "due_at", f"{path}.due_at"),
        result=_enum(f, HandOverResult, row.result, f"{path}.result"),
        note=f.text(row, "note", f"{path}.note", required=False, limit=LONG_NAME),
    )


_READERS: Mapping[str, Callable[[Any], Form]] = {
    "render": result_document,
    "receipt": receipt,
    "supplement_request": supplement_request,
    "refusal": refusal,
    "apology": apology,
    "control_sheet": control_sheet,
}
