"""Checks at the edge: a submission's and a reception action's fields, Vietnamese identifiers, content types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from motcua.errors import FieldError, InvalidInput
from motcua.v1 import common_pb2

# ASCII digits only, and \Z rather than $ (which also matches before a final newline).
PROCEDURE_CODE = re.compile(r"^[0-9]\.[0-9]{6}\Z")
PHONE = re.compile(r"^(?:0|\+84)([35789][0-9]{8})\Z")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
# Province codes of the 12-digit personal id (Circular 07/2016/TT-BCA).
PROVINCE_TABLE = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 "
    "038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 "
    "080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCES = frozenset(PROVINCE_TABLE.split())
CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
CHANNELS = {"counter": common_pb2.CHANNEL_COUNTER, "online": common_pb2.CHANNEL_ONLINE, "post": common_pb2.CHANNEL_POST}
MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_DOCUMENTS = 50
MAX_TEXT = 2000
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")
AGENCY_ID = re.compile(r"^[0-9A-Z]{3}(\.[0-9A-Z]{2,3}){3}\Z")
# The channels a citizen may ask to be told on (the notification service's names), in its default order.
NOTIFY_CHANNELS = ("zns", "sms", "email")


@dataclass(frozen=True)
class Applicant:
    full_name: str
    citizen_id: str
    phone: str
    email: str
    address: str = ""


@dataclass(frozen=True)
class DocumentInput:
    """One document of a dossier: the procedure's document id and either a new upload or a reused file."""

    type: str
    sha256: str
    reused: bool


@dataclass(frozen=True)
class Submission:
    procedure_code: str
    channel: int
    applicant: Applicant
    documents: tuple[DocumentInput, ...]
    agency_id: str | None = None
    notify_channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupplementItem:
    document_type: str
    reason: str
    name: str = ""


