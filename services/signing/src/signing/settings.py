"""Signing's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua.settings import CommonSettings, Env


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    pki_dir: Path
    passphrase: bytes
    trust_roots: Path
    public_url: str

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        pki_dir = env.path("MOTCUA_SIGNING_PKI_DIR", ".data/pki")
        return cls(
            common=CommonSettings.from_env("signing", http_port=8083, grpc_port=50053, env=env),
            pki_dir=pki_dir,
            passphrase=env.str("MOTCUA_SIGNING_KEY_PASSPHRASE", "motcua-dev").encode(),
            trust_roots=env.path("MOTCUA_SIGNING_TRUST_ROOTS", str(pki_dir / "root.pem")),
            public_url=env.str("MOTCUA_SIGNING_PUBLIC_URL", "http://127.0.0.1:8083").rstrip("/"),
        )
