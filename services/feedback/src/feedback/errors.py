"""Feedback's domain errors beyond the shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import grpc
from motcua.errors import DomainError, FieldError, InvalidInput


@dataclass
class TooManyRequests(DomainError):
    """An address sent more requests than the per-minute limit; it may try again after retry_after seconds."""

    retry_after: int = 60

    http_status: ClassVar[int] = 429
    grpc_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.RESOURCE_EXHAUSTED
    title: ClassVar[str] = "Too many requests"
    slug: ClassVar[str] = "too-many-requests"


def every_field(errors: list[FieldError]) -> InvalidInput:
    """One InvalidInput naming every bad field found, so that a form is corrected in one go."""
    return InvalidInput(detail="; ".join(e.message_en for e in errors),
                        detail_vi="; ".join(e.message_vi for e in errors), errors=errors)
