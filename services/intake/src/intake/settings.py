"""Intake's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua.settings import CommonSettings, Env


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    max_attachment_bytes: int
    max_request_bytes: int
    signing_addr: str
    signing_timeout: float
    # Intake's own service token (role service, subject intake), shown to signing and to feedback.
    signing_token_file: Path | None
    # Feedback's gRPC API, asked for the rating link printed on the receipt, and how long to wait for it.
    feedback_addr: str
    feedback_timeout: float
    public_url: str
    signing_public_url: str
    load_seed: bool

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        return cls(
            common=CommonSettings.from_env("intake", http_port=8081, grpc_port=50051, env=env),
            max_attachment_bytes=env.int("MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1024),
            max_request_bytes=env.int("MOTCUA_INTAKE_MAX_REQUEST_BYTES", 256 * 1024, minimum=1024),
            signing_addr=env.address("MOTCUA_SIGNING_ADDR", "127.0.0.1:50053"),
            signing_timeout=float(env.int("MOTCUA_SIGNING_TIMEOUT_SECONDS", 30, minimum=1, maximum=300)),
            signing_token_file=env.readable_file("MOTCUA_SIGNING_CREDENTIALS_FILE"),
            feedback_addr=env.address("MOTCUA_FEEDBACK_ADDR", "127.0.0.1:50055"),
            feedback_timeout=float(env.int("MOTCUA_FEEDBACK_TIMEOUT_SECONDS", 2, minimum=1, maximum=30)),
            public_url=env.str("MOTCUA_INTAKE_PUBLIC_URL", "http://127.0.0.1:8081"),
            signing_public_url=env.str("MOTCUA_SIGNING_PUBLIC_URL", "http://127.0.0.1:8083").rstrip("/"),
            load_seed=env.bool("MOTCUA_INTAKE_LOAD_SEED", True),
        )
