"""Notification's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.settings import CommonSettings, Env


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool
    username: str | None
    password: str | None
    timeout: float


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    smtp: SmtpSettings

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        return cls(
            common=CommonSettings.from_env("notification", http_port=8084, grpc_port=50054, env=env),
            smtp=SmtpSettings(
                host=env.str("MOTCUA_SMTP_HOST", "127.0.0.1"),
                port=env.port("MOTCUA_SMTP_PORT", 2525),
                sender=env.str("MOTCUA_SMTP_FROM", "Một cửa điện tử <no-reply@motcua.local>"),
                starttls=env.bool("MOTCUA_SMTP_STARTTLS", False),
                username=env.optional("MOTCUA_SMTP_USERNAME"),
                password=env.optional("MOTCUA_SMTP_PASSWORD"),
                timeout=float(env.int("MOTCUA_SMTP_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)),
            ),
        )
