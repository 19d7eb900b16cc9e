"""Intake's settings, read once from the environment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from motcua.settings import CommonSettings, Env, SettingsError

AGENCY_ID = re.compile(r"^[0-9A-Z]{3}(\.[0-9A-Z]{2,3}){3}$")


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    agency_id: str
    max_attachment_bytes: int
    max_request_bytes: int

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        agency_id = env.str("MOTCUA_AGENCY_ID", "000.00.12.H56")
        if not AGENCY_ID.match(agency_id):
            raise SettingsError(f"MOTCUA_AGENCY_ID must look like 000.00.12.H56, got {agency_id!r}")
        return cls(
            common=CommonSettings.from_env("intake", http_port=8081, grpc_port=50051, env=env),
            agency_id=agency_id,
            max_attachment_bytes=env.int("MOTCUA_INTAKE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1024),
            max_request_bytes=env.int("MOTCUA_INTAKE_MAX_REQUEST_BYTES", 256 * 1024, minimum=1024),
        )
