"""Messages agency systems ask for (gRPC Notifier.Send), once per idempotency key.

The message id is derived from the caller and its key, so a retried call finds the message its first
call made; the request's hash, stored with it, tells a retry from a different request under the same key.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError
from motcua.errors import Conflict, FieldError, InvalidInput

from notification.service import NotificationService
from notification.settings import CHANNELS, KINDS
from notification.templates import Renderer

PHONE = re.compile(r"^(?:0|\+84)[35789][0-9]{8}\Z")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")


@dataclass(frozen=True)
class SendInput:
    idempotency_key: str
    dossier_code: str
    kind: str
    values: dict[str, str] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    name: str = ""
    urgent: bool = False
    request_hash: str = ""


def check(request: SendInput) -> None:
    """Refuse a request with every bad field at once, each with its path."""
    problems = []
    if not 0 < len(request.idempotency_key) <= 128:
        problems.append(FieldError("idempotency_key", "Cần khóa chống gửi trùng (tối đa 128 ký tự)",
                                   "idempotency_key is required (at most 128 characters)"))
    if not 0 < len(request.dossier_code) <= 64:
        problems.append(FieldError("dossier_code", "Cần mã hồ sơ", "dossier_code is required"))
    if request.kind not in KINDS:
        problems.append(FieldError("kind", f"kind là một trong: {', '.join(KINDS)}", f"kind must be one of: {', '.join(KINDS)}"))
    if any(c not in CHANNELS for c in request.channels) or len(set(request.channels)) != len(request.channels):
        problems.append(FieldError("channels", f"Kênh là các kênh khác nhau trong: {', '.join(CHANNELS)}",
                                   f"channels must be distinct channels of: {', '.join(CHANNELS)}"))
    if request.phone and not PHONE.match(request.phone):
        problems.append(FieldError("phone", "Số điện thoại di động Việt Nam không hợp lệ", "phone must be a Vietnamese mobile number"))
    if request.email and not EMAIL.match(request.email):
        problems.append(FieldError("email", "Địa chỉ e-mail không hợp lệ", "email is not a valid address"))
    if problems:
        raise InvalidInput(detail="the request has invalid fields", detail_vi="Yêu cầu có thông tin không hợp lệ",
                           errors=problems)


def request_hash(serialized: bytes) -> str:
    return hashlib.sha256(serialized).hexdigest()


class AgencySends:
    def __init__(self, *, service: NotificationService, renderer: Renderer) -> None:
        self.service = service
        self.renderer = renderer

    def send(self, request: SendInput, caller: str) -> tuple[dict[str, Any], bool]:
        """The message for this key: made now (True), or by an earlier identical call (False)."""
        check(request)
        message_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"motcua:notification/send/{caller}/{request.idempotency_key}"))
        existing = self.service.repo.get_message(message_id)
        if existing is not None:
            return self._replay(existing, request), False
        stored = self.service.repo.get_recipient(request.dossier_code) or {}
        given = {"name": request.name, "phone": request.phone, "email": request.email,
                 "channels": list(request.channels)}
        contact = {**stored, **{key: value for key, value in given.items() if value}}
        values = {"rating_url": "", **request.values, "dossier_code": request.dossier_code, "code": request.dossier_code}
        rule = {"kind": request.kind, "urgent": request.urgent}
        now = self.service.clock()
        message = self.service.plan(message_id, request.dossier_code, rule, values, contact, now)
        if message is None:
            raise Conflict(detail="no channel can reach the citizen: give a phone or an e-mail address",
                           detail_vi="Không có kênh nào liên lạc được với công dân", reason="NO_CONTACT")
        self._check_renders(message)
        message.update(idempotency_key=request.idempotency_key, request_hash=request.request_hash, requested_by=caller)
        if not self.service.create(message):  # the same key, at the same time, from another call
            return self._replay(self.service.repo.get_message(message_id) or message, request), False
        return message, True

    def _check_renders(self, message: dict[str, Any]) -> None:
        for step in message["route"]:
            template = self.service.repo.get_template(message["template"], step["channel"], step["template_version"])
            try:
                self.renderer.render(template, message["values"])
            except TemplateError as error:
                raise InvalidInput(detail=f"the values do not fill the {step['channel']} template: {error}",
                                   detail_vi="Thiếu giá trị cho mẫu thông báo",
                                   errors=[FieldError("values", f"Mẫu {step['channel']}: {error}",
                                                      f"{step['channel']} template: {error}")]) from error

    @staticmethod
    def _replay(existing: dict[str, Any], request: SendInput) -> dict[str, Any]:
        if existing.get("request_hash") != request.request_hash:
            raise Conflict(detail="this idempotency key was used for another request",
                           detail_vi="Khóa chống gửi trùng đã được dùng cho một yêu cầu khác",
                           reason="IDEMPOTENCY_KEY_REUSED")
        return existing
