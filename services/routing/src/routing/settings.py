"""Routing's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua.settings import CommonSettings, Env


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    signing_addr: str
    signing_timeout: float
    signing_token_file: Path | None
    agency_name: str
    due_soon_minutes: int
    scheduler_seconds: int

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        return cls(
            common=CommonSettings.from_env("routing", http_port=8082, grpc_port=50052, env=env),
            signing_addr=env.address("MOTCUA_SIGNING_ADDR", "127.0.0.1:50053"),
            signing_timeout=float(env.int("MOTCUA_SIGNING_TIMEOUT_SECONDS", 30, minimum=1, maximum=300)),
            signing_token_file=env.readable_file("MOTCUA_SIGNING_CREDENTIALS_FILE"),
            agency_name=env.str("MOTCUA_AGENCY_NAME", "UBND phường Hoa Lư"),
            due_soon_minutes=env.int("MOTCUA_ROUTING_DUE_SOON_MINUTES", 240, minimum=1, maximum=7 * 24 * 60),
            scheduler_seconds=env.int("MOTCUA_ROUTING_SCHEDULER_SECONDS", 10, minimum=1, maximum=300),
        )
