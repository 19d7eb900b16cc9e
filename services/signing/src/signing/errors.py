"""Signing's errors: why a signer may not sign."""

from __future__ import annotations

import datetime as dt

from motcua.errors import Conflict


def certificate_expired(signer: str, not_before: dt.datetime, not_after: dt.datetime) -> Conflict:
    return Conflict(
        detail=f"the certificate of {signer!r} is valid only from {not_before:%Y-%m-%d %H:%M} to "
               f"{not_after:%Y-%m-%d %H:%M} UTC",
        detail_vi=f"Chứng thư số của khóa '{signer}' đã hết hạn hoặc chưa có hiệu lực", reason="CERTIFICATE_EXPIRED")


def certificate_revoked(signer: str, serial: int) -> Conflict:
    return Conflict(detail=f"the certificate of {signer!r} (serial {serial:x}) has been revoked",
                    detail_vi=f"Chứng thư số của khóa '{signer}' đã bị thu hồi", reason="CERTIFICATE_REVOKED")
