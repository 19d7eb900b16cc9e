"""Typed settings read once from the environment; a bad value stops the service naming the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload


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

    def readable_file(self, name: str) -> Path | None:
        """An optional path that must name a file this process can read."""
        raw = self.optional(name)
        if raw is None:
            return None
        path = Path(raw)
        if not path.is_file():
            raise SettingsError(f"{name} points at {path}, which is not a file")
        if not os.access(path, os.R_OK):
            raise SettingsError(f"{name} points at {path}, which this process may not read")
        return path

    @overload
    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str: ...

    @overload
    def choice(self, name: str, default: None, choices: tuple[str, ...]) -> str | None: ...

    def choice(self, name: str, default: str | None, choices: tuple[str, ...]) -> str | None:
        """One of a fixed set of words (compared in upper case), or the default when unset."""
        raw = self.optional(name)
        if raw is None:
            return default
        value = raw.strip().upper()
        if value not in choices:
            raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        return value

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


SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class KafkaSettings:
    """How to reach and authenticate to the brokers; the names follow kafka-python's parameters."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Env | None = None) -> KafkaSettings:
        env = env or Env()
        settings = cls(
            bootstrap_servers=env.str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            security_protocol=env.choice("MOTCUA_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", SECURITY_PROTOCOLS),
            ssl_cafile=env.readable_file("MOTCUA_KAFKA_SSL_CAFILE"),
            ssl_certfile=env.readable_file("MOTCUA_KAFKA_SSL_CERTFILE"),
            ssl_keyfile=env.readable_file("MOTCUA_KAFKA_SSL_KEYFILE"),
            sasl_mechanism=env.choice("MOTCUA_KAFKA_SASL_MECHANISM", None, SASL_MECHANISMS),
            sasl_username=env.optional("MOTCUA_KAFKA_SASL_USERNAME"),
            sasl_password=env.optional("MOTCUA_KAFKA_SASL_PASSWORD"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse combinations the brokers would refuse later, naming the variable to fix."""
        protocol = f"MOTCUA_KAFKA_SECURITY_PROTOCOL={self.security_protocol}"
        tls_files = {"MOTCUA_KAFKA_SSL_CAFILE": self.ssl_cafile, "MOTCUA_KAFKA_SSL_CERTFILE": self.ssl_certfile,
                     "MOTCUA_KAFKA_SSL_KEYFILE": self.ssl_keyfile}
        if not self.security_protocol.endswith("SSL"):
            for name, value in tls_files.items():
                if value is not None:
                    raise SettingsError(f"{name} is set but {protocol} uses no TLS: use SSL or SASL_SSL")
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            given, missing = (("MOTCUA_KAFKA_SSL_CERTFILE", "MOTCUA_KAFKA_SSL_KEYFILE") if self.ssl_keyfile is None
                              else ("MOTCUA_KAFKA_SSL_KEYFILE", "MOTCUA_KAFKA_SSL_CERTFILE"))
            raise SettingsError(f"{missing} is required with {given}: a client certificate needs its key")
        sasl = {"MOTCUA_KAFKA_SASL_MECHANISM": self.sasl_mechanism, "MOTCUA_KAFKA_SASL_USERNAME": self.sasl_username,
                "MOTCUA_KAFKA_SASL_PASSWORD": self.sasl_password}
        if self.security_protocol.startswith("SASL_"):
            for name, value in sasl.items():
                if value is None:
                    raise SettingsError(f"{name} is required with {protocol}")
        else:
            for name, value in sasl.items():
                if value is not None:
                    raise SettingsError(f"{name} is set but {protocol} does not authenticate: "
                                        "use SASL_PLAINTEXT or SASL_SSL")

    def client_options(self) -> dict[str, Any]:
        """The connection arguments of every kafka-python client: producer, consumer and admin alike."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers.split(","),
                                   "security_protocol": self.security_protocol}
        optional = {"ssl_cafile": self.ssl_cafile, "ssl_certfile": self.ssl_certfile, "ssl_keyfile": self.ssl_keyfile,
                    "sasl_mechanism": self.sasl_mechanism, "sasl_plain_username": self.sasl_username,
                    "sasl_plain_password": self.sasl_password}
        options.update({name: str(value) for name, value in optional.items() if value is not None})
        return options


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: where Kafka and MongoDB are, how to log, how to check tokens."""

    service: str
    kafka: KafkaSettings
    mongo_url: str
    mongo_slow_ms: int
    consumers: int
    consumer_threads: int
    inbox_retention_days: int
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
            kafka=KafkaSettings.from_env(env),
            mongo_url=mongo_url,
            mongo_slow_ms=env.int("MOTCUA_MONGO_SLOW_MS", 500, maximum=3_600_000),
            consumers=env.int("MOTCUA_CONSUMERS", 3, minimum=1, maximum=32),
            consumer_threads=env.int("MOTCUA_CONSUMER_THREADS", 4, minimum=1, maximum=64),
            inbox_retention_days=env.int("MOTCUA_INBOX_RETENTION_DAYS", 30, minimum=8, maximum=3650),
            topic_prefix=env.optional("MOTCUA_TOPIC_PREFIX") or "",
            database_prefix=env.optional("MOTCUA_DATABASE_PREFIX") or "",
            log_level=level,
            jwt_public_key=env.path("MOTCUA_JWT_PUBLIC_KEY") if jwt_key else None,
            http_port=env.port(f"MOTCUA_{upper}_HTTP_PORT", http_port),
            grpc_port=env.port(f"MOTCUA_{upper}_GRPC_PORT", grpc_port),
        )
