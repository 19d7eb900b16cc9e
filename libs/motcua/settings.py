"""Typed settings read once from the environment; a bad value stops the service naming the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Env:
    """Reads typed values from an environment mapping, naming the variable on error."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def str(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name, default)
        if value is None or value == "":
            raise SettingsError(f"{name} is required but not set")
        return value

    def optional(self, name: str) -> str | None:
        return self._environ.get(name) or None

    def int(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        raw = self._environ.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise SettingsError(f"{name} must be {bounds}, got {value}")
        return value

    def port(self, name: str, default: int) -> int:
        return self.int(name, default, minimum=1, maximum=65535)

    def bool(self, name: str, default: bool) -> bool:
        raw = self._environ.get(name)
        if raw is None or raw == "":
            return default
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{name} must be true or false, got {raw!r}")

    def path(self, name: str, default: str | None = None, *, must_exist: bool = True) -> Path:
        path = Path(self.str(name, default))
        if must_exist and not path.exists():
            raise SettingsError(f"{name} points at {path}, which does not exist")
        return path

    def url(self, name: str, default: str) -> str:
        """An http(s) URL with a host, without its trailing slash."""
        value = self.str(name, default)
        scheme, sep, rest = value.partition("://")
        if scheme not in {"http", "https"} or not sep or not rest.split("/")[0]:
            raise SettingsError(f"{name} must be an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    def address(self, name: str, default: str) -> str:
        value = self.str(name, default)
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise SettingsError(f"{name} must be host:port, got {value!r}")
        return value


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: where Kafka and MongoDB are, how to log, how to check tokens."""

    service: str
    kafka_bootstrap_servers: str
    mongo_url: str
    topic_prefix: str
    database_prefix: str
    log_level: str
    jwt_public_key: Path | None
    http_port: int
    grpc_port: int

    @classmethod
    def from_env(cls, service: str, *, http_port: int, grpc_port: int, env: Env | None = None) -> CommonSettings:
        env = env or Env()
        upper = service.upper()
        level = env.str("MOTCUA_LOG_LEVEL", "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"MOTCUA_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
        mongo_url = env.str("MONGO_URL", "mongodb://127.0.0.1:27017/")
        if not mongo_url.startswith(("mongodb://", "mongodb+srv://")):
            raise SettingsError("MONGO_URL must start with mongodb:// or mongodb+srv://")
        jwt_key = env.optional("MOTCUA_JWT_PUBLIC_KEY")
        return cls(
            service=service,
            kafka_bootstrap_servers=env.str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            mongo_url=mongo_url,
            topic_prefix=env.optional("MOTCUA_TOPIC_PREFIX") or "",
            database_prefix=env.optional("MOTCUA_DATABASE_PREFIX") or "",
            log_level=level,
            jwt_public_key=env.path("MOTCUA_JWT_PUBLIC_KEY") if jwt_key else None,
            http_port=env.port(f"MOTCUA_{upper}_HTTP_PORT", http_port),
            grpc_port=env.port(f"MOTCUA_{upper}_GRPC_PORT", grpc_port),
        )