class Fields:
    """Collects every bad field of one input, each with its JSON pointer, to refuse them all at once."""

    def __init__(self, base: str = "") -> None:
        self.base = base
        self.errors: list[FieldError] = []

    def bad(self, pointer: str, vi: str, en: str) -> None:
        self.errors.append(FieldError(f"{self.base}{pointer}", vi, en))

    def text(self, body: dict[str, Any], key: str, *, required: bool, limit: int = MAX_TEXT) -> str:
        value = body.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
            need = "bắt buộc, " if required else ""
            self.bad(f"/{key}", f"Trường {key} là chuỗi {need}tối đa {limit} ký tự",
                     f"{key} must be a {'non-empty ' if required else ''}string of at most {limit} characters")
            return ""
        return value.strip()

    def choice(self, body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        value = body.get(key)
        if value not in allowed:
            self.bad(f"/{key}", f"Trường {key} phải là một trong: {', '.join(allowed)}",
                     f"{key} must be one of: {', '.join(allowed)}")
            return ""
        return str(value)

    def refuse_if_any(self, en: str = "the request has invalid fields",
                      vi: str = "Yêu cầu có thông tin không hợp lệ") -> None:
        if self.errors:
            raise InvalidInput(detail=en, detail_vi=vi, errors=self.errors)


def normalize_phone(value: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx, or None if it is not one."""
    match = PHONE.match(value.replace(" ", "").replace(".", ""))
    return f"0{match.group(1)}" if match else None


def citizen_id_problem(value: str, birth_year: int | None) -> tuple[str, str] | None:
    """Why a 12-digit personal id is malformed (Vietnamese, English), or None if it is well formed."""
    if not re.fullmatch(r"[0-9]{12}", value):
        return "Số định danh cá nhân phải gồm 12 chữ số", "the personal id must be 12 digits"
    if value[:3] not in PROVINCES:
        return f"Mã tỉnh {value[:3]} không hợp lệ", f"{value[:3]} is not a province code"
    if birth_year is not None:
        year = CENTURY[int(value[3])] + int(value[4:6])
        if year != birth_year:
            return (f"Số định danh ứng với năm sinh {year}, không phải {birth_year}",
                    f"the id encodes birth year {year}, not {birth_year}")
    return None


def content_type_of(head: bytes) -> str | None:
    """The attachment's type judged by its first bytes, or None if it is not an accepted type."""
    for magic, content_type in MAGIC.items():
        if head.startswith(magic):
            return content_type
    return None


def parse_submission(body: dict[str, Any]) -> Submission:
    """A valid Submission, or InvalidInput listing every bad field at once."""
    fields = Fields()
    bad = fields.bad
    code = body.get("procedure_code")
    if not isinstance(code, str) or not PROCEDURE_CODE.match(code):
        bad("/procedure_code", "Mã thủ tục phải có dạng d.dddddd", "procedure_code must look like 1.001193")
    channel = CHANNELS.get(str(body.get("channel", "online")))
    if channel is None:
        bad("/channel", "Kênh nộp phải là counter, online hoặc post", "channel must be counter, online or post")
    agency_id = body.get("agency_id")
    if agency_id is not None and (not isinstance(agency_id, str) or not AGENCY_ID.match(agency_id)):
        bad("/agency_id", "Mã cơ quan tiếp nhận phải có dạng 000.00.12.H56", "agency_id must look like 000.00.12.H56")
    applicant = _applicant(body.get("applicant"), bad)
    documents = parse_documents(body.get("documents", []), fields)
    notify_channels = _notify_channels(body.get("notify_channels", []), applicant, bad)
    fields.refuse_if_any()
    assert applicant is not None and channel is not None
    return Submission(str(code), channel, applicant, documents, agency_id, notify_channels)


def parse_documents(raw: Any, fields: Fields, pointer: str = "/documents") -> tuple[DocumentInput, ...]:
    """Documents given as {"type", "attachment"} (a new upload's id) or {"type", "reuse"} (an earlier one)."""
    if not isinstance(raw, list) or len(raw) > MAX_DOCUMENTS:
        fields.bad(pointer, "Danh sách giấy tờ không hợp lệ", f"{pointer[1:]} must be a list of at most {MAX_DOCUMENTS}")
        return ()
    documents = []
    for i, item in enumerate(raw):
        at = f"{pointer}/{i}"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or not SLUG.match(item["type"]):
            fields.bad(f"{at}/type", "Cần mã giấy tờ theo danh mục thủ tục", "type must be one of the procedure's document ids")
            continue
        sha256, reused = item.get("attachment"), False
        if sha256 is None and "reuse" in item:
            sha256, reused = item.get("reuse"), True
        if not isinstance(sha256, str) or not SHA256.match(sha256):
            fields.bad(f"{at}/{'reuse' if reused else 'attachment'}", "Mã tệp không hợp lệ",
                       "give attachment (the SHA-256 the upload returned) or reuse (an earlier document's SHA-256)")
            continue
        documents.append(DocumentInput(item["type"], sha256, reused))
    return tuple(documents)


def parse_supplement_request(body: dict[str, Any]) -> tuple[list[SupplementItem], str]:
    """The items of a supplement request (everything missing, at once) and a note."""
    fields = Fields()
    raw = body.get("items")
    items = []
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_DOCUMENTS:
        fields.bad("/items", "Cần liệt kê ít nhất một nội dung cần bổ sung", "items must list what is missing (1 to 50)")
        raw = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            fields.bad(f"/items/{i}", "Mỗi nội dung là một đối tượng", "each item must be an object")
            continue
        document_type = item.get("document_type", "")
        if document_type and (not isinstance(document_type, str) or not SLUG.match(document_type)):
            fields.bad(f"/items/{i}/document_type", "Mã giấy tờ không hợp lệ", "document_type must be a document id")
            document_type = ""
        reason, name = item.get("reason"), item.get("name", "")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_TEXT:
            fields.bad(f"/items/{i}/reason", "Cần nêu lý do, nội dung cần bổ sung", "reason is required")
            continue
        if not isinstance(name, str) or len(name) > 500 or (not document_type and not name.strip()):
            fields.bad(f"/items/{i}/name", "Cần tên giấy tờ khi không có mã giấy tờ", "name is required without document_type")
            continue
        items.append(SupplementItem(str(document_type), reason.strip(), name.strip()))
    note = fields.text(body, "note", required=False)
    fields.refuse_if_any()
    return items, note


def parse_reason(body: dict[str, Any], *, required: bool) -> str:
    """The reason of a refusal (required) or a withdrawal (optional)."""
    fields = Fields()
    reason = fields.text(body, "reason", required=required)
    fields.refuse_if_any()
    return reason


def parse_supplement(body: dict[str, Any]) -> tuple[DocumentInput, ...]:
    """The documents a citizen adds in answer to a supplement request."""
    fields = Fields()
    documents = parse_documents(body.get("documents"), fields)
    if not documents and not fields.errors:
        fields.bad("/documents", "Cần ít nhất một giấy tờ bổ sung", "documents must list at least one document")
    fields.refuse_if_any()
    return documents


def _notify_channels(raw: Any, applicant: Applicant | None, bad: Any) -> tuple[str, ...]:
    """The citizen's channels in order of preference: distinct, known, and e-mail only with an address."""
    if not isinstance(raw, list) or len(raw) > len(NOTIFY_CHANNELS):
        bad("/notify_channels", f"Kênh nhận thông báo là danh sách tối đa {len(NOTIFY_CHANNELS)} kênh",
            f"notify_channels must be a list of at most {len(NOTIFY_CHANNELS)} channels")
        return ()
    for i, name in enumerate(raw):
        if name not in NOTIFY_CHANNELS:
            bad(f"/notify_channels/{i}", f"Kênh nhận thông báo phải là một trong: {', '.join(NOTIFY_CHANNELS)}",
                f"a notification channel must be one of: {', '.join(NOTIFY_CHANNELS)}")
        elif name in raw[:i]:
            bad(f"/notify_channels/{i}", f"Kênh {name} đã có trong danh sách", f"channel {name} is listed twice")
        elif name == "email" and applicant is not None and not applicant.email:
            bad(f"/notify_channels/{i}", "Nhận thông báo qua e-mail cần địa chỉ e-mail của người nộp",
                "the email channel needs the applicant's email address")
    return tuple(raw)


def _applicant(raw: Any, bad: Any) -> Applicant | None:
    if not isinstance(raw, dict):
        bad("/applicant", "Thiếu thông tin người nộp", "applicant is required")
        return None
    name = raw.get("full_name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        bad("/applicant/full_name", "Họ và tên là bắt buộc (tối đa 200 ký tự)", "full_name is required (at most 200 characters)")
    birth_year = raw.get("birth_year")
    if birth_year is not None and (not isinstance(birth_year, int) or not 1880 <= birth_year <= 2100):
        bad("/applicant/birth_year", "Năm sinh không hợp lệ", "birth_year must be a year")
        birth_year = None
    citizen_id = raw.get("citizen_id")
    problem = citizen_id_problem(citizen_id, birth_year) if isinstance(citizen_id, str) else (
        "Số định danh cá nhân là bắt buộc", "citizen_id is required")
    if problem:
        bad("/applicant/citizen_id", *problem)
    phone = normalize_phone(raw["phone"]) if isinstance(raw.get("phone"), str) else None
    if phone is None:
        bad("/applicant/phone", "Số điện thoại di động Việt Nam không hợp lệ", "phone must be a Vietnamese mobile number")
    email = raw.get("email", "")
    if email and (not isinstance(email, str) or not EMAIL.match(email)):
        bad("/applicant/email", "Địa chỉ e-mail không hợp lệ", "email is not a valid address")
    address = raw.get("address", "")
    if not isinstance(address, str) or len(address) > 300:
        bad("/applicant/address", "Địa chỉ tối đa 300 ký tự", "address must be a string of at most 300 characters")
        address = ""
    if not isinstance(name, str) or problem or phone is None:
        return None
    return Applicant(name.strip(), str(citizen_id), phone, str(email or ""), address.strip())
