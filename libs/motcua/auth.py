"""RS256 JWTs for officials and citizens: verification, and the principal they carry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc
import jwt

from motcua.errors import Forbidden, Unauthenticated

ISSUER = "motcua"
AUDIENCE = "motcua"
ROLES = ("citizen", "clerk", "officer", "leader", "admin", "seal_clerk", "service")


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, agency, department and roles."""

    sub: str
    agency: str
    department: str
    roles: frozenset[str]
    name: str = ""

    def require(self, *roles: str) -> None:
        """Refuse a caller that holds none of the roles."""
        if not self.roles.intersection(roles):
            raise Forbidden(
                detail=f"this action needs one of the roles: {', '.join(roles)}",
                detail_vi=f"Thao tác này cần một trong các vai trò: {', '.join(roles)}",
                reason="ROLE_REQUIRED",
            )


class TokenVerifier:
    """Checks signature, expiry, issuer and audience of a bearer token."""

    def __init__(self, public_key_pem: bytes, *, issuer: str = ISSUER, audience: str = AUDIENCE) -> None:
        self.public_key = public_key_pem
        self.issuer = issuer
        self.audience = audience

    @classmethod
    def from_file(cls, path: Path) -> TokenVerifier:
        return cls(path.read_bytes())

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["RS256"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "sub", "iss", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(
                detail="the token has expired", detail_vi="Mã xác thực đã hết hạn", reason="TOKEN_EXPIRED"
            ) from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(
                detail=f"invalid token: {error}", detail_vi="Mã xác thực không hợp lệ", reason="TOKEN_INVALID"
            ) from None
        roles = claims.get("roles") or []
        if not isinstance(roles, list):
            raise Unauthenticated(detail="the roles claim must be a list", reason="TOKEN_INVALID")
        return Principal(
            sub=str(claims["sub"]),
            agency=str(claims.get("agency", "")),
            department=str(claims.get("department", "")),
            roles=frozenset(str(r) for r in roles),
            name=str(claims.get("name", "")),
        )

    def from_header(self, header: str | None) -> Principal:
        """The principal of an `Authorization: Bearer <token>` header."""
        if not header:
            raise Unauthenticated(
                detail="an Authorization bearer token is required",
                detail_vi="Cần mã xác thực (Authorization: Bearer)",
                reason="TOKEN_MISSING",
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(detail="the Authorization header must be 'Bearer <token>'", reason="TOKEN_INVALID")
        return self.verify(token.strip())

    def from_grpc(self, context: grpc.ServicerContext) -> Principal:
        """The principal of a gRPC call's `authorization` metadata."""
        metadata = dict(context.invocation_metadata())
        return self.from_header(metadata.get("authorization"))
