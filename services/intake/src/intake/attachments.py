"""Attachments: checked by content, stored once by SHA-256 (the "only once" rule starts here)."""

from __future__ import annotations

import hashlib
from typing import Any

from motcua.errors import (
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)

from intake import metrics
from intake.repository import Repository
from intake.validation import content_type_of


class AttachmentStore:
    """Uploads of PDF, JPEG and PNG files, judged by their bytes, not their names."""

    def __init__(self, *, repo: Repository, max_bytes: int) -> None:
        self.repo = repo
        self.max_bytes = max_bytes

    def store(self, content: bytes, *, filename: str) -> tuple[dict[str, Any], bool]:
        """Store an upload once by SHA-256; returns its record and whether it was new."""
        if len(content) > self.max_bytes:
            raise PayloadTooLarge(detail=f"the file is larger than {self.max_bytes} bytes",
                                  detail_vi=f"Tệp vượt quá dung lượng cho phép ({self.max_bytes} byte)")
        if not content:
            raise InvalidInput(detail="the file is empty", detail_vi="Tệp rỗng",
                               errors=[FieldError("/file", "Tệp rỗng", "the file is empty")])
        content_type = content_type_of(content[:16])
        if content_type is None:
            raise UnsupportedMediaType(detail="only PDF, JPEG and PNG files are accepted (judged by content)",
                                       detail_vi="Chỉ chấp nhận tệp PDF, JPEG hoặc PNG")
        sha256 = hashlib.sha256(content).hexdigest()
        created = self.repo.save_attachment(sha256, content, content_type=content_type, filename=filename[:200])
        metrics.attachments_stored.labels("new" if created else "known").inc()
        size = len(content) if created else (self.repo.get_attachment(sha256) or {}).get("size", len(content))
        return {"id": sha256, "sha256": sha256, "size": size, "content_type": content_type}, created

    def existing(self, ids: list[str]) -> set[str]:
        return self.repo.existing_attachments(ids) if ids else set()
