"""Development keys and tokens: `python -m motcua.devtoken --role clerk --sub clerk-1`.

`make run` generates the key pair under .data/keys; the services verify with the public half. In
production the tokens come from the agency's identity provider and only its public key is configured.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.auth import AUDIENCE, ISSUER, ROLES

PRIVATE = "jwt-private.pem"
PUBLIC = "jwt-public.pem"


def keygen(directory: Path) -> tuple[Path, Path]:
    """Create an RSA key pair in directory unless one is there already."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / PRIVATE, directory / PUBLIC
    if private.exists() and public.exists():
        return private, public
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private.chmod(0o600)
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public


def token(private_key: bytes, *, sub: str, roles: list[str], agency: str = "", department: str = "",
          name: str = "", ttl: int = 3600) -> str:
    """A signed RS256 token with the platform's issuer and audience."""
    now = int(time.time())
    claims = {"sub": sub, "roles": roles, "agency": agency, "department": department, "name": name,
              "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, private_key, algorithm="RS256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m motcua.devtoken", description="Print a development token.")
    parser.add_argument("--keys", type=Path, default=Path(".data/keys"), help="key directory (default .data/keys)")
    parser.add_argument("--keygen", action="store_true", help="create the key pair if missing and print its path")
    parser.add_argument("--sub", default="", help="subject (defaults to the first role)")
    parser.add_argument("--role", action="append", choices=ROLES, default=[])
    parser.add_argument("--agency", default="000.00.12.H56")
    parser.add_argument("--department", default="")
    parser.add_argument("--name", default="")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    if args.keygen:
        print(keygen(args.keys)[1])
        return 0
    if not args.role:
        parser.error("give at least one --role")
    key_file = args.keys / PRIVATE
    if not key_file.exists():
        parser.error(f"no private key at {key_file}: run with --keygen first")
    print(token(key_file.read_bytes(), sub=args.sub or f"{args.role[0]}-1", roles=args.role, agency=args.agency,
                department=args.department, name=args.name, ttl=args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
