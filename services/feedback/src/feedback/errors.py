"""Feedback's domain errors beyond the shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import grpc
from motcua.errors import DomainError


@dataclass
class TooManyRequests(DomainError):
    """An address sent more requests than the per-minute limit; it may try again after retry_after seconds."""

    retry_after: int = 60

    http_status: ClassVar[int] = 429
    grpc_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.RESOURCE_EXHAUSTED
    title: ClassVar[str] = "Too many requests"
    slug: ClassVar[str] = "too-many-requests"
