"""Feedback's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.settings import CommonSettings, Env


@dataclass(frozen=True)
class Settings:
    common: CommonSettings

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        return cls(common=CommonSettings.from_env("feedback", http_port=8085, grpc_port=50055, env=env or Env()))
