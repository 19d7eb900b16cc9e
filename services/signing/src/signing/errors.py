"""Signing's errors: why a signer may not sign, or a caller may not use it."""

from __future__ import annotations

import datetime as dt

from motcua.errors import Conflict, Forbidden, Unavailable


def certificate_expired(signer: str, not_before: dt.datetime, not_after: dt.datetime) -> Conflict:
    return Conflict(
        detail=f"the certificate of {signer!r} is valid only from {not_before:%Y-%m-%d %H:%M} to "
               f"{not_after:%Y-%m-%d %H:%M} UTC",
        detail_vi=f"Chứng thư số của khóa '{signer}' đã hết hạn hoặc chưa có hiệu lực",
        reason="CERTIFICATE_EXPIRED")


def certificate_revoked(signer: str, serial: int) -> Conflict:
    return Conflict(detail=f"the certificate of {signer!r} (serial {serial:x}) has been revoked",
                    detail_vi=f"Chứng thư số của khóa '{signer}' đã bị thu hồi", reason="CERTIFICATE_REVOKED")


def not_the_holder(sub: str, signer: str) -> Forbidden:
    return Forbidden(detail=f"{sub} is not the holder of the certificate of {signer!r}",
                     detail_vi=f"Chỉ người được cấp chứng thư số mới được ký bằng khóa '{signer}'",
                     reason="NOT_KEY_HOLDER")


def seal_needs_clerk(signer: str) -> Forbidden:
    return Forbidden(detail=f"the organisation's seal {signer!r} is applied only by its clerks (role seal_clerk)",
                     detail_vi="Chỉ văn thư của cơ quan mới được ký số bằng con dấu của cơ quan",
                     reason="SEAL_CLERK_REQUIRED")


def not_delegated(service: str, signer: str) -> Forbidden:
    return Forbidden(detail=f"the service {service} has no delegation to sign with {signer!r}",
                     detail_vi=f"Dịch vụ {service} không được ủy quyền ký bằng khóa '{signer}'",
                     reason="NOT_DELEGATED")


def timestamp_unavailable(detail: str) -> Unavailable:
    return Unavailable(detail=f"no timestamp for the signature: {detail}",
                       detail_vi="Không lấy được dấu thời gian cho chữ ký, vui lòng thử lại", reason="TIMESTAMP_UNAVAILABLE")


def revocation_unavailable(detail: str) -> Unavailable:
    return Unavailable(detail=f"no revocation data for a B-LT signature: {detail}",
                       detail_vi="Không lấy được thông tin trạng thái chứng thư số cho chữ ký, vui lòng thử lại",
                       reason="REVOCATION_UNAVAILABLE")


def signature_too_large(detail: str) -> Unavailable:
    return Unavailable(detail=f"the signature did not fit the room reserved for it in the document: {detail}",
                       detail_vi="Chữ ký số vượt quá vùng dành cho nó trong tài liệu, vui lòng thử lại",
                       reason="SIGNATURE_TOO_LARGE")
