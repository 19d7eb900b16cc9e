"""Checks at the edge: a submission's fields, Vietnamese identifiers, attachment content types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from motcua.errors import FieldError, InvalidInput
from motcua.v1 import common_pb2

PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
DOSSIER_CODE = re.compile(r"^[0-9A-Z]{3}(\.[0-9A-Z]{2,3}){3}-\d{6}-\d{4,}$")
PHONE = re.compile(r"^(?:0|\+84)([35789]\d{8})$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Province codes of the 12-digit personal id (Circular 07/2016/TT-BCA).
PROVINCES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 "
    "038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 "
    "080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
CHANNELS = {"counter": common_pb2.CHANNEL_COUNTER, "online": common_pb2.CHANNEL_ONLINE, "post": common_pb2.CHANNEL_POST}
MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_ATTACHMENTS = 50


@dataclass(frozen=True)
class Applicant:
    full_name: str
    citizen_id: str
    phone: str
    email: str


@dataclass(frozen=True)
class Submission:
    procedure_code: str
    channel: int
    applicant: Applicant
    attachments: tuple[str, ...]


def normalize_phone(value: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx, or None if it is not one."""
    match = PHONE.match(value.replace(" ", "").replace(".", ""))
    return f"0{match.group(1)}" if match else None


def citizen_id_problem(value: str, birth_year: int | None) -> tuple[str, str] | None:
    """Why a 12-digit personal id is malformed (Vietnamese, English), or None if it is well formed."""
    if not re.fullmatch(r"\d{12}", value):
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
    errors: list[FieldError] = []

    def bad(pointer: str, vi: str, en: str) -> None:
        errors.append(FieldError(pointer, vi, en))

    code = body.get("procedure_code")
    if not isinstance(code, str) or not PROCEDURE_CODE.match(code):
        bad("/procedure_code", "Mã thủ tục phải có dạng d.dddddd", "procedure_code must look like 1.001193")
    channel = CHANNELS.get(str(body.get("channel", "online")))
    if channel is None:
        bad("/channel", "Kênh nộp phải là counter, online hoặc post", "channel must be counter, online or post")
    applicant = _applicant(body.get("applicant"), bad)
    attachments = body.get("attachments", [])
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        bad("/attachments", "Danh sách tệp đính kèm không hợp lệ", f"attachments must be a list of at most {MAX_ATTACHMENTS} ids")
        attachments = []
    for i, item in enumerate(attachments):
        if not isinstance(item, str) or not SHA256.match(item):
            bad(f"/attachments/{i}", "Mã tệp đính kèm không hợp lệ", "an attachment id is the SHA-256 the upload returned")
    if errors or applicant is None or channel is None:
        raise InvalidInput(detail="the dossier has invalid fields", detail_vi="Hồ sơ có thông tin không hợp lệ",
                           errors=errors)
    return Submission(str(code), channel, applicant, tuple(dict.fromkeys(attachments)))


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
    if not isinstance(name, str) or problem or phone is None:
        return None
    return Applicant(name.strip(), str(citizen_id), phone, str(email or ""))
