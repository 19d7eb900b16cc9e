"""Rating links: a token signed with HMAC-SHA256 that names one dossier and an expiry.

The token is `<payload>.<signature>`, both base64url; the payload is `<dossier code>|<expiry, unix
seconds>|<nonce>`. Nothing is stored to check it: the signature proves feedback minted it, the
payload binds it to one dossier, and the rating written with it (keyed by the dossier) makes it single-use.

Links are minted with an empty nonce, so one dossier and expiry always give the same token, whoever mints it
(the DossierReceived handler or IssueRatingLink for the receipt, on any replica). Tokens minted earlier with
the event id as nonce still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from motcua.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class LinkClaim:
    dossier_code: str
    expires_at: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid(detail: str) -> Unauthenticated:
    return Unauthenticated(detail=f"the rating link is not valid: {detail}",
                           detail_vi="Đường dẫn đánh giá không hợp lệ", reason="LINK_INVALID")


class RatingLinks:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self.secret, payload, hashlib.sha256).digest())

    def mint(self, dossier_code: str, expires_at: datetime) -> str:
        """The token of a dossier's link: the same for the same dossier and expiry (to the second)."""
        payload = f"{dossier_code}|{int(expires_at.timestamp())}|".encode()
        return f"{_b64(payload)}.{self._sign(payload)}"

    def verify(self, token: str, dossier_code: str, now: datetime) -> LinkClaim:
        """The claim of a token for this dossier; refuses forged, foreign and expired tokens."""
        encoded, _, signature = token.partition(".")
        try:
            payload = _unb64(encoded)
        except ValueError:
            raise _invalid("malformed") from None
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            raise _invalid("bad signature")
        code, expiry, nonce = payload.decode("utf-8", "replace").split("|", 2)
        if code != dossier_code:
            raise Forbidden(detail=f"this rating link is for another dossier, not {dossier_code}",
                            detail_vi="Đường dẫn này dùng để đánh giá một hồ sơ khác", reason="LINK_OTHER_DOSSIER")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
        if now >= expires_at:
            raise Unauthenticated(detail="the rating link has expired", detail_vi="Đường dẫn đánh giá đã hết hạn",
                                  reason="LINK_EXPIRED")
        return LinkClaim(code, expires_at, nonce)
