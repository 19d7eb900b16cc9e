"""JSON logs on stdout with the service, dossier, event id and trace id of each line."""

from __future__ import annotations

import contextvars
import json
import logging
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from kafka.errors import (
    IllegalSaslStateError,
    SaslAuthenticationFailedError,
    UnsupportedSaslMechanismError,
)

# The default is never mutated: bound() always sets a new dict.
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("motcua_log_context", default={})  # noqa: B039


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the bound context fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            line.update(extra)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class KafkaRefusals(logging.Filter):
    """Lets through kafka-python's reports that a broker refused the client's credentials or TLS handshake."""

    REFUSALS = (SaslAuthenticationFailedError, UnsupportedSaslMechanismError, IllegalSaslStateError, ssl.SSLError)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return any(isinstance(arg, self.REFUSALS) for arg in args)


def configure(service: str, level: str = "INFO") -> None:
    """Send every log record to stdout as JSON."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # fontTools logs about twenty INFO lines for every font subset, that is for every PDF signing renders.
    for noisy in ("waitress", "werkzeug", "fontTools"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # kafka-python logs every refused reconnect as an ERROR, several a second while a broker is down; the
    # consumer loop and the outbox relay report outages themselves, once per attempt, with their context.
    logging.getLogger("kafka").setLevel(max(logging.CRITICAL, root.level))
    # Refused credentials or certificates are not an outage: they are shown, or a bad setting hides behind retries.
    bootstrap = logging.getLogger("kafka.net.manager")
    bootstrap.setLevel(max(logging.WARNING, root.level))
    if not any(isinstance(f, KafkaRefusals) for f in bootstrap.filters):
        bootstrap.addFilter(KafkaRefusals())


@contextmanager
def bound(**fields: str) -> Iterator[None]:
    """Add fields (dossier, event_id, trace_id) to every log line inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def mask(value: str, keep: int = 3) -> str:
    """Personal data for logs and outgoing events: only the last few characters stay visible."""
    if not value:
        return ""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    return "*" * max(len(value) - keep, 0) + value[-keep:]
