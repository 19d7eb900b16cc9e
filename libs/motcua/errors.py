"""Domain errors shared by every service, and their one mapping to HTTP problem+json and gRPC status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import grpc


@dataclass(frozen=True)
class FieldError:
    """One invalid input: where it is (a JSON pointer), what is wrong, in Vietnamese and English."""

    pointer: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.message_vi, "detail_en": self.message_en}


@dataclass
class DomainError(Exception):
    """Base of every error a caller can act on; subclasses fix the status codes."""

    detail: str
    detail_vi: str = ""
    errors: list[FieldError] = field(default_factory=list)
    reason: str = ""

    http_status: ClassVar[int] = 400
    grpc_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.INVALID_ARGUMENT
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __str__(self) -> str:
        return self.detail

    def problem(self, instance: str = "") -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        body: dict[str, Any] = {
            "type": f"https://motcua.vn/problems/{self.slug}",
            "title": self.title,
            "status": self.http_status,
            "detail": self.detail,
        }
        if self.detail_vi:
            body["detail_vi"] = self.detail_vi
        if self.reason:
            body["reason"] = self.reason
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        return body


class InvalidInput(DomainError):
    http_status = 422
    title = "Invalid input"
    slug = "invalid-input"


class MalformedRequest(DomainError):
    http_status = 400
    title = "Malformed request"
    slug = "malformed-request"


class NotFound(DomainError):
    http_status = 404
    grpc_code = grpc.StatusCode.NOT_FOUND
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    http_status = 409
    grpc_code = grpc.StatusCode.FAILED_PRECONDITION
    title = "Conflict"
    slug = "conflict"


class Unauthenticated(DomainError):
    http_status = 401
    grpc_code = grpc.StatusCode.UNAUTHENTICATED
    title = "Unauthenticated"
    slug = "unauthenticated"


class Forbidden(DomainError):
    http_status = 403
    grpc_code = grpc.StatusCode.PERMISSION_DENIED
    title = "Forbidden"
    slug = "forbidden"


class PayloadTooLarge(DomainError):
    http_status = 413
    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED
    title = "Payload too large"
    slug = "payload-too-large"


class UnsupportedMediaType(DomainError):
    http_status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class Unavailable(DomainError):
    http_status = 503
    grpc_code = grpc.StatusCode.UNAVAILABLE
    title = "Service unavailable"
    slug = "unavailable"


def invalid(pointer: str, message_vi: str, message_en: str) -> InvalidInput:
    """An InvalidInput for one field."""
    return InvalidInput(
        detail=message_en, detail_vi=message_vi, errors=[FieldError(pointer, message_vi, message_en)]
    )
